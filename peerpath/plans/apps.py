from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "peerpath.plans"
    label = "plans"
    verbose_name = "Goals, needs and referrals"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from peerpath.core.navigation import SUPPORT, register_nav, register_settings
        from peerpath.plans import defaults, parts, queries
        from peerpath.programs.signals import program_created
        from peerpath.support import extensions
        from peerpath.support.sections import register_relationship_section

        program_created.connect(defaults.seed_settings, dispatch_uid="plans.seed_settings")
        # The participant's plan on support's pages (support never imports plans).
        register_relationship_section("plans_goals", parts.relationship_section, order=10)
        extensions.register_form_part("contact", "plans_goals_worked_on", parts.contact_part, order=10)
        extensions.register_form_part("close", "plans_goals_met", parts.close_part, order=10)
        register_relationship_section("plans_needs", parts.needs_section, order=11)
        extensions.register_section("participant", "plans_needs", parts.participant_needs, order=10)
        extensions.register_followups("plans_review", queries.review_followups)
        extensions.register_followups("plans_referrals", queries.referral_followups)
        extensions.register_participant_export("plans", queries.participant_plans)
        extensions.register_erasure_counts("plans", queries.erasure_counts)
        extensions.register_section("concern", "plans_referrals", parts.concern_referrals, order=10)

        register_nav(_("Goal progress"), "plans:progress", "plans.view_progress", group=SUPPORT.key, order=24)
        register_nav(_("Resource directory"), "plans:directory", "plans.view_resources", group=SUPPORT.key, order=25)
        register_settings(
            _("Plans and needs"),
            "plans:settings",
            "plans.edit_settings",
            description=_("How often plans are reviewed, and the needs checklist."),
            order=55,
        )
