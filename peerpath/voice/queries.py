"""The queries behind the voice pages (a fixed number per page, whatever the data)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from peerpath.programs.models import Program
from peerpath.support.models import WORKING_STATES, CloseReason, RelationshipState, SupportRelationship
from peerpath.voice.models import AnswerLink, FeedbackAnswer, OutcomeResponse, PeerInterest, ShareConsent
from peerpath.voice.services.common import get_settings, measures_of


def feedback_counts(program: Program) -> dict[str, int]:
    counts = FeedbackAnswer.objects.filter(program=program).aggregate(
        answers=Count("pk"), unread=Count("pk", filter=Q(read_at__isnull=True))
    )
    # "Not a good fit" is encrypted: counted among the unread answers, in Python (a handful).
    unread = FeedbackAnswer.objects.filter(program=program, read_at__isnull=True, rematch_opened_at__isnull=True)
    counts["unfit"] = sum(1 for a in unread.only("good_fit") if a.not_a_good_fit)
    return counts


def former_participants_to_invite(program: Program) -> int:
    """Former participants who would like to hear about becoming a supporter, not invited yet."""
    return PeerInterest.objects.filter(program=program, consented=True, invited_at__isnull=True).count()


def feedback_rows(program: Program, show: str = "") -> QuerySet[FeedbackAnswer]:
    """The program's feedback answers, newest first; ``show`` 'unread' keeps the unread ones."""
    rows = FeedbackAnswer.objects.filter(program=program).select_related(
        "participant", "supporter", "relationship", "read_by"
    )
    if show == "unread":
        rows = rows.filter(read_at__isnull=True)
    return rows


def relationship_voice(
    program: Program, relationship: SupportRelationship, *, coordinator: bool, mine: bool
) -> dict[str, Any]:
    """What the relationship page's voice section shows this reader."""
    context: dict[str, Any] = {"relationship": relationship, "coordinator": coordinator, "mine": mine}
    if (coordinator or mine) and relationship.state in WORKING_STATES:
        context["measures"] = measures_of(get_settings(program))
    context["outcomes"] = (
        list(OutcomeResponse.objects.filter(relationship=relationship).select_related("questionnaire"))
        if (coordinator or mine)
        else []
    )
    closed_met = relationship.state == RelationshipState.CLOSED and relationship.close_reason == CloseReason.GOALS_MET
    if (coordinator or mine) and closed_met:
        context["ask_interest"] = True
        context["interest"] = PeerInterest.objects.filter(relationship=relationship).first()
    if coordinator:
        context["answers"] = list(relationship.feedback_answers.all()[:20])
        context["links"] = AnswerLink.objects.filter(relationship=relationship).aggregate(
            sent=Count("pk"), used=Count("pk", filter=Q(used_at__isnull=False))
        )
    return context


def participant_voice(participant: Any) -> dict[str, Any]:
    """What the participant said and answered, for their own export (support.extensions)."""
    return {
        "feedback": [
            {
                "answered_at": a.answered_at.isoformat(),
                "occasion": a.occasion,
                "felt_heard": a.felt_heard,
                "good_fit": a.good_fit,
                "message": a.message,
            }
            for a in FeedbackAnswer.objects.filter(participant=participant).order_by("answered_at")
        ],
        "outcome_measures": [
            {
                "completed_at": r.completed_at.isoformat(),
                "measure": r.questionnaire.name,
                "point": r.point,
                "via": r.via,
                "answers": r.answers,
                "scores": r.scores,
            }
            for r in OutcomeResponse.objects.filter(participant=participant).select_related("questionnaire")
        ],
        "consents_to_share": [
            {
                "recipient": c.recipient,
                "scope": c.scope,
                "expires_on": c.expires_on.isoformat(),
                "withdrawn_at": c.withdrawn_at.isoformat() if c.withdrawn_at else None,
            }
            for c in ShareConsent.objects.filter(participant=participant)
        ],
        "becoming_a_supporter": [
            {
                "asked_at": i.asked_at.isoformat(),
                "consented": i.consented,
                "invited_at": i.invited_at.isoformat() if i.invited_at else None,
            }
            for i in PeerInterest.objects.filter(participant=participant)
        ],
    }
