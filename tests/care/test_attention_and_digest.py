"""The 'may need attention' list and the supervisors' weekly digest."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from peerpath.care import queries, tasks
from peerpath.care.models import CheckIn, Debrief
from peerpath.care.services import common as care_common
from peerpath.care.services import supervision
from peerpath.core.scheduler import PERIODIC
from peerpath.recruitment.models import Stage, Supporter
from peerpath.support.models import CloseReason
from peerpath.support.services import matches
from tests.care.helpers import CALM, HIGH_STRAIN, check_in, relationship, supporter


def ago(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


@pytest.mark.django_db
def test_reasons_someone_may_need_attention(world: Any) -> None:
    program = world.program
    settings = care_common.get_settings(program)
    today = timezone.localdate()
    world.supporter_record.stage = Stage.INACTIVE
    world.supporter_record.save()

    quiet = supporter(program, "Quiet", supervisor=world.supervisor)
    Supporter.objects.filter(pk=quiet.pk).update(stage_changed_at=ago(100))
    worried = supporter(program, "Worried", supervisor=world.supervisor)
    for days in (50, 10):
        done = check_in(worried, HIGH_STRAIN)
        CheckIn.objects.filter(pk=done.pk).update(completed_at=ago(days))
    supervision.log_meeting(
        actor=world.supervisor,
        program=program,
        kind="one_on_one",
        held_on=today,
        duration_minutes=60,
        supervisor=world.supervisor,
        attendees=[worried],
    )
    fine = supporter(program, "Fine", supervisor=world.supervisor)
    check_in(fine, CALM)
    supervision.log_meeting(
        actor=world.supervisor,
        program=program,
        kind="one_on_one",
        held_on=today,
        duration_minutes=60,
        supervisor=world.supervisor,
        attendees=[fine],
    )
    resting = supporter(program, "Resting", stage=Stage.ON_BREAK, supervisor=world.supervisor)
    Supporter.objects.filter(pk=resting.pk).update(stage_changed_at=ago(200))

    found = {
        row.supporter.full_name: reasons
        for row, reasons in queries.attention(program, Supporter.objects.filter(program=program), settings, today)
    }
    assert set(found) == {"Quiet", "Worried"}
    assert found["Quiet"] == [
        "No activity for 6 weeks or more",
        f"Supervision overdue since {(today - dt.timedelta(days=70)):%Y-%m-%d}",
    ]
    assert found["Worried"] == ["2 high-concern check-ins in 90 days"]

    # A recent debrief counts as activity; three closed relationships is a reason.
    Debrief.objects.create(program=program, supporter=quiet, kind="other", occurred_on=today, what_happened="x")
    for name in ("Pat One", "Pat Two", "Pat Three"):
        matches.close_relationship(
            actor=world.coordinator, relationship=relationship(world, fine, name), close_reason=CloseReason.GOALS_MET
        )
    found = {
        row.supporter.full_name: reasons
        for row, reasons in queries.attention(program, Supporter.objects.filter(program=program), settings, today)
    }
    assert "No activity for 6 weeks or more" not in found["Quiet"]
    assert found["Fine"] == ["3 support relationships closed in 90 days"]


@pytest.mark.django_db
def test_attention_page_for_supervisor_and_coordinator(world: Any) -> None:
    mine = supporter(world.program, "Mine Quiet", supervisor=world.supervisor)
    theirs = supporter(world.program, "Theirs Quiet")
    Supporter.objects.filter(pk__in=[mine.pk, theirs.pk]).update(stage_changed_at=ago(100))
    supervisor_page = world.client_for(world.supervisor).get(reverse("care:attention", args=[world.program.slug]))
    body = supervisor_page.content.decode()
    assert supervisor_page.status_code == 200 and "Mine Quiet" in body and "Theirs Quiet" not in body
    assert "not installed here" not in body
    coordinator_page = world.client_for(world.coordinator).get(reverse("care:attention", args=[world.program.slug]))
    assert "Theirs Quiet" in coordinator_page.content.decode()


@pytest.mark.django_db
def test_weekly_digest_goes_to_supervisors_with_something_to_do(world: Any) -> None:
    overdue = supporter(world.program, "Overdue Olive", supervisor=world.supervisor)
    Supporter.objects.filter(pk=overdue.pk).update(stage_changed_at=ago(45))
    check_in(overdue, HIGH_STRAIN)  # opens a task for the supervisor
    mail.outbox.clear()
    assert tasks.send_weekly_digests.call() == 1
    [digest] = mail.outbox
    assert digest.to == [world.supervisor.email] and "weekly supervision digest" in digest.subject
    assert "SUPERVISION OVERDUE" in digest.body and "Overdue Olive" in digest.body
    assert "OPEN TASKS" in digest.body and "highest-concern band" in digest.body
    assert "/care/supporters/" in digest.body
    settings = care_common.get_settings(world.program)
    settings.weekly_digest = False
    settings.save()
    mail.outbox.clear()
    assert tasks.send_weekly_digests.call() == 0 and not mail.outbox


@pytest.mark.django_db
def test_no_digest_when_nothing_needs_the_supervisor(world: Any) -> None:
    assert tasks.send_weekly_digests.call() == 0
    assert not mail.outbox


def test_periodic_jobs_are_registered() -> None:
    assert PERIODIC["care.weekly_digest"].every == dt.timedelta(days=7)
    assert PERIODIC["care.checkin_reminders"].every == dt.timedelta(days=1)
    assert PERIODIC["care.breaks"].every <= dt.timedelta(days=1)
