from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "peerpath.programs"
    label = "programs"

    def ready(self) -> None:
        import datetime as dt

        from django.utils.translation import gettext_lazy as _

        from peerpath.core.navigation import MINE, PEOPLE, REPORTS, SETUP, TRAINING, register_nav
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
        register_nav(_("Settings"), "programs:settings", "program.edit_settings", group=SETUP.key, order=95)
        register_nav(_("System health"), "programs:system_health", "program.view_health", group=SETUP.key, order=97)
        register_nav(_("Undelivered e-mail"), "programs:undelivered", "program.resend_email", group=SETUP.key, order=98)
        register_nav(_("Audit log"), "programs:audit_log", "audit.view", group=REPORTS.key, order=99)
        register_periodic("programs.retention", tasks.apply_retention, dt.timedelta(days=1))
