import datetime as dt

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "peerpath.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from peerpath.core.encryption import register_blind_index
        from peerpath.core.navigation import REPORTS, register_nav
        from peerpath.core.scheduler import register_periodic
        from peerpath.notifications import delivery, services

        register_periodic("notifications.release_sweep", delivery.release_sweep, dt.timedelta(minutes=1))
        register_periodic("notifications.daily_digest", delivery.daily_digest, dt.timedelta(days=1))
        register_blind_index("text recipients' numbers", services.rebuild_phone_digests)
        register_nav(
            _("Failed messages"), "notifications:failed", "notifications.view_failed", group=REPORTS.key, order=98
        )
