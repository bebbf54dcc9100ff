from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import vobject
from django.utils import timezone

from peerpath.recruitment.models import Stage
from peerpath.training import services
from peerpath.training.models import CalendarFeed
from tests.factories import MembershipFactory
from tests.training.helpers import cohort, session, trainee

pytestmark = pytest.mark.django_db


def parse(body: bytes) -> Any:
    """Parse with vobject: a different library from icalendar, which writes the feed."""
    return vobject.readOne(body.decode("utf-8"))


def feed_url(feed: CalendarFeed) -> str:
    return f"/calendar/{feed.token}.ics"


def test_personal_feed_is_valid_icalendar(world: Any, client: Any) -> None:
    the_cohort = cohort(world)
    person = trainee(world.program)
    services.enrol_trainee(actor=world.trainer, cohort=the_cohort, supporter=person)
    held = session(
        world,
        the_cohort,
        days_ago=2,
        title='Listening, with "quotes"; commas, and a very long title '
        "that needs folding because RFC 5545 limits lines to seventy-five octets",
    )
    upcoming = session(world, the_cohort, days_ago=-5, title="Boundaries")
    services.cancel_session(actor=world.trainer, session=upcoming, reason="Snow")
    services.create_refresher_event(
        actor=world.coordinator,
        program=world.program,
        title="Monthly call",
        starts_at=timezone.now(),
        ends_at=timezone.now() + dt.timedelta(hours=1),
        location="Phone",
        credited_hours=1,
    )
    feed = services.calendar_feed(actor=person.user, program=world.program, owner=person.user)
    response = client.get(feed_url(feed))  # no login: calendar apps cannot log in
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert all(len(line) <= 75 for line in response.content.split(b"\r\n"))
    calendar = parse(response.content)
    assert calendar.version.value == "2.0" and calendar.prodid.value
    events = {e.uid.value: e for e in calendar.vevent_list}
    assert len(events) == 2  # a trainee is not yet invited to refresher events
    first = events[f"training-session-{held.pk}@testserver"]
    assert first.summary.value.startswith('Listening, with "quotes"; commas')
    assert first.dtstart.value == held.starts_at.replace(microsecond=0)
    assert first.dtstart.value.tzinfo is not None and first.dtend.value > first.dtstart.value
    assert first.dtstamp.value.tzinfo is not None
    assert first.location.value == "Room 2"
    cancelled = events[f"training-session-{upcoming.pk}@testserver"]
    assert cancelled.status.value == "CANCELLED" and int(cancelled.sequence.value) == 1


def test_certified_supporters_get_refresher_events_and_trainers_their_cohorts(world: Any, client: Any) -> None:
    the_cohort = cohort(world)
    session(world, the_cohort, days_ago=1, title="Course session")
    event = services.create_refresher_event(
        actor=world.coordinator,
        program=world.program,
        title="Monthly call",
        starts_at=timezone.now(),
        ends_at=timezone.now() + dt.timedelta(hours=1),
        location="Phone",
        credited_hours=1,
    )
    supporter_feed = services.calendar_feed(actor=world.supporter, program=world.program, owner=world.supporter)
    summaries = [e.summary.value for e in parse(client.get(feed_url(supporter_feed)).content).vevent_list]
    assert summaries == ["Monthly call"]
    assert event.title in summaries
    trainer_feed = services.calendar_feed(actor=world.trainer, program=world.program, owner=world.trainer)
    summaries = sorted(e.summary.value for e in parse(client.get(feed_url(trainer_feed)).content).vevent_list)
    assert summaries == ["Course session (Spring course)", "Monthly call"]


def test_cohort_feed_and_revocation(world: Any, client: Any) -> None:
    the_cohort = cohort(world)
    session(world, the_cohort, days_ago=1)
    web = world.client_for(world.trainer)
    assert web.get("/p/riverside/my/calendar/").status_code == 200
    assert web.post(f"/p/riverside/my/calendar/cohorts/{the_cohort.pk}/").status_code == 302
    feed = CalendarFeed.objects.get(owner=world.trainer, cohort=the_cohort)
    assert len(parse(client.get(feed_url(feed)).content).vevent_list) == 1
    assert web.post(f"/p/riverside/my/calendar/{feed.pk}/renew/").status_code == 302
    assert client.get(feed_url(feed)).status_code == 404
    fresh = CalendarFeed.objects.get(owner=world.trainer, cohort=the_cohort, revoked_at__isnull=True)
    assert fresh.token != feed.token and client.get(feed_url(fresh)).status_code == 200
    # Someone else's feed cannot be renewed; a cohort one does not teach cannot be subscribed to.
    assert world.client_for(world.coordinator).post(f"/p/riverside/my/calendar/{fresh.pk}/renew/").status_code == 404
    other_trainer = MembershipFactory(program=world.program, is_trainer=True).user
    theirs = cohort(world, trainers=[other_trainer], name="Theirs")
    assert web.post(f"/p/riverside/my/calendar/cohorts/{theirs.pk}/").status_code == 404
    # Losing access closes the feed: the trainer is taken off the cohort.
    the_cohort.trainers.set([other_trainer])
    assert client.get(feed_url(fresh)).status_code == 404


def test_unknown_token_and_inactive_member(world: Any, client: Any) -> None:
    assert client.get("/calendar/not-a-real-token.ics").status_code == 404
    feed = services.calendar_feed(actor=world.supporter, program=world.program, owner=world.supporter)
    world.supporter_record.stage = Stage.INACTIVE
    world.supporter_record.save()
    assert client.get(feed_url(feed)).status_code == 200
    world.program.memberships.filter(user=world.supporter).update(is_active=False)
    assert client.get(feed_url(feed)).status_code == 404
