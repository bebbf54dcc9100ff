"""Training's lifecycle: a trainee's enrolment in a cohort (allowed moves as data;
`peerpath.core.lifecycle` makes them, `services.change_enrolment` adds the rules)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from peerpath.core.lifecycle import Lifecycle, Move
from peerpath.training.models import Enrolment, EnrolmentChange, EnrolmentStatus

E = EnrolmentStatus
ENROLMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    E.ENROLLED: frozenset({E.WITHDRAWN, E.COMPLETED}),
    E.WITHDRAWN: frozenset({E.ENROLLED}),
    E.COMPLETED: frozenset(),
}


def _enrolment_change(move: Move[Enrolment]) -> EnrolmentChange:
    return EnrolmentChange.objects.create(
        enrolment=move.obj, from_status=move.from_state, to_status=move.to_state, actor=move.user, reason=move.note
    )


ENROLMENT = Lifecycle(
    model=Enrolment,
    field="status",
    transitions=ENROLMENT_TRANSITIONS,
    audit_action="training.enrolment.status",
    history=_enrolment_change,
    label=lambda enrolment: str(_("An enrolment")),
)
