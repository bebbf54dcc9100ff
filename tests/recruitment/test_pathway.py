"""The pathway: every allowed move succeeds and records history; every other move is refused."""

from __future__ import annotations

from itertools import product
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from peerpath.core.models import AuditEntry
from peerpath.recruitment.models import Stage, StageChange
from peerpath.recruitment.pathway import TRANSITIONS, allowed_next, move_to_stage
from tests.factories import TESTS, SupporterFactory, UserFactory

pytestmark = pytest.mark.django_db
PAIRS = list(product(Stage.values, Stage.values))


def test_every_stage_has_an_entry_in_the_map() -> None:
    assert set(TRANSITIONS) == set(Stage.values)
    assert all(target in Stage.values for targets in TRANSITIONS.values() for target in targets)


@pytest.mark.parametrize(("start", "end"), [(a, b) for a, b in PAIRS if b in TRANSITIONS[a]])
def test_allowed_move(start: str, end: str) -> None:
    actor = UserFactory()
    person = SupporterFactory(stage=start)
    change = move_to_stage(actor=actor, supporter=person, to_stage=end, reason="because")
    person.refresh_from_db()
    assert person.stage == end
    assert (change.from_stage, change.to_stage, change.actor, change.reason) == (start, end, actor, "because")
    entry = AuditEntry.objects.get(action="pathway.move", target_id=str(person.pk))
    assert entry.changes == {"stage": [start, end]}


@pytest.mark.parametrize(("start", "end"), [(a, b) for a, b in PAIRS if b not in TRANSITIONS[a]])
def test_refused_move(start: str, end: str) -> None:
    person = SupporterFactory(stage=start)
    with pytest.raises(ValidationError) as refused:
        move_to_stage(actor=UserFactory(), supporter=person, to_stage=end)
    assert str(Stage(start).label) in refused.value.messages[0] and str(Stage(end).label) in refused.value.messages[0]
    person.refresh_from_db()
    assert person.stage == start
    assert not StageChange.objects.filter(supporter=person).exists()


def test_unknown_stage_is_refused() -> None:
    person = SupporterFactory(stage=Stage.APPLICANT)
    with pytest.raises(ValidationError):
        move_to_stage(actor=TESTS, supporter=person, to_stage="astronaut")


def test_allowed_next_is_in_lifecycle_order() -> None:
    assert allowed_next(Stage.SCREENING) == [
        Stage.COACHING,
        Stage.DECLINED,
        Stage.REDIRECTED,
        Stage.WITHDRAWN,
        Stage.ACCEPTED,
    ]


def test_move_form_refuses_a_stage_that_is_not_next(world: Any) -> None:
    person = SupporterFactory(program=world.program, stage=Stage.APPLICANT)
    client = world.client_for(world.coordinator)
    url = f"/p/riverside/recruitment/people/{person.pk}/move/"
    response = client.post(url, {"to_stage": Stage.ACTIVE, "reason": "skip ahead"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    person.refresh_from_db()
    assert person.stage == Stage.APPLICANT
    response = client.post(url, {"to_stage": Stage.WITHDRAWN, "reason": "Moved away"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.stage == Stage.WITHDRAWN
    history = client.get(f"/p/riverside/recruitment/people/{person.pk}/").content.decode()
    assert "Moved away" in history and world.coordinator.full_name in history


def test_move_requires_a_reason(world: Any) -> None:
    person = SupporterFactory(program=world.program, stage=Stage.APPLICANT)
    response = world.client_for(world.coordinator).post(
        f"/p/riverside/recruitment/people/{person.pk}/move/", {"to_stage": Stage.WITHDRAWN, "reason": ""}
    )
    assert response.status_code == 400
    person.refresh_from_db()
    assert person.stage == Stage.APPLICANT
