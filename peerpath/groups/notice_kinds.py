"""The kinds of message groups sends, registered with the notification layer."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from peerpath.notifications.kinds import Kind, register_kinds
from peerpath.notifications.models import Channel

IN_APP, EMAIL, SMS = Channel.IN_APP.value, Channel.EMAIL.value, Channel.SMS.value


def register() -> None:
    register_kinds(
        Kind(
            key="groups.session_change",
            label=_("Group sessions moved, added or cancelled"),
            template="groups/email/session_moved",
            default=frozenset({IN_APP, EMAIL}),
            audience=_("Facilitators, and supporters coming to an event."),
            order=50,
        ),
        Kind(
            key="groups.cover",
            label=_("Cover for group sessions"),
            template="groups/email/cover_asked",
            default=frozenset({IN_APP, EMAIL}),
            audience=_("Facilitators: a colleague asks for cover, or your session is covered."),
            order=51,
        ),
    )
