"""An other duty's review (allowed moves as data; `peerpath.core.lifecycle` makes them, the
services add the rules), as a continuing-education activity's review in certification."""

from __future__ import annotations

from django.utils.translation import gettext as _

from peerpath.core.lifecycle import Lifecycle, Move
from peerpath.hours.models import DutyStatus, OtherDuty, OtherDutyChange

DUTY_TRANSITIONS: dict[str, frozenset[str]] = {
    # Submitted again: the supporter corrected it while it was waiting for review.
    DutyStatus.SUBMITTED: frozenset({DutyStatus.SUBMITTED, DutyStatus.APPROVED, DutyStatus.RETURNED}),
    DutyStatus.RETURNED: frozenset({DutyStatus.SUBMITTED}),
    DutyStatus.APPROVED: frozenset(),
}


def _change(move: Move[OtherDuty]) -> OtherDutyChange:
    return OtherDutyChange.objects.create(
        duty=move.obj, from_status=move.from_state, to_status=move.to_state, actor=move.user, comment=move.note
    )


def _refusal(duty: OtherDuty, from_state: str, to_state: str) -> str:
    if to_state == DutyStatus.SUBMITTED:
        return _("Approved duties cannot be changed.")
    return _("Only duties awaiting approval can be reviewed.")


OTHER_DUTY = Lifecycle(
    model=OtherDuty,
    field="status",
    transitions=DUTY_TRANSITIONS,
    audit_action="hours.duty.status",
    history=_change,
    refusal=_refusal,
)
