"""CSV and XLSX files for any table of rows: reports, list pages, archives."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
    return value


def _safe_text(value: Any) -> Any:
    """Neutralise spreadsheet formulas in text cells (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_safe_text(_cell(v)) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: spreadsheet apps read UTF-8 correctly


def xlsx_bytes(headers: Sequence[str], rows: Iterable[Sequence[Any]], title: str = "Data") -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31] or "Data"
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_safe_text(_cell(v)) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def download(filename: str, fmt: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    if fmt == "xlsx":
        response = HttpResponse(xlsx_bytes(headers, rows, title=filename), content_type=XLSX_TYPE)
    else:
        fmt = "csv"
        response = HttpResponse(csv_bytes(headers, rows), content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


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
