from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from peerpath.recruitment.models import Stage
from peerpath.training import queries, services
from peerpath.training.models import Attendance, Enrolment, EnrolmentStatus, RolePlay, Shadowing, TrainingSession
from tests.factories import MembershipFactory
from tests.page_checks import duplicate_ids
from tests.training.helpers import attend, cohort, held_sessions, session, trainee

pytestmark = pytest.mark.django_db


def test_coordinator_creates_a_cohort(world: Any) -> None:
    client = world.client_for(world.coordinator)
    assert client.get("/p/riverside/training/cohorts/new/").status_code == 200
    response = client.post(
        "/p/riverside/training/cohorts/new/",
        {"name": "Autumn course", "starts_on": "2030-09-01", "ends_on": "2030-11-10", "trainers": [world.trainer.pk]},
    )
    assert response.status_code == 302
    created = world.program.cohorts.get(name="Autumn course")
    assert list(created.trainers.all()) == [world.trainer]


def test_cohort_needs_trainers_of_the_program_and_sane_dates(world: Any) -> None:
    client = world.client_for(world.coordinator)
    response = client.post(
        "/p/riverside/training/cohorts/new/",
        {"name": "Bad", "starts_on": "2030-09-01", "ends_on": "2030-08-01", "trainers": [world.supervisor.pk]},
    )
    assert response.status_code == 400
    assert not world.program.cohorts.filter(name="Bad").exists()
    with pytest.raises(ValidationError):
        services.save_cohort(
            actor=world.coordinator,
            program=world.program,
            cohort=None,
            data={"name": "X", "starts_on": dt.date(2030, 1, 1), "ends_on": dt.date(2030, 2, 1)},
            trainers=[world.supervisor],
        )


def test_trainers_see_only_the_cohorts_they_teach(world: Any) -> None:
    mine = cohort(world, name="Mine")
    other_trainer = MembershipFactory(program=world.program, is_trainer=True).user
    theirs = cohort(world, trainers=[other_trainer], name="Theirs")
    client = world.client_for(world.trainer)
    listing = client.get("/p/riverside/training/cohorts/").content.decode()
    assert "Mine" in listing and "Theirs" not in listing
    assert client.get(f"/p/riverside/training/cohorts/{mine.pk}/").status_code == 200
    assert client.get(f"/p/riverside/training/cohorts/{theirs.pk}/").status_code == 404
    assert world.client_for(world.coordinator).get(f"/p/riverside/training/cohorts/{theirs.pk}/").status_code == 200
    assert world.client_for(world.outsider).get(f"/p/harbor/training/cohorts/{mine.pk}/").status_code == 404


def test_enrol_only_people_in_training(world: Any) -> None:
    the_cohort = cohort(world)
    person = trainee(world.program)
    client = world.client_for(world.trainer)
    response = client.post(f"/p/riverside/training/cohorts/{the_cohort.pk}/enrol/", {"supporter": person.pk})
    assert response.status_code == 302
    enrolment = Enrolment.objects.get(cohort=the_cohort, supporter=person)
    assert enrolment.status == EnrolmentStatus.ENROLLED and enrolment.changes.count() == 1
    active = trainee(world.program, "Already Active", stage=Stage.ACTIVE)
    response = client.post(f"/p/riverside/training/cohorts/{the_cohort.pk}/enrol/", {"supporter": active.pk})
    assert response.status_code == 400
    assert not Enrolment.objects.filter(supporter=active).exists()
    with pytest.raises(ValidationError, match="already enrolled"):
        services.enrol_trainee(actor=world.trainer, cohort=the_cohort, supporter=person)
    foreign = trainee(world.other_program, "Foreign Trainee")
    with pytest.raises(ValidationError):
        services.enrol_trainee(actor=world.trainer, cohort=the_cohort, supporter=foreign)


def test_withdraw_needs_a_reason_and_keeps_history(world: Any) -> None:
    the_cohort = cohort(world)
    person = trainee(world.program)
    enrolment = services.enrol_trainee(actor=world.trainer, cohort=the_cohort, supporter=person)
    url = f"/p/riverside/training/cohorts/{the_cohort.pk}/enrolments/{enrolment.pk}/leave/"
    client = world.client_for(world.trainer)
    assert client.get(url).status_code == 200
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "Moved away"}).status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.WITHDRAWN
    assert [c.to_status for c in enrolment.changes.all()] == ["withdrawn", "enrolled"]
    again = services.enrol_trainee(actor=world.trainer, cohort=the_cohort, supporter=person)
    assert again.pk == enrolment.pk and again.status == EnrolmentStatus.ENROLLED


