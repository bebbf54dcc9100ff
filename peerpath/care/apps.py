import datetime as dt
from typing import cast

from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "peerpath.care"
    label = "care"
    verbose_name = "Supporter care"

    def ready(self) -> None:
        from peerpath.care import notice_kinds

        notice_kinds.register()
        from django.utils.translation import gettext_lazy as _

        from peerpath.care import defaults, handlers, panels, queries, tasks
        from peerpath.care.holds import HOLDS, ON_A_BREAK_WORDS
        from peerpath.core.navigation import CARE, MINE, register_home_panel, register_nav, register_settings
        from peerpath.core.permissions import register_condition
        from peerpath.core.scheduler import register_periodic
        from peerpath.programs.signals import adverse_event_recorded, program_created
        from peerpath.recruitment.access import not_while_in_training
        from peerpath.support.availability import register_hold_back, register_unavailable

        program_created.connect(defaults.seed_checkin, dispatch_uid="care.seed_checkin")
        adverse_event_recorded.connect(handlers.on_adverse_event, dispatch_uid="care.on_adverse_event")
        # Matching holds these supporters back (peerpath.support.availability; reasons in care.holds).
        on_a_break = cast(str, _("on a break"))  # lazy: read in each page's language
        register_unavailable(on_a_break, queries.supporters_on_break, for_supporter=ON_A_BREAK_WORDS)
        for key, check in HOLDS.items():
            register_hold_back(key, check)
        register_condition(["care.own_breaks"], not_while_in_training)  # breaks are from supporting

        register_settings(
            _("Supporter care"),
            "care:settings",
            "care.edit_settings",
            description=_("Supervision minimum, check-ins and reminders, the weekly digest, attention thresholds."),
            order=60,
        )
        register_nav(_("My well-being"), "care:my_care", "care.own_care", group=MINE.key, order=40)
        register_nav(_("Supporter care"), "care:supporters", "care.view_supporters", group=CARE.key, order=20)
        register_nav(_("Care tasks"), "care:tasks", "care.view_tasks", group=CARE.key, order=21)
        register_nav(_("Newsletters"), "care:newsletters", "care.read_newsletters", group=CARE.key, order=90)
        register_home_panel("care_me", panels.my_care_panel, order=6, cached=True)
        register_home_panel("care_supervision", panels.supervision_panel, order=15, cached=True)
        register_home_panel("care_coordinator", panels.coordinator_panel, order=16, cached=True)
        register_home_panel("care_topics", panels.topics_panel, order=40, cached=True)

        register_periodic("care.breaks", tasks.apply_break_dates, dt.timedelta(hours=6))
        register_periodic("care.checkin_reminders", tasks.send_checkin_reminders, dt.timedelta(days=1))
        register_periodic("care.weekly_digest", tasks.send_weekly_digests, dt.timedelta(days=7))
