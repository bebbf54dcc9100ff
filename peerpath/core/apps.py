from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "peerpath.core"
    label = "core"
    verbose_name = "PeerPath core"

    def ready(self) -> None:
        from peerpath.core.navigation import register_nav

        register_nav("Audit log", "core:audit_log", "audit.view", order=99)
