"""A coordinator brings in their old participant list: a file with a mistake is refused with
the row and column, the corrected file is previewed, confirmed and the people are on the
waiting list; then the whole program is downloaded as an archive."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest

from peerpath.exchange.importers import IMPORTERS
from peerpath.support.models import Participant
from tests.e2e.helpers import login
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def write_file(tmp_path: Path, name: str, *rows: str) -> str:
    header = ",".join(c.name for c in IMPORTERS["participants"].columns)
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return str(path)


def row(name: str, phone: str, languages: str = "English") -> str:
    values = {c.name: "" for c in IMPORTERS["participants"].columns}
    values.update({"full_name": name, "phone": phone, "languages": languages})
    return ",".join(values.values())


def test_import_participants_and_download_the_archive(
    page: Any, a11y: Any, live_server: Any, world: Any, tmp_path: Path
) -> None:
    login(page, a11y, world.coordinator.email, PASSWORD)
    page.get_by_role("link", name="Import & export").first.click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert page.locator("h1").inner_text() == "Import and export"

    section = page.locator("section", has=page.get_by_role("heading", name="Import participants"))
    section.get_by_label("CSV or XLSX file").set_input_files(
        write_file(tmp_path, "old-list.csv", row("Rosa Marquez", "555-0101"), row("Sam Li", "555-0102", languages=""))
    )
    section.get_by_role("button", name="Check the participants file").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert "nothing was imported" in page.content()
    problems = page.get_by_role("table", name="Problems by row")
    assert "languages" in problems.inner_text() and "3" in problems.inner_text()
    assert not Participant.objects.exists()

    page.get_by_role("link", name="Upload a corrected file").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    section = page.locator("section", has=page.get_by_role("heading", name="Import participants"))
    section.get_by_label("CSV or XLSX file").set_input_files(
        write_file(tmp_path, "old-list.csv", row("Rosa Marquez", "555-0101"), row("Sam Li", "555-0102"))
    )
    section.get_by_role("button", name="Check the participants file").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert "2 rows checked, no problems found" in page.content()
    assert not Participant.objects.exists()
    page.get_by_role("button", name="Import 2 rows").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert "Imported 2 rows of participants from old-list.csv" in page.content()
    assert sorted(p.full_name for p in Participant.objects.all()) == ["Rosa Marquez", "Sam Li"]

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the archive").click()
    archive = zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert "Rosa Marquez" in archive.read("participants.csv").decode("utf-8-sig")
    assert "data_dictionary.csv" in archive.namelist()

    page.goto("/p/riverside/support/participants/?status=waiting")
    a11y.check(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    listed = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "Rosa Marquez" in listed and "Sam Li" in listed
