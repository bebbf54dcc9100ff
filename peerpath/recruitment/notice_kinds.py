"""The kinds of message recruitment sends, registered with the notification layer.

Applicants have no account: what they are told (the application received, an interview) goes
by e-mail in the outbox; coordinators are told through the layer."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from peerpath.notifications.kinds import Kind, register_kinds
from peerpath.notifications.models import Channel

IN_APP, EMAIL = Channel.IN_APP.value, Channel.EMAIL.value


def register() -> None:
    register_kinds(
        Kind(
            key="recruitment.new_application",
            label=_("New applications"),
            template="recruitment/email/new_application",
            default=frozenset({IN_APP, EMAIL}),
            audience=_("Coordinators: someone applied to be a peer supporter."),
            order=20,
        ),
    )
