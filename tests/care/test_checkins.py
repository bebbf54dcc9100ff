"""Well-being check-ins: due dates, answering, scoring into tasks, what happens next, reminders."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from peerpath.care import queries, tasks
from peerpath.care.models import CareTask, CheckIn, CheckInAnswer, CheckInReason, CheckInStatus, TaskKind
from peerpath.care.services import checkins
from peerpath.care.services import common as care_common
from peerpath.core.models import AuditEntry
from peerpath.recruitment.models import Supporter
from tests.care.helpers import CALM, HIGH_STRAIN, check_in, checkin_questionnaire, supporter
from tests.factories import TESTS


def form_data(answers: dict[int, int], **extra: str) -> dict[str, str]:
    return {**{f"item_{n}": str(v) for n, v in answers.items()}, **extra}


@pytest.mark.django_db
def test_a_calm_checkin_scores_and_opens_no_task(world: Any) -> None:
    record = supporter(world.program, supervisor=world.supervisor)
    done = check_in(record, CALM)
    assert done.status == CheckInStatus.COMPLETED and done.reason == CheckInReason.ROUTINE
    assert done.scores["strain"]["score"] == "0" and done.scores["strain"]["band"] == "Low strain"
    assert done.scores["support"]["score"] == "16" and not done.concern
    assert CheckInAnswer.objects.filter(checkin=done).count() == 10
    assert not CareTask.objects.exists() and not mail.outbox
    assert AuditEntry.objects.filter(action="checkin.complete", target_id=str(done.pk)).exists()


@pytest.mark.django_db
def test_highest_concern_band_opens_a_task_for_the_supervisor(world: Any) -> None:
    record = supporter(world.program, supervisor=world.supervisor)
    done = check_in(record, HIGH_STRAIN, comment="Hard month")
    assert done.concern and done.scores["strain"]["band"] == "High strain"
    task = CareTask.objects.get(checkin=done)
    assert task.assigned_to == world.supervisor and task.kind == TaskKind.CHECKIN
    assert "highest-concern band (Strain from the role: High strain)" in task.title
    assert task.due_on == timezone.localdate() + dt.timedelta(days=2)
    assert [m.to for m in mail.outbox] == [[world.supervisor.email]]
    # The comment is encrypted at rest: the queued e-mail (stored until sent) never holds it.
    assert "Hard month" not in mail.outbox[0].body and "Check-in needs a response" in mail.outbox[0].body


@pytest.mark.parametrize(
    ("flag", "words"), [("needs_break", "says they need a break"), ("wants_to_talk", "would like to talk")]
)
@pytest.mark.django_db
def test_asking_for_a_break_or_to_talk_opens_a_task(world: Any, flag: str, words: str) -> None:
    record = supporter(world.program, supervisor=world.supervisor)
    done = check_in(record, CALM, **{flag: True})
    assert not done.concern and done.asks_for_follow_up
    assert words in CareTask.objects.get(checkin=done).title


@pytest.mark.django_db
def test_without_a_supervisor_the_coordinators_are_told(world: Any) -> None:
    record = supporter(world.program)
    done = check_in(record, HIGH_STRAIN)
    task = CareTask.objects.get(checkin=done)
    assert task.assigned_to is None
    assert mail.outbox[0].to == [world.coordinator.email]


@pytest.mark.django_db
def test_only_the_supporter_answers_and_every_item_is_needed(world: Any) -> None:
    record = supporter(world.program)
    questionnaire = checkin_questionnaire(world.program)
    with pytest.raises(ValidationError):
        checkins.complete_checkin(actor=world.supervisor, supporter=record, questionnaire=questionnaire, answers=CALM)
    with pytest.raises(ValidationError, match="Item 10 is not answered"):
        checkins.complete_checkin(
            actor=record.user,
            supporter=record,
            questionnaire=questionnaire,
            answers={k: v for k, v in CALM.items() if k != 10},
        )
    foreign = checkin_questionnaire(world.other_program)
    with pytest.raises(ValidationError):
        checkins.complete_checkin(actor=record.user, supporter=record, questionnaire=foreign, answers=CALM)
    assert not CheckIn.objects.exists()


@pytest.mark.django_db
def test_a_waiting_checkin_is_the_one_answered(world: Any) -> None:
    record = supporter(world.program)
    waiting = checkins.schedule_checkin(
        actor=TESTS, supporter=record, reason=CheckInReason.HARD_EVENT, due_on=timezone.localdate()
    )
    # Scheduling again reuses the waiting one (moved earlier only).
    again = checkins.schedule_checkin(
        actor=TESTS, supporter=record, reason=CheckInReason.RETURN, due_on=timezone.localdate() + dt.timedelta(days=5)
    )
    assert again.pk == waiting.pk and again.due_on == timezone.localdate()
    done = check_in(record)
    assert done.pk == waiting.pk and done.reason == CheckInReason.HARD_EVENT and done.status == CheckInStatus.COMPLETED


@pytest.mark.django_db
def test_due_dates_follow_the_program_cadence(world: Any) -> None:
    settings = care_common.get_settings(world.program)
    record = supporter(world.program)
    today = timezone.localdate()
    Supporter.objects.filter(pk=record.pk).update(stage_changed_at=timezone.now() - dt.timedelta(days=30))
    record.refresh_from_db()
    row = queries.checkin_status(world.program, record, settings, today)
    assert row.checkin_due == today - dt.timedelta(days=2) and row.checkin_overdue
    done = check_in(record)
    CheckIn.objects.filter(pk=done.pk).update(completed_at=timezone.now() - dt.timedelta(days=27))
    row = queries.checkin_status(world.program, record, settings, today)
    assert row.checkin_due == today + dt.timedelta(days=1) and not row.checkin_is_due
    settings.checkin_every_days = 14
    settings.save()
    assert queries.checkin_status(world.program, record, settings, today).checkin_overdue


@pytest.mark.django_db
def test_checkin_page_in_the_browser_flow(world: Any) -> None:
    record = supporter(world.program, supervisor=world.supervisor)
    client = world.client_for(record.user)
    page = client.get(reverse("care:checkin", args=[world.program.slug]))
    assert page.status_code == 200 and "I felt drained after contacts" in page.content.decode()
    missing = client.post(reverse("care:checkin", args=[world.program.slug]), form_data({1: 2}))
    assert missing.status_code == 400 and "Choose an answer." in missing.content.decode()
    assert not CheckIn.objects.exists()
    response = client.post(reverse("care:checkin", args=[world.program.slug]), form_data(HIGH_STRAIN, needs_break="on"))
    done = CheckIn.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/care/me/check-ins/{done.pk}/")
    result = client.get(response["Location"]).content.decode()
    assert "What happens next" in result and "Sam Supervisor" in result and "plan your break now" in result
    home = client.get(reverse("programs:home", args=[world.program.slug])).content.decode()
    assert "What happens next:" in home and "Sam Supervisor" in home


@pytest.mark.django_db
def test_supporters_see_only_their_own_checkins(world: Any) -> None:
    mine, theirs = supporter(world.program, "Mine"), supporter(world.program, "Theirs")
    done = check_in(theirs)
    response = world.client_for(mine.user).get(reverse("care:my_checkin", args=[world.program.slug, done.pk]))
    assert response.status_code == 404
    assert (
        world.client_for(theirs.user).get(reverse("care:my_checkin", args=[world.program.slug, done.pk])).status_code
        == 200
    )


@pytest.mark.django_db
def test_supervisors_see_checkins_of_people_they_supervise_only(world: Any) -> None:
    supervised = supporter(world.program, "Supervised", supervisor=world.supervisor)
    other = supporter(world.program, "Other")
    mine, not_mine = check_in(supervised, HIGH_STRAIN), check_in(other)
    client = world.client_for(world.supervisor)
    page = client.get(reverse("care:checkin_detail", args=[world.program.slug, mine.pk]))
    assert page.status_code == 200 and "High strain" in page.content.decode()
    assert AuditEntry.objects.filter(action="checkin.view", target_id=str(mine.pk), actor=world.supervisor).exists()
    assert client.get(reverse("care:checkin_detail", args=[world.program.slug, not_mine.pk])).status_code == 404
    assert (
        world.client_for(world.coordinator)
        .get(reverse("care:checkin_detail", args=[world.program.slug, not_mine.pk]))
        .status_code
        == 200
    )


@pytest.mark.django_db
def test_my_care_shows_the_trend_chart_and_its_table(world: Any) -> None:
    record = supporter(world.program)
    for days_ago, answers in ((60, HIGH_STRAIN), (30, CALM)):
        done = check_in(record, answers)
        CheckIn.objects.filter(pk=done.pk).update(completed_at=timezone.now() - dt.timedelta(days=days_ago))
    body = world.client_for(record.user).get(reverse("care:my_care", args=[world.program.slug])).content.decode()
    assert "chart.umd.min.js" in body and 'role="img"' in body
    assert '"labels"' in body and '"Strain from the role"' in body
    assert '24 <span class="badge bad">High strain</span>' in body and '0 <span class="badge">Low strain</span>' in body


@pytest.mark.django_db
def test_reminders_go_once_per_due_date(world: Any) -> None:
    record = supporter(world.program)
    Supporter.objects.filter(pk=record.pk).update(stage_changed_at=timezone.now() - dt.timedelta(days=40))
    quiet = supporter(world.program, "Recently checked in")
    check_in(quiet)
    tasks.send_checkin_reminders.call()
    reminded = [m for m in mail.outbox if "check-in is due" in m.subject]
    assert [m.to for m in reminded] == [[record.email]]
    assert "/care/me/check-in/" in reminded[0].body
    tasks.send_checkin_reminders.call()
    assert len([m for m in mail.outbox if "check-in is due" in m.subject]) == 1
    settings = care_common.get_settings(world.program)
    settings.checkin_reminders = False
    settings.save()
    mail.outbox.clear()
    Supporter.objects.filter(pk=quiet.pk).update(stage_changed_at=timezone.now() - dt.timedelta(days=90))
    CheckIn.objects.all().update(completed_at=timezone.now() - dt.timedelta(days=90))
    tasks.send_checkin_reminders.call()
    assert not mail.outbox
