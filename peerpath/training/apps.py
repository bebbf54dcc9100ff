from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "peerpath.training"
    label = "training"

    def ready(self) -> None:
        from peerpath.core.navigation import register_home_panel, register_nav
        from peerpath.programs.signals import program_created
        from peerpath.training import defaults, panels

        program_created.connect(defaults.seed_curriculum, dispatch_uid="training.seed_curriculum")

        register_nav("My cohorts", "training:my_cohorts", "training.my_cohorts", order=6)
        register_nav("My training", "training:my_training", "training.my_training", order=6)
        register_nav("Cohorts", "training:cohorts", "training.view_cohorts", order=20)
        register_nav("Curriculum", "training:curriculum", "training.view_curriculum", order=22)
        register_nav("Refreshers", "training:refreshers", "training.manage_refreshers", order=24)
        register_nav("Training feedback", "training:feedback", "training.view_feedback", order=26)
        register_nav("Calendar", "training:calendar", "training.calendar", order=95)
        register_home_panel("training_trainer", panels.trainer_panel, order=15)
        register_home_panel("training_trainee", panels.trainee_panel, order=6)
