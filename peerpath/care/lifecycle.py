"""Supporter care's lifecycles: care tasks, breaks, check-ins and newsletters (allowed moves as
data; `peerpath.core.lifecycle` makes them). The services in `care/services/` add their rules
and side effects around `move`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from peerpath.care.models import (
    Break,
    BreakStatus,
    CareTask,
    CheckIn,
    CheckInStatus,
    Newsletter,
    NewsletterStatus,
    TaskStatus,
)
from peerpath.core.lifecycle import Lifecycle

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

B = BreakStatus

CARE_TASK = Lifecycle(
    model=CareTask,
    field="status",
    transitions={TaskStatus.OPEN: {TaskStatus.DONE}, TaskStatus.DONE: set()},
    audit_action="care_task.status",
    refusal=lambda task, from_state, to_state: (
        str(_("This task is already done.")) if from_state == TaskStatus.DONE else None
    ),
)

_BREAK_REFUSALS: dict[str, StrOrPromise] = {
    B.CURRENT: _("Only a planned break can start."),
    B.ENDED: _("Only a break that has started can end."),
    B.CANCELLED: _("Only a planned break can be cancelled; end a current break instead."),
}
BREAK = Lifecycle(
    model=Break,
    field="status",
    transitions={
        B.PLANNED: {B.CURRENT, B.CANCELLED},
        # Ending a break on the day it began cancels it: it never took a day.
        B.CURRENT: {B.ENDED, B.CANCELLED},
        B.ENDED: set(),
        B.CANCELLED: set(),
    },
    audit_action="break.status",
    refusal=lambda brk, from_state, to_state: str(_BREAK_REFUSALS[to_state]) if to_state in _BREAK_REFUSALS else None,
)

# Only waiting check-ins (after a hard event or a break) are stored before they are answered;
# routine ones are created completed.
CHECKIN = Lifecycle(
    model=CheckIn,
    field="status",
    transitions={
        CheckInStatus.SCHEDULED: {CheckInStatus.COMPLETED, CheckInStatus.CANCELLED},
        CheckInStatus.COMPLETED: set(),
        CheckInStatus.CANCELLED: set(),
    },
    audit_action="checkin.status",
    unaudited={"scores", "comment"},  # the supporter's own answers stay out of the log
)

NEWSLETTER = Lifecycle(
    model=Newsletter,
    field="status",
    transitions={
        NewsletterStatus.DRAFT: {NewsletterStatus.SENDING},
        NewsletterStatus.SENDING: {NewsletterStatus.SENT},  # the background delivery finished
        NewsletterStatus.SENT: set(),
    },
    audit_action="newsletter.status",
    refusal=lambda letter, from_state, to_state: (
        str(_("This update has already been sent.")) if to_state == NewsletterStatus.SENDING else None
    ),
)
