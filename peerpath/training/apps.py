from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "peerpath.training"
    label = "training"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from peerpath.core.navigation import MINE, TRAINING, register_home_panel, register_nav
        from peerpath.programs.signals import program_created
        from peerpath.training import defaults, panels

        program_created.connect(defaults.seed_curriculum, dispatch_uid="training.seed_curriculum")
        program_created.connect(defaults.seed_ce_subjects, dispatch_uid="training.seed_ce_subjects")

        register_nav(_("My cohorts"), "training:my_cohorts", "training.my_cohorts", group=MINE.key, order=10)
        register_nav(_("My training"), "training:my_training", "training.my_training", group=MINE.key, order=10)
        register_nav(_("Cohorts"), "training:cohorts", "training.view_cohorts", group=TRAINING.key, order=20)
        register_nav(_("Curriculum"), "training:curriculum", "training.view_curriculum", group=TRAINING.key, order=22)
        register_nav(_("Refreshers"), "training:refreshers", "training.manage_refreshers", group=TRAINING.key, order=24)
        register_nav(
            _("Training feedback"), "training:feedback", "training.view_feedback", group=TRAINING.key, order=26
        )
        register_nav(_("Calendar"), "training:calendar", "training.calendar", group=TRAINING.key, order=95)
        register_home_panel("training_trainer", panels.trainer_panel, order=15, cached=True)
        register_home_panel("training_trainee", panels.trainee_panel, order=6, cached=True)
