from __future__ import annotations

from typing import Any

import pytest

from peerpath.recruitment.models import Source, Stage
from tests.factories import ApplicationFactory, SupporterFactory

pytestmark = pytest.mark.django_db


def make_people(world: Any, n: int) -> None:
    stages = [Stage.APPLICANT, Stage.SCREENING, Stage.DECLINED, Stage.IN_TRAINING]
    sources = [Source.FLYER, Source.CLINICIAN, Source.FORMER_PARTICIPANT]
    for i in range(n):
        person = SupporterFactory(
            program=world.program,
            full_name=f"Person {i:03d}",
            email=f"person{i:03d}@example.org",
            stage=stages[i % len(stages)],
            source=sources[i % len(sources)],
        )
        ApplicationFactory(supporter=person)


def test_board_counts_every_stage_and_hides_other_programs(world: Any) -> None:
    make_people(world, 8)
    page = world.client_for(world.coordinator).get("/p/riverside/recruitment/")
    assert page.status_code == 200
    stages = {s["stage"]: s["count"] for s in page.context["stages"]}
    assert stages[Stage.APPLICANT] == 2 and stages[Stage.SCREENING] == 2 and stages[Stage.ACTIVE] == 1
    assert "Hidden Harbor Applicant" not in page.content.decode()


def test_filters_by_stage_and_source_and_searches(world: Any) -> None:
    make_people(world, 12)
    client = world.client_for(world.coordinator)
    rows = client.get("/p/riverside/recruitment/?stage=declined").context["page"].object_list
    assert rows and all(p.stage == Stage.DECLINED for p in rows)
    rows = client.get("/p/riverside/recruitment/?source=clinician").context["page"].object_list
    assert rows and all(p.source == Source.CLINICIAN for p in rows)
    rows = list(client.get("/p/riverside/recruitment/?q=person007").context["page"].object_list)
    assert [p.full_name for p in rows] == ["Person 007"]
    rows = list(client.get("/p/riverside/recruitment/?q=PERSON 011").context["page"].object_list)
    assert [p.full_name for p in rows] == ["Person 011"]


def test_bad_filters_are_ignored_not_errors(world: Any) -> None:
    response = world.client_for(world.coordinator).get("/p/riverside/recruitment/?stage=bogus&page=-3")
    assert response.status_code == 200


def test_board_is_paginated(world: Any) -> None:
    make_people(world, 30)
    client = world.client_for(world.coordinator)
    first = client.get("/p/riverside/recruitment/")
    assert len(first.context["page"].object_list) == 25
    second = client.get("/p/riverside/recruitment/?page=2")
    assert len(second.context["page"].object_list) == 31 - 25  # 30 applicants plus the active supporter


def test_htmx_requests_get_only_the_rows(world: Any) -> None:
    make_people(world, 3)
    response = world.client_for(world.coordinator).get("/p/riverside/recruitment/?q=Person", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<table" in body and "<html" not in body


@pytest.mark.parametrize("size", [5, 60])
def test_board_runs_a_bounded_number_of_queries(world: Any, size: int, django_assert_max_num_queries: Any) -> None:
    make_people(world, size)
    client = world.client_for(world.coordinator)
    with django_assert_max_num_queries(14):  # 12, the crisis escalation check, the menu's unread notifications
        assert client.get("/p/riverside/recruitment/").status_code == 200


@pytest.mark.parametrize("size", [2, 40])
def test_person_page_runs_a_bounded_number_of_queries(
    world: Any, size: int, django_assert_max_num_queries: Any
) -> None:
    person = SupporterFactory(program=world.program)
    for _ in range(size):
        ApplicationFactory(supporter=person)
    client = world.client_for(world.coordinator)
    with django_assert_max_num_queries(22):
        assert client.get(f"/p/riverside/recruitment/people/{person.pk}/").status_code == 200
