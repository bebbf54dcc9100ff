from django.apps import AppConfig


class PracticeConfig(AppConfig):
    name = "peerpath.practice"
    label = "practice"
    verbose_name = "Practice lab"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from peerpath.certification.requirements import register_requirement
        from peerpath.core.navigation import MINE, TRAINING, register_nav, register_settings
        from peerpath.practice import queries, services
        from peerpath.training.extensions import register_evidence_source

        register_requirement("practice", services.certification_requirement)
        register_evidence_source("practice", queries.evidence_by_competency)

        register_nav(_("Practice lab"), "practice:home", "practice.play", group=MINE.key, order=38)
        register_nav(_("Practice reviews"), "practice:review", "practice.review", group=TRAINING.key, order=60)
        register_nav(
            _("Practice scenarios"), "practice:scenarios", "practice.edit_scenarios", group=TRAINING.key, order=61
        )
        register_settings(
            _("Practice lab"),
            "practice:settings",
            "practice.edit_settings",
            description=_("Practice sessions required for certification; practice time as continuing education."),
            order=45,
        )
