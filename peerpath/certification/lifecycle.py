"""Certification's lifecycles: an assessment (in progress, then decided once) and a
continuing-education activity's review (allowed moves as data; `peerpath.core.lifecycle`
makes them, the services add the rules).

A certificate has no stored state to move: whether it is valid, expired or revoked is worked
out from `revoked_at` and `expires_on` (expiry comes with the date, not with an action); its
events are written to `CertificateChange` by the services.
"""

from __future__ import annotations

from peerpath.certification.models import Assessment, AssessmentStatus, CEActivity, CEActivityChange, CEStatus
from peerpath.core.lifecycle import Lifecycle, Move

ASSESSMENT = Lifecycle(
    model=Assessment,
    field="status",
    transitions={AssessmentStatus.DRAFT: {AssessmentStatus.DECIDED}, AssessmentStatus.DECIDED: set()},
    audit_action="certification.assessment.status",
    refusal=lambda assessment, from_state, to_state: (
        "This assessment has already been decided." if from_state == AssessmentStatus.DECIDED else None
    ),
)

CE_TRANSITIONS: dict[str, frozenset[str]] = {
    # Submitted again: the supporter corrected it while it was waiting for review.
    CEStatus.SUBMITTED: frozenset({CEStatus.SUBMITTED, CEStatus.APPROVED, CEStatus.RETURNED}),
    CEStatus.RETURNED: frozenset({CEStatus.SUBMITTED}),
    CEStatus.APPROVED: frozenset(),
}


def _ce_change(move: Move[CEActivity]) -> CEActivityChange:
    return CEActivityChange.objects.create(
        activity=move.obj, from_status=move.from_state, to_status=move.to_state, actor=move.user, comment=move.note
    )


def _ce_refusal(activity: CEActivity, from_state: str, to_state: str) -> str:
    if to_state == CEStatus.SUBMITTED:
        return "Approved activities cannot be changed."
    return "Only activities awaiting approval can be reviewed."


CE_ACTIVITY = Lifecycle(
    model=CEActivity,
    field="status",
    transitions=CE_TRANSITIONS,
    audit_action="certification.ce.status",
    history=_ce_change,
    refusal=_ce_refusal,
    unaudited={"evidence"},  # the uploaded file; its name is audited as evidence_name
)
