"""Demo data for the participant's voice (idempotent; loaded by `manage.py load_demo`, e-mail
suppressed).

Every participant in a working relationship answered the link sent after their first contact,
with the PeerPath brief well-being measure at intake; Helen and Grace answered a second, monthly
link. Each completed the measure again with their supporter this week, so the outcome-change
report has five people paired. Sofia said it is not a good fit, which waits for the coordinator.
The supporters see their totals from three answers (the demo lowers the minimum to 3). Helen
agreed to share her goals and outcome scores with her clinic. Joan's support with Uma closed last
month with her goals met; she would like to hear about becoming a peer supporter, and waits for
the coordinator's invitation.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from peerpath.programs.models import FocusArea, Program
from peerpath.support.demo import _contact, _matched, _participant
from peerpath.support.models import WORKING_STATES, CloseReason, ContactKind, SupportRelationship
from peerpath.support.services import matches
from peerpath.voice.models import FeedbackAnswer, MeasurePoint, Occasion, SummarySection
from peerpath.voice.services import common, feedback, former, outcomes, sharing

# First name: (felt heard, good fit, message) for the first link; the well-being answers at
# intake (items 1-5) and again this week with the supporter.
FIRST = {
    "Helen": ("mostly", "yes", "It helps to talk to someone who has been there.", [1, 2, 1, 2, 2], [3, 3, 2, 3, 1]),
    "Ravi": ("yes", "yes", "", [2, 2, 2, 2, 2], [2, 3, 2, 3, 1]),
    "Dana": (
        "not_really",
        "not_sure",
        "I find phone calls hard; could we text more?",
        [1, 1, 1, 1, 3],
        [1, 2, 1, 1, 3],
    ),
    "Grace": ("yes", "yes", "", [2, 2, 2, 3, 1], [3, 3, 3, 4, 1]),
    "Sofia": (
        "not_really",
        "no",
        "I would feel easier with someone nearer my own age.",
        [2, 2, 1, 2, 2],
        [1, 2, 1, 2, 2],
    ),
}
JOAN = ("Joan Mercer", "555-0601", ["English"], ["Chronic illness"], ["phone", "video"], "East Valley")
# A second, monthly answer: first name -> (felt heard, good fit, message).
SECOND = {"Helen": ("yes", "yes", "Thank you for the bus pass advice."), "Grace": ("mostly", "yes", "")}


def _answers(values: list[int]) -> dict[int, int]:
    return dict(enumerate(values, start=1))


def load(program: Program, people: dict[str, Any]) -> None:
    if FeedbackAnswer.objects.filter(program=program).exists():
        return
    coordinator = people["coordinator"]
    common.update_settings(actor=coordinator, program=program, data={"supporter_minimum_answers": 3})
    measure = outcomes.add_project_measure(actor=coordinator, program=program)
    now = timezone.now()
    relationships = SupportRelationship.objects.filter(
        program=program, state__in=WORKING_STATES, first_contact_on__isnull=False
    ).select_related("participant", "supporter", "program")
    for relationship in relationships:
        first_name = relationship.participant.full_name.split(" ")[0]
        if first_name not in FIRST:
            continue
        heard, fit, message, intake, review = FIRST[first_name]
        days = (timezone.localdate() - relationship.first_contact_on).days  # type: ignore[operator]
        sent = now - dt.timedelta(days=max(days - 1, 2), hours=3)
        plan = feedback.DueLink(relationship, Occasion.FIRST_CONTACT, [measure], MeasurePoint.INTAKE)
        link = feedback.send_link(plan=plan, now=sent)
        feedback.answer(
            link=link,
            felt_heard=heard,
            good_fit=fit,
            message=message,
            measures={measure.pk: _answers(intake)},
            now=sent + dt.timedelta(hours=20),
        )
        if first_name in SECOND:
            heard, fit, message = SECOND[first_name]
            later = now - dt.timedelta(days=7)
            link = feedback.send_link(plan=feedback.DueLink(relationship, Occasion.REGULAR), now=later)
            feedback.answer(
                link=link,
                felt_heard=heard,
                good_fit=fit,
                message=message,
                measures={},
                now=later + dt.timedelta(hours=5),
            )
        if first_name == "Helen":
            sharing.record_consent(
                actor=coordinator,
                participant=relationship.participant,
                recipient="Dr Amara Osei, Riverside Community Clinic",
                scope=[SummarySection.GOALS, SummarySection.OUTCOMES],
                expires_on=timezone.localdate() + dt.timedelta(days=180),
            )
        outcomes.record_outcome(
            actor=relationship.supporter.user or coordinator,
            relationship=relationship,
            questionnaire=measure,
            point=MeasurePoint.REVIEW,
            answers=_answers(review),
            now=now - dt.timedelta(days=2),
        )

    _former_participant(program, people)


def _former_participant(program: Program, people: dict[str, Any]) -> None:
    """Joan: a relationship with Uma that closed with its goals met; she said yes to hearing about
    becoming a supporter."""
    coordinator, uma = people["coordinator"], people["supporters"]["uma"]
    areas = {a.name: a for a in FocusArea.objects.filter(program=program)}
    joan = _participant(program, coordinator, areas, JOAN)
    relationship = _matched(coordinator, joan, uma, 170)
    _contact(uma.user, relationship, 168, True, kind=ContactKind.FIRST, tasks=["rapport", "lived_experience"])
    for days in (130, 95, 60):
        _contact(uma.user, relationship, days, True, tasks=["practical", "emotional"])
    _contact(uma.user, relationship, 25, True, kind=ContactKind.CLOSING, tasks=["emotional"])
    matches.close_relationship(actor=uma.user, relationship=relationship, close_reason=CloseReason.GOALS_MET)
    closed = timezone.now() - dt.timedelta(days=24)
    SupportRelationship.objects.filter(pk=relationship.pk).update(closed_at=closed)
    relationship.refresh_from_db()
    former.record_interest(actor=uma.user, relationship=relationship, consented=True)
