from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "peerpath.programs"
    label = "programs"

    def ready(self) -> None:
        import datetime as dt

        from peerpath.core.navigation import register_nav
        from peerpath.core.permissions import register_membership_lookup
        from peerpath.core.scheduler import register_periodic
        from peerpath.core.second_factor import register_requirement
        from peerpath.programs import access, defaults, signals, tasks

        register_membership_lookup(access.current_membership)
        register_requirement(access.second_factor_required)
        signals.program_created.connect(defaults.seed_competencies, dispatch_uid="programs.seed_competencies")

        register_nav("Home", "programs:home", "program.home", order=0)
        register_nav("Competencies", "programs:competencies", "program.view_competencies", order=80)
        register_nav("Members", "programs:members", "program.manage_members", order=90)
        register_nav("Settings", "programs:settings", "program.edit_settings", order=95)
        register_nav("Audit log", "programs:audit_log", "audit.view", order=99)
        register_periodic("programs.retention", tasks.apply_retention, dt.timedelta(days=1))
