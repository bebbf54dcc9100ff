from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "peerpath.programs"
    label = "programs"

    def ready(self) -> None:
        import datetime as dt

        from django.utils.translation import gettext_lazy as _

        from peerpath.core.navigation import (
            MINE,
            PEOPLE,
            REPORTS,
            SETUP,
            TRAINING,
            register_nav,
            register_settings,
            register_settings_index,
        )
        from peerpath.core.permissions import register_membership_lookup
        from peerpath.core.scheduler import register_periodic
        from peerpath.core.second_factor import register_requirement
        from peerpath.programs import access, defaults, signals, tasks

        register_membership_lookup(access.current_membership)
        register_requirement(access.second_factor_required)
        signals.program_created.connect(defaults.seed_competencies, dispatch_uid="programs.seed_competencies")

        register_nav(_("Home"), "programs:home", "program.home", group=MINE.key, order=0)
        register_nav(
            _("Competencies"), "programs:competencies", "program.view_competencies", group=TRAINING.key, order=80
        )
        register_nav(_("Members"), "programs:members", "program.manage_members", group=PEOPLE.key, order=90)
        register_nav(_("Settings"), "programs:settings_index", "program.edit_settings", group=SETUP.key, order=95)
        register_settings_index("programs:settings_index")
        register_settings(
            _("Program details"),
            "programs:settings",
            "program.edit_settings",
            description=_("Name, description, contact e-mail, and whether applications are open."),
            order=10,
        )
        register_settings(
            _("Two-factor sign-in"),
            "programs:second_factor_settings",
            "program.edit_settings",
            description=_("Which roles must use two-factor sign-in in this program."),
            order=20,
        )
        register_settings(
            _("Retention"),
            "programs:retention",
            "program.edit_settings",
            description=_("How long closed participants, audit entries and contact drafts are kept."),
            order=90,
        )
        register_settings(
            _("System health"),
            "programs:system_health",
            "program.view_health",
            description=_("The checks monitoring reads, each with its value and limit."),
            order=95,
        )
        register_settings(
            _("Undelivered e-mail"),
            "programs:undelivered",
            "program.resend_email",
            description=_("E-mails the mail server did not take, to send again."),
            order=96,
        )
        register_nav(_("Audit log"), "programs:audit_log", "audit.view", group=REPORTS.key, order=99)
        register_periodic("programs.retention", tasks.apply_retention, dt.timedelta(days=1))
