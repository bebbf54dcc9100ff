"""The data migrations that turned plain columns into encrypted ones (issue 11): rows stored before
are encrypted in place, read back the same through the models, and go back to plain text when the
migration is reversed. Runs on the suite's database (SQLite by default, PostgreSQL in CI)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from peerpath.care.models import Break, CareTask, CheckIn, CheckInAnswer, Debrief, SupervisionMeeting
from tests.factories import ProgramFactory, SupporterFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def back_to_the_latest() -> Any:
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

CARE_BEFORE = ("care", "0001_initial")
CARE_AFTER = ("care", "0002_encrypt_wellbeing_text")


def migrate(*targets: tuple[str, str]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(list(targets))
    return executor.loader.project_state(list(targets)).apps


def raw(table: str, column: str) -> list[Any]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name(column)} FROM {table} ORDER BY id")  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


def test_the_care_migration_encrypts_stored_rows_and_reverses() -> None:
    program = ProgramFactory()
    record = SupporterFactory(program=program)
    old = migrate(CARE_BEFORE)
    today = timezone.localdate()
    questionnaire = old.get_model("care", "Questionnaire").objects.create(program_id=program.pk, name="Q", scale=[])
    item = old.get_model("care", "Item").objects.create(questionnaire=questionnaire, number=1, text="How?")
    scores = {"strain": {"name": "Strain", "score": "12", "band": "High strain", "meaning": "", "concern": True}}
    checkin = old.get_model("care", "CheckIn").objects.create(
        program_id=program.pk,
        supporter_id=record.pk,
        questionnaire=questionnaire,
        status="completed",
        due_on=today,
        completed_at=timezone.now(),
        scores=scores,
        concern=True,
        comment="plain-comment",
    )
    old.get_model("care", "CheckInAnswer").objects.create(checkin=checkin, item=item, value=3)
    old.get_model("care", "CareTask").objects.create(
        program_id=program.pk, kind="follow_up", title="plain-title", detail="plain-detail", outcome="plain-outcome"
    )
    old.get_model("care", "Debrief").objects.create(
        program_id=program.pk,
        supporter_id=record.pk,
        kind="other",
        occurred_on=today,
        what_happened="plain-what",
        went_well="plain-well",
        was_hard="",
        topics="plain-topics",
    )
    old.get_model("care", "Break").objects.create(
        program_id=program.pk,
        supporter_id=record.pk,
        starts_on=today,
        ends_on=today + dt.timedelta(days=3),
        reason="plain-reason",
    )
    old.get_model("care", "SupervisionMeeting").objects.create(
        program_id=program.pk, held_on=today, duration_minutes=30, topics="plain-s-topics", notes="plain-s-notes"
    )

    migrate(CARE_AFTER)
    stored = {
        (table, column): raw(table, column)
        for table, column in [
            ("care_checkin", "comment"),
            ("care_checkin", "scores"),
            ("care_checkinanswer", "value"),
            ("care_caretask", "title"),
            ("care_caretask", "outcome"),
            ("care_debrief", "what_happened"),
            ("care_debrief", "topics"),
            ("care_break", "reason"),
            ("care_supervisionmeeting", "notes"),
        ]
    }
    for place, values in stored.items():
        assert values and all(isinstance(v, str) and v.startswith("gAAAA") for v in values), place
    assert raw("care_debrief", "was_hard") == [""]  # nothing to hide stays empty
    done = CheckIn.objects.get()
    assert (done.comment, done.scores, done.bands, done.concern) == (
        "plain-comment",
        scores,
        {"strain": "High strain"},
        True,
    )
    assert CheckInAnswer.objects.get().value == 3
    task = CareTask.objects.get()
    assert (task.title, task.detail, task.outcome) == ("plain-title", "plain-detail", "plain-outcome")
    debrief = Debrief.objects.get()
    assert (debrief.what_happened, debrief.went_well, debrief.was_hard, debrief.topics) == (
        "plain-what",
        "plain-well",
        "",
        "plain-topics",
    )
    assert Break.objects.get().reason == "plain-reason"
    meeting = SupervisionMeeting.objects.get()
    assert (meeting.topics, meeting.notes) == ("plain-s-topics", "plain-s-notes")

    # Reversed: the plain text is back.
    migrate(CARE_BEFORE)
    assert raw("care_checkin", "comment") == ["plain-comment"]
    assert raw("care_caretask", "title") == ["plain-title"]
    assert [str(v) for v in raw("care_checkinanswer", "value")] == ["3"]
    migrate(CARE_AFTER)
    assert CheckIn.objects.get().comment == "plain-comment"
