"""Care pages run a bounded number of queries whatever the amount of data."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from peerpath.care.services import breaks, buddies, debriefs, recognition, supervision
from tests.care.helpers import CALM, HIGH_STRAIN, check_in, supporter

# (page, who, limit): the limit holds for 2 and for 12 supporters with full histories.
PAGES = [
    ("programs:home", "coordinator", 47),  # the home page carries every app's panels, the menu the unread count
    ("programs:home", "supervisor", 30),
    ("care:supporters", "coordinator", 15),
    ("care:supporters", "supervisor", 14),
    ("care:attention", "coordinator", 13),
    ("care:tasks", "coordinator", 11),
    ("care:meetings", "coordinator", 12),
    ("care:supervision_hours", "coordinator", 14),
    ("care:topics", "coordinator", 13),
    ("care:recognition", "coordinator", 22),  # hours milestones: the ledger's sources (hours registers)
    ("care:buddies", "coordinator", 17),
    ("care:breaks", "coordinator", 12),
    ("care:supervisors", "coordinator", 12),
    ("care:newsletters", "coordinator", 12),
]


def build(world: Any, n: int) -> list[Any]:
    people = []
    today = timezone.localdate()
    for i in range(n):
        record = supporter(world.program, f"Person {i:02d}", supervisor=world.supervisor)
        for answers in (HIGH_STRAIN, CALM):
            check_in(record, answers, wants_to_talk=True)
        debriefs.submit_debrief(
            actor=record.user,
            supporter=record,
            kind="support_group",
            occurred_on=today,
            what_happened="x",
            topics=f"Topic {i}, crisis calls",
            wants_to_talk=True,
        )
        supervision.log_meeting(
            actor=world.supervisor,
            program=world.program,
            kind="one_on_one",
            held_on=today - dt.timedelta(days=i),
            duration_minutes=60,
            supervisor=world.supervisor,
            attendees=[record],
            follow_ups=["Follow up"],
        )
        recognition.record_recognition(
            actor=world.coordinator, program=world.program, supporter=record, kind="feedback", title="Thanks"
        )
        if i % 2:
            buddies.pair_buddies(actor=world.coordinator, program=world.program, first=people[-1], second=record)
        if i % 3 == 0:
            breaks.request_break(
                actor=record.user, supporter=record, starts_on=today + dt.timedelta(days=2), ends_on=None
            )
        people.append(record)
    return people


@pytest.mark.django_db
@pytest.mark.parametrize("size", [2, 12])
@pytest.mark.parametrize(("name", "who", "limit"), PAGES)
def test_staff_pages_are_bounded(
    world: Any, django_assert_max_num_queries: Any, size: int, name: str, who: str, limit: int
) -> None:
    build(world, size)
    client = world.client_for(getattr(world, who))
    url = reverse(name, args=[world.program.slug])
    client.get(url)  # warm the session and settings rows
    with django_assert_max_num_queries(limit):
        assert client.get(url).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("size", [2, 12])
def test_person_pages_are_bounded(world: Any, django_assert_max_num_queries: Any, size: int) -> None:
    people = build(world, size)
    first = people[0]
    coordinator = world.client_for(world.coordinator)
    detail = reverse("care:supporter", args=[world.program.slug, first.pk])
    coordinator.get(detail)
    # 25, up to 8 more for what holds the supporter back from new matches (care.holds), one the
    # page gained on main, and the menu's unread count
    with django_assert_max_num_queries(35):
        assert coordinator.get(detail).status_code == 200
    own = world.client_for(first.user)
    for name in ("care:my_care", "programs:home", "care:my_debriefs", "care:my_breaks"):
        url = reverse(name, args=[world.program.slug])
        own.get(url)
        # My well-being also asks what holds them back from new matches (up to 8 queries, care.holds);
        # every page counts the unread notifications for the menu.
        with django_assert_max_num_queries(43 if name == "programs:home" else 32 if name == "care:my_care" else 24):
            assert own.get(url).status_code == 200