def test_schedule_a_session_and_a_make_up(world: Any) -> None:
    the_cohort = cohort(world)
    client = world.client_for(world.trainer)
    url = f"/p/riverside/training/cohorts/{the_cohort.pk}/sessions/new/"
    assert client.get(url).status_code == 200
    topic = world.program.training_topics.first()
    response = client.post(
        url,
        {
            "title": "Listening",
            "starts_at": "2030-03-03T18:00",
            "ends_at": "2030-03-03T20:00",
            "location": "Room 2",
            "topics": [topic.pk],
        },
    )
    assert response.status_code == 302
    regular = TrainingSession.objects.get(title="Listening")
    assert regular.kind == "regular" and list(regular.topics.all()) == [topic]
    response = client.post(
        url,
        {
            "title": "Catch-up",
            "starts_at": "2030-03-05T18:00",
            "ends_at": "2030-03-05T19:00",
            "location": "Office",
            "makeup_for": regular.pk,
        },
    )
    assert response.status_code == 302
    assert TrainingSession.objects.get(title="Catch-up").kind == "make_up"
    response = client.post(url, {"title": "Bad", "starts_at": "2030-03-05T18:00", "ends_at": "2030-03-05T17:00"})
    assert response.status_code == 400
    assert "must end after it starts" in response.content.decode()
    assert "Give a place or an online link" in response.content.decode()
    edit = f"/p/riverside/training/cohorts/{the_cohort.pk}/sessions/{regular.pk}/edit/"
    assert client.get(edit).status_code == 200
    client.post(
        edit,
        {
            "title": "Listening well",
            "starts_at": "2030-03-03T18:00",
            "ends_at": "2030-03-03T20:00",
            "location": "Room 3",
        },
    )
    regular.refresh_from_db()
    assert regular.title == "Listening well" and regular.sequence == 1


def test_take_attendance(world: Any) -> None:
    the_cohort = cohort(world)
    people = [trainee(world.program, "Ana"), trainee(world.program, "Ben")]
    for p in people:
        services.enrol_trainee(actor=world.trainer, cohort=the_cohort, supporter=p)
    held = session(world, the_cohort, days_ago=1)
    client = world.client_for(world.trainer)
    page = client.get(f"/p/riverside/training/sessions/{held.pk}/")
    assert page.status_code == 200 and "Ana" in page.content.decode()
    response = client.post(
        f"/p/riverside/training/sessions/{held.pk}/",
        {f"status_{people[0].pk}": "present", f"status_{people[1].pk}": "excused", f"note_{people[1].pk}": "Sick"},
    )
    assert response.status_code == 302
    assert dict(Attendance.objects.values_list("supporter__full_name", "status")) == {
        "Ana": "present",
        "Ben": "excused",
    }
    response = client.post(f"/p/riverside/training/sessions/{held.pk}/", {f"status_{people[0].pk}": "asleep"})
    assert response.status_code == 400
    upcoming = session(world, the_cohort, days_ago=-3)
    with pytest.raises(ValidationError, match="once the session has started"):
        services.record_attendance(actor=world.trainer, session=upcoming, marks={people[0].pk: ("present", "")})
    stranger = trainee(world.program, "Not Enrolled")
    with pytest.raises(ValidationError, match="roster"):
        services.record_attendance(actor=world.trainer, session=held, marks={stranger.pk: ("present", "")})


def test_session_of_a_cohort_someone_else_teaches_is_not_found(world: Any) -> None:
    other_trainer = MembershipFactory(program=world.program, is_trainer=True).user
    theirs = cohort(world, trainers=[other_trainer], name="Theirs")
    held = session(world, theirs)
    assert world.client_for(world.trainer).get(f"/p/riverside/training/sessions/{held.pk}/").status_code == 404
    assert world.client_for(world.coordinator).get(f"/p/riverside/training/sessions/{held.pk}/").status_code == 200


def test_cancel_a_session(world: Any) -> None:
    the_cohort = cohort(world)
    upcoming = session(world, the_cohort, days_ago=-2)
    client = world.client_for(world.trainer)
    assert client.post(f"/p/riverside/training/sessions/{upcoming.pk}/cancel/", {"reason": ""}).status_code == 400
    assert client.post(f"/p/riverside/training/sessions/{upcoming.pk}/cancel/", {"reason": "Snow"}).status_code == 302
    upcoming.refresh_from_db()
    assert upcoming.is_cancelled and upcoming.sequence == 1


