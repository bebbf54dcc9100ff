"""Importing participants: checked like the participant form, saved through support's services,
staged encrypted, all or nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from peerpath.core.models import AuditEntry
from peerpath.exchange.importers import IMPORTERS
from peerpath.exchange.models import ImportBatch
from peerpath.notifications.models import Notice as Notification
from peerpath.programs.models import FocusArea
from peerpath.support import queries
from peerpath.support.defaults import get_settings
from peerpath.support.models import Participant, ParticipantSource, ParticipantStatus, SearchTerm
from peerpath.support.services import participants
from tests.support.test_encryption import dump_database

pytestmark = pytest.mark.django_db
COLUMNS = [c.name for c in IMPORTERS["participants"].columns]
URL = "/p/riverside/exchange/import/participants/"


def csv_file(*rows: dict[str, str], name: str = "intake.csv") -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return SimpleUploadedFile(name, buffer.getvalue().encode())


def person(**values: str) -> dict[str, str]:
    row = {"full_name": "Dana Whitfield", "phone": "555-0199", "languages": "English", "consent_given": "no"}
    row.update(values)
    return row


def upload(world: Any, file: Any) -> Any:
    return world.client_for(world.coordinator).post(URL, {"file": file})


def apply(world: Any, batch: ImportBatch) -> Any:
    return world.client_for(world.coordinator).post(f"/p/riverside/exchange/imports/{batch.pk}/apply/")


@pytest.fixture
def grief(world: Any) -> FocusArea:
    return FocusArea.objects.create(program=world.program, name="Grief and loss")


def test_every_field_of_the_form_is_imported_through_the_service(world: Any, grief: FocusArea) -> None:
    client = world.client_for(world.coordinator)
    settings_row = get_settings(world.program)
    settings_row.areas = "Downtown\nEastside"
    settings_row.save()
    response = upload(
        world,
        csv_file(
            person(
                full_name="Marisol Vega",
                email="Marisol@Example.net",
                phone="555-0201",
                preferred_contact="Text message",
                languages="spanish; English",
                lived_experience="grief and loss",
                modes="phone; In person",
                area="downtown",
                availability="weekday_evening; Weekend days",
                preferred_gender="woman",
                preferred_age_bands="30 to 44; 45_64",
                preferred_communities="Latina; faith",
                must_haves="language; gender",
                consent_given="yes",
                consent_scope="To be called by a peer supporter.",
                consent_date="2024-02-01",
                consent_recorded_by=world.supervisor.email,
                waiting_since="2024-01-20",
                intake_notes="Prefers evenings after work.",
            ),
            person(full_name="Bo Lin", phone="", email="bo@example.net", languages="Mandarin"),
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    batch = ImportBatch.objects.get()
    assert not Participant.objects.exists()  # nothing before confirmation
    preview = client.get(response.url).content.decode()
    assert "2 rows checked, no problems found" in preview and "Marisol Vega" in preview
    assert apply(world, batch).status_code == 302

    by_email = {p.email: p for p in Participant.objects.filter(program=world.program)}
    marisol = by_email["marisol@example.net"]
    assert marisol.status == ParticipantStatus.WAITING
    assert marisol.full_name == "Marisol Vega" and marisol.phone == "555-0201"
    assert marisol.preferred_contact == "text"
    assert marisol.languages == ["Spanish", "English"]
    assert list(marisol.focus_areas.all()) == [grief]
    assert marisol.modes == ["phone", "in_person"] and marisol.area == "Downtown"
    assert marisol.availability == ["weekday_evening", "weekend_day"]
    assert marisol.preferred_gender == "woman" and marisol.preferred_age_bands == ["30_44", "45_64"]
    assert marisol.preferred_communities == ["Latina", "faith"] and marisol.must_haves == ["language", "gender"]
    assert marisol.consent_given and marisol.consent_scope == "To be called by a peer supporter."
    assert timezone.localdate(marisol.consent_at) == dt.date(2024, 2, 1)
    assert marisol.consent_recorded_by == world.supervisor
    assert (
        world.supervisor.full_name in marisol.consent_recorded_by_label
        and "intake.csv" in marisol.consent_recorded_by_label
    )
    assert timezone.localdate(marisol.waiting_since) == dt.date(2024, 1, 20)
    assert marisol.intake_notes == "Prefers evenings after work."
    assert marisol.source == ParticipantSource.COORDINATOR and marisol.created_by == world.coordinator
    bo = by_email["bo@example.net"]
    assert bo.preferred_contact == "email" and not bo.consent_given and bo.consent_at is None
    assert timezone.localdate(bo.waiting_since) == timezone.localdate()

    # Found through the blind index like any participant; audited like the page.
    assert list(queries.search(Participant.objects.filter(program=world.program), "Vega")) == [marisol]
    assert list(queries.search(Participant.objects.all(), "555-0201")) == [marisol]
    created = AuditEntry.objects.filter(action="participant.create", actor=world.coordinator)
    assert {e.target_id for e in created} == {str(marisol.pk), str(bo.pk)}
    assert "Marisol" not in str(list(AuditEntry.objects.values_list("changes", "target_label", "note")))
    assert AuditEntry.objects.filter(action="import.participants", note__contains="2 rows").exists()

    # Nobody is e-mailed; other coordinators hear of the import once, not once per person.
    assert mail.outbox == []
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.APPLIED and batch.rows == [] and batch.payload == ""


def test_other_coordinators_are_told_once(world: Any) -> None:
    from tests.factories import MembershipFactory

    colleague = MembershipFactory(program=world.program, is_coordinator=True).user
    upload(world, csv_file(person(), person(full_name="Eli Ross", phone="555-0300")))
    apply(world, ImportBatch.objects.get())
    notes = list(Notification.objects.filter(user=colleague))
    assert len(notes) == 1 and notes[0].text.startswith("2 participants joined the waiting list")
    assert "Dana" not in notes[0].text


def test_bad_rows_are_listed_by_row_and_column_and_nothing_is_staged(world: Any, grief: FocusArea) -> None:
    existing = participants.save_participant(
        actor=world.coordinator,
        program=world.program,
        participant=None,
        data={"full_name": "Already Here", "phone": "555 0142", "email": "here@example.net", "languages": ["English"]},
    )
    response = upload(
        world,
        csv_file(
            person(full_name="Good Row", phone="555-0001"),  # row 2
            person(phone="", email=""),  # 3: no way to reach them
            person(phone="555-0003", email="not-an-email"),  # 4
            person(phone="555-0004", languages=""),  # 5: required
            person(phone="555-0005", lived_experience="Astrology"),  # 6
            person(phone="555-0006", modes="carrier pigeon"),  # 7
            person(phone="555-0007", consent_given="yes"),  # 8: consent without what was agreed
            person(phone="555-0008", consent_given="maybe"),  # 9
            person(phone="555-0009", waiting_since="2999-01-01"),  # 10
            person(phone="555-0010", consent_date="2024-01-01"),  # 11: a date without consent
            person(phone="(555) 0142"),  # 12: already in the program (blind index)
            person(phone="555-0001"),  # 13: twice in the file
            person(full_name="", phone="555-0013"),  # 14
            person(phone="555-0014", preferred_gender="any"),  # 15
            person(phone="555-0015", waiting_since="01/02/2024"),  # 16
            person(phone="555-0016", full_name="x" * 201),  # 17
        ),
    )
    assert response.status_code == 400
    errors = {(e.row, e.field) for e in response.context["errors"]}
    assert errors == {
        (3, "phone"),
        (4, "email"),
        (5, "languages"),
        (6, "lived_experience"),
        (7, "modes"),
        (8, "consent_scope"),
        (9, "consent_given"),
        (10, "waiting_since"),
        (11, "consent_date"),
        (12, "phone"),
        (13, "phone"),
        (14, "full_name"),
        (15, "preferred_gender"),
        (16, "waiting_since"),
        (17, "full_name"),
    }
    messages = {(e.row, e.field): e.message for e in response.context["errors"]}
    assert existing.reference in messages[(12, "phone")]
    assert "row 2" in messages[(13, "phone")]
    page = response.content.decode()
    assert "nothing was imported" in page and "Astrology" in page
    assert Participant.objects.count() == 1 and not ImportBatch.objects.exists()


def test_every_problem_of_a_row_is_listed_in_one_pass(world: Any, grief: FocusArea) -> None:
    response = upload(
        world,
        csv_file(
            person(phone="555-0001"),  # row 2: the first of two rows with the same phone
            person(
                full_name="",
                email="not-an-email",
                phone="555-0001",
                languages="",
                lived_experience="Astrology; Grief and loss; Tarot",
                modes="carrier pigeon; phone; smoke signals",
                consent_given="maybe",
                waiting_since="2999-01-01",
                preferred_gender="any",
            ),  # row 3: every one of these is a problem
        ),
    )
    assert response.status_code == 400
    row3 = [(e.field, e.message) for e in response.context["errors"] if e.row == 3]
    assert [field for field, _message in row3] == [
        "full_name",
        "email",
        "phone",
        "languages",
        "lived_experience",
        "lived_experience",
        "modes",
        "preferred_gender",
        "consent_given",
        "waiting_since",
    ]
    messages = dict(row3)
    assert "'carrier pigeon', 'smoke signals' are not one of" in messages["modes"]
    assert "row 2" in messages["phone"]
    assert not [e for e in response.context["errors"] if e.row == 2]
    page = response.content.decode()
    assert "Astrology" in page and "Tarot" in page and "10 problems" in page


def test_a_row_that_became_a_duplicate_before_confirmation_stops_the_whole_import(world: Any) -> None:
    upload(world, csv_file(person(full_name="First", phone="555-1111"), person(full_name="Second", phone="555-2222")))
    batch = ImportBatch.objects.get()
    # Meanwhile someone adds the second person by hand.
    participants.save_participant(
        actor=world.coordinator,
        program=world.program,
        participant=None,
        data={"full_name": "Second", "phone": "555 2222", "languages": ["English"]},
    )
    before = (Participant.objects.count(), SearchTerm.objects.count(), AuditEntry.objects.count())
    response = apply(world, batch)
    assert response.status_code == 400
    assert [(e.row, e.field) for e in response.context["errors"]] == [(3, "phone")]
    assert (Participant.objects.count(), SearchTerm.objects.count(), AuditEntry.objects.count()) == before
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEW and batch.error_count == 1


def test_an_area_retired_before_confirmation_stops_the_whole_import(world: Any, grief: FocusArea) -> None:
    upload(world, csv_file(person(phone="555-3333"), person(phone="555-4444", lived_experience="Grief and loss")))
    batch = ImportBatch.objects.get()
    grief.is_active = False
    grief.save()
    response = apply(world, batch)
    assert response.status_code == 400
    assert [(e.row, e.field) for e in response.context["errors"]] == [(3, "lived_experience")]
    assert not Participant.objects.exists()


def test_a_row_the_service_refuses_stops_the_whole_file_before_anything_is_written(
    world: Any, monkeypatch: Any
) -> None:
    """Every row is prepared by the service before the write: a refusal of the second row means
    the first is never written either, and the error names the row."""
    from django.core.exceptions import ValidationError

    real = participants.prepare_imported_participant
    calls = []

    def refuse_second(**kwargs: Any) -> Any:
        calls.append(kwargs["data"]["full_name"])
        if len(calls) == 2:
            raise ValidationError({"focus_areas": "Choose from this program's areas."})
        return real(**kwargs)

    upload(world, csv_file(person(full_name="One", phone="555-5551"), person(full_name="Two", phone="555-5552")))
    monkeypatch.setattr(participants, "prepare_imported_participant", refuse_second)  # the module the importer calls
    response = apply(world, ImportBatch.objects.get())
    assert response.status_code == 400
    assert calls == ["One", "Two"]
    assert [(e.row, e.field) for e in response.context["errors"]] == [(3, "lived_experience")]
    assert not Participant.objects.exists() and not SearchTerm.objects.exists()
    assert not AuditEntry.objects.filter(action__in=["participant.create", "import.participants"]).exists()


def test_staged_rows_are_encrypted_at_rest(world: Any) -> None:
    secrets = {"name": "Quillon Vantablack", "phone": "555-867-0042", "email": "quillon.v@example.net"}
    secrets["note"] = "marzipan-intake"
    response = upload(
        world,
        csv_file(
            person(
                full_name=secrets["name"], phone=secrets["phone"], email=secrets["email"], intake_notes=secrets["note"]
            )
        ),
    )
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert batch.rows[0]["values"]["full_name"] == secrets["name"]  # readable through the model only
    dump = dump_database()
    for value in secrets.values():
        assert value not in dump, value
    # Once applied, the staged copy is gone and the participant's own fields are encrypted.
    apply(world, batch)
    batch.refresh_from_db()
    assert batch.payload == ""
    dump = dump_database()
    for value in secrets.values():
        assert value not in dump, value


def test_supporter_rows_are_staged_encrypted_too(world: Any) -> None:
    header = ",".join(c.name for c in IMPORTERS["supporters"].columns)
    file = SimpleUploadedFile(
        "people.csv", f"{header}\nOrsolya Quench,orsolya.q@example.net,555-2468,,,,active,,,,\n".encode()
    )
    assert (
        world.client_for(world.coordinator).post("/p/riverside/exchange/import/supporters/", {"file": file}).status_code
        == 302
    )
    dump = dump_database()
    assert "Orsolya" not in dump and "orsolya.q@example.net" not in dump


def test_templates_for_participants(world: Any) -> None:
    client = world.client_for(world.coordinator)
    text = client.get("/p/riverside/exchange/templates/participants.csv").content.decode("utf-8-sig")
    assert text.splitlines()[0].split(",") == COLUMNS
    book = load_workbook(io.BytesIO(client.get("/p/riverside/exchange/templates/participants.xlsx").content))
    data, notes = book.worksheets
    assert [c.value for c in data[1]] == COLUMNS
    assert [row[0] for row in notes.iter_rows(min_row=2, max_row=len(COLUMNS) + 1, values_only=True)] == COLUMNS
    assert all(row[2] for row in notes.iter_rows(min_row=2, max_row=len(COLUMNS) + 1, values_only=True))
    # The filled-in template imports: the example row is valid as it is.
    buffer = io.BytesIO()
    book.save(buffer)
    assert upload(world, SimpleUploadedFile("filled.xlsx", buffer.getvalue())).status_code == 302


def test_the_page_explains_every_column(world: Any) -> None:
    page = world.client_for(world.coordinator).get("/p/riverside/exchange/").content.decode()
    for column in IMPORTERS["participants"].columns + IMPORTERS["supporters"].columns:
        assert f"<code>{column.name}</code>" in page
    assert "kept encrypted until you confirm" in page


def test_xlsx_participants(world: Any) -> None:
    book = Workbook()
    book.active.append(COLUMNS)
    book.active.append(["Xu Ming", None, 5550123, None, "Mandarin"] + [None] * (len(COLUMNS) - 5))
    buffer = io.BytesIO()
    book.save(buffer)
    response = upload(world, SimpleUploadedFile("list.xlsx", buffer.getvalue()))
    assert response.status_code == 302, [(e.row, e.field, e.message) for e in response.context.get("errors") or []]
    apply(world, ImportBatch.objects.get())
    assert Participant.objects.get().phone == "5550123"


def test_only_coordinators_of_the_program_import(world: Any) -> None:
    for user in (world.trainer, world.supervisor, world.supporter):
        assert world.client_for(user).post(URL, {"file": csv_file(person())}).status_code == 403
    assert world.client_for(world.outsider).post(URL, {"file": csv_file(person())}).status_code == 404
    upload(world, csv_file(person()))
    batch = ImportBatch.objects.get()
    outsider = world.client_for(world.outsider)
    assert outsider.post(f"/p/harbor/exchange/imports/{batch.pk}/apply/").status_code == 404
    assert outsider.get(f"/p/harbor/exchange/imports/{batch.pk}/").status_code == 404
    assert not Participant.objects.exists()


def test_imported_participants_without_a_consent_column_cannot_be_matched(world: Any) -> None:
    from django.core.exceptions import ValidationError

    from peerpath.support.services import matches

    response = upload(world, csv_file(person(full_name="Ivy Hale", consent_given="")))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert apply(world, ImportBatch.objects.get()).status_code == 302
    ivy = Participant.objects.get(program=world.program)
    assert not ivy.consent_given and ivy.consent_at is None
    with pytest.raises(ValidationError, match="no recorded consent"):
        matches.propose_match(actor=world.coordinator, participant=ivy, supporter=world.supporter_record)
    page = world.client_for(world.coordinator).get(f"/p/riverside/support/participants/{ivy.pk}/").content.decode()
    assert "cannot be matched yet" in page
