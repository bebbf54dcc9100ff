"""Every file of rows PeerPath writes (CSV, XLSX, the archive's CSV files) goes through this module.

It is the one writer: each cell, headers included, passes `neutralise`, so text a spreadsheet
would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is
written with a leading ``'`` and shows as the text it is. `tests/test_architecture.py` fails when
any other module writes CSV or builds a workbook, and `tests/core/test_downloads.py` fills every
text field with formula payloads and opens every download the pages offer.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpResponse, HttpResponseBase
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# What a spreadsheet reads as the start of a formula (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def neutralise(value: Any) -> Any:
    """Text that would start a formula, with a leading ``'``; a plain number ("-5") stays as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _is_number(value):
        return "'" + value
    return value


def _cell(value: Any) -> Any:
    if isinstance(value, (list, tuple, set)):
        return "; ".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None:
        return ""
    if isinstance(value, Promise):  # a translated label: in the language of whoever downloads
        return str(value)
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    """A row's values as cells: lists joined, dates in ISO form, formulas neutralised."""
    return [neutralise(_cell(v)) for v in row]


class CsvWriter:
    """A CSV writer onto a text buffer that neutralises every cell it writes (for streaming)."""

    def __init__(self, buffer: Any) -> None:
        self._writer = csv.writer(buffer)

    def writerow(self, row: Iterable[Any]) -> None:
        """Write values already converted to text or numbers (formulas are neutralised here)."""
        self._writer.writerow([neutralise(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_bytes(headers: Sequence[Any], rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = CsvWriter(buffer)
    writer.writerow(safe_row(headers))
    writer.writerows(safe_row(row) for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: spreadsheet apps read UTF-8 correctly


@dataclass
class Sheet:
    """One sheet of a workbook: a bold first row (the headers), then the rows."""

    title: str
    rows: Iterable[Sequence[Any]]
    widths: dict[int, int] = field(default_factory=dict)  # column number (from 1) -> width
    freeze_header: bool = False


def workbook_bytes(sheets: Sequence[Sheet]) -> bytes:
    """An XLSX workbook of these sheets, every cell neutralised."""
    book = Workbook()
    book.remove(book.active)
    for spec in sheets:
        sheet = book.create_sheet(spec.title[:31] or "Data")
        for index, row in enumerate(spec.rows):
            sheet.append(safe_row(row))
            if index == 0:
                for cell in sheet[1]:
                    cell.font = Font(bold=True)
        for column, width in spec.widths.items():
            sheet.column_dimensions[get_column_letter(column)].width = width
        if spec.freeze_header:
            sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_bytes(headers: Sequence[Any], rows: Iterable[Sequence[Any]], title: str = "Data") -> bytes:
    return workbook_bytes([Sheet(title=title, rows=[headers, *rows])])


UNSAFE_IN_FILENAME = re.compile(r"[^\w.-]+")


def safe_filename(name: str, default: str = "download") -> str:
    """A file name fit for a header: letters (any script), digits, dot, hyphen and underscore only
    (record text such as an identifier or an uploaded file's name can hold quotes or line breaks)."""
    cleaned = UNSAFE_IN_FILENAME.sub("-", name).strip("-.")[:150]
    return cleaned or default


def as_download[R: HttpResponseBase](response: R, filename: str, *, inline: bool = False) -> R:
    """Mark any response as a file to save (or, inline, to open) under a safe name. Every download
    is named here, and the no-store rule (peerpath.core.middleware) keys on the header it sets."""
    header = content_disposition_header(not inline, safe_filename(filename))
    assert header is not None  # a file name is always given
    response["Content-Disposition"] = header
    return response


def attachment(content: bytes, filename: str, content_type: str) -> HttpResponse:
    """A file download of content already written by this module."""
    return as_download(HttpResponse(content, content_type=content_type), filename)


def download(filename: str, fmt: str, headers: Sequence[Any], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    if fmt == "xlsx":
        return attachment(xlsx_bytes(headers, rows, title=filename), f"{filename}.xlsx", XLSX_TYPE)
    return attachment(csv_bytes(headers, rows), f"{filename}.csv", CSV_TYPE)


def requested_format(request: Any) -> str | None:
    """'csv' or 'xlsx' when a list page is asked for a download of what it shows (?export=csv)."""
    fmt = request.GET.get("export")
    return fmt if fmt in ("csv", "xlsx") else None


@dataclass
class Table:
    """A list page's rows as a download: column headers, rows, and the participants it names
    (their ids, for the audit entry every export of participant data leaves)."""

    headers: list[str]
    rows: list[list[Any]]
    participant_ids: list[int] = field(default_factory=list)


def download_table(filename: str, fmt: str, table: Table) -> HttpResponse:
    return download(filename, fmt, table.headers, table.rows)
