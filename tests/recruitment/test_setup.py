from __future__ import annotations

from typing import Any

import pytest

from peerpath.core.models import AuditEntry
from peerpath.recruitment.models import RedFlag, ScreeningQuestion

pytestmark = pytest.mark.django_db


def test_new_programs_start_with_the_default_questions_and_red_flags(world: Any) -> None:
    assert ScreeningQuestion.objects.filter(program=world.program).count() == 6
    assert RedFlag.objects.filter(program=world.program).count() == 7
    page = world.client_for(world.coordinator).get("/p/riverside/recruitment/setup/").content.decode()
    assert "Why do you want to become a peer supporter?" in page


def test_add_and_edit_a_question(world: Any) -> None:
    client = world.client_for(world.coordinator)
    response = client.post(
        "/p/riverside/recruitment/setup/questions/new/",
        {"factor": "values", "text": "What does recovery mean to you?", "position": 9, "is_active": "on"},
    )
    assert response.status_code == 302
    question = ScreeningQuestion.objects.get(text="What does recovery mean to you?")
    response = client.post(
        f"/p/riverside/recruitment/setup/questions/{question.pk}/",
        {"factor": "values", "text": "What does recovery mean to you now?", "position": 9},
    )
    question.refresh_from_db()
    assert question.text.endswith("now?") and not question.is_active
    entry = AuditEntry.objects.filter(action="screening_question.update").get()
    assert entry.changes["is_active"] == [True, False]


def test_bad_question_is_refused(world: Any) -> None:
    before = ScreeningQuestion.objects.count()
    response = world.client_for(world.coordinator).post(
        "/p/riverside/recruitment/setup/questions/new/", {"factor": "astrology", "text": "", "position": 1}
    )
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    assert ScreeningQuestion.objects.count() == before


def test_add_and_retire_a_red_flag(world: Any) -> None:
    client = world.client_for(world.coordinator)
    client.post(
        "/p/riverside/recruitment/setup/red-flags/new/", {"text": "Talks over others", "position": 8, "is_active": "on"}
    )
    flag = RedFlag.objects.get(text="Talks over others")
    client.post(f"/p/riverside/recruitment/setup/red-flags/{flag.pk}/", {"text": "Talks over others", "position": 8})
    flag.refresh_from_db()
    assert not flag.is_active


def test_another_programs_setup_items_are_404(world: Any) -> None:
    question = ScreeningQuestion.objects.filter(program=world.other_program).first()
    flag = RedFlag.objects.filter(program=world.other_program).first()
    client = world.client_for(world.coordinator)
    assert client.get(f"/p/riverside/recruitment/setup/questions/{question.pk}/").status_code == 404
    assert client.get(f"/p/riverside/recruitment/setup/red-flags/{flag.pk}/").status_code == 404
