import datetime as dt

from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "peerpath.support"
    label = "support"
    verbose_name = "Participants and support"

    def ready(self) -> None:
        from django.tasks.signals import task_started
        from django.utils.translation import gettext_lazy as _

        from peerpath.core import backup
        from peerpath.core.encryption import register_blind_index
        from peerpath.core.navigation import MINE, PEOPLE, SUPPORT, register_home_panel, register_nav, register_settings
        from peerpath.core.permissions import register_condition, register_program_page_hook
        from peerpath.core.scheduler import register_periodic, register_tick_check
        from peerpath.notifications.paging import register_acknowledger
        from peerpath.recruitment.access import not_while_in_training
        from peerpath.support import notice_kinds, noticers, oncall, panels, readiness, restore_probe, retention, tasks
        from peerpath.support.services.concerns import acknowledge_by_page, alert_on_call
        from peerpath.support.services.participants import rebuild_search_index

        # A supporter still in training has no participants, offers or matching profile yet.
        register_condition(
            ["support.view_caseload", "support.respond_to_offer", "support.edit_own_profile"], not_while_in_training
        )
        register_nav(_("My participants"), "support:caseload", "support.view_caseload", group=MINE.key, order=20)
        register_nav(
            _("My matching profile"), "support:my_profile", "support.edit_own_profile", group=MINE.key, order=25
        )
        register_nav(
            _("Participants"), "support:participants", "support.manage_participants", group=SUPPORT.key, order=20
        )
        register_nav(_("Matching"), "support:batch", "support.match", group=SUPPORT.key, order=21)
        register_nav(_("Needs attention"), "support:attention", "support.view_attention", group=SUPPORT.key, order=22)
        register_nav(_("Supporters"), "support:supporters", "support.view_supporters", group=PEOPLE.key, order=23)
        register_nav(_("Supervision"), "support:supervision", "support.supervise", group=MINE.key, order=20)
        register_nav(_("Concerns"), "support:concerns", "support.view_concerns", group=SUPPORT.key, order=31)

        register_settings(
            _("Support"),
            "support:settings",
            "support.edit_settings",
            description=_(
                "The public request form, matching, the windows that flag relationships, and the crisis protocol."
            ),
            order=50,
        )

        register_home_panel("support_notifications", panels.notifications_panel, order=1)
        register_home_panel("support_caseload", panels.caseload_panel, order=4)
        register_home_panel("support_supervision", panels.supervision_panel, order=8, cached=True)
        register_home_panel("support_coordinator", panels.coordinator_panel, order=11, cached=True)

        register_periodic("support.daily_reminders", tasks.daily_reminders, dt.timedelta(days=1))
        register_periodic("support.escalation_sweep", tasks.escalation_sweep, dt.timedelta(minutes=5))

        # The crisis on-call chain (support.oncall): its alert channels and who notices a due step.
        oncall.register_alert_channel("notifications", alert_on_call)
        notice_kinds.register()
        register_acknowledger("support.crisis", acknowledge_by_page)
        register_tick_check("support.crisis_escalation", noticers.from_scheduler)
        task_started.connect(noticers.from_worker, dispatch_uid="support.crisis_escalation")
        register_program_page_hook("support.crisis_escalation", noticers.from_page)

        register_blind_index("participant search", rebuild_search_index)
        backup.register_probe("participant_decrypts", restore_probe.capture, restore_probe.check)
        retention.register()
        readiness.register()
