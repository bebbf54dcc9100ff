"""The self-paced learning pages run a bounded number of queries whatever the number of modules,
questions, learners and attempts."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from peerpath.credentials.services import learning
from peerpath.training import services as training
from tests.credentials.test_learning import answers, with_quiz
from tests.training.helpers import cohort, trainee


def build(world: Any, n: int, start: int) -> dict[str, int]:
    """n more modules of n questions each, n more trainees in a cohort of the trainer's, each of
    whom tried every module (every other one passed)."""
    modules = []
    for m in range(n):
        made = learning.save_module(
            actor=world.trainer,
            program=world.program,
            module=None,
            data={"title": f"Module {start + m}", "hours": "1", "pass_mark": 50, "is_published": True},
        )
        learning.add_material(actor=world.trainer, module=made, kind="text", title="Read", body="Text")
        modules.append((made, with_quiz(world, made, n)))
    taught = cohort(world, name=f"Cohort {start}")
    people = [trainee(world.program, f"Trainee {start + i}") for i in range(n)]
    for i, person in enumerate(people):
        training.enrol_trainee(actor=world.coordinator, cohort=taught, supporter=person)
        for made, quiz in modules:
            learning.submit_quiz(actor=person.user, supporter=person, module=made, answers=answers(quiz, i % 2 * n))
    for made, quiz in modules:
        learning.submit_quiz(
            actor=world.supporter, supporter=world.supporter_record, module=made, answers=answers(quiz, 0)
        )
    return {"module": modules[0][0].pk, "person": people[0].pk, "cohort": taught.pk}


def counts(world: Any, ids: dict[str, int]) -> dict[str, int]:
    pages = [
        ("trainer", "/p/riverside/credentials/learning/"),
        ("trainer", f"/p/riverside/credentials/learning/{ids['module']}/"),
        ("trainer", "/p/riverside/credentials/learning/progress/"),
        ("trainer", f"/p/riverside/credentials/learning/progress/{ids['person']}/"),
        ("trainer", f"/p/riverside/training/cohorts/{ids['cohort']}/"),
        ("coordinator", "/p/riverside/credentials/learning/progress/"),
        ("supporter", "/p/riverside/my/learning/"),
        ("supporter", f"/p/riverside/my/learning/{ids['module']}/"),
    ]
    found = {}
    for number, (who, path) in enumerate(pages):
        client = world.client_for(getattr(world, who))
        client.get(path)  # warm the per-process caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200, (who, path, response.status_code)
        found[f"{number}: {who} {path}"] = len(queries)
    return found


@pytest.mark.django_db
def test_learning_pages_do_not_grow_with_the_data(world: Any) -> None:
    small = counts(world, build(world, 2, 0))
    large = counts(world, build(world, 5, 100))
    assert len(small) == 8
    by_place = {page.split(":")[0]: page for page in large}
    grown = {
        page: (small[page], large[by_place[page.split(":")[0]]])
        for page in small
        if large[by_place[page.split(":")[0]]] > small[page] + 1
    }
    assert not grown, f"pages whose queries grow with the data (small, large): {grown}"
