"""The funder report against figures counted by hand from the demo program.

The demo's reached contacts (peerpath/support/demo.py, peerpath/voice/demo.py and
peerpath/reports/demo.py), dated in
days before today, were listed and summed by lived-experience area by hand; supervision from
peerpath/care/demo.py and the approved other duties from peerpath/hours/demo.py likewise. The
default period (the last 365 days) holds all of them but the supervision meeting 400 days ago.
Group sessions (peerpath/groups/demo.py) are laid out on the calendar from today, so how many
were held depends on the weekday: the figures are counted per session held, as the demo says.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from peerpath.core.models import User
from peerpath.demo.content import DOMAIN, SLUG
from peerpath.groups.models import GroupSession, SessionStatus
from peerpath.hours import services
from peerpath.programs.models import Program
from peerpath.reports.base import Period
from peerpath.reports.library import PeopleReached, UnitsOfService
from tests.demo_copy import load_demo

pytestmark = pytest.mark.django_db

# (kind of activity, area): (activities, hours), counted by hand.
BY_HAND = {
    ("One-to-one support", "Trauma"): (17, Decimal("12.50")),
    ("One-to-one support", "Grief and loss"): (14, Decimal("9.50")),
    # Thirteen in the support history, and the voice demo's former participant's five (150 minutes).
    ("One-to-one support", "Chronic illness"): (18, Decimal("11.50")),
    ("One-to-one support", "Depression and anxiety"): (13, Decimal("8.25")),
    ("One-to-one support", "Substance use recovery"): (11, Decimal("8.00")),
    ("One-to-one support", "Caring for a family member"): (8, Decimal("5.75")),
    # Meetings 20, 35 (three attendees), 45 and 50 days ago: 60 + 3 x 90 + 45 + 60 minutes.
    ("Supervision received", "Not specific to an area"): (6, Decimal("7.25")),
    # Approved: Priya's fair stall 180, Uma's walk 150, Xavier 90, Quinn 60, Tomás 60 minutes.
    ("Information sessions and outreach", "Not specific to an area"): (5, Decimal("9.00")),
    # Victor's role-play preparation, 240 minutes.
    ("Training delivered", "Not specific to an area"): (1, Decimal("4.00")),
    # Priya's phone line 120, Wendy 120, Rosa 75 minutes.
    ("Other duties", "Not specific to an area"): (3, Decimal("5.25")),
}


@pytest.fixture
def demo() -> Program:
    load_demo()
    return Program.objects.get(slug=SLUG)


def held(name: str) -> list[GroupSession]:
    """The demo group's sessions held: how many falls with the weekday of today (peerpath/groups/demo.py)."""
    return list(GroupSession.objects.filter(group__name=name, status=SessionStatus.HELD))


WEEKLY = "Tuesday evening peer support group"  # Priya leads, Uma co-facilitates, 90 minutes, for one area
INFO = "What is peer support? Monthly information session"  # Uma leads, 60 minutes, drop-ins only


def by_hand(demo: Program) -> dict[tuple[str, str], tuple[int, Decimal]]:
    """BY_HAND with the demo's group sessions: each held session is its length plus the 30
    minutes of preparation, for each facilitator; the information session counts as outreach."""
    weekly, info = len(held(WEEKLY)), len(held(INFO))
    assert weekly >= 8 and info >= 3  # ten weeks back, one week cancelled; fifteen weeks of a monthly session
    counted = dict(BY_HAND)
    # The weekly group is for depression and anxiety (its page): its sessions count under that area.
    counted[("Group sessions facilitated", "Depression and anxiety")] = (2 * weekly, Decimal(2 * weekly * 2))
    activities, hours = counted[("Information sessions and outreach", "Not specific to an area")]
    counted[("Information sessions and outreach", "Not specific to an area")] = (
        activities + info,
        hours + Decimal("1.5") * info,
    )
    return counted


