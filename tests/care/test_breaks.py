"""Breaks: requesting and recording, the pathway moves, supporters_on_break, coverage, return check-ins."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from peerpath.care import tasks
from peerpath.care.models import Break, BreakStatus, CheckIn, CheckInReason, CheckInStatus
from peerpath.care.queries import supporters_on_break
from peerpath.care.services import breaks
from peerpath.recruitment.models import Stage, StageChange
from tests.care.helpers import relationship, supporter


def today() -> dt.date:
    return timezone.localdate()


def days(n: int) -> dt.date:
    return today() + dt.timedelta(days=n)


@pytest.mark.django_db
def test_a_break_starting_today_moves_the_supporter_at_once(world: Any) -> None:
    record = supporter(world.program, supervisor=world.supervisor)
    brk = breaks.request_break(actor=record.user, supporter=record, starts_on=today(), ends_on=days(13), reason="Exams")
    record.refresh_from_db()
    assert brk.status == BreakStatus.CURRENT and record.stage == Stage.ON_BREAK
    change = StageChange.objects.filter(supporter=record).first()
    assert (change.from_stage, change.to_stage) == (Stage.ACTIVE, Stage.ON_BREAK)
    # One message each, through the notification layer (each in their own language).
    assert sorted(tuple(m.to) for m in mail.outbox) == sorted([(world.coordinator.email,), (world.supervisor.email,)])
    assert "Exams" not in mail.outbox[0].body and "breaks page" in mail.outbox[0].body  # the reason is encrypted


@pytest.mark.django_db
def test_supporters_on_break_by_date(world: Any) -> None:
    program = world.program
    planned = supporter(program, "Planned")
    open_ended = supporter(program, "Open ended")
    cancelled = supporter(program, "Cancelled")
    working = supporter(program, "Working")
    breaks.request_break(actor=planned.user, supporter=planned, starts_on=days(5), ends_on=days(10))
    breaks.request_break(actor=open_ended.user, supporter=open_ended, starts_on=days(2), ends_on=None)
    brk = breaks.request_break(actor=cancelled.user, supporter=cancelled, starts_on=days(5), ends_on=days(6))
    breaks.cancel_break(actor=cancelled.user, brk=brk)
    assert supporters_on_break(program, days(4)) == {open_ended.pk}
    assert supporters_on_break(program, days(5)) == {planned.pk, open_ended.pk}  # first day counts
    assert supporters_on_break(program, days(10)) == {planned.pk, open_ended.pk}  # last day counts
    assert supporters_on_break(program, days(11)) == {open_ended.pk}
    assert working.pk not in supporters_on_break(program, days(400))
    # Someone moved to 'on break' on the pathway without dates is on break today.
    working.stage = Stage.ON_BREAK
    working.save()
    assert working.pk in supporters_on_break(program, today())
    assert supporters_on_break(world.other_program, days(5)) == set()


@pytest.mark.django_db
def test_the_scheduler_starts_and_ends_breaks_and_welcomes_people_back(world: Any) -> None:
    record = supporter(world.program, supervisor=world.supervisor)
    brk = breaks.request_break(actor=record.user, supporter=record, starts_on=days(1), ends_on=days(3))
    assert brk.status == BreakStatus.PLANNED
    assert breaks.apply_break_dates(today=today()) == (0, 0)
    assert breaks.apply_break_dates(today=days(1)) == (1, 0)
    record.refresh_from_db()
    assert record.stage == Stage.ON_BREAK
    assert breaks.apply_break_dates(today=days(3)) == (0, 0)  # the last day is still a break day
    mail.outbox.clear()
    assert breaks.apply_break_dates(today=days(4)) == (0, 1)
    record.refresh_from_db()
    brk.refresh_from_db()
    assert record.stage == Stage.ACTIVE and brk.status == BreakStatus.ENDED and brk.ends_on == days(3)
    checkin = CheckIn.objects.get(supporter=record)
    assert checkin.status == CheckInStatus.SCHEDULED and checkin.reason == CheckInReason.RETURN
    assert checkin.due_on == days(4) + dt.timedelta(days=7)
    assert [m.to for m in mail.outbox] == [[record.email]] and "Welcome back" in mail.outbox[0].subject


@pytest.mark.django_db
def test_the_periodic_task_runs_the_break_dates(world: Any) -> None:
    record = supporter(world.program)
    brk = Break.objects.create(program=world.program, supporter=record, starts_on=today(), ends_on=days(2))
    tasks.apply_break_dates.call()
    brk.refresh_from_db()
    record.refresh_from_db()
    assert brk.status == BreakStatus.CURRENT and record.stage == Stage.ON_BREAK


@pytest.mark.django_db
def test_coming_back_early(world: Any) -> None:
    record = supporter(world.program)
    brk = breaks.request_break(
        actor=world.coordinator, supporter=record, starts_on=days(-5), ends_on=days(20), by_staff=True
    )
    client = world.client_for(record.user)
    response = client.post(reverse("care:my_break_back", args=[world.program.slug, brk.pk]))
    assert response.status_code == 302
    brk.refresh_from_db()
    record.refresh_from_db()
    assert brk.status == BreakStatus.ENDED and record.stage == Stage.ACTIVE and brk.ends_on == days(-1)
    assert record.pk not in supporters_on_break(world.program, today())
    assert record.pk in supporters_on_break(world.program, days(-1))
    assert CheckIn.objects.filter(supporter=record, reason=CheckInReason.RETURN).exists()


@pytest.mark.django_db
def test_back_on_the_first_day_cancels_the_break(world: Any) -> None:
    record = supporter(world.program)
    brk = breaks.request_break(actor=record.user, supporter=record, starts_on=today(), ends_on=None)
    breaks.end_break(actor=record.user, brk=brk)
    brk.refresh_from_db()
    record.refresh_from_db()
    assert brk.status == BreakStatus.CANCELLED and record.stage == Stage.ACTIVE
    assert record.pk not in supporters_on_break(world.program, today())
    assert not CheckIn.objects.filter(supporter=record).exists()


@pytest.mark.parametrize(
    ("starts", "ends", "field"),
    [(-1, 5, "starts_on"), (3, 1, "ends_on")],
)
@pytest.mark.django_db
def test_break_rules(world: Any, starts: int, ends: int, field: str) -> None:
    record = supporter(world.program)
    with pytest.raises(ValidationError) as caught:
        breaks.request_break(actor=record.user, supporter=record, starts_on=days(starts), ends_on=days(ends))
    assert field in caught.value.message_dict


@pytest.mark.django_db
def test_breaks_do_not_overlap_and_trainees_take_none(world: Any) -> None:
    record = supporter(world.program)
    breaks.request_break(actor=record.user, supporter=record, starts_on=days(5), ends_on=days(10))
    with pytest.raises(ValidationError, match="overlaps"):
        breaks.request_break(actor=record.user, supporter=record, starts_on=days(10), ends_on=days(12))
    breaks.request_break(actor=record.user, supporter=record, starts_on=days(11), ends_on=days(12))
    trainee = supporter(world.program, "Trainee", stage=Stage.IN_TRAINING)
    with pytest.raises(ValidationError, match="current supporters"):
        breaks.request_break(actor=trainee.user, supporter=trainee, starts_on=days(1), ends_on=None)
    with pytest.raises(ValidationError):  # someone else cannot ask for them
        breaks.request_break(actor=world.supervisor, supporter=record, starts_on=days(20), ends_on=None)


@pytest.mark.django_db
def test_my_breaks_page(world: Any) -> None:
    record = supporter(world.program)
    client = world.client_for(record.user)
    url = reverse("care:my_breaks", args=[world.program.slug])
    assert client.get(url).status_code == 200
    bad = client.post(url, {"starts_on": days(3).isoformat(), "ends_on": days(1).isoformat()})
    assert bad.status_code == 400 and not Break.objects.exists()
    assert client.post(url, {"starts_on": days(3).isoformat(), "ends_on": "", "reason": ""}).status_code == 302
    brk = Break.objects.get()
    assert brk.status == BreakStatus.PLANNED and not brk.recorded_by_staff
    other = supporter(world.program, "Other")
    assert (
        world.client_for(other.user)
        .post(reverse("care:my_break_cancel", args=[world.program.slug, brk.pk]))
        .status_code
        == 404
    )
    assert client.post(reverse("care:my_break_cancel", args=[world.program.slug, brk.pk])).status_code == 302
    brk.refresh_from_db()
    assert brk.status == BreakStatus.CANCELLED


@pytest.mark.django_db
def test_coordinator_records_ends_and_lists_breaks(world: Any) -> None:
    record = supporter(world.program, "Victor Break")
    client = world.client_for(world.coordinator)
    url = reverse("care:break_new", args=[world.program.slug])
    assert client.get(url).status_code == 200
    missing = client.post(url, {"starts_on": today().isoformat()})
    assert missing.status_code == 400
    foreign = client.post(url, {"supporter": world.outsider_record.pk, "starts_on": today().isoformat()})
    assert foreign.status_code == 400 and not Break.objects.exists()
    response = client.post(
        url, {"supporter": record.pk, "starts_on": (today() - dt.timedelta(days=3)).isoformat(), "reason": "Told me"}
    )
    assert response.status_code == 302
    brk = Break.objects.get()
    assert brk.recorded_by_staff and brk.status == BreakStatus.CURRENT
    listing = client.get(reverse("care:breaks", args=[world.program.slug])).content.decode()
    assert "Victor Break" in listing and "Support relationships are not installed here" not in listing
    assert client.post(reverse("care:break_end", args=[world.program.slug, brk.pk])).status_code == 302
    brk.refresh_from_db()
    record.refresh_from_db()
    assert brk.status == BreakStatus.ENDED and record.stage == Stage.ACTIVE


@pytest.mark.django_db
def test_break_actions_on_another_programs_break_are_not_found(world: Any) -> None:
    foreign = supporter(world.other_program, "Foreign")
    brk = breaks.request_break(actor=foreign.user, supporter=foreign, starts_on=days(2), ends_on=None)
    client = world.client_for(world.coordinator)
    for name in ("care:break_end", "care:break_cancel"):
        assert client.post(reverse(name, args=[world.program.slug, brk.pk])).status_code == 404
    brk.refresh_from_db()
    assert brk.status == BreakStatus.PLANNED


@pytest.mark.django_db
def test_the_relationships_to_cover_are_listed_and_audited(world: Any) -> None:
    from peerpath.core.models import AuditEntry

    record = supporter(world.program, "Victor Break")
    working = relationship(world, record, "Jordan Park")
    breaks.request_break(actor=record.user, supporter=record, starts_on=today(), ends_on=None)
    body = world.client_for(world.coordinator).get(reverse("care:breaks", args=[world.program.slug])).content.decode()
    assert str(working) in body
    entry = AuditEntry.objects.get(action="care.view_relationships_to_cover")
    assert entry.actor == world.coordinator and entry.target_id == str(working.pk)
