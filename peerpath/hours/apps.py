from django.apps import AppConfig


class HoursConfig(AppConfig):
    name = "peerpath.hours"
    label = "hours"
    verbose_name = "Service hours"

    def ready(self) -> None:
        from peerpath.hours import notice_kinds

        notice_kinds.register()
        from django.utils.translation import gettext_lazy as _

        from peerpath.care.recognition_sources import MilestoneMeasure, register_milestone_measure
        from peerpath.core.navigation import CARE, MINE, register_home_panel, register_nav, register_settings
        from peerpath.core.permissions import register_condition
        from peerpath.hours import ledger, panels, queries, services
        from peerpath.recruitment.access import not_while_in_training
        from peerpath.support.extensions import register_participant_export

        register_condition(["hours.own"], not_while_in_training)  # service starts after training
        register_nav(_("My hours"), "hours:mine", "hours.own", group=MINE.key, order=45)
        register_nav(_("Service hours"), "hours:ledgers", "hours.view_ledgers", group=CARE.key, order=30)
        register_settings(
            _("Service hours"),
            "hours:settings",
            "hours.edit_settings",
            description=_("The yearly hours goal, group preparation time, the unit of service, hours milestones."),
            order=65,
        )
        register_home_panel("hours_me", panels.my_hours_panel, order=7, cached=True)
        register_home_panel("hours_review", panels.review_panel, order=17, cached=True)
        # The service a participant received goes into their own export (support never imports hours).
        register_participant_export("hours", queries.participant_service)
        # Recognition milestones by hours of service, found with care's own (years, contacts).
        register_milestone_measure(
            MilestoneMeasure(
                key="hours",
                unit=_("hours of service"),
                counts=ledger.hours_by_supporter,
                thresholds=lambda program: services.get_settings(program).milestone_thresholds(),
            )
        )
