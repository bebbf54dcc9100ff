from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "peerpath.plans"
    label = "plans"
    verbose_name = "Goals, needs and referrals"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from peerpath.core.navigation import SUPPORT, register_nav, register_settings
        from peerpath.plans import parts, queries
        from peerpath.support import extensions
        from peerpath.support.sections import register_relationship_section

        # The participant's plan on support's pages (support never imports plans).
        register_relationship_section("plans_goals", parts.relationship_section, order=10)
        extensions.register_form_part("contact", "plans_goals_worked_on", parts.contact_part, order=10)
        extensions.register_form_part("close", "plans_goals_met", parts.close_part, order=10)
        extensions.register_followups("plans_review", queries.review_followups)
        extensions.register_participant_export("plans", queries.participant_plans)

        register_nav(_("Goal progress"), "plans:progress", "plans.view_progress", group=SUPPORT.key, order=24)
        register_settings(
            _("Plans and needs"),
            "plans:settings",
            "plans.edit_settings",
            description=_("How often plans are reviewed, and the needs checklist."),
            order=55,
        )
