"""The data migrations that turned plain columns into encrypted ones (issue 11): rows stored before
are encrypted in place, read back the same through the models, and go back to plain text when the
migration is reversed. Runs on the suite's database (SQLite by default, PostgreSQL in CI)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.apps import apps
from django.db import connection, router
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from peerpath.care.models import Break, CareTask, CheckIn, CheckInAnswer, Debrief, SupervisionMeeting
from tests.factories import ProgramFactory, SupporterFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def real_migrations(settings: Any) -> Any:
    """The suite builds its tables from the models (--nomigrations), which is the latest state
    (makemigrations --check holds it so): use the real migrations, recorded as applied, so the
    test can go back before the encryption and forward again; and end with the suite's tables."""
    settings.MIGRATION_MODULES = {}
    record_all_applied()
    before = schema()
    yield
    tables_from_the_models()
    record_all_applied()
    assert schema() == before, "the tables made again differ from the suite's"


def schema() -> list[Any]:
    """Every table, column, constraint and index of the database, as the engine describes them."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY 1, 2")
            return cursor.fetchall()
        cursor.execute(
            "SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns"
            " WHERE table_schema = current_schema() ORDER BY 1, 2"
        )
        found = cursor.fetchall()
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE connamespace = current_schema()::regnamespace ORDER BY 1, 2"
        )
        found += cursor.fetchall()
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY 1")
        return found + cursor.fetchall()


def record_all_applied() -> None:
    executor = MigrationExecutor(connection)
    executor.recorder.ensure_schema()
    applied = executor.recorder.applied_migrations()
    for key in executor.loader.graph.nodes:
        if key not in applied:
            executor.recorder.record_applied(*key)


def tables_from_the_models() -> None:
    """Every table dropped and made again from the models, as the suite made them (pytest-django's
    --nomigrations: `migrate --run-syncdb`, each model's `create_model`). Migrating forward to the
    latest instead re-applied every migration the test had gone back over, in other apps too:
    about half of these tests' CPU, to end where this ends. The migrations are applied forward
    from nothing, on both engines, by CI's `.ci/migrate-once`, and checked against the models by
    `makemigrations --check`."""
    quote = connection.ops.quote_name
    recorder = MigrationExecutor(connection).recorder.Migration._meta.db_table
    with connection.constraint_checks_disabled(), connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if table != recorder:
                cascade = " CASCADE" if connection.vendor == "postgresql" else ""
                cursor.execute(f"DROP TABLE IF EXISTS {quote(table)}{cascade}")
    with connection.schema_editor() as editor:
        for config in apps.get_app_configs():
            for model in router.get_migratable_models(config, connection.alias, include_auto_created=False):
                if model._meta.can_migrate(connection):
                    editor.create_model(model)


CARE_BEFORE = ("care", "0001_initial")
CARE_AFTER = ("care", "0002_encrypt_wellbeing_text")


def migrate(*targets: tuple[str, str]) -> Any:
    """Migrate to ``targets`` one migration at a time, in the order of Django's plan, each applied
    or reversed by Django's executor (`apply_migration`, `unapply_migration`: the schema editor,
    the migration's operations, the record) from the project state Django's `migrate` hands it:
    forwards, every applied migration; backwards, the applied ones before it in the plan of the
    whole project. Return the models as they stand at the targets.

    Django's `migrate` builds a backward state by walking the plan of the whole project and
    rendering the models again for each operation of every applied migration before the one it
    reverses, at every step; building the same state from the applied migrations (unrendered)
    and rendering it once costs a fraction of that: these two tests took 74 s of CPU stepping
    with `migrate`, 44 s this way (docs/development.md, "How long the suite takes")."""
    executor = MigrationExecutor(connection)
    graph = executor.loader.graph
    order = [(m.app_label, m.name) for m, _ in executor.migration_plan(graph.leaf_nodes(), clean_start=True)]
    for migration, backwards in executor.migration_plan(list(targets)):
        key = (migration.app_label, migration.name)
        applied = executor.recorder.applied_migrations()
        nodes = [n for n in (order[: order.index(key)] if backwards else order) if n in applied]
        state = graph.make_state(nodes=nodes, at_end=True, real_apps=executor.loader.unmigrated_apps)
        state.apps  # noqa: B018 (rendered once before the operations run, as Django's executor does)
        if backwards:
            executor.unapply_migration(state, migration)
        else:
            executor.apply_migration(state, migration)
    executor = MigrationExecutor(connection)
    assert not executor.migration_plan(list(targets)), "not at the targets"
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


RECRUITMENT_BEFORE = ("recruitment", "0003_application_review")
RECRUITMENT_AFTER = ("recruitment", "0004_encrypt_applications_and_screening")


def test_the_recruitment_migration_encrypts_stored_rows_and_reverses() -> None:
    from peerpath.recruitment.models import Application, RedFlagNote, ScreeningAnswer, ScreeningInterview

    program = ProgramFactory()
    record = SupporterFactory(program=program)
    old = migrate(RECRUITMENT_BEFORE)
    old.get_model("recruitment", "Application").objects.create(
        program_id=program.pk,
        supporter_id=record.pk,
        full_name="A",
        email="a@example.org",
        preferred_contact="email",
        motivation="plain-motivation",
        availability="plain-availability",
        source="clinician",
        clinician_name="plain-clinician",
        source_detail="",
    )
    interview = old.get_model("recruitment", "ScreeningInterview").objects.create(
        program_id=program.pk,
        supporter_id=record.pk,
        scheduled_for=timezone.now(),
        location="Room 4",
        notes="plain-notes",
        decision_note="plain-decision",
        decline_reason="plain-decline",
    )
    old.get_model("recruitment", "ScreeningAnswer").objects.create(
        interview=interview, question_text="Why?", factor="motivation", answer="plain-answer"
    )
    old.get_model("recruitment", "RedFlagNote").objects.create(
        interview=interview, red_flag_text="Flag", note="plain-flag-note"
    )

    migrate(RECRUITMENT_AFTER)
    for table, column in [
        ("recruitment_application", "motivation"),
        ("recruitment_application", "clinician_name"),
        ("recruitment_screeninginterview", "notes"),
        ("recruitment_screeninginterview", "decline_reason"),
        ("recruitment_screeninganswer", "answer"),
        ("recruitment_redflagnote", "note"),
    ]:
        values = raw(table, column)
        assert values and all(v.startswith("gAAAA") for v in values), (table, column)
    assert raw("recruitment_application", "source_detail") == [""]
    application = Application.objects.get()
    assert (application.motivation, application.availability, application.clinician_name) == (
        "plain-motivation",
        "plain-availability",
        "plain-clinician",
    )
    saved = ScreeningInterview.objects.get()
    assert (saved.notes, saved.decision_note, saved.decline_reason) == (
        "plain-notes",
        "plain-decision",
        "plain-decline",
    )
    assert ScreeningAnswer.objects.get().answer == "plain-answer"
    assert RedFlagNote.objects.get().note == "plain-flag-note"

    migrate(RECRUITMENT_BEFORE)
    assert raw("recruitment_application", "motivation") == ["plain-motivation"]
    assert raw("recruitment_redflagnote", "note") == ["plain-flag-note"]
