from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "peerpath.reports"
    label = "reports"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from peerpath.core.navigation import REPORTS, register_nav
        from peerpath.reports import rollups

        register_nav(_("Reports"), "reports:dashboard", "reports.view", group=REPORTS.key, order=70)
        # The contact rollups follow every saved or deleted contact (peerpath/reports/rollups.py).
        rollups.connect()
