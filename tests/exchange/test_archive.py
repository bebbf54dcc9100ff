"""The whole-program archive: every area's records, a dictionary row for every column, nothing
of another program, participants decrypted and the download audited."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.http import StreamingHttpResponse
from django.test import Client

from peerpath.core.models import AuditEntry, User
from peerpath.exchange import archive
from peerpath.programs.models import Program
from peerpath.programs.signals import program_created
from peerpath.recruitment.models import Stage, Supporter
from peerpath.support.models import Contact, Participant
from peerpath.support.services import participants as support_participants
from tests.demo_copy import load_demo
from tests.factories import TESTS, MembershipFactory, ProgramFactory, SupporterFactory

pytestmark = pytest.mark.django_db

# One file per area the issue names, at least.
EXPECTED_FILES = {
    # programs and recruitment
    "program.csv",
    "members.csv",
    "competencies.csv",
    "supporters.csv",
    "applications.csv",
    "pathway_history.csv",
    "screening_interviews.csv",
    # training
    "training_modules.csv",
    "training_topics.csv",
    "cohorts.csv",
    "enrolments.csv",
    "training_sessions.csv",
    "attendance.csv",
    "role_plays.csv",
    "shadowing.csv",
    "training_feedback.csv",
    # certification
    "assessments.csv",
    "competency_ratings.csv",
    "certificates.csv",
    "ce_activities.csv",
    # support
    "participants.csv",
    "matching_profiles.csv",
    "support_relationships.csv",
    "contacts.csv",
    "concerns.csv",
    "adverse_events.csv",
    # care
    "supervision_meetings.csv",
    "checkins.csv",
    "checkin_scores.csv",
    "debriefs.csv",
    "breaks.csv",
    "buddies.csv",
    "recognition.csv",
    "newsletters.csv",
    # groups
    "groups.csv",
    "group_sessions.csv",
    "group_members.csv",
    "group_attendance.csv",
    "event_rsvps.csv",
}


def read_zip(content: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(content))


def table(zipped: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(zipped.read(name).decode("utf-8-sig"))))


def download(client: Any, slug: str) -> Any:
    response = client.get(f"/p/{slug}/exchange/archive.zip")
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "application/zip"
    return response, read_zip(b"".join(response.streaming_content))


@pytest.fixture
def demo(db: Any) -> Program:
    load_demo(io.StringIO())
    return Program.objects.get(slug="riverside")


@pytest.fixture
def other_program(db: Any) -> Program:
    """Another program with records that must never appear in the demo's archive."""
    other = ProgramFactory(slug="harbor", name="Harbor")
    program_created.send(sender=Program, program=other, actor=TESTS)
    coordinator = MembershipFactory(program=other, is_coordinator=True, user__full_name="Hal Harbor").user
    SupporterFactory(program=other, full_name="Hidden Harborperson", email="hidden@harbor.example.org")
    support_participants.save_participant(
        actor=coordinator,
        program=other,
        participant=None,
        data={"full_name": "Secret Harborparticipant", "phone": "555-999-0000", "languages": ["English"]},
    )
    return other


def test_archive_holds_every_area_with_a_dictionary_row_for_every_column(demo: Program, other_program: Program) -> None:
    coordinator = User.objects.get(email="coordinator@riverside.example.org")
    client = Client()
    client.force_login(coordinator)
    response, zipped = download(client, "riverside")
    assert 'filename="riverside-records-' in response["Content-Disposition"]
    names = set(zipped.namelist())
    assert EXPECTED_FILES | {"README.md", "data_dictionary.csv"} <= names
    assert names - {"README.md", "data_dictionary.csv"} == {t.filename for t in archive.tables()}

    dictionary = table(zipped, "data_dictionary.csv")
    described = {(d["file"], d["column"]): d for d in dictionary}
    for name in names - {"README.md", "data_dictionary.csv"}:
        header = next(csv.reader(io.StringIO(zipped.read(name).decode("utf-8-sig"))))
        assert header, name
        for column in header:
            entry = described.get((name, column))
            assert entry is not None, f"{name}: {column} is not in the data dictionary"
            assert entry["meaning"].strip() and entry["type"].strip(), f"{name}: {column}"
    # Every row of the dictionary is a column that exists.
    for file, column in described:
        assert column in next(csv.reader(io.StringIO(zipped.read(file).decode("utf-8-sig")))), (file, column)

    # The demo's records are there, in every area.
    for name in ["supporters.csv", "cohorts.csv", "attendance.csv", "certificates.csv", "participants.csv"]:
        assert table(zipped, name), f"{name} is empty"
    for name in ["contacts.csv", "checkins.csv", "checkin_scores.csv", "supervision_meetings.csv", "debriefs.csv"]:
        assert table(zipped, name), f"{name} is empty"

    # Participants are decrypted; the README warns that the archive is confidential.
    participants = table(zipped, "participants.csv")
    stored = Participant.objects.filter(program=demo).order_by("pk").first()
    assert participants[0]["full_name"] == stored.full_name and participants[0]["phone"] == stored.phone
    assert participants[0]["consent_given"] in ("yes", "no")
    readme = zipped.read("README.md").decode()
    assert "CONFIDENTIAL" in readme and "participants.csv (confidential)" in readme
    notes = [c.notes for c in Contact.objects.filter(program=demo) if c.notes]
    assert notes and notes[0] in {row["notes"] for row in table(zipped, "contacts.csv")}

    # Nothing of the other program.
    everything = b"".join(zipped.read(n) for n in names).decode("utf-8-sig", "replace")
    for secret in ["Hidden Harborperson", "hidden@harbor.example.org", "Secret Harborparticipant", "555-999-0000"]:
        assert secret not in everything
    assert all(s["email"] != "hidden@harbor.example.org" for s in table(zipped, "supporters.csv"))

    # References between files resolve: every supporter_id in attendance is a supporters.csv id.
    supporter_ids = {row["id"] for row in table(zipped, "supporters.csv")}
    assert {row["supporter_id"] for row in table(zipped, "attendance.csv")} <= supporter_ids
    relationship_ids = {row["id"] for row in table(zipped, "support_relationships.csv")}
    assert {row["relationship_id"] for row in table(zipped, "contacts.csv")} <= relationship_ids

    entry = AuditEntry.objects.filter(program=demo, action="archive.download").get()
    assert entry.actor == coordinator