def test_attendance_rate_counts_make_ups_and_not_excused(world: Any) -> None:
    the_cohort = cohort(world)
    person = trainee(world.program)
    services.enrol_trainee(actor=world.trainer, cohort=the_cohort, supporter=person)
    sessions = held_sessions(world, the_cohort, 5)
    attend(world, sessions, person, ["present", "late", "absent", "excused", "present"])
    rate = queries.attendance_rates(the_cohort)[person.pk]
    assert (rate.attended, rate.held) == (3, 5)
    assert rate.percent == 60 and not rate.meets(80)
    makeup = session(world, the_cohort, days_ago=0.5, title="Make-up", makeup_for=sessions[2])
    services.record_attendance(actor=world.trainer, session=makeup, marks={person.pk: ("present", "")})
    rate = queries.attendance_rates(the_cohort)[person.pk]
    assert (rate.attended, rate.held, rate.made_up) == (4, 5, 1)
    assert rate.meets(80) and rate.percent == 80  # exactly 80% is enough
    assert [s.pk for s in rate.missed] == [sessions[3].pk]
    # A future session does not count yet; a cancelled one never does.
    session(world, the_cohort, days_ago=-7)
    services.cancel_session(actor=world.trainer, session=session(world, the_cohort, days_ago=-1), reason="Ill")
    assert queries.attendance_rates(the_cohort)[person.pk].held == 5


def prefixed(prefix: str, **data: Any) -> dict[str, Any]:
    return {f"{prefix}-{name}": value for name, value in data.items()}


def test_log_role_play_and_shadowing(world: Any) -> None:
    the_cohort = cohort(world)
    person = trainee(world.program)
    services.enrol_trainee(actor=world.trainer, cohort=the_cohort, supporter=person)
    competency = world.program.competencies.get(number=4)
    client = world.client_for(world.trainer)
    today = timezone.localdate().isoformat()
    response = client.post(
        f"/p/riverside/training/cohorts/{the_cohort.pk}/role-plays/new/",
        prefixed(
            "role_play",
            trainee=person.pk,
            held_on=today,
            scenario="Participant in crisis",
            participant_played_by="Theo",
            observer_notes="Calm.",
            competencies=[competency.pk],
        ),
    )
    assert response.status_code == 302
    # Both forms share the cohort page and its fields' names: each id names one element.
    assert duplicate_ids(client.get(f"/p/riverside/training/cohorts/{the_cohort.pk}/").content.decode()) == []
    role_play = RolePlay.objects.get(trainee=person)
    assert list(role_play.competencies.all()) == [competency]
    response = client.post(
        f"/p/riverside/training/cohorts/{the_cohort.pk}/role-plays/new/",
        prefixed("role_play", trainee=person.pk, held_on=today, scenario="", participant_played_by=""),
    )
    assert response.status_code == 400
    response = client.post(
        f"/p/riverside/training/cohorts/{the_cohort.pk}/shadowing/new/",
        prefixed(
            "shadowing",
            trainee=person.pk,
            experienced_supporter=world.supporter_record.pk,
            shadowed_on=today,
            hours="2",
            reflection="Learned a lot",
            competencies=[competency.pk],
        ),
    )
    assert response.status_code == 302
    shadowing = Shadowing.objects.get(trainee=person)
    response = client.post(
        f"/p/riverside/training/cohorts/{the_cohort.pk}/shadowing/new/",
        prefixed(
            "shadowing",
            trainee=person.pk,
            experienced_supporter=world.supporter_record.pk,
            shadowed_on=today,
            hours="30",
        ),
    )
    assert response.status_code == 400
    # The experienced supporter comments; nobody else can.
    url = f"/p/riverside/my/training/shadowing/{shadowing.pk}/comment/"
    helper = world.client_for(world.supporter)
    assert helper.get(url).status_code == 200
    assert helper.post(url, {"comment": ""}).status_code == 400
    assert helper.post(url, {"comment": "Well done"}).status_code == 302
    shadowing.refresh_from_db()
    assert shadowing.supporter_comment == "Well done"
    assert world.client_for(person.user).get(url).status_code == 404
    evidence = queries.evidence_by_competency(person)
    assert evidence[competency.pk]["role_plays"] == [role_play]
    assert evidence[competency.pk]["shadowings"] == [shadowing]


def test_trainee_logs_own_shadowing(world: Any) -> None:
    the_cohort = cohort(world)
    person = trainee(world.program)
    client = world.client_for(person.user)
    assert client.get("/p/riverside/my/training/shadowing/new/").status_code == 404  # not enrolled yet
    services.enrol_trainee(actor=world.trainer, cohort=the_cohort, supporter=person)
    assert client.get("/p/riverside/my/training/shadowing/new/").status_code == 200
    response = client.post(
        "/p/riverside/my/training/shadowing/new/",
        prefixed(
            "shadowing",
            experienced_supporter=world.supporter_record.pk,
            shadowed_on=timezone.localdate().isoformat(),
            hours="1.5",
            reflection="Saw how to close a call.",
        ),
    )
    assert response.status_code == 302
    assert Shadowing.objects.get(trainee=person).recorded_by == person.user
