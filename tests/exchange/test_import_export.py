from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from peerpath.core.models import AuditEntry
from peerpath.exchange.models import ImportBatch
from peerpath.programs.models import FocusArea, Membership
from peerpath.recruitment.models import Stage, StageChange, Supporter

pytestmark = pytest.mark.django_db
HEADER = (
    "full_name,email,phone,preferred_contact,languages,lived_experience,stage,source,supervisor_email,since,"
    "create_account"
)


def csv_file(*lines: str, name: str = "people.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, ("\n".join([HEADER, *lines]) + "\n").encode())


def upload(world: Any, file: Any) -> Any:
    return world.client_for(world.coordinator).post("/p/riverside/exchange/import/supporters/", {"file": file})


def test_template_downloads(world: Any) -> None:
    client = world.client_for(world.coordinator)
    text = client.get("/p/riverside/exchange/templates/supporters.csv").content.decode("utf-8-sig")
    assert text.splitlines()[0] == HEADER
    book = load_workbook(io.BytesIO(client.get("/p/riverside/exchange/templates/supporters.xlsx").content))
    assert book.active["A1"].value == "full_name"
    assert client.get("/p/riverside/exchange/templates/nothing.csv").status_code == 404


def test_preview_then_confirm_imports_every_row(world: Any) -> None:
    FocusArea.objects.create(program=world.program, name="Grief")
    response = upload(
        world,
        csv_file(
            "Alex Morgan,Alex@Example.org,555,phone,English; Spanish,grief,active,clinician,"
            f"{world.supervisor.email},2024-03-01,yes",
            "Bo Chen,bo@example.org,,,,,In training,,,,no",
        ),
    )
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert not Supporter.objects.filter(email="alex@example.org").exists()  # nothing before confirmation
    preview = world.client_for(world.coordinator).get(response.url).content.decode()
    assert "2 rows checked, no problems found" in preview and "Alex Morgan" in preview
    assert (
        world.client_for(world.coordinator).post(f"/p/riverside/exchange/imports/{batch.pk}/apply/").status_code == 302
    )
    alex = Supporter.objects.get(program=world.program, email="alex@example.org")
    assert (
        alex.stage == Stage.ACTIVE and alex.supervisor == world.supervisor and alex.languages == ["English", "Spanish"]
    )
    assert [a.name for a in alex.focus_areas.all()] == ["Grief"]
    assert StageChange.objects.get(supporter=alex).created_at.date().isoformat() == "2024-03-01"
    assert Membership.objects.get(user__email="alex@example.org", program=world.program).is_supporter
    assert mail.outbox[-1].to == ["alex@example.org"]
    assert Supporter.objects.get(email="bo@example.org").stage == Stage.IN_TRAINING
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.APPLIED and batch.rows == []
    assert AuditEntry.objects.filter(action="import.supporters").exists()
    # Applying twice does nothing more.
    world.client_for(world.coordinator).post(f"/p/riverside/exchange/imports/{batch.pk}/apply/")
    assert Supporter.objects.filter(email="alex@example.org").count() == 1


def test_bad_rows_are_listed_with_row_and_column_and_nothing_is_saved(world: Any) -> None:
    before = Supporter.objects.count()
    response = upload(
        world,
        csv_file(
            "Good Person,good@example.org,,,,,active,,,,",
            "No Mail,not-an-email,,,,,active,,,,",
            "Wrong Stage,ws@example.org,,,,,astronaut,,,,",
            f"Dup,{world.supporter.email},,,,,active,,,,",
            "Twice,good@example.org,,,,,active,,,,",
            "Late,late@example.org,,,,,active,,,2999-01-01,",
            "Area,area@example.org,,,,Unknown area,active,,,,",
            "Boss,boss@example.org,,,,,active,,nobody@example.org,,",
            ",missing@example.org,,,,,,,,,",
        ),
    )
    assert response.status_code == 400
    errors = {(e.row, e.field) for e in response.context["errors"]}
    assert errors == {
        (3, "email"),
        (4, "stage"),
        (5, "email"),
        (6, "email"),
        (7, "since"),
        (8, "lived_experience"),
        (9, "supervisor_email"),
        (10, "full_name"),
        (10, "stage"),
    }
    assert "nothing was imported" in response.content.decode()
    assert Supporter.objects.count() == before and not ImportBatch.objects.exists()


def test_a_row_that_became_invalid_before_confirmation_stops_the_whole_import(world: Any) -> None:
    response = upload(world, csv_file("A,a@example.org,,,,,active,,,,", "B,b@example.org,,,,,active,,,,"))
    batch = ImportBatch.objects.get()
    Supporter.objects.create(program=world.program, full_name="B", email="b@example.org")
    client = world.client_for(world.coordinator)
    assert client.post(f"/p/riverside/exchange/imports/{batch.pk}/apply/").status_code == 400
    assert not Supporter.objects.filter(email="a@example.org").exists()
    assert response.status_code == 302


def test_xlsx_upload(world: Any) -> None:
    book = Workbook()
    book.active.append(HEADER.split(","))
    book.active.append(["Xi", "xi@example.org", None, None, None, None, "alumni", None, None, None, None])
    buffer = io.BytesIO()
    book.save(buffer)
    response = upload(world, SimpleUploadedFile("people.xlsx", buffer.getvalue()))
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (SimpleUploadedFile("x.txt", b"hello"), "Upload a .csv or .xlsx file."),
        (SimpleUploadedFile("x.xlsx", b"not a workbook"), "not a readable XLSX file"),
        (SimpleUploadedFile("x.csv", b"name,email\nA,a@example.org\n"), "Missing columns"),
        (SimpleUploadedFile("x.csv", HEADER.encode() + b"\n"), "no rows"),
        (SimpleUploadedFile("x.csv", b"\xff\xfe\x00bad"), "UTF-8"),
    ],
)
def test_unreadable_files_are_explained(world: Any, file: Any, message: str) -> None:
    response = upload(world, file)
    assert response.status_code == 400 and message in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_discard_and_foreign_batches(world: Any) -> None:
    upload(world, csv_file("A,a@example.org,,,,,active,,,,"))
    batch = ImportBatch.objects.get()
    outsider = world.client_for(world.outsider)
    assert outsider.get(f"/p/harbor/exchange/imports/{batch.pk}/").status_code == 404
    world.client_for(world.coordinator).post(f"/p/riverside/exchange/imports/{batch.pk}/discard/")
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DISCARDED and batch.rows == []


def test_list_pages_export_what_they_show(world: Any) -> None:
    client = world.client_for(world.coordinator)
    Supporter.objects.create(program=world.program, full_name="Zed Applicant", email="zed@example.org")
    rows = list(
        csv.reader(
            io.StringIO(client.get("/p/riverside/recruitment/?stage=applicant&export=csv").content.decode("utf-8-sig"))
        )
    )
    assert rows[0][0] == "Name" and [r[0] for r in rows[1:]] == ["Zed Applicant"]
    book = load_workbook(io.BytesIO(client.get("/p/riverside/members/?export=xlsx").content))
    assert book.active["A1"].value == "Name" and book.active.max_row == 5
    audit_csv = client.get("/p/riverside/audit/?export=csv").content.decode("utf-8-sig")
    assert audit_csv.startswith("When,Who,Action")


def test_formulas_in_exported_text_are_neutralised(world: Any) -> None:
    Supporter.objects.create(program=world.program, full_name="=HYPERLINK(evil)", email="evil@example.org")
    text = world.client_for(world.coordinator).get("/p/riverside/recruitment/?export=csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK(evil)" in text
