import datetime as dt

from django.apps import AppConfig


class CertificationConfig(AppConfig):
    name = "peerpath.certification"
    label = "certification"

    def ready(self) -> None:
        from peerpath.certification import notice_kinds

        notice_kinds.register()
        from django.utils.translation import gettext_lazy as _

        from peerpath.certification import panels, queries, restore_probe, services, tasks
        from peerpath.core import backup
        from peerpath.core.navigation import MINE, TRAINING, register_home_panel, register_nav, register_settings
        from peerpath.core.scheduler import register_periodic
        from peerpath.training.extensions import register_roster_status, register_trainee_section
        from peerpath.training.signals import refresher_attendance_recorded

        refresher_attendance_recorded.connect(
            services.credit_refresher_attendance, dispatch_uid="certification.credit_refresher_attendance"
        )
        register_roster_status("assessment", queries.assessment_status)
        register_trainee_section("outcome", panels.outcome_section, order=10)
        register_trainee_section("credentials", panels.credentials_section, order=20)

        register_nav(
            _("Certification"), "certification:overview", "certification.overview", group=TRAINING.key, order=28
        )
        register_nav(
            _("Continuing education"), "certification:my_ce", "certification.own_credentials", group=MINE.key, order=30
        )
        register_settings(
            _("Certification rules"),
            "certification:settings",
            "certification.edit_settings",
            description=_("The outcome rules of an assessment, the credential, and renewal."),
            order=40,
        )
        register_settings(
            _("Continuing-education rule"),
            "certification:ce_rule",
            "certification.edit_settings",
            description=_("Subjects, hours per cycle, subject minimums, caps on self-paced hours, grace; presets."),
            order=41,
        )
        register_home_panel("certification", panels.coordinator_panel, order=16, cached=True)
        register_home_panel("my_certificate", panels.my_certificate_panel, order=4, cached=True)
        register_periodic("certification.daily_check", tasks.daily_certification_check, dt.timedelta(days=1))
        backup.register_key_ids("credential_signing", restore_probe.key_ids)
        backup.register_probe("certificate_verifies", restore_probe.capture, restore_probe.check)
