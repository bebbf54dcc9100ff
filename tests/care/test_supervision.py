"""Supervision: logging meetings, follow-ups as tasks, overdue supervision, hours, continuing education."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from peerpath.care import queries
from peerpath.care.models import CareTask, SupervisionMeeting, TaskKind, TaskStatus
from peerpath.care.services import common as care_common
from peerpath.care.services import supervision
from peerpath.certification.models import CEActivity
from peerpath.core.models import AuditEntry
from peerpath.recruitment.models import Supporter
from tests.care.helpers import HIGH_STRAIN, check_in, supporter
from tests.factories import MembershipFactory

TODAY = timezone.localdate


def log(world: Any, people: list[Any], **overrides: Any) -> SupervisionMeeting:
    data: dict[str, Any] = {
        "actor": world.supervisor,
        "program": world.program,
        "kind": "one_on_one" if len(people) == 1 else "group",
        "held_on": TODAY(),
        "duration_minutes": 60,
        "supervisor": world.supervisor,
        "attendees": people,
        "topics": "Boundaries",
        "notes": "Talked it through",
    }
    return supervision.log_meeting(**{**data, **overrides})


@pytest.mark.django_db
def test_logging_a_meeting_with_follow_ups(world: Any) -> None:
    record = supporter(world.program, supervisor=world.supervisor)
    meeting = log(
        world,
        [record],
        follow_ups=["Send the referral list", "  ", "Check in next week"],
        follow_up_due_on=TODAY() + dt.timedelta(days=7),
    )
    assert list(meeting.attendees.all()) == [record] and meeting.hours == Decimal("1.00")
    follow_ups = CareTask.objects.filter(meeting=meeting).order_by("id")
    assert [t.title for t in follow_ups] == ["Send the referral list", "Check in next week"]
    assert all(
        t.kind == TaskKind.FOLLOW_UP and t.assigned_to == world.supervisor and t.supporter == record for t in follow_ups
    )
    assert AuditEntry.objects.filter(action="supervision.log", target_id=str(meeting.pk)).exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"held_on": dt.date.today() + dt.timedelta(days=3)}, "held_on"),
        ({"duration_minutes": 2}, "duration_minutes"),
        ({"kind": "one_on_one", "attendees": "both"}, "attendees"),
        ({"attendees": []}, "attendees"),
        ({"supervisor": None}, "supervisor"),
    ],
)
@pytest.mark.django_db
def test_meeting_rules(world: Any, overrides: dict, field: str) -> None:
    a = supporter(world.program, "A", supervisor=world.supervisor)
    b = supporter(world.program, "B", supervisor=world.supervisor)
    if overrides.get("attendees") == "both":
        overrides["attendees"] = [a, b]
    with pytest.raises(ValidationError) as caught:
        log(world, [a], **overrides)
    assert field in caught.value.message_dict
    assert not SupervisionMeeting.objects.exists()


@pytest.mark.django_db
def test_a_supervisor_logs_only_with_people_they_supervise(world: Any) -> None:
    theirs = supporter(world.program, "Someone else's")
    with pytest.raises(ValidationError, match="supporters you supervise"):
        log(world, [theirs])
    # A coordinator may log for anyone and name another leader.
    meeting = log(world, [theirs], actor=world.coordinator, supervisor=world.supervisor)
    assert meeting.logged_by == world.coordinator


@pytest.mark.django_db
def test_overdue_supervision_follows_the_program_minimum(world: Any) -> None:
    settings = care_common.get_settings(world.program)
    record = supporter(world.program, supervisor=world.supervisor)
    Supporter.objects.filter(pk=record.pk).update(stage_changed_at=timezone.now() - dt.timedelta(days=90))
    record.refresh_from_db()
    row = queries.checkin_status(world.program, record, settings, TODAY())
    assert row.supervision_overdue  # never supervised since becoming active 90 days ago
    log(world, [record], held_on=TODAY() - dt.timedelta(days=29))
    row = queries.checkin_status(world.program, record, settings, TODAY())
    assert not row.supervision_overdue and row.supervision_due == TODAY() + dt.timedelta(days=1)
    settings.supervision_every_days = 14
    settings.save()
    assert queries.checkin_status(world.program, record, settings, TODAY()).supervision_overdue


@pytest.mark.django_db
def test_supervision_hours_per_supporter_and_year(world: Any) -> None:
    a = supporter(world.program, "A", supervisor=world.supervisor)
    b = supporter(world.program, "B", supervisor=world.supervisor)
    this_year = TODAY().replace(month=1, day=2)
    last_year = this_year.replace(year=this_year.year - 1)
    log(world, [a], held_on=this_year, duration_minutes=90)
    log(world, [a, b], held_on=this_year, duration_minutes=60)
    log(world, [a], held_on=last_year, duration_minutes=45)
    assert queries.hours_by_year(a) == [(this_year.year, Decimal("2.50"), 2), (last_year.year, Decimal("0.75"), 1)]
    both = Supporter.objects.filter(pk__in=[a.pk, b.pk])
    assert queries.hours_in_year(world.program, both, this_year.year) == {
        a.pk: (Decimal("2.50"), 2),
        b.pk: (Decimal("1.00"), 1),
    }
    page = world.client_for(world.supervisor).get(
        reverse("care:supervision_hours", args=[world.program.slug]), {"year": this_year.year}
    )
    assert page.status_code == 200 and "2.50" in page.content.decode()


@pytest.mark.django_db
def test_supervision_counts_as_continuing_education_when_the_program_says_so(world: Any) -> None:
    a = supporter(world.program, "A", supervisor=world.supervisor)
    b = supporter(world.program, "B", supervisor=world.supervisor)
    log(world, [a, b], duration_minutes=90)
    assert not CEActivity.objects.filter(supporter__in=[a, b]).exists()  # the setting is off by default
    settings = care_common.get_settings(world.program)
    settings.supervision_counts_as_ce = True
    settings.save()
    meeting = log(world, [a, b], duration_minutes=90)
    credited = list(CEActivity.objects.filter(supporter__in=[a, b]).order_by("supporter__full_name"))
    assert [(c.supporter, c.hours, c.category) for c in credited] == [
        (a, Decimal("1.50"), "supervision"),
        (b, Decimal("1.50"), "supervision"),
    ]
    assert credited[0].source_key == f"care.supervision:{meeting.pk}:{a.pk}"
    assert credited[0].date == meeting.held_on and credited[0].title == "Group supervision"


@pytest.mark.django_db
def test_supervision_hours_become_continuing_education_when_the_program_says_so(world: Any) -> None:
    from peerpath.care.models import CareSettings

    record = supporter(world.program, supervisor=world.supervisor)
    log(world, [record])
    assert not CEActivity.objects.exists()  # off by default
    CareSettings.objects.filter(program=world.program).update(supervision_counts_as_ce=True)
    meeting = log(world, [record], duration_minutes=90)
    credit = CEActivity.objects.get(supporter=record)
    assert credit.hours == Decimal("1.50") and credit.source_key.endswith(f"{meeting.pk}:{record.pk}")
    assert (
        "which is not installed here"
        not in world.client_for(world.coordinator)
        .get(reverse("care:settings", args=[world.program.slug]))
        .content.decode()
    )


@pytest.mark.django_db
def test_the_meeting_page_logs_and_closes_the_task_it_was_about(world: Any) -> None:
    record = supporter(world.program, "Priya Peer", supervisor=world.supervisor)
    check_in(record, HIGH_STRAIN)
    task = CareTask.objects.get()
    client = world.client_for(world.supervisor)
    url = reverse("care:meeting_new", args=[world.program.slug])
    form = client.get(url, {"task": task.pk})
    assert form.status_code == 200 and "Saving the meeting closes this task" in form.content.decode()
    bad = client.post(url, {"task": task.pk, "kind": "one_on_one", "held_on": "", "duration_minutes": "60"})
    assert bad.status_code == 400 and not SupervisionMeeting.objects.exists()
    response = client.post(
        url,
        {
            "task": task.pk,
            "kind": "one_on_one",
            "held_on": TODAY().isoformat(),
            "duration_minutes": "50",
            "supervisor": world.supervisor.pk,
            "attendees": [record.pk],
            "topics": "The check-in",
            "notes": "Feeling better after talking",
            "follow_ups": "Check in again on Friday",
        },
    )
    assert response.status_code == 302 and response["Location"].endswith(f"/care/supporters/{record.pk}/")
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and "Talked in supervision" in task.outcome
    assert "Check in again on Friday" in [t.title for t in CareTask.objects.filter(kind=TaskKind.FOLLOW_UP)]


@pytest.mark.django_db
def test_meeting_pages_hide_other_peoples_meetings_and_supporters(world: Any) -> None:
    record = supporter(world.program, supervisor=world.supervisor)
    meeting = log(world, [record])
    other_supervisor = MembershipFactory(program=world.program, is_supervisor=True).user
    client = world.client_for(other_supervisor)
    assert client.get(reverse("care:meeting_edit", args=[world.program.slug, meeting.pk])).status_code == 404
    assert (
        client.get(reverse("care:meeting_new", args=[world.program.slug]), {"supporter": record.pk}).status_code == 404
    )
    listing = client.get(reverse("care:meetings", args=[world.program.slug])).content.decode()
    assert "Boundaries" not in listing
    # The person who led it can correct it; the coordinator too.
    edit = world.client_for(world.supervisor).post(
        reverse("care:meeting_edit", args=[world.program.slug, meeting.pk]),
        {
            "kind": "one_on_one",
            "held_on": TODAY().isoformat(),
            "duration_minutes": "75",
            "supervisor": world.supervisor.pk,
            "attendees": [record.pk],
            "topics": "Boundaries and rest",
            "notes": "",
        },
    )
    assert edit.status_code == 302
    meeting.refresh_from_db()
    assert meeting.duration_minutes == 75
    assert AuditEntry.objects.filter(action="supervision.update", target_id=str(meeting.pk)).exists()
    assert (
        world.client_for(world.coordinator)
        .get(reverse("care:meeting_edit", args=[world.program.slug, meeting.pk]))
        .status_code
        == 200
    )


@pytest.mark.django_db
def test_tasks_page_and_marking_done(world: Any) -> None:
    record = supporter(world.program, "Priya Peer", supervisor=world.supervisor)
    check_in(record, HIGH_STRAIN)
    task = CareTask.objects.get()
    other_supervisor = MembershipFactory(program=world.program, is_supervisor=True).user
    page = world.client_for(world.supervisor).get(reverse("care:tasks", args=[world.program.slug]))
    assert page.status_code == 200 and "Priya Peer: check-in" in page.content.decode()
    assert (
        "Priya Peer"
        not in world.client_for(other_supervisor).get(reverse("care:tasks", args=[world.program.slug])).content.decode()
    )
    denied = world.client_for(other_supervisor).post(reverse("care:task_done", args=[world.program.slug, task.pk]))
    assert denied.status_code == 404
    done = world.client_for(world.supervisor).post(
        reverse("care:task_done", args=[world.program.slug, task.pk]), {"outcome": "Called her"}
    )
    assert done.status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.outcome == "Called her" and task.completed_by == world.supervisor
    again = world.client_for(world.supervisor).post(reverse("care:task_done", args=[world.program.slug, task.pk]))
    assert again.status_code == 302
    assert "already done" in next(str(m) for m in again.wsgi_request._messages)


@pytest.mark.django_db
def test_supporters_page_shows_supervised_people_only(world: Any) -> None:
    mine = supporter(world.program, "Mine Supported", supervisor=world.supervisor)
    supporter(world.program, "Not Mine")
    body = (
        world.client_for(world.supervisor).get(reverse("care:supporters", args=[world.program.slug])).content.decode()
    )
    assert "Mine Supported" in body and "Not Mine" not in body
    everyone = (
        world.client_for(world.coordinator).get(reverse("care:supporters", args=[world.program.slug])).content.decode()
    )
    assert "Mine Supported" in everyone and "Not Mine" in everyone
    detail = world.client_for(world.supervisor).get(reverse("care:supporter", args=[world.program.slug, mine.pk]))
    assert detail.status_code == 200
    assert AuditEntry.objects.filter(action="care.view_supporter", target_id=str(mine.pk)).exists()
    not_mine = Supporter.objects.get(full_name="Not Mine")
    assert (
        world.client_for(world.supervisor)
        .get(reverse("care:supporter", args=[world.program.slug, not_mine.pk]))
        .status_code
        == 404
    )
    assert mail.outbox == []
