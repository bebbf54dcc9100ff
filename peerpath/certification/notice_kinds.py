"""The kinds of message certification sends, registered with the notification layer."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from peerpath.notifications.kinds import Kind, register_kinds
from peerpath.notifications.models import Channel

IN_APP, EMAIL = Channel.IN_APP.value, Channel.EMAIL.value


def register() -> None:
    register_kinds(
        Kind(
            key="certification.outcome",
            label=_("Your training outcome"),
            template="certification/email/outcome",
            default=frozenset({IN_APP, EMAIL}),
            audience=_("Trainees: the outcome of your assessment."),
            order=30,
        ),
        Kind(
            key="certification.renewed",
            label=_("Certificate renewed"),
            template="certification/email/renewed",
            default=frozenset({IN_APP, EMAIL}),
            audience=_("Supporters: your certificate renewed for another cycle."),
            order=31,
        ),
        Kind(
            key="certification.expiry_reminder",
            label=_("Certificate expiry reminders"),
            template="certification/email/expiry_reminder",
            default=frozenset({IN_APP, EMAIL}),
            audience=_("Supporters: 90, 30 and 7 days before your certificate expires without its hours."),
            order=32,
        ),
        Kind(
            key="certification.ce_returned",
            label=_("Continuing-education activities returned"),
            template="certification/email/ce_returned",
            default=frozenset({IN_APP, EMAIL}),
            audience=_("Supporters: an activity you logged needs fixing."),
            order=33,
        ),
    )
