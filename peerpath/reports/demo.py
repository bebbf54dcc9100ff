"""Demo history for the report dashboard, so that every chart has something to show: a year of
support that has ended (closed relationships with their contacts, follow-ups kept, late and
missed, concerns, crises and hard events), well-being check-ins from more supporters, and a
waiting list that has waited a while. Runs after the other areas' demo data. Idempotent:
nothing is added once the history is there."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from peerpath.care.models import CheckIn
from peerpath.care.services import checkins as care_checkins
from peerpath.care.services import common as care_common
from peerpath.programs.models import FocusArea, Program
from peerpath.support.models import (
    AdverseEvent,
    AdverseKind,
    CloseReason,
    Concern,
    ConcernKind,
    ConcernState,
    Contact,
    ContactKind,
    Participant,
    ParticipantStatus,
    RelationshipState,
    SupportRelationship,
)
from peerpath.support.services import participants as support_participants

# name, phone, area of lived experience, supporter key, started and ended (days ago), why it closed
HISTORY = [
    ("Irene Walsh", "555-0601", "Grief and loss", "supporter", 340, 160, CloseReason.GOALS_MET),
    ("Jonas Berg", "555-0602", "Substance use recovery", "uma", 310, 120, CloseReason.GOALS_MET),
    ("Kemal Aydin", "555-0603", "Depression and anxiety", "supporter", 270, 95, CloseReason.UNREACHABLE),
    ("Leila Haddad", "555-0604", "Chronic illness", "uma", 230, 60, CloseReason.PARTICIPANT_ENDED),
    ("Mateo Cruz", "555-0605", "Trauma", "victor", 360, 75, CloseReason.SUPPORTER_BREAK),
    ("Nora Lind", "555-0606", "Caring for a family member", "supporter", 150, 30, CloseReason.GOALS_MET),
]
# Days between contacts, in turn: most follow-ups kept on the day, some a few days late.
GAPS = [14, 14, 17, 14, 10, 21, 14, 14, 19, 14]
TASKS = [
    ["rapport"],
    ["rapport", "lived_experience"],
    ["emotional"],
    ["emotional", "practical"],
    ["practical"],
    ["lived_experience", "emotional"],
]
# Supporters whose calm check-ins (days ago) join Priya's and Uma's.
CALM = {1: 0, 2: 0, 3: 0, 4: 0, 5: 4, 6: 4, 7: 4, 8: 4, 9: 4, 10: 0}
CHECKINS = {"tomas": 20, "rosa": 35, "quinn": 50, "wendy": 150, "xavier": 250}
# How long two of today's waiting participants have waited (days).
WAITED = [45, 12]


def _day(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def _at(days: int, hour: int = 11) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(_day(days), dt.time(hour)))


def load(program: Program, people: dict[str, Any]) -> None:
    # Loaded already: the history's oldest contacts are about a year old. (Other demos, loaded
    # before this one, log contacts up to half a year back: the voice demo's former participant.)
    if Contact.objects.filter(program=program, contacted_on__lt=_day(300)).exists():
        return
    coordinator = people["coordinator"]
    supporters = people["supporters"]
    areas = {a.name: a for a in FocusArea.objects.filter(program=program)}
    relationships = []
    for name, phone, area, key, started, ended, reason in HISTORY:
        relationships.append(
            _ended_relationship(program, coordinator, supporters[key], areas, name, phone, area, started, ended, reason)
        )
    _concerns_and_events(program, relationships)
    questionnaire = care_common.get_settings(program).checkin_questionnaire
    for key, days in CHECKINS.items():
        person = supporters[key]
        person.refresh_from_db()
        if person.user_id is None or questionnaire is None:
            continue
        checkin = care_checkins.complete_checkin(
            actor=person.user, supporter=person, questionnaire=questionnaire, answers=CALM
        )
        CheckIn.objects.filter(pk=checkin.pk).update(completed_at=_at(days), created_at=_at(days), due_on=_day(days))
    waiting = Participant.objects.filter(program=program, status=ParticipantStatus.WAITING).order_by("id")
    for participant, days in zip(waiting, WAITED, strict=False):
        Participant.objects.filter(pk=participant.pk).update(waiting_since=_at(days), created_at=_at(days))


def _ended_relationship(
    program: Program,
    coordinator: Any,
    supporter: Any,
    areas: dict[str, FocusArea],
    name: str,
    phone: str,
    area: str,
    started: int,
    ended: int,
    reason: str,
) -> SupportRelationship:
    participant = support_participants.save_participant(
        actor=coordinator,
        program=program,
        participant=None,
        data={
            "full_name": name,
            "email": f"{name.split()[0].lower()}@participants.example.org",
            "phone": phone,
            "preferred_contact": "phone",
            "languages": ["English"],
            "focus_areas": [areas[area]] if area in areas else [],
            "modes": ["phone", "in_person"],
            "area": "Downtown",
            "availability": ["weekday_evening"],
            "preferred_gender": "",
            "preferred_age_bands": [],
            "preferred_communities": [],
            "must_haves": [],
            "consent_given": True,
            "consent_scope": "To be contacted by a peer supporter by phone, and that the program keeps these details.",
            "intake_notes": "",
        },
    )
    Participant.objects.filter(pk=participant.pk).update(
        status=ParticipantStatus.ENDED, created_at=_at(started + 10), waiting_since=_at(started + 10)
    )
    relationship = SupportRelationship.objects.create(
        program=program,
        participant=participant,
        supporter=supporter,
        state=RelationshipState.CLOSED,
        proposed_at=_at(started + 2),
        activated_at=_at(started),
        first_contact_on=_day(started),
        closing_started_at=_at(ended + 7),
        closed_at=_at(ended),
        close_reason=reason,
    )
    # Contacts from the start to the end, each setting the next follow-up; when the participant
    # could not be reached, the last attempts fail and their follow-ups are missed.
    days, turn, unreachable = started, 0, reason == CloseReason.UNREACHABLE
    while days > ended:
        gap = GAPS[turn % len(GAPS)]
        failing = unreachable and days - ended < 45
        reached = not failing and turn % 7 != 5
        last = days - gap <= ended
        Contact.objects.create(
            program=program,
            relationship=relationship,
            logged_by=supporter.user,
            contacted_on=_day(days),
            channel="phone" if turn % 3 else "in_person",
            reached=reached,
            duration_minutes=(30 + 15 * (turn % 3)) if reached else None,
            tasks=TASKS[turn % len(TASKS)] if reached else [],
            kind=ContactKind.FIRST
            if turn == 0
            else (ContactKind.CLOSING if last and reached else ContactKind.CHECK_IN),
            next_follow_up=None if last or failing else _day(days - 14),
            created_at=_at(days, 18),
        )
        days, turn = days - gap, turn + 1
    return relationship


def _concerns_and_events(program: Program, relationships: list[SupportRelationship]) -> None:
    def concern(relationship: SupportRelationship, kind: str, days: int) -> None:
        Concern.objects.create(
            program=program,
            relationship=relationship,
            participant=relationship.participant,
            supporter=relationship.supporter,
            kind=kind,
            state=ConcernState.RESOLVED,
            raised_by=relationship.supporter.user,
            raised_at=_at(days),
            acknowledged_at=_at(days, 13),
            followed_up_at=_at(days - 2),
            notes="",
        )

    def event(relationship: SupportRelationship, kind: str, days: int) -> None:
        AdverseEvent.objects.create(
            program=program,
            supporter=relationship.supporter,
            participant=relationship.participant,
            relationship=relationship,
            kind=kind,
            occurred_at=_at(days),
        )

    irene, jonas, kemal, leila, mateo, nora = relationships
    concern(irene, ConcernKind.CONCERN, 280)
    concern(jonas, ConcernKind.CONCERN, 240)
    concern(jonas, ConcernKind.CRISIS, 200)
    concern(kemal, ConcernKind.CONCERN, 150)
    concern(leila, ConcernKind.CRISIS, 110)
    concern(mateo, ConcernKind.CONCERN, 90)
    concern(nora, ConcernKind.CONCERN, 45)
    event(jonas, AdverseKind.RELAPSED, 215)
    event(kemal, AdverseKind.HOSPITALISED, 170)
    event(leila, AdverseKind.HOSPITALISED, 115)
    event(mateo, AdverseKind.RELAPSED, 100)
