"""The kinds of message the hours ledger sends, registered with the notification layer."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from peerpath.notifications.kinds import Kind, register_kinds
from peerpath.notifications.models import Channel

IN_APP, EMAIL = Channel.IN_APP.value, Channel.EMAIL.value


def register() -> None:
    register_kinds(
        Kind(
            key="hours.duty_returned",
            label=_("Duties returned"),
            template="hours/email/duty_returned",
            default=frozenset({IN_APP, EMAIL}),
            audience=_("Supporters: a duty you logged needs fixing."),
            order=60,
        ),
    )
