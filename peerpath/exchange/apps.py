from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    """Data exchange: imports with preview, exports of every list, the whole-program archive."""

    name = "peerpath.exchange"
    label = "exchange"

    def ready(self) -> None:
        from peerpath.core.navigation import register_nav

        register_nav("Import & export", "exchange:home", "exchange.import", order=75)
