"""The hours pages run a bounded number of queries whatever the number of supporters, contacts,
group sessions, supervision meetings and duties (on every engine: the site-wide crawl in
tests/test_query_bounds.py runs on SQLite only)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from peerpath.care.models import SupervisionMeeting
from peerpath.groups import services as groups
from peerpath.hours import services
from peerpath.hours.models import Kind, OtherDuty
from peerpath.support.models import Contact
from tests.groups.helpers import colleague, member, past_session, weekly_group

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def build(support: Any, n: int, round_: int) -> int:
    """n more of everything the ledger reads: colleagues with approved duties, contacts, a group
    with n members and n held sessions, supervision meetings. Returns a duty awaiting review."""
    program, priya = support.program, support.priya
    others = [colleague(support.world, f"Col {round_}-{i:02d}") for i in range(n)]
    for i, person in enumerate([priya, *others]):
        assert person.user is not None
        for d in range(n):
            duty = services.log_duty(
                actor=person.user,
                supporter=person,
                date=TODAY - dt.timedelta(days=d + 1),
                kind=Kind.OUTREACH,
                title=f"Stall {round_}-{i}-{d}",
                minutes=60,
            )
            services.review_duty(actor=support.coordinator, duty=duty, approve=True)
    for d in range(n):
        Contact.objects.create(
            program=program,
            relationship=support.ana_rel,
            contacted_on=TODAY - dt.timedelta(days=d),
            channel="phone",
            reached=True,
            duration_minutes=30,
        )
        meeting = SupervisionMeeting.objects.create(
            program=program,
            held_on=TODAY - dt.timedelta(days=d + 1),
            duration_minutes=45,
            supervisor=support.supervisor,
        )
        meeting.attendees.set([priya, *others])
    group = weekly_group(support.world, name=f"Group {round_}", co=others[:2])
    present = [member(support.world, group, f"Member {round_}-{i:02d}") for i in range(n)]
    for w in range(n):
        groups.take_attendance(
            actor=support.coordinator,
            session=past_session(group, 1 + 7 * w),
            present=present,
            first_time_drop_ins=1,
            returning_drop_ins=1,
        )
    waiting = services.log_duty(
        actor=others[0].user,
        supporter=others[0],
        date=TODAY,
        kind=Kind.OTHER,
        title=f"Waiting {round_}",
        minutes=30,
    )
    return waiting.pk


def pages(support: Any, duty: int) -> list[tuple[str, str]]:
    p = f"/p/{support.program.slug}/hours"
    month = TODAY.strftime("%Y-%m")
    return [
        ("coordinator", f"{p}/supporters/"),
        ("coordinator", f"{p}/supporters/{support.priya.pk}/"),
        ("coordinator", f"{p}/supporters/{support.priya.pk}/?year={TODAY.year}&month={month}"),
        ("coordinator", f"{p}/duties/"),
        ("coordinator", f"{p}/duties/{duty}/"),
        ("coordinator", f"{p}/settings/"),
        ("supervisor", f"{p}/supporters/"),
        ("supporter", f"{p}/me/"),
        ("supporter", f"{p}/me/?year={TODAY.year}&month={month}"),
        ("supporter", f"{p}/me/duties/new/"),
    ]


def counts(support: Any, duty: int) -> dict[str, int]:
    found = {}
    for who, path in pages(support, duty):
        client = support.world.client_for(getattr(support, who))
        client.get(path)  # warm the per-process caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200, (who, path, response.status_code)
        found[f"{who} {path.replace(f'/{duty}/', '/<duty>/')}"] = len(queries)
    return found


def test_hours_pages_do_not_grow_with_the_data(support: Any) -> None:
    small = counts(support, build(support, 2, 1))
    large = counts(support, build(support, 6, 2))
    assert OtherDuty.objects.count() == 50 and Contact.objects.filter(relationship=support.ana_rel).count() >= 8
    assert set(small) == set(large) and len(small) == 10
    grown = {page: (small[page], large[page]) for page in small if large[page] > small[page] + 1}
    assert not grown, f"pages whose queries grow with the data (small, large): {grown}"
