from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "peerpath.reports"
    label = "reports"

    def ready(self) -> None:
        from peerpath.core.navigation import register_nav

        register_nav("Reports", "reports:dashboard", "reports.view", order=70)
