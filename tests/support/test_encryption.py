"""Sensitive data is encrypted at rest: a raw dump of every table shows none of it in plain text.

Runs on whichever database the suite uses (SQLite by default; CI runs it on PostgreSQL too).
The last two tests fill a fresh file database (and a PostgreSQL database) through the pages, with
committed data, and read the SQLite file's bytes and a `pg_dump` (issue 11).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from peerpath.core.encryption import decrypt, encrypt, encrypted_models
from peerpath.exchange.models import ImportBatch
from peerpath.support import queries
from peerpath.support.defaults import get_settings
from peerpath.support.models import Participant
from peerpath.support.services import adverse_events, concerns, contacts, matches, participants, profiles, texts
from tests.care.helpers import CARE_SECRETS, fill_care_secrets
from tests.credentials.helpers import CREDENTIALS_SECRETS, fill_credentials_secrets
from tests.groups.helpers import GROUPS_SECRETS, fill_groups_secrets
from tests.migrated import copy_sqlite, create_postgres, migrated_sqlite
from tests.plans.helpers import PLANS_SECRETS, fill_plans_secrets
from tests.support.helpers import make_participant
from tests.switches import no_postgres
from tests.voice.helpers import VOICE_SECRETS, fill_voice_secrets

SECRETS = {
    "name": "Zebedee Quartermaine",
    "phone": "555-867-5309",
    "email": "zq.private@example.net",
    "intake": "hopscotch",
    "consent": "lighthouse-consent",
    "contact": "marmalade",
    "draft": "tangerine",
    "crisis": "periwinkle",
    "answer": "quokka",
    "follow_up": "zeppelin",
    "adverse": "xylophone",
    "close": "saxophone",
    "conflict": "trombone",
    "correction": "clarinet",
    "fit_note": "ocarina",
    "request_name": "Yolanda Featherstonehaugh",
    "request_email": "yolanda.f@example.net",
    "request_note": "bumblebee",
    # The number a participant agreed to texts at (the notification layer's text recipient).
    "text_phone": "+15417543010",
    **CARE_SECRETS,
    **PLANS_SECRETS,
    **GROUPS_SECRETS,
    **CREDENTIALS_SECRETS,
    **VOICE_SECRETS,
}


def dump_database() -> str:
    """Every row of every table, as the database holds it."""
    parts: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 (table names from introspection)
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, memoryview | bytes):
                        value = bytes(value).decode("utf-8", "replace")
                    parts.append(str(value))
    return "\n".join(parts)


RECRUITMENT_SECRETS = {
    "motivation": "walrus-motivation",
    "availability": "walrus-availability",
    "clinician": "Dr Walrus Clinician",
    "source_detail": "walrus-detail",
    "screening_answer": "walrus-answer",
    "red_flag_note": "walrus-flag-note",
    "screening_notes": "walrus-notes",
    "decision_note": "walrus-decision",
    "decline_reason": "walrus-decline",
    "cancel_reason": "walrus-cancel",
}
SECRETS.update(RECRUITMENT_SECRETS)


def fill_recruitment_secrets(world: Any) -> None:
    """An application, a cancelled interview and a screening recorded and decided, through the
    recruitment services, with `RECRUITMENT_SECRETS` in every encrypted field."""
    import datetime as dt

    from peerpath.recruitment import services as recruitment
    from tests.factories import RedFlagFactory, ScreeningQuestionFactory

    s = RECRUITMENT_SECRETS
    application = recruitment.submit_application(
        program=world.program,
        full_name="Walter Applicant",
        email="walter.applicant@example.net",
        phone="",
        preferred_contact="email",
        focus_areas=[],
        motivation=s["motivation"],
        availability=s["availability"],
        languages=["English"],
        source="clinician",
        clinician_name=s["clinician"],
        source_detail=s["source_detail"],
        consent_to_contact=True,
    )
    person = application.supporter
    when = timezone.now() + dt.timedelta(days=2)
    cancelled = recruitment.schedule_interview(
        actor=world.coordinator, supporter=person, scheduled_for=when, location="Room 4", interviewer=world.coordinator
    )
    recruitment.cancel_interview(actor=world.coordinator, interview=cancelled, reason=s["cancel_reason"])
    interview = recruitment.schedule_interview(
        actor=world.coordinator, supporter=person, scheduled_for=when, location="Room 4", interviewer=world.coordinator
    )
    question = ScreeningQuestionFactory(program=world.program)
    flag = RedFlagFactory(program=world.program)
    recruitment.record_screening(
        actor=world.coordinator,
        interview=interview,
        answers={question.pk: s["screening_answer"]},
        red_flags={flag.pk: s["red_flag_note"]},
        notes=s["screening_notes"],
    )
    recruitment.decide(
        actor=world.coordinator,
        interview=interview,
        decision="decline",
        note=s["decision_note"],
        decline_reason=s["decline_reason"],
    )


def fill_every_encrypted_place(support: Any) -> Participant:
    s = support
    person = make_participant(
        s.world,
        full_name=SECRETS["name"],
        phone=SECRETS["phone"],
        email=SECRETS["email"],
        intake_notes=SECRETS["intake"],
        consent_scope=SECRETS["consent"],
        focus_areas=[s.grief],
    )
    relationship = matches.propose_match(actor=s.coordinator, participant=person, supporter=s.priya)
    matches.respond_to_offer(actor=s.supporter, relationship=relationship, accept=True)
    texts.record_text_consent(
        actor=s.coordinator, participant=person, phone=SECRETS["text_phone"], agreed=True, source="on the phone"
    )
    matches.answer_fit(actor=s.supporter, relationship=relationship, answer="deciding", note=SECRETS["fit_note"])
    contact = contacts.log_contact(
        actor=s.supporter,
        relationship=relationship,
        data={
            "contacted_on": timezone.localdate(),
            "channel": "phone",
            "reached": True,
            "tasks": ["rapport"],
            "kind": "first",
            "notes": SECRETS["contact"],
            "next_follow_up": None,
        },
    )
    contacts.save_draft(actor=s.supporter, relationship=relationship, values={"notes": SECRETS["draft"]})
    contacts.correct_contact(
        actor=s.supervisor, contact=contact, data={"notes": SECRETS["contact"] + "!"}, reason=SECRETS["correction"]
    )
    crisis = concerns.raise_concern(
        actor=s.supporter,
        relationship=relationship,
        kind="crisis",
        answers=[("Is the participant safe right now?", SECRETS["answer"])],
        notes=SECRETS["crisis"],
    )
    concerns.acknowledge_concern(actor=s.supervisor, concern=crisis)
    concerns.record_follow_up(actor=s.supervisor, concern=crisis, follow_up=SECRETS["follow_up"])
    adverse_events.record_adverse_event(
        actor=s.supporter,
        relationship=relationship,
        kind="hospitalised",
        occurred_at=timezone.now(),
        notes=SECRETS["adverse"],
    )
    profiles.declare_conflict(actor=s.coordinator, supporter=s.uma, participant=person, reason=SECRETS["conflict"])
    fill_plans_secrets(s, relationship)
    fill_voice_secrets(s, relationship)
    fill_groups_secrets(s.world)
    fill_credentials_secrets(s.world)
    matches.close_relationship(
        actor=s.supporter, relationship=relationship, close_reason="goals_met", note=SECRETS["close"]
    )
    participants.export_participant(actor=s.coordinator, participant=person)
    fill_care_secrets(s.world, s.priya)
    fill_recruitment_secrets(s.world)
    settings_row = get_settings(s.program)
    settings_row.requests_open = True
    settings_row.save()
    participants.submit_request(
        program=s.program,
        data={
            "full_name": SECRETS["request_name"],
            "email": SECRETS["request_email"],
            "phone": "",
            "preferred_contact": "email",
            "languages": ["English"],
            "focus_areas": [],
            "modes": ["video"],
            "area": "",
            "availability": [],
            "preferred_gender": "",
            "preferred_age_bands": [],
            "intake_notes": SECRETS["request_note"],
            "consent_given": True,
            "consent_scope": "To be contacted.",
        },
    )
    return person


def test_a_database_dump_shows_no_participant_data(support: Any) -> None:
    person = fill_every_encrypted_place(support)
    # The pages still show it all, decrypted, to those allowed.
    client = support.client_for(support.coordinator)
    page = client.get(f"/p/riverside/support/participants/{person.pk}/").content.decode()
    assert SECRETS["name"] in page and SECRETS["phone"] in page and SECRETS["intake"] in page

    dump = dump_database().casefold()
    assert "riverside" in dump  # the dump really holds the database
    leaked = [label for label, value in SECRETS.items() if value.casefold() in dump]
    assert leaked == [], f"Plain text found in the database for: {leaked}"
    for word in ["quartermaine", "zebedee", "featherstonehaugh", "8675309"]:
        assert word not in dump.replace("-", ""), word


def test_emails_never_name_a_participant(support: Any) -> None:
    fill_every_encrypted_place(support)
    assert mail.outbox, "the chain sends e-mail"
    for message in mail.outbox:
        text = (message.subject + message.body).casefold()
        for value in SECRETS.values():
            assert value.casefold() not in text, (message.subject, value)


def test_search_uses_the_blind_index(support: Any) -> None:
    person = fill_every_encrypted_place(support)
    rows = Participant.objects.filter(program=support.program)
    assert list(queries.search(rows, "quartermaine")) == [person]
    assert list(queries.search(rows, "ZEBEDEE quartermaine")) == [person]
    assert list(queries.search(rows, SECRETS["email"].upper())) == [person]
    assert list(queries.search(rows, "555 867 5309")) == [person]
    assert list(queries.search(rows, "zebedee lopez")) == []
    with pytest.raises(NotImplementedError):
        Participant.objects.filter(full_name__icontains="zeb").count()


def test_rotating_the_key_keeps_data_readable_and_searchable(support: Any) -> None:
    person = fill_every_encrypted_place(support)
    # Another app's encrypted field: the rotation finds it through the model registry too.
    batch = ImportBatch.objects.create(program=support.program, kind="participants", filename="intake.csv")
    batch.rows = [{"full_name": SECRETS["request_name"]}]
    batch.save()
    from django.conf import settings

    current = settings.FIELD_ENCRYPTION_KEYS
    with override_settings(FIELD_ENCRYPTION_KEYS=["a brand new key for the test", *current]):
        assert Participant.objects.get(pk=person.pk).full_name == SECRETS["name"]  # old key still reads
        call_command("rotate_field_keys", stdout=open("/dev/null", "w"))  # noqa: SIM115
    with override_settings(FIELD_ENCRYPTION_KEYS=["a brand new key for the test"]):
        assert Participant.objects.get(pk=person.pk).full_name == SECRETS["name"]
        assert Participant.objects.get(pk=person.pk).intake_notes == SECRETS["intake"]
        rows = Participant.objects.filter(program=support.program)
        assert list(queries.search(rows, "quartermaine")) == [person]
        assert decrypt(encrypt("round trip")) == "round trip"
        assert ImportBatch.objects.get(pk=batch.pk).rows == [{"full_name": SECRETS["request_name"]}]
        # Every row of every model with an encrypted field, whichever app it is in, reads under
        # the new key alone, and none of those models was left empty (so none went unchecked).
        rows_read = {model._meta.label: len(list(model._base_manager.all())) for model in encrypted_models()}
        assert {"support.Participant", "exchange.ImportBatch"} <= set(rows_read)
        assert [label for label, count in rows_read.items() if not count] == []
    # The old key alone can no longer read what was rotated.
    with override_settings(FIELD_ENCRYPTION_KEYS=current), pytest.raises(Exception, match="could not be decrypted"):
        Participant.objects.get(pk=person.pk).full_name  # noqa: B018
    with override_settings(FIELD_ENCRYPTION_KEYS=current), pytest.raises(Exception, match="could not be decrypted"):
        ImportBatch.objects.get(pk=batch.pk).rows  # noqa: B018


def test_audit_log_never_holds_encrypted_values(support: Any) -> None:
    from peerpath.core.models import AuditEntry

    person = make_participant(
        support.world,
        full_name="Olive Branchwater",
        intake_notes="secret-intake",
        languages=["Quechua"],
        focus_areas=[support.grief],
    )
    participants.save_participant(
        actor=support.coordinator,
        program=support.program,
        participant=person,
        data={
            "full_name": "Olive Greenwater",
            "intake_notes": "second-secret",
            "languages": ["Tigrinya"],
            "focus_areas": [support.anxiety],
        },
    )
    entries = AuditEntry.objects.filter(target_type="support.participant", target_id=str(person.pk))
    changes = entries.filter(action="participant.update").get().changes
    # Encrypted fields, and the lived-experience areas and languages kept in clear for matching,
    # are recorded as changed, never with their values.
    for name in ["full_name", "intake_notes", "languages", "focus_areas"]:
        assert changes[name] == ["(changed)", "(changed)"], name
    text = " ".join(str(e.changes) + e.note + e.target_label for e in entries)
    for value in ["Olive", "secret", "Quechua", "Tigrinya", support.grief.name, support.anxiety.name]:
        assert value not in text, value


# --- A file database with committed data, filled through the pages ----------------------------
# The tests above read the suite's own database inside a test's transaction. These start a fresh
# PeerPath (its own var/ folder and keys) on a real database file, or a PostgreSQL database of
# their own, fill it through the pages (`tests/at_rest.py`: the personas post the real forms, each
# request committed), and then read what is on disk: the SQLite file's bytes, or `pg_dump`.

AT_REST_FIELDS = [
    # care
    "checkin_comment",
    "debrief_what",
    "debrief_well",
    "debrief_hard",
    "debrief_topics",
    "break_reason",
    "supervision_topics",
    "supervision_notes",
    "follow_up",  # a follow-up of the meeting: the care task's text
    "outcome",
    # recruitment
    "motivation",
    "availability",
    "clinician",
    "source_detail",
    "cancel_reason",
    "screening_answer",
    "red_flag_note",
    "screening_notes",
    "decision_note",
    "decline_reason",
    # support: the participant's own details and free text, and what is written about them
    "participant_name",
    "participant_email",
    "consent_scope",
    "intake_notes",
    "conflict_reason",
    "contact_draft",
    "contact_notes",
    "contact_corrected",
    "correction_reason",
    "concern_answer",
    "concern_notes",
    "concern_follow_up",
    "adverse_notes",
    "close_note",
    # plans: the participant's plan, needs and referrals, through the plans pages
    "goal_text",
    "goal_step",
    "goal_progress",
    "goal_progress_contact",
    "plan_review",
    "need_note",
    "referral_handoff",
    "referral_outcome",
    # voice: what the participant answered through their link, and whom they agreed to share with
    "feedback_message",
    "share_recipient",
    "request_name",
    "request_email",
    "request_notes",
    # held in clear where matching reads them, never in the audit log (see CLEAR_FOR_MATCHING)
    "language",
    "language_changed",
    "focus_area",
]
# A participant's languages and lived-experience areas stay in clear for matching, so their
# markers may be on disk, but only in the rows that hold them (never, say, in an audit diff).
CLEAR_FOR_MATCHING = {
    "language": {"support_participant"},
    "language_changed": {"support_participant"},
    "focus_area": {"programs_focusarea"},
}
ROOT = Path(__file__).resolve().parents[2]
PG_SERVER = os.environ.get("PEERPATH_CI_PG", "postgres://postgres@127.0.0.1:5432")


def fill_through_the_pages(tmp_path: Path, database_url: str | None) -> dict[str, str]:
    """Run tests/at_rest.py against a fresh database (the given one, or a copy of the migrated
    SQLite file, tests/migrated.py); return the markers it wrote, having checked that each one reads
    back through the models (so each really was stored)."""
    markers = {name: f"qzmark{index:02d}{name.replace('_', '')}" for index, name in enumerate(AT_REST_FIELDS)}
    source = tmp_path / "markers.json"
    source.write_text(json.dumps(markers), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PEERPATH_", "DATABASE_URL", "DJANGO_"))}
    env.update({"PEERPATH_DEBUG": "1", "PEERPATH_VAR_DIR": str(tmp_path / "var")})
    if database_url:
        env["DATABASE_URL"] = database_url
    else:
        copy_sqlite(migrated_sqlite(), tmp_path / "var" / "peerpath.sqlite3")
    done = subprocess.run(
        [sys.executable, "-m", "tests.at_rest", str(source)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-5000:]
    stored = sorted(set(markers) - set(CLEAR_FOR_MATCHING))  # the clear ones are checked on disk
    assert json.loads(done.stdout.strip().splitlines()[-1]) == stored, "a marker was not stored"
    return markers


def leaked(markers: dict[str, str], raw: bytes) -> list[str]:
    """The markers found in ``raw``, in any letter case (a language is stored capitalised)."""
    raw = raw.lower()
    return [name for name, marker in markers.items() if marker.lower().encode() in raw]


def assert_answers_encrypted(cursor: Any) -> None:
    """Check-in answers are numbers (no marker fits them): each stored answer and score must be a
    Fernet token, never the number or the JSON itself."""
    cursor.execute("SELECT value FROM care_checkinanswer")
    answers = [value for (value,) in cursor.fetchall()]
    cursor.execute("SELECT scores FROM care_checkin WHERE status = 'completed'")
    scores = [value for (value,) in cursor.fetchall()]
    assert len(answers) >= 10 and scores, (answers, scores)
    assert all(str(value).startswith("gAAAAA") for value in [*answers, *scores]), [*answers, *scores][:3]
    # The participant's voice: the chosen answers (no marker fits a choice) and the outcome
    # measure's answers and scores, through the link and with the supporter.
    cursor.execute("SELECT felt_heard, good_fit FROM voice_feedbackanswer")
    chosen = [value for row in cursor.fetchall() for value in row]
    cursor.execute("SELECT answers, scores FROM voice_outcomeresponse")
    measured = [value for row in cursor.fetchall() for value in row]
    assert len(chosen) == 2 and len(measured) == 4, (chosen, measured)
    assert all(str(value).startswith("gAAAAA") for value in [*chosen, *measured]), [*chosen, *measured]


# Each of the two builds a database of its own (whatever the suite runs on) and migrates it: CI runs
# them once, in the SQLite pass (the PostgreSQL one checks a pg_dump there too).
@pytest.mark.sqlite_only
def test_a_sqlite_file_holds_no_marker_written_through_the_pages(tmp_path: Path) -> None:
    import sqlite3

    markers = fill_through_the_pages(tmp_path, None)
    files = sorted((tmp_path / "var").glob("peerpath.sqlite3*"))
    raw = b"".join(path.read_bytes() for path in files)
    assert b"Riverside" in raw  # the file really holds the program
    secret = {k: v for k, v in markers.items() if k not in CLEAR_FOR_MATCHING}
    assert leaked(secret, raw) == []
    # The markers held in clear for matching: on a checkpointed copy of the file, every page
    # holding one belongs to the table allowed to hold it, or its index (dbstat names each page's).
    copy = tmp_path / "copy"
    copy.mkdir()
    for path in files:
        shutil.copy(path, copy / path.name)
    database = copy / "peerpath.sqlite3"
    with sqlite3.connect(database) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
        table_of = dict(db.execute("SELECT name, tbl_name FROM sqlite_schema"))  # an index: its table's
        owner = {page: table_of.get(name, name) for page, name in db.execute("SELECT pageno, name FROM dbstat")}
        assert_answers_encrypted(db.cursor())
    data = database.read_bytes()
    found: dict[str, set[str]] = {name: set() for name in CLEAR_FOR_MATCHING}
    for start in range(0, len(data), page_size):
        page = data[start : start + page_size]
        for name in leaked({k: markers[k] for k in CLEAR_FOR_MATCHING}, page):
            found[name].add(owner.get(start // page_size + 1, "(free page)"))
    assert found["language_changed"] and found["focus_area"], found  # the page check sees them
    assert {name: tables - CLEAR_FOR_MATCHING[name] for name, tables in found.items()} == {
        name: set() for name in CLEAR_FOR_MATCHING
    }


def dumped_tables(raw: bytes) -> dict[str, bytes]:
    """A plain `pg_dump`'s data, by table (each table's COPY block)."""
    tables: dict[str, bytes] = {}
    table = None
    for line in raw.splitlines():
        if line.startswith(b"COPY "):
            table = line.split()[1].decode().removeprefix("public.")
            tables[table] = b""
        elif line == b"\\.":
            table = None
        elif table is not None:
            tables[table] += line + b"\n"
    return tables


@pytest.mark.sqlite_only
def test_a_pg_dump_holds_no_marker_written_through_the_pages(tmp_path: Path) -> None:
    try:
        import psycopg
    except ImportError:
        no_postgres("psycopg is not installed")
    name = f"peerpath_at_rest_{os.getpid()}"
    try:
        admin = psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        no_postgres(f"PostgreSQL is not reachable at {PG_SERVER}")
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        create_postgres(admin, name)  # a copy of CI's migrated database, or empty: at_rest migrates it
        try:
            markers = fill_through_the_pages(tmp_path, f"{PG_SERVER}/{name}")
            raw = subprocess.run(
                [shutil.which("pg_dump") or "pg_dump", "--dbname", f"{PG_SERVER}/{name}", "--no-owner"],
                capture_output=True,
                timeout=300,
                check=True,
            ).stdout
            with psycopg.connect(f"{PG_SERVER}/{name}") as db:
                assert_answers_encrypted(db.cursor())
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    assert b"Riverside" in raw
    assert leaked({k: v for k, v in markers.items() if k not in CLEAR_FOR_MATCHING}, raw) == []
    tables = dumped_tables(raw)
    assert "core_auditentry" in tables and "support_participant" in tables, sorted(tables)
    found = {
        name: {t for t, rows in tables.items() if leaked({name: markers[name]}, rows)} for name in CLEAR_FOR_MATCHING
    }
    assert found["language_changed"] and found["focus_area"], found
    assert {name: tables - CLEAR_FOR_MATCHING[name] for name, tables in found.items()} == {
        name: set() for name in CLEAR_FOR_MATCHING
    }
