from __future__ import annotations

from typing import Any

import pytest

from peerpath.training import services
from tests.training.helpers import attend, cohort, held_sessions, trainee

pytestmark = pytest.mark.django_db


def build(world: Any, trainees: int, sessions: int) -> tuple[Any, list[Any]]:
    the_cohort = cohort(world, name=f"Course {trainees}")
    people = [trainee(world.program, f"Person {trainees}-{i}") for i in range(trainees)]
    for p in people:
        services.enrol_trainee(actor=world.trainer, cohort=the_cohort, supporter=p)
    held = held_sessions(world, the_cohort, sessions)
    for p in people:
        attend(world, held, p, ["present"] * sessions)
        services.record_role_play(
            actor=world.trainer,
            cohort=the_cohort,
            trainee=p,
            held_on=held[0].starts_at.date(),
            scenario="Crisis",
            participant_played_by="Theo",
            competencies=world.program.competencies.all()[:2],
        )
    return the_cohort, people


def test_trainer_my_cohorts_shows_roster_attendance_evidence_and_assessment(world: Any) -> None:
    the_cohort, people = build(world, 2, 3)
    response = world.client_for(world.trainer).get("/p/riverside/my/cohorts/")
    assert response.status_code == 200
    body = response.content.decode()
    assert the_cohort.name in body and people[0].full_name in body
    assert "100.0%" in body and "1 role play" in body and "Not assessed" in body
    assert f"/certification/cohorts/{the_cohort.pk}/trainees/{people[0].pk}/assess/" in body


@pytest.mark.parametrize("size", [(2, 2), (12, 8)])
def test_training_pages_run_a_bounded_number_of_queries(
    world: Any, size: tuple[int, int], django_assert_max_num_queries: Any
) -> None:
    the_cohort, people = build(world, *size)
    trainer = world.client_for(world.trainer)
    coordinator = world.client_for(world.coordinator)
    trainee_client = world.client_for(people[0].user)
    with django_assert_max_num_queries(30):
        assert trainer.get("/p/riverside/my/cohorts/").status_code == 200
    with django_assert_max_num_queries(30):
        assert coordinator.get(f"/p/riverside/training/cohorts/{the_cohort.pk}/").status_code == 200
    with django_assert_max_num_queries(40):
        assert trainee_client.get("/p/riverside/my/training/").status_code == 200
    with django_assert_max_num_queries(25):
        assert coordinator.get("/p/riverside/training/feedback/").status_code == 200
    with django_assert_max_num_queries(20):
        assert coordinator.get("/p/riverside/training/curriculum/coverage/").status_code == 200


def test_my_training_shows_schedule_attendance_and_evidence(world: Any) -> None:
    the_cohort, people = build(world, 1, 2)
    page = world.client_for(people[0].user).get("/p/riverside/my/training/")
    assert page.status_code == 200
    body = page.content.decode()
    assert the_cohort.name in body and "100.0%" in body and "Role play" in body and "Feedback to give" in body
    # Someone with no pathway record gets 404, not an error.
    from tests.factories import MembershipFactory

    bare = MembershipFactory(program=world.program, is_supporter=True).user
    assert world.client_for(bare).get("/p/riverside/my/training/").status_code == 404


def test_home_page_panels(world: Any) -> None:
    _cohort, people = build(world, 1, 1)
    assert "Feedback to give" in world.client_for(people[0].user).get("/p/riverside/").content.decode()
    assert "Teaching" in world.client_for(world.trainer).get("/p/riverside/").content.decode()