def test_every_model_is_archived_or_left_out_with_a_reason() -> None:
    registered = {t.model._meta.label_lower for t in archive.tables() if t.model is not None}
    areas = {
        "core",
        "programs",
        "recruitment",
        "training",
        "credentials",
        "certification",
        "support",
        "care",
        "groups",
        "exchange",
        "api",
    }
    missing = [
        m._meta.label_lower
        for m in apps.get_models()
        if m._meta.app_label in areas
        and m._meta.label_lower not in registered
        and m._meta.label_lower not in archive.NOT_EXPORTED
    ]
    assert not missing, f"Register these in exchange/archive.py or list them in NOT_EXPORTED: {missing}"
    assert not registered & set(archive.NOT_EXPORTED)


def test_links_between_files_name_the_file() -> None:
    """A reference to another record says which file holds it (people are named by e-mail)."""
    for t in archive.tables():
        if t.model is None:
            continue
        kinds = {c.name: c.kind for c in t.columns}
        for f in t.model._meta.concrete_fields:
            if not f.is_relation or f.name == "program" or f.related_model is User:
                continue
            if f.related_model is Program:
                continue
            kind = kinds.get(f"{f.name}_id")
            if kind is not None:
                assert kind.startswith("id in ") and kind.endswith(".csv"), (t.filename, f.name, kind)


def test_formulas_in_archived_text_are_neutralised(world: Any) -> None:
    Supporter.objects.create(program=world.program, full_name="=HYPERLINK(evil)", email="evil@example.org")
    _response, zipped = download(world.client_for(world.coordinator), "riverside")
    names = [row["full_name"] for row in table(zipped, "supporters.csv")]
    assert "'=HYPERLINK(evil)" in names


def test_only_coordinators_download_the_archive(world: Any) -> None:
    for user in (world.trainer, world.supervisor, world.supporter):
        assert world.client_for(user).get("/p/riverside/exchange/archive.zip").status_code == 403
    assert world.client_for(world.outsider).get("/p/riverside/exchange/archive.zip").status_code == 404
    assert not AuditEntry.objects.filter(action="archive.download").exists()


def test_export_archive_command_writes_the_file(world: Any, tmp_path: Path) -> None:
    Supporter.objects.create(
        program=world.program, full_name="Kai Command", email="kai@example.org", stage=Stage.ACTIVE
    )
    target = tmp_path / "records.zip"
    call_command("export_archive", "riverside", "--output", str(target), stdout=io.StringIO())
    zipped = zipfile.ZipFile(target)
    assert "Kai Command" in [row["full_name"] for row in table(zipped, "supporters.csv")]
    assert AuditEntry.objects.filter(action="archive.download", actor_label="manage.py export_archive").exists()


def test_the_readme_and_the_dictionary_are_in_the_language_of_the_person_downloading(world: Any) -> None:
    """The README and data_dictionary.csv follow the coordinator's language; the file names, the
    column names and the stored values stay the same in every language."""
    client = world.client_for(world.coordinator)
    _response, english = download(client, "riverside")
    type(world.coordinator).objects.filter(pk=world.coordinator.pk).update(language="es")
    _response, spanish = download(client, "riverside")  # read after the view returned, like a browser
    readme = spanish.read("README.md").decode()
    assert "CONFIDENCIAL. Este archivo contiene" in readme and "## Archivos" in readme and "## No incluido" in readme
    assert "CONFIDENTIAL" not in readme and "CONFIDENTIAL" in english.read("README.md").decode()
    rows = list(csv.reader(io.StringIO(spanish.read("data_dictionary.csv").decode("utf-8-sig"))))
    assert rows[0] == ["archivo", "columna", "tipo", "significado"]
    meaning = {(row[0], row[1]): (row[2], row[3]) for row in rows[1:]}
    assert meaning[("supporters.csv", "id")] == ("número", "Id de la persona (supporter_id en los otros archivos).")
    kind, text = meaning[("supporters.csv", "stage")]
    assert kind.startswith("una de estas: applicant (") and text == "Etapa actual del camino."
    english_rows = list(csv.reader(io.StringIO(english.read("data_dictionary.csv").decode("utf-8-sig"))))
    assert [row[:2] for row in english_rows] == [["file", "column"], *[row[:2] for row in rows[1:]]]
    assert spanish.namelist() == english.namelist()
