"""Reading uploaded CSV and XLSX files into numbered rows of text."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl import load_workbook

MAX_ROWS = 20_000
MAX_BYTES = 10 * 1024 * 1024


@dataclass
class Row:
    number: int  # as the spreadsheet shows it: the header is row 1
    values: dict[str, str]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_table(filename: str, content: bytes, expected: list[str]) -> list[Row]:
    """Rows keyed by lower-case header. Raises ValidationError for an unreadable file or
    missing columns; row-level problems are the importer's business."""
    if len(content) > MAX_BYTES:
        raise ValidationError(_("The file is larger than 10 MB; split it into smaller files."))
    name = filename.lower()
    if name.endswith(".xlsx"):
        try:
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
        except Exception as error:  # openpyxl raises many kinds for a damaged file
            raise ValidationError(_("This is not a readable XLSX file.")) from error
        table = [[_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    elif name.endswith(".csv"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ValidationError(_("Save the CSV file as UTF-8 and upload it again.")) from error
        table = [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text))]
    else:
        raise ValidationError(_("Upload a .csv or .xlsx file."))
    if not table or not any(table[0]):
        raise ValidationError(_("The file is empty: the first row must name the columns."))
    headers = [h.strip().lower() for h in table[0]]
    missing = [c for c in expected if c not in headers]
    if missing:
        raise ValidationError(
            ngettext("Missing column: %(columns)s.", "Missing columns: %(columns)s.", len(missing))
            % {"columns": ", ".join(missing)}
        )
    rows = []
    for index, cells in enumerate(table[1:], start=2):
        if not any(cells):
            continue
        cells = cells + [""] * (len(headers) - len(cells))
        rows.append(Row(index, {h: cells[i] for i, h in enumerate(headers) if h}))
    if len(rows) > MAX_ROWS:
        raise ValidationError(_("At most %(MAX_ROWS)s rows per file.") % {"MAX_ROWS": MAX_ROWS})
    if not rows:
        raise ValidationError(_("The file has a header but no rows."))
    return rows