def test_units_of_service_match_the_hand_count(demo: Program) -> None:
    rows = UnitsOfService().rows(demo, Period.default())
    found: dict[tuple[str, str], list[Any]] = defaultdict(lambda: [0, Decimal(0)])
    for row in rows:
        found[(row["activity"], row["area"])][0] += row["activities"]
        found[(row["activity"], row["area"])][1] += row["hours"]
        assert row["units"] == row["hours"]  # the demo's unit is an hour
    assert {key: tuple(value) for key, value in found.items()} == by_hand(demo)
    # Months are months: every row of a month sums into that month only.
    assert len({row["month"] for row in rows}) >= 12

    services.update_settings(
        actor=User.objects.get(email=f"coordinator@{DOMAIN}"), program=demo, data={"unit_minutes": 15}
    )
    quarter_hours = UnitsOfService().rows(demo, Period.default())
    assert sum(r["units"] for r in quarter_hours) == 4 * sum(hours for _, hours in by_hand(demo).values())


def test_people_reached_match_the_hand_count(demo: Program) -> None:
    rows = PeopleReached().rows(demo, Period.default())
    weekly, info = held(WEEKLY), held(INFO)
    # Drop-ins as the demo counts them: week i of the weekly group and month i of the information session.
    first_time = [2, 1, 0, 0, 1, 0, 2, 1, 0, 1]
    returning = [0, 1, 1, 0, 2, 1, 1, 2, 1, 0]
    weeks = [i for i in range(10) if i != 3][: len(weekly)]  # the fourth week was cancelled
    assert rows[-1] == {
        "month": "Whole period",
        "one_to_one": 12,  # participants 6 to 10, 12 to 17 and the former participant, each reached
        "groups": 5,  # Alex, Bea, Chris, Dee and Eve, the weekly group's members, each came at least once
        "either": 17,  # nobody is in both
        "first_time": sum(first_time[i] for i in weeks) + sum(4 + i for i in range(len(info))),
        "returning": sum(returning[i] for i in weeks) + sum(i % 2 for i in range(len(info))),
    }
    assert sum(r["one_to_one"] for r in rows[:-1]) > 12  # someone reached in two months counts in both


def test_the_funder_report_is_on_the_dashboard_with_downloads(demo: Program) -> None:
    client = Client()
    client.force_login(User.objects.get(email=f"coordinator@{DOMAIN}"))
    page = client.get(reverse("reports:dashboard", args=[SLUG])).content.decode()
    assert "Funder report: units of service" in page and "Funder report: people reached" in page
    csv = client.get(reverse("reports:download", args=[SLUG, "funder-units-of-service", "csv"]))
    text = csv.content.decode("utf-8-sig")
    assert text.splitlines()[0] == "Month,Kind of activity,Lived-experience area,Activities,Hours,Units of service"
    assert "Caring for a family member" in text
    xlsx = client.get(reverse("reports:download", args=[SLUG, "funder-people-reached", "xlsx"]))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_group_sessions_count_under_the_groups_areas(support: Any) -> None:
    """A group for an area counts its sessions under that area; a group for none under "not
    specific to an area" (sessions of 90 minutes + 30 of preparation, one facilitator each)."""
    from peerpath.groups import services as groups
    from tests.groups.helpers import past_session, weekly_group

    grief_group = weekly_group(support.world, name="Grief circle", areas=[support.grief, support.anxiety])
    open_group = weekly_group(support.world, name="Open circle")
    for group, days in ((grief_group, 2), (grief_group, 9), (open_group, 3)):
        groups.take_attendance(
            actor=support.coordinator,
            session=past_session(group, days),
            present=[],
            first_time_drop_ins=1,
            returning_drop_ins=0,
        )
    rows = UnitsOfService().rows(support.program, Period.default())
    found: dict[str, list[Any]] = defaultdict(lambda: [0, Decimal(0)])
    for row in rows:
        if row["activity"] == "Group sessions facilitated":
            found[row["area"]][0] += row["activities"]
            found[row["area"]][1] += row["hours"]
    # In the program's order of areas (position, then name), as participants' areas are.
    assert {k: tuple(v) for k, v in found.items()} == {
        "Anxiety + Grief and loss": (2, Decimal("4.00")),
        "Not specific to an area": (1, Decimal("2.00")),
    }
