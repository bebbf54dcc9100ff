"""Demo data for groups (idempotent; loaded by `manage.py load_demo` with e-mail suppressed).

A weekly Tuesday-evening peer support group for depression and anxiety (its lived-experience
area) led by Priya with Uma as co-facilitator, five members and ten weeks of history
(attendance, drop-ins, notes, one cancelled week, one filed debrief); a monthly drop-in
information session led by Uma, who has asked for cover for the next one; two people waiting
for a group; the quarterly supporters' dinner and the monthly teleconference, with RSVPs. The
public groups page is on.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from peerpath.core.actors import DEMO
from peerpath.groups import services
from peerpath.groups.models import (
    Admission,
    Answer,
    Frequency,
    Group,
    GroupKind,
    GroupSession,
    Nth,
    SessionStatus,
    Weekday,
)
from peerpath.groups.schedule import occurrences
from peerpath.programs.models import FocusArea, Program
from peerpath.recruitment.models import Supporter
from peerpath.support.models import Participant, SupportWanted
from peerpath.support.services import participants as support_participants

# name, what they asked for, in the weekly group
PEOPLE = [
    ("Alex Moreno", SupportWanted.GROUP, True),
    ("Bea Turner", SupportWanted.GROUP, True),
    ("Chris Ng", SupportWanted.BOTH, True),
    ("Dee Okoye", SupportWanted.GROUP, True),
    ("Eve Wallace", SupportWanted.GROUP, True),
    ("Farah Qureshi", SupportWanted.GROUP, False),
    ("Gus Olsen", SupportWanted.BOTH, False),
]
TOPICS = [
    "Getting through the holidays",
    "Talking to family about recovery",
    "Sleep and routines",
    "Setting boundaries at work",
]


def _participant(program: Program, coordinator: Any, name: str, wanted: str, n: int) -> Participant:
    return support_participants.save_participant(
        actor=coordinator,
        program=program,
        participant=None,
        data={
            "full_name": name,
            "phone": f"555-02{n:02d}",
            "email": f"{name.split()[0].lower()}@participants.example.org",
            "preferred_contact": "phone",
            "languages": ["English"],
            "support_wanted": wanted,
            "consent_given": True,
            "consent_scope": "To take part in a peer support group and be contacted about it.",
        },
        announce=False,
    )


def _kind(program: Program, name: str) -> GroupKind:
    return GroupKind.objects.get(program=program, name=name)


def _past_sessions(group: Group, weeks: int) -> list[GroupSession]:
    """Lay out the series' past sessions (services lay out only from today on)."""
    today = timezone.localdate()
    moments = [m for m in occurrences(group, today - dt.timedelta(weeks=weeks), today) if m < timezone.now()]
    return [
        GroupSession.objects.get_or_create(
            group=group, planned_for=m, defaults={"starts_at": m, "duration_minutes": group.duration_minutes}
        )[0]
        for m in moments
    ]


