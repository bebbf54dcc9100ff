from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    """Data exchange: imports with preview, exports of every list, the whole-program archive."""

    name = "peerpath.exchange"
    label = "exchange"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from peerpath.core.navigation import REPORTS, register_nav

        register_nav(_("Import & export"), "exchange:home", "exchange.import", group=REPORTS.key, order=75)
