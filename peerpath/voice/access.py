"""Who may open which voice record (on top of the role check of `program_view`)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from peerpath.programs.http import ProgramRequest
from peerpath.programs.models import Program
from peerpath.support.services.participants import record_view
from peerpath.voice.models import FeedbackAnswer


def get_answer(request: ProgramRequest, program: Program, pk: int, *, page: str) -> FeedbackAnswer:
    """A feedback answer of this program (coordinators only, by the action), its read audited as
    a read of the participant's record."""
    answer: FeedbackAnswer = get_object_or_404(
        FeedbackAnswer.objects.select_related("participant", "supporter", "relationship", "read_by"),
        program=program,
        pk=pk,
    )
    record_view(actor=request.user, program=program, participant=answer.participant, page=page)
    return answer
