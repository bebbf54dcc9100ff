"""Recruitment's lifecycles beside the pathway (`pathway.py`, the supporter's own): a screening
interview is scheduled, then completed (its screening recorded) or cancelled. Allowed moves as
data; `peerpath.core.lifecycle` makes them."""

from __future__ import annotations

from peerpath.core.lifecycle import Lifecycle
from peerpath.recruitment.models import InterviewStatus, ScreeningInterview


def _interview_refusal(interview: ScreeningInterview, from_state: str, to_state: str) -> str | None:
    if to_state == InterviewStatus.CANCELLED:
        return "Only a scheduled interview can be cancelled."
    if from_state == InterviewStatus.CANCELLED:
        return "This interview was cancelled."
    return None


SCREENING_INTERVIEW = Lifecycle(
    model=ScreeningInterview,
    field="status",
    transitions={
        InterviewStatus.SCHEDULED: {InterviewStatus.COMPLETED, InterviewStatus.CANCELLED},
        # Recording the screening again (before a decision) edits a completed interview in place.
        InterviewStatus.COMPLETED: set(),
        InterviewStatus.CANCELLED: set(),
    },
    audit_action="screening.status",
    refusal=_interview_refusal,
)
