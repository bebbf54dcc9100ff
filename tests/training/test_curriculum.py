from __future__ import annotations

from typing import Any

import pytest

from peerpath.core.models import AuditEntry
from peerpath.training.defaults import CURRICULUM
from peerpath.training.models import Module, Topic
from tests.factories import CompetencyFactory

pytestmark = pytest.mark.django_db


def test_new_programs_start_with_the_default_curriculum(world: Any) -> None:
    titles = list(Module.objects.filter(program=world.program).values_list("title", flat=True))
    assert titles == [m[0] for m in CURRICULUM]
    assert {"Crisis intervention", "Ethics and confidentiality", "Motivational interviewing"} <= set(titles)
    assert all(t.competencies.exists() for t in Topic.objects.filter(program=world.program))


def test_curriculum_page_lists_modules_and_topics(world: Any) -> None:
    for user in (world.coordinator, world.trainer):
        response = world.client_for(user).get("/p/riverside/training/curriculum/")
        assert response.status_code == 200
        assert "Crisis intervention" in response.content.decode()
        assert "Recognising the signs of crisis" in response.content.decode()


def test_add_a_module_and_a_topic(world: Any) -> None:
    client = world.client_for(world.trainer)
    response = client.post(
        "/p/riverside/training/curriculum/modules/new/",
        {"title": "Grief and loss", "description": "", "position": 9, "is_active": "on"},
    )
    assert response.status_code == 302
    module = Module.objects.get(program=world.program, title="Grief and loss")
    competency = world.program.competencies.get(number=8)
    response = client.post(
        "/p/riverside/training/curriculum/topics/new/",
        {
            "module": module.pk,
            "title": "Supporting someone who is grieving",
            "position": 1,
            "is_active": "on",
            "competencies": [competency.pk],
        },
    )
    assert response.status_code == 302
    topic = Topic.objects.get(module=module)
    assert list(topic.competencies.all()) == [competency]
    assert AuditEntry.objects.filter(action="training.topic.create", target_id=str(topic.pk)).exists()


def test_bad_curriculum_input_changes_nothing(world: Any) -> None:
    client = world.client_for(world.coordinator)
    before = Module.objects.count()
    response = client.post(
        "/p/riverside/training/curriculum/modules/new/", {"title": "crisis intervention", "position": 1}
    )
    assert response.status_code == 400
    assert "already has a module" in response.content.decode()
    module = Module.objects.filter(program=world.program).first()
    response = client.post(
        "/p/riverside/training/curriculum/topics/new/", {"module": module.pk, "title": "No competencies", "position": 1}
    )
    assert response.status_code == 400
    assert Module.objects.count() == before
    assert not Topic.objects.filter(title="No competencies").exists()


def test_another_programs_curriculum_is_not_found(world: Any) -> None:
    foreign = Topic.objects.filter(program=world.other_program).first()
    foreign_module = Module.objects.filter(program=world.other_program).first()
    client = world.client_for(world.coordinator)
    assert client.get(f"/p/riverside/training/curriculum/topics/{foreign.pk}/").status_code == 404
    assert client.get(f"/p/riverside/training/curriculum/modules/{foreign_module.pk}/").status_code == 404


def test_coverage_matrix_highlights_uncovered_competencies(world: Any) -> None:
    extra = CompetencyFactory(program=world.program, number=11, title="Supports families of participants")
    response = world.client_for(world.trainer).get("/p/riverside/training/curriculum/coverage/")
    assert response.status_code == 200
    body = response.content.decode()
    uncovered = body.split("Not covered by any topic")[1].split("</div>")[0]
    assert extra.title in uncovered
    assert "Follows a partnership approach" not in uncovered
    assert world.client_for(world.supporter).get("/p/riverside/training/curriculum/coverage/").status_code == 403


def test_coverage_scroll_region_is_keyboard_focusable_and_named(world: Any) -> None:
    body = world.client_for(world.trainer).get("/p/riverside/training/curriculum/coverage/").content.decode()
    assert '<div class="table-wrap" tabindex="0" role="region" aria-label="Coverage table (scrolls sideways)">' in body
