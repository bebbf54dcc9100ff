"""Support reports against hand-counted participants, relationships and contacts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from peerpath.recruitment.models import Stage
from peerpath.reports.library import (
    CapacityAndWaiting,
    ConcernsAndEvents,
    ContactsByMonth,
    ContactsByTask,
    FollowUpAdherence,
    Unreachable,
)
from peerpath.support.models import (
    AdverseEvent,
    Concern,
    Contact,
    MatchingProfile,
    Participant,
    SupportRelationship,
)
from tests.factories import SupporterFactory
from tests.reports.helpers import PERIOD, days_ago, moment, month_of, total

pytestmark = pytest.mark.django_db


def participant(program: Any, status: str = "matched", waiting_days: int = 400, created_days: int = 400) -> Any:
    return Participant.objects.create(
        program=program,
        full_name="Someone Supported",
        status=status,
        waiting_since=timezone.now() - dt.timedelta(days=waiting_days),
        created_at=timezone.now() - dt.timedelta(days=created_days),
    )


def relationship(program: Any, supporter: Any = None, state: str = "active", **extra: Any) -> SupportRelationship:
    supporter = supporter or SupporterFactory(program=program, stage=Stage.ACTIVE)
    return SupportRelationship.objects.create(
        program=program, participant=participant(program), supporter=supporter, state=state, **extra
    )


def contact(rel: SupportRelationship, days: int, reached: bool = True, **extra: Any) -> Contact:
    return Contact.objects.create(
        program=rel.program, relationship=rel, contacted_on=days_ago(days), channel="phone", reached=reached, **extra
    )


def test_capacity_and_waiting_list(world: Any) -> None:
    p = world.program
    first = world.supporter_record  # active, no matching profile: 3 places
    second = SupporterFactory(program=p, stage=Stage.ACTIVE)
    MatchingProfile.objects.create(supporter=second, capacity=2)
    third = SupporterFactory(program=p, stage=Stage.ACTIVE)
    MatchingProfile.objects.create(supporter=third, capacity=4, accepting_new=False)
    SupporterFactory(program=p, stage=Stage.IN_TRAINING)  # not active
    SupporterFactory(program=world.other_program, stage=Stage.ACTIVE)  # another program
    relationship(p, first, activated_at=moment(10))
    relationship(p, first, activated_at=moment(100))
    relationship(p, first, state="closed", activated_at=moment(20))  # closed: frees its place
    relationship(p, second, state="proposed")
    relationship(p, second, activated_at=moment(200))
    relationship(p, third, state="closing")  # winding down: not counted against capacity
    participant(p, "waiting", waiting_days=5, created_days=5)
    participant(p, "waiting", waiting_days=40, created_days=40)
    participant(world.other_program, "waiting", waiting_days=90, created_days=5)

    rows = {r["measure"]: r["value"] for r in CapacityAndWaiting().rows(p, PERIOD)}
    assert rows == {
        "Active supporters": 3,
        "Supporters with a free place": 1,  # first: 2 of 3 taken; second is full; third is closed to new
        "Places offered": 9,
        "Places taken": 4,
        "Places free": 1,
        "Participants waiting": 2,
        "Waiting more than 30 days": 1,
        "Longest wait (days)": 40,
        "Participants added in the period": 2,
        "Relationships started in the period": 2,  # activated 10 and 20 days ago
    }


def test_contacts_by_month_and_task(world: Any) -> None:
    rel = relationship(world.program)
    contact(rel, 5, duration_minutes=30, tasks=["rapport", "emotional"])
    contact(rel, 5, duration_minutes=60, tasks=["emotional"])
    contact(rel, 5, reached=False, tasks=["practical"])  # not reached: no task counted
    contact(rel, 40, duration_minutes=60)
    contact(rel, 200, tasks=["practical"])  # before the period
    contact(relationship(world.other_program), 5, tasks=["practical"])  # another program

    months = {r["month"]: r for r in ContactsByMonth().rows(world.program, PERIOD)}
    assert [r["month"] for r in months.values()] == [m.strftime("%Y-%m") for m in PERIOD.months()]
    recent, earlier = months[month_of(days_ago(5))], months[month_of(days_ago(40))]
    assert (recent["contacts"], recent["reached"], recent["not_reached"], recent["hours"]) == (3, 2, 1, 1.5)
    assert (earlier["contacts"], earlier["reached"], earlier["not_reached"], earlier["hours"]) == (1, 1, 0, 1.0)
    assert total(list(months.values()), "contacts") == 4

    tasks = {r["task"]: (r["contacts"], r["share"]) for r in ContactsByTask().rows(world.program, PERIOD)}
    assert tasks == {
        "Building rapport": (1, 33.3),
        "Sharing lived experience": (0, 0.0),
        "Emotional support": (2, 66.7),
        "Practical guidance": (0, 0.0),
        "No task recorded": (1, 33.3),
    }


def test_follow_up_adherence(world: Any) -> None:
    p = world.program
    on_time, late, missed, still_open = (relationship(p) for _ in range(4))
    contact(on_time, 30, next_follow_up=days_ago(25))
    contact(on_time, 24)  # reached within the grace day
    contact(late, 30, next_follow_up=days_ago(25))
    contact(late, 20)  # reached, but after the grace day
    contact(missed, 30, next_follow_up=days_ago(25))
    contact(missed, 22, reached=False)  # an attempt does not settle it
    contact(still_open, 2, next_follow_up=days_ago(0))  # due today: not overdue yet
    contact(relationship(p), 210, next_follow_up=days_ago(200))  # due before the period
    contact(relationship(world.other_program), 30, next_follow_up=days_ago(25))  # another program

    rows = FollowUpAdherence().rows(p, PERIOD)
    assert [total(rows, k) for k in ("due", "on_time", "late", "missed", "open")] == [4, 1, 1, 1, 1]
    due_month = next(r for r in rows if r["month"] == month_of(days_ago(25)))
    assert due_month["on_time"] == 1 and due_month["late"] == 1 and due_month["missed"] == 1
    assert FollowUpAdherence().summary(rows) == "4 follow-ups fell due in the period: 1 on time, 1 late, 1 missed."


def test_unreachable_rate(world: Any) -> None:
    p = world.program
    rel = relationship(p)
    contact(rel, 20)  # reached, before the unreachable window of 14 days
    for days in (9, 6, 3):
        contact(rel, days, reached=False)
    contact(relationship(p), 45, reached=False)
    contact(rel, 200, reached=False)  # before the period
    contact(relationship(world.other_program), 3, reached=False)  # another program
    relationship(p, state="closed", close_reason="unreachable", closed_at=moment(3))
    relationship(p, state="closed", close_reason="unreachable", closed_at=moment(200))  # before the period
    relationship(p, state="closed", close_reason="goals_met", closed_at=moment(3))
    relationship(world.other_program, state="closed", close_reason="unreachable", closed_at=moment(3))

    report = Unreachable()
    rows = report.rows(p, PERIOD)
    assert [total(rows, k) for k in ("contacts", "not_reached", "closed_unreachable")] == [5, 4, 1]
    assert report.summary(rows).startswith("4 of 5 logged contacts did not reach the participant (80.0%)")
    # The participant with three failed attempts in 14 days is unreachable today.
    assert report.notes(p, PERIOD, rows)[0].startswith("Today 1 participant cannot be reached")


def test_concerns_crises_and_adverse_events(world: Any) -> None:
    p = world.program
    rel = relationship(p)

    def concern(program: Any, kind: str, days: int) -> None:
        r = rel if program == p else relationship(program)
        Concern.objects.create(
            program=program,
            relationship=r,
            participant=r.participant,
            supporter=r.supporter,
            kind=kind,
            raised_at=moment(days),
        )

    def event(kind: str, days: int, program: Any = p) -> None:
        AdverseEvent.objects.create(program=program, supporter=rel.supporter, kind=kind, occurred_at=moment(days))

    concern(p, "concern", 3)
    concern(p, "crisis", 3)
    concern(p, "crisis", 200)  # before the period
    concern(world.other_program, "crisis", 3)  # another program
    event("hospitalised", 3)
    event("died", 10)
    event("relapsed", 200)  # before the period
    event("relapsed", 3, world.other_program)

    rows = ConcernsAndEvents().rows(p, PERIOD)
    assert [total(rows, k) for k in ("concerns", "crises", "hospitalised", "relapsed", "died")] == [1, 1, 1, 0, 1]
    recent = next(r for r in rows if r["month"] == month_of(days_ago(3)))
    assert recent["concerns"] == 1 and recent["crises"] == 1 and recent["hospitalised"] == 1