def load(program: Program, people: dict[str, Any]) -> None:
    services.seed_kinds(program=program, actor=DEMO)
    if Group.objects.filter(program=program).exists():
        return
    coordinator = people["coordinator"]
    s: dict[str, Supporter] = people["supporters"]
    priya, uma = s["supporter"], s["uma"]
    eligible = {x.pk for x in services.eligible_facilitators(program)}
    lead = priya if priya.pk in eligible else None
    co = [uma] if uma.pk in eligible else []
    today = timezone.localdate()
    services.update_settings(
        actor=coordinator,
        program=program,
        data={
            "public_listing": True,
            "public_intro": "Our groups are free and led by trained peer supporters with lived experience.",
            "weeks_ahead": 12,
        },
    )

    weekly = services.save_group(
        actor=coordinator,
        program=program,
        group=None,
        data={
            "kind": _kind(program, "Peer support group"),
            "name": "Tuesday evening peer support group",
            "description": "A circle for adults living with depression or anxiety: share, listen, "
            "no advice unless asked.",
            "frequency": Frequency.WEEKLY,
            "weekday": Weekday.TUESDAY,
            "nth": Nth.FIRST,
            "starts_on": today - dt.timedelta(weeks=10),
            "start_time": dt.time(18, 30),
            "duration_minutes": 90,
            "place": "Riverside Community Center, room 3",
            "capacity": 12,
            "admission": Admission.BOTH,
            "listed": True,
            "lead": lead,
        },
        co_facilitators=co,
        # Its lived-experience area: the funder report counts its sessions under it.
        focus_areas=FocusArea.objects.filter(program=program, name="Depression and anxiety"),
    )
    members = []
    for n, (name, wanted, joins) in enumerate(PEOPLE, start=1):
        participant = _participant(program, coordinator, name, wanted, n)
        if joins:
            members.append(services.add_member(actor=coordinator, group=weekly, participant=participant))
    past = _past_sessions(weekly, 10)
    for i, session in enumerate(past):
        if i == 3:
            services.cancel_session(actor=coordinator, session=session, note="Room unavailable: the center is closed.")
            continue
        present = [m for j, m in enumerate(members) if (i + j) % 4 != 0]
        services.take_attendance(
            actor=coordinator,
            session=session,
            present=present,
            first_time_drop_ins=[2, 1, 0, 0, 1, 0, 2, 1, 0, 1][i % 10],
            returning_drop_ins=[0, 1, 1, 0, 2, 1, 1, 2, 1, 0][i % 10],
        )
        services.save_notes(
            actor=coordinator,
            session=session,
            notes="Warm evening; two members spoke for the first time." if i % 3 == 0 else "",
            topics=TOPICS[i % len(TOPICS)],
        )
    last_held = next((x for x in reversed(past) if x.status == SessionStatus.HELD), None)
    if last_held is not None and lead is not None:
        services.file_debrief(
            actor=priya.user or DEMO,
            session=last_held,
            supporter=priya,
            data={
                "what_happened": "A member talked about a hard week; the group held it well.",
                "went_well": "Uma's check-in round.",
                "topics": "Holding silence in a group\nWhen a member is in crisis in the room",
            },
        )

    info = services.save_group(
        actor=coordinator,
        program=program,
        group=None,
        data={
            "kind": _kind(program, "Information session"),
            "name": "What is peer support? Monthly information session",
            "description": "An hour to learn what peer support is and how to ask for it. Drop in.",
            "frequency": Frequency.MONTHLY,
            "weekday": Weekday.WEDNESDAY,
            "nth": Nth.FIRST,
            "starts_on": today - dt.timedelta(days=100),
            "start_time": dt.time(12, 0),
            "duration_minutes": 60,
            "place": "Riverside Public Library, meeting room",
            "admission": Admission.DROP_IN,
            "listed": True,
            "lead": uma if co else None,
        },
    )
    for i, session in enumerate(_past_sessions(info, 15)):
        services.take_attendance(
            actor=coordinator, session=session, present=[], first_time_drop_ins=4 + i, returning_drop_ins=i % 2
        )
    coming = GroupSession.objects.filter(group=info, starts_at__gt=timezone.now()).order_by("starts_at").first()
    if coming is not None and co:
        services.ask_for_cover(
            actor=uma.user or DEMO, session=coming, facilitator=uma, note="Family visit that week, sorry!"
        )

    dinner = services.save_group(
        actor=coordinator,
        program=program,
        group=None,
        data={
            "kind": _kind(program, "Social gathering"),
            "name": "Quarterly supporters' dinner",
            "description": "Dinner together, on the program. Partners welcome.",
            "frequency": Frequency.QUARTERLY,
            "weekday": Weekday.FRIDAY,
            "nth": Nth.LAST,
            "starts_on": today - dt.timedelta(days=40),
            "start_time": dt.time(19, 0),
            "duration_minutes": 150,
            "place": "Luigi's Trattoria, 12 Main Street",
            "admission": Admission.REGISTRATION,
        },
    )
    teleconference = services.save_group(
        actor=coordinator,
        program=program,
        group=None,
        data={
            "kind": _kind(program, "Supporters' teleconference"),
            "name": "Monthly supporters' teleconference",
            "description": "Topics from this month's debriefs, and a space to check in with each other.",
            "frequency": Frequency.MONTHLY,
            "weekday": Weekday.THURSDAY,
            "nth": Nth.SECOND,
            "starts_on": today - dt.timedelta(days=10),
            "start_time": dt.time(19, 30),
            "duration_minutes": 60,
            "online_url": "https://meet.example.org/riverside-teleconference",
            "admission": Admission.REGISTRATION,
        },
    )
    answers = {"uma": Answer.YES, "victor": Answer.MAYBE, "rosa": Answer.YES, "quinn": Answer.NO}
    for group in (dinner, teleconference):
        first = GroupSession.objects.filter(group=group, starts_at__gt=timezone.now()).order_by("starts_at").first()
        if first is None:
            continue
        for key, answer in answers.items():
            person = s.get(key)
            if person is not None and person.user is not None:
                services.rsvp(actor=person.user, session=first, supporter=person, answer=answer)
