"""The kinds of message supporter care sends, registered with the notification layer."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from peerpath.notifications.kinds import Kind, register_kinds
from peerpath.notifications.models import Channel

IN_APP, EMAIL = Channel.IN_APP.value, Channel.EMAIL.value


def register() -> None:
    register_kinds(
        Kind(
            key="care.task",
            label=_("Care tasks for you"),
            template="care/email/task",
            default=frozenset({IN_APP, EMAIL}),
            audience=_("Supervisors and coordinators: a care task assigned to you."),
            order=40,
        ),
        Kind(
            key="care.weekly_digest",
            label=_("Weekly supervision digest"),
            template="care/email/weekly_digest",
            default=frozenset({EMAIL}),
            audience=_("Supervisors: each week, what needs you."),
            order=41,
        ),
        Kind(
            key="care.break_planned",
            label=_("Breaks planned"),
            template="care/email/break_planned",
            default=frozenset({IN_APP, EMAIL}),
            audience=_("Coordinators and supervisors: a supporter is taking a break."),
            order=42,
        ),
        Kind(
            key="care.checkin",
            label=_("Well-being check-ins"),
            template="care/email/checkin_reminder",
            default=frozenset({IN_APP, EMAIL}),
            audience=_("Supporters: a check-in due, a check-in after a hard event, welcome back from a break."),
            order=43,
        ),
        Kind(
            key="care.buddy",
            label=_("Your buddy"),
            template="care/email/buddy_paired",
            default=frozenset({IN_APP, EMAIL}),
            audience=_("Supporters: meeting your buddy, and when your buddy may need you."),
            order=44,
        ),
        Kind(
            key="care.recognition",
            label=_("Recognition"),
            template="care/email/recognition",
            default=frozenset({IN_APP, EMAIL}),
            audience=_("Supporters: thanks and milestones recorded for you."),
            order=45,
        ),
    )
