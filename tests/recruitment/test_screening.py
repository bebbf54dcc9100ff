"""Screening interviews: schedule, record answers and red flags, decide."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from peerpath.core.models import AuditEntry, User
from peerpath.programs.models import Membership
from peerpath.recruitment import services
from peerpath.recruitment.models import (
    InterviewStatus,
    RedFlag,
    ScreeningInterview,
    ScreeningQuestion,
    Stage,
    Supporter,
)
from tests.factories import ScreeningInterviewFactory, SupporterFactory

pytestmark = pytest.mark.django_db


def future(days: int = 3) -> str:
    return (timezone.localtime() + dt.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def recorded_interview(world: Any, flagged: bool = False) -> ScreeningInterview:
    person = SupporterFactory(program=world.program, stage=Stage.SCREENING, email="ana@example.org")
    interview = ScreeningInterviewFactory(supporter=person)
    flag = RedFlag.objects.filter(program=world.program).first()
    services.record_screening(
        actor=world.coordinator,
        interview=interview,
        answers={q.pk: "An answer" for q in ScreeningQuestion.objects.filter(program=world.program)},
        red_flags={flag.pk: "noticed"} if flagged else {},
        notes="",
    )
    return interview


def test_scheduling_moves_the_applicant_and_emails_them(world: Any) -> None:
    person = SupporterFactory(program=world.program, email="ana@example.org")
    client = world.client_for(world.coordinator)
    response = client.post(
        f"/p/riverside/recruitment/people/{person.pk}/interviews/new/",
        {"scheduled_for": future(), "location": "Room 4", "interviewer": world.coordinator.pk},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.stage == Stage.SCREENING
    interview = person.interviews.get()
    assert interview.interviewer == world.coordinator
    assert [m.to for m in mail.outbox] == [["ana@example.org"]]
    assert "Room 4" in mail.outbox[0].body


@pytest.mark.parametrize(
    "data",
    [
        {"scheduled_for": "2001-01-01T10:00", "location": "Room", "interviewer": "SELF"},
        {"scheduled_for": "", "location": "Room", "interviewer": "SELF"},
        {"scheduled_for": "FUTURE", "location": "", "interviewer": "SELF"},
        {"scheduled_for": "FUTURE", "location": "Room", "interviewer": "SUPPORTER"},
    ],
)
def test_scheduling_with_bad_input_saves_nothing(world: Any, data: dict) -> None:
    person = SupporterFactory(program=world.program)
    ids = {"SELF": world.coordinator.pk, "SUPPORTER": world.supporter.pk}
    data = {k: ids.get(v, future() if v == "FUTURE" else v) for k, v in data.items()}
    response = world.client_for(world.coordinator).post(
        f"/p/riverside/recruitment/people/{person.pk}/interviews/new/", data
    )
    assert response.status_code == 400
    assert not ScreeningInterview.objects.exists()
    person.refresh_from_db()
    assert person.stage == Stage.APPLICANT
    assert mail.outbox == []


def test_people_past_screening_cannot_be_scheduled(world: Any) -> None:
    with pytest.raises(ValidationError):
        services.schedule_interview(
            actor=world.coordinator,
            supporter=world.supporter_record,
            scheduled_for=timezone.now(),
            location="x",
            interviewer=world.coordinator,
        )


def test_recording_answers_and_a_red_flag(world: Any) -> None:
    person = SupporterFactory(program=world.program, stage=Stage.SCREENING)
    interview = ScreeningInterviewFactory(supporter=person)
    questions = list(ScreeningQuestion.objects.filter(program=world.program))
    flag = RedFlag.objects.filter(program=world.program).first()
    data = {f"q_{q.pk}": f"answer {q.pk}" for q in questions}
    data.update({f"flag_{flag.pk}": "on", f"flagnote_{flag.pk}": "Still raw", "notes": "Kind"})
    client = world.client_for(world.coordinator)
    assert client.post(f"/p/riverside/recruitment/interviews/{interview.pk}/", data).status_code == 302
    interview.refresh_from_db()
    assert interview.status == InterviewStatus.COMPLETED
    assert interview.answers.count() == len(questions)
    assert list(interview.red_flags.values_list("red_flag_text", "note")) == [(flag.text, "Still raw")]
    page = client.get(f"/p/riverside/recruitment/interviews/{interview.pk}/").content.decode()
    assert "1 red flag noted" in page
    assert AuditEntry.objects.filter(action="screening.record", target_id=str(interview.pk)).exists()


def test_a_red_flag_note_without_the_flag_is_an_error(world: Any) -> None:
    interview = ScreeningInterviewFactory(supporter=SupporterFactory(program=world.program, stage=Stage.SCREENING))
    flag = RedFlag.objects.filter(program=world.program).first()
    response = world.client_for(world.coordinator).post(
        f"/p/riverside/recruitment/interviews/{interview.pk}/", {f"flagnote_{flag.pk}": "note"}
    )
    assert response.status_code == 400
    interview.refresh_from_db()
    assert interview.status == InterviewStatus.SCHEDULED and not interview.red_flags.exists()


def test_another_programs_questions_are_refused(world: Any) -> None:
    interview = ScreeningInterviewFactory(supporter=SupporterFactory(program=world.program, stage=Stage.SCREENING))
    foreign = ScreeningQuestion.objects.filter(program=world.other_program).first()
    with pytest.raises(ValidationError):
        services.record_screening(
            actor=world.coordinator, interview=interview, answers={foreign.pk: "x"}, red_flags={}, notes=""
        )
    assert not interview.answers.exists()


def test_deciding_before_recording_is_refused(world: Any) -> None:
    interview = ScreeningInterviewFactory(supporter=SupporterFactory(program=world.program, stage=Stage.SCREENING))
    response = world.client_for(world.coordinator).post(
        f"/p/riverside/recruitment/interviews/{interview.pk}/decision/", {"decision": "accept"}
    )
    assert response.status_code == 400
    assert "Record the screening interview before deciding" in response.content.decode()


def test_accepting_someone_with_a_red_flag_needs_a_written_reason_and_is_audited(world: Any) -> None:
    interview = recorded_interview(world, flagged=True)
    client = world.client_for(world.coordinator)
    url = f"/p/riverside/recruitment/interviews/{interview.pk}/decision/"
    for note in ("", "Ready"):
        response = client.post(url, {"decision": "accept", "note": note})
        assert response.status_code == 400
        assert "red flag was noted" in response.context["decision_form"].errors["note"][0]
    interview.refresh_from_db()
    assert not interview.decision and Supporter.objects.get(pk=interview.supporter_id).stage == Stage.SCREENING
    # Without a red flag no reason is needed; declining someone flagged needs none either.
    reason = "The flag was about a loss three years ago; references and the interview show it is settled."
    assert client.post(url, {"decision": "accept", "note": reason}).status_code == 302
    entry = AuditEntry.objects.get(action="screening.accept_despite_red_flag", target_id=str(interview.pk))
    assert entry.changes["red_flags"][0] and entry.changes["decision_note"] == ["(changed)", "(changed)"]
    assert reason not in entry.note  # the reason is encrypted on the interview, and shown there
    interview.refresh_from_db()
    assert interview.decision_note == reason
    assert reason in client.get(f"/p/riverside/recruitment/interviews/{interview.pk}/").content.decode()


def test_accepting_without_a_red_flag_needs_no_note(world: Any) -> None:
    interview = recorded_interview(world)
    services.decide(actor=world.coordinator, interview=interview, decision="accept")
    assert not AuditEntry.objects.filter(action="screening.accept_despite_red_flag").exists()


def test_an_interview_cannot_be_scheduled_more_than_a_year_ahead(world: Any) -> None:
    person = SupporterFactory(program=world.program)
    url = f"/p/riverside/recruitment/people/{person.pk}/interviews/new/"
    client = world.client_for(world.coordinator)
    data = {"scheduled_for": future(days=400), "location": "Room 4", "interviewer": world.coordinator.pk}
    response = client.post(url, data)
    assert response.status_code == 400 and "within a year" in response.content.decode()
    assert not ScreeningInterview.objects.exists()
    assert client.post(url, {**data, "scheduled_for": future(days=360)}).status_code == 302


def test_accepting_creates_the_account_and_invites(world: Any) -> None:
    interview = recorded_interview(world, flagged=True)
    response = world.client_for(world.coordinator).post(
        f"/p/riverside/recruitment/interviews/{interview.pk}/decision/",
        {"decision": "accept", "note": "Ready: the flag was about an old loss, now settled."},
    )
    assert response.status_code == 302
    person = Supporter.objects.get(pk=interview.supporter_id)
    assert person.stage == Stage.IN_TRAINING
    user = User.objects.get(email="ana@example.org")
    assert person.user == user and not user.has_usable_password()
    membership = Membership.objects.get(user=user, program=world.program)
    assert membership.is_supporter and not membership.is_coordinator
    assert list(person.stage_changes.values_list("to_stage", flat=True)[:2]) == [Stage.IN_TRAINING, Stage.ACCEPTED]
    invitation = mail.outbox[-1]
    assert invitation.to == ["ana@example.org"] and "/accounts/invitation/" in invitation.body


def test_accepting_someone_who_already_has_an_account_adds_the_role(world: Any) -> None:
    interview = recorded_interview(world)
    existing = User.objects.create_user(email="ana@example.org", full_name="Ana", password="x" * 12)
    services.decide(actor=world.coordinator, interview=interview, decision="accept")
    assert Membership.objects.get(user=existing, program=world.program).is_supporter
    assert "added to" in mail.outbox[-1].subject


@pytest.mark.parametrize(
    ("data", "stage", "field", "value"),
    [
        ({"decision": "not_yet", "revisit_on": "FUTURE"}, Stage.COACHING, "revisit_on", "FUTURE"),
        (
            {"decision": "redirect", "redirect_role": "Info session host"},
            Stage.REDIRECTED,
            "redirected_to",
            "Info session host",
        ),
        (
            {"decision": "decline", "decline_reason": "Not now", "may_reapply_after": "FUTURE"},
            Stage.DECLINED,
            "may_reapply_after",
            "FUTURE",
        ),
    ],
)
def test_other_decisions_move_the_person(world: Any, data: dict, stage: str, field: str, value: str) -> None:
    interview = recorded_interview(world)
    day = timezone.localdate() + dt.timedelta(days=90)
    data = {k: (day.isoformat() if v == "FUTURE" else v) for k, v in data.items()}
    response = world.client_for(world.coordinator).post(
        f"/p/riverside/recruitment/interviews/{interview.pk}/decision/", data
    )
    assert response.status_code == 302
    person = Supporter.objects.get(pk=interview.supporter_id)
    assert person.stage == stage
    assert getattr(person, field) == (day if value == "FUTURE" else value)
    assert not User.objects.filter(email="ana@example.org").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"decision": "not_yet"}, "Give a date in the future to revisit."),
        ({"decision": "not_yet", "revisit_on": "2001-01-01"}, "Give a date in the future to revisit."),
        ({"decision": "redirect"}, "Name the volunteering role"),
        ({"decision": "decline"}, "Give the reason for declining."),
        ({"decision": "decline", "decline_reason": "x", "may_reapply_after": "2001-01-01"}, "must be in the future"),
        ({"decision": "maybe"}, "Select a valid choice"),
    ],
)
def test_incomplete_decisions_are_refused(world: Any, data: dict, message: str) -> None:
    interview = recorded_interview(world)
    response = world.client_for(world.coordinator).post(
        f"/p/riverside/recruitment/interviews/{interview.pk}/decision/", data
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    interview.refresh_from_db()
    assert interview.decision == ""
    assert Supporter.objects.get(pk=interview.supporter_id).stage == Stage.SCREENING


def test_a_decision_is_recorded_once(world: Any) -> None:
    interview = recorded_interview(world)
    services.decide(actor=world.coordinator, interview=interview, decision="redirect", redirect_role="Greeter")
    with pytest.raises(ValidationError):
        services.decide(actor=world.coordinator, interview=interview, decision="accept")


def test_a_failed_acceptance_leaves_nothing_half_written(world: Any) -> None:
    interview = recorded_interview(world)
    # Someone moved the person meanwhile: accepting must fail as a whole.
    Supporter.objects.filter(pk=interview.supporter_id).update(stage=Stage.WITHDRAWN)
    with pytest.raises(ValidationError):
        services.decide(actor=world.coordinator, interview=interview, decision="accept")
    interview.refresh_from_db()
    assert interview.decision == ""
    assert not User.objects.filter(email="ana@example.org").exists()
    assert mail.outbox == []


def test_cancel_a_scheduled_interview(world: Any) -> None:
    interview = ScreeningInterviewFactory(supporter=SupporterFactory(program=world.program, stage=Stage.SCREENING))
    client = world.client_for(world.coordinator)
    client.post(f"/p/riverside/recruitment/interviews/{interview.pk}/cancel/", {"reason": "Ill"})
    interview.refresh_from_db()
    assert interview.status == InterviewStatus.CANCELLED and "Ill" in interview.notes
    client.post(f"/p/riverside/recruitment/interviews/{interview.pk}/cancel/", {"reason": "again"})
    interview.refresh_from_db()
    assert "again" not in interview.notes


def test_another_programs_interview_is_404(world: Any) -> None:
    foreign = ScreeningInterviewFactory(supporter=SupporterFactory(program=world.other_program))
    client = world.client_for(world.coordinator)
    assert client.get(f"/p/riverside/recruitment/interviews/{foreign.pk}/").status_code == 404
    assert (
        client.post(f"/p/riverside/recruitment/interviews/{foreign.pk}/decision/", {"decision": "accept"}).status_code
        == 404
    )
    assert client.post(f"/p/riverside/recruitment/interviews/{foreign.pk}/cancel/").status_code == 404
    assert client.get(f"/p/harbor/recruitment/interviews/{foreign.pk}/").status_code == 404
