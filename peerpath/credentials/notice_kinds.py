"""The kinds of message credentials sends, registered with the notification layer."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from peerpath.notifications.kinds import Kind, register_kinds
from peerpath.notifications.models import Channel

IN_APP, EMAIL = Channel.IN_APP.value, Channel.EMAIL.value


def register() -> None:
    register_kinds(
        Kind(
            key="credentials.qualification_reminder",
            label=_("Qualification expiry reminders"),
            template="credentials/email/qualification_reminder",
            default=frozenset({IN_APP, EMAIL}),
            audience=_("Supporters: 60, 30 and 7 days before a qualification expires."),
            order=34,
        ),
    )
