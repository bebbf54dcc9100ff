"""An import holds the write lock briefly (issue 12, item 5): the file is read, checked and built
before the write transaction starts, which then only inserts, in bulk.

Every statement the confirmation runs is recorded with the transaction block it ran in
(`tests/write_blocks.py`). The block that inserts the rows must read next to nothing and run a
number of statements that does not grow with the file: an import that went back to checking or
saving row by row inside it fails here.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from peerpath.core.models import AuditEntry
from peerpath.exchange.importers import IMPORTERS
from peerpath.exchange.models import ImportBatch
from peerpath.programs.models import FocusArea
from peerpath.recruitment.models import StageChange, Supporter
from peerpath.support.models import Participant, SearchTerm
from tests.write_blocks import blocks_writing, reads, statements_by_block

pytestmark = pytest.mark.django_db
ROWS = 120


def participant_row(i: int) -> dict[str, str]:
    return {
        "full_name": f"Imported Person {i}",
        "email": f"imported.{i}@example.net",
        "phone": f"555-{i:07d}",
        "languages": "English; Spanish",
        "lived_experience": "Grief and loss",
        "consent_given": "yes",
        "consent_scope": "To be called by a peer supporter.",
        "waiting_since": "2025-01-15",
        "intake_notes": f"Intake note {i}",
    }


def supporter_row(i: int) -> dict[str, str]:
    return {
        "full_name": f"Imported Supporter {i}",
        "email": f"imported.supporter.{i}@example.net",
        "languages": "English",
        "lived_experience": "Grief and loss",
        "stage": "active",
        "since": "2024-03-01",
    }


def stage(world: Any, kind: str, rows: list[dict[str, str]]) -> ImportBatch:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=[c.name for c in IMPORTERS[kind].columns])
    writer.writeheader()
    writer.writerows(rows)
    file = SimpleUploadedFile(f"{kind}.csv", buffer.getvalue().encode())
    response = world.client_for(world.coordinator).post(f"/p/riverside/exchange/import/{kind}/", {"file": file})
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportBatch.objects.get(kind=kind)


def the_writing_block(blocks: dict[Any, list[str]], table: str) -> list[str]:
    writing = blocks_writing(blocks, table)
    assert len(writing) == 1, f"the rows are written in {len(writing)} transactions, not one"
    return writing[0]


def assert_brief(block: list[str], rows: int) -> None:
    # The batch (locked against a second click) and the few rows the confirmation itself touches;
    # with the checks inside, there would be a read for every row.
    assert len(reads(block)) <= 4, reads(block)
    assert len(block) <= 20, f"{len(block)} statements for {rows} rows inside the write transaction"


@pytest.mark.parametrize("kind", ["participants", "supporters"])
def test_an_import_takes_the_write_lock_only_to_insert_its_rows(world: Any, kind: str) -> None:
    FocusArea.objects.create(program=world.program, name="Grief and loss")
    make = participant_row if kind == "participants" else supporter_row
    batch = stage(world, kind, [make(i) for i in range(ROWS)])
    client = world.client_for(world.coordinator)
    with statements_by_block() as blocks:
        response = client.post(f"/p/riverside/exchange/imports/{batch.pk}/apply/")
    assert response.status_code == 302
    outside = blocks.get(None, [])
    if kind == "participants":
        assert Participant.objects.filter(program=world.program).count() == ROWS
        assert SearchTerm.objects.count() >= 3 * ROWS
        assert AuditEntry.objects.filter(action="participant.create").count() == ROWS
        block = the_writing_block(blocks, "support_participant")
        # The rows were checked against the database (duplicates by the blind index) before it.
        assert any('FROM "support_searchterm"' in s for s in outside)
        assert not any('FROM "support_searchterm"' in s for s in block)
    else:
        people = Supporter.objects.filter(program=world.program, email__startswith="imported.")
        assert people.count() == ROWS
        assert StageChange.objects.filter(supporter__in=people).count() == ROWS
        assert AuditEntry.objects.filter(action="supporter.import").count() == ROWS
        block = the_writing_block(blocks, "recruitment_supporter")
        assert any('FROM "recruitment_supporter"' in s for s in outside)  # e-mails checked before
    assert_brief(block, ROWS)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.APPLIED


def test_the_check_catches_an_import_that_checks_its_rows_inside_the_transaction(world: Any, monkeypatch: Any) -> None:
    """The same import, but checked and built inside the write transaction (as before issue 12):
    the check above fails on it, so it would fail on a return to that."""
    from peerpath.exchange.reading import Row

    importer = IMPORTERS["participants"]
    real_stage = importer.stage

    def nothing_before(**kwargs: Any) -> tuple[None, list[Any]]:
        return None, []

    def check_then_write(*, actor: Any, program: Any, staged: Any, source: str) -> int:
        rows = [Row(r["number"], r["values"]) for r in ImportBatch.objects.get().rows]
        built, errors = real_stage(actor=actor, program=program, rows=rows, source=source)
        assert not errors
        return importer.write(actor=actor, program=program, built=built, source=source)

    FocusArea.objects.create(program=world.program, name="Grief and loss")
    batch = stage(world, "participants", [participant_row(i) for i in range(ROWS)])
    monkeypatch.setattr(importer, "stage", nothing_before)
    monkeypatch.setattr(importer, "commit", check_then_write)
    with statements_by_block() as blocks:
        response = world.client_for(world.coordinator).post(f"/p/riverside/exchange/imports/{batch.pk}/apply/")
    assert response.status_code == 302
    assert Participant.objects.count() == ROWS
    with pytest.raises(AssertionError):
        assert_brief(the_writing_block(blocks, "support_participant"), ROWS)
