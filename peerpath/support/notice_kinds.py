"""The kinds of message the support app sends, registered with the notification layer."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from peerpath.notifications.kinds import Kind, register_kind
from peerpath.notifications.models import Channel

IN_APP, EMAIL, SMS = Channel.IN_APP.value, Channel.EMAIL.value, Channel.SMS.value


def register() -> None:
    register_kind(
        Kind(
            key="support.crisis",
            label=_("Crisis alerts"),
            template="support/email/crisis",
            default=frozenset({IN_APP, EMAIL, SMS}),
            urgent=True,
            audience=_("Supervisors and coordinators on the on-call chain."),
            order=1,
        )
    )
    register_kind(
        Kind(
            key="support.alert",
            label=_("Concerns, match offers and requests for support"),
            template="support/email/notice",
            default=frozenset({IN_APP, EMAIL}),
            audience=_("A concern raised, a match offered to you, a new request for a peer supporter."),
            order=10,
        )
    )
    register_kind(
        Kind(
            key="support.notice",
            label=_("News about your participants and relationships"),
            template="support/email/notice",
            default=frozenset({IN_APP}),
            audience=_("An offer answered, a concern acknowledged, a relationship closing."),
            order=11,
        )
    )
    register_kind(
        Kind(
            key="support.reminder",
            label=_("Follow-ups due"),
            template="support/email/reminder",
            default=frozenset({EMAIL}),
            audience=_("Supporters: each morning, the follow-ups due and overdue."),
            order=12,
        )
    )
    register_kind(
        Kind(
            key="support.digest",
            label=_("Relationships needing attention"),
            template="support/email/digest",
            default=frozenset({EMAIL}),
            audience=_("Coordinators: each morning, the program's counts."),
            order=13,
        )
    )
    register_kind(
        Kind(
            key="support.participant_follow_up",
            label=_("Follow-up reminder to a participant"),
            template="support/sms/participant_follow_up",
            default=frozenset({SMS}),
            allowed=frozenset({SMS}),
            for_accounts=False,
            order=14,
        )
    )
