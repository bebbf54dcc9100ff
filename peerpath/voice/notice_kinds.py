"""The kinds of message the participant's side sends, registered with the notification layer.

Participants have no account: their feedback links go by e-mail and, when they agreed to
texts, by text (`peerpath.notifications.services.text_recipient`); coordinators hear of each
answer through the layer."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from peerpath.notifications.kinds import Kind, register_kinds
from peerpath.notifications.models import Channel

IN_APP, EMAIL, SMS = Channel.IN_APP.value, Channel.EMAIL.value, Channel.SMS.value


def register() -> None:
    register_kinds(
        Kind(
            key="voice.feedback",
            label=_("Participants' feedback"),
            template="support/email/notice",
            default=frozenset({IN_APP}),
            audience=_("Coordinators: a participant answered their feedback link."),
            order=70,
        ),
        Kind(
            key="voice.answer_link",
            label=_("Feedback link to a participant"),
            template="voice/email/answer_link",
            default=frozenset({SMS}),
            allowed=frozenset({SMS}),
            for_accounts=False,
            order=71,
        ),
    )
