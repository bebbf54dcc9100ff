"""One date format per kind (short date, long date, date and time), following the language:
templates name the kind (peerpath/formats/), never an ad-hoc pattern."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from django.template import Context, Template
from django.utils import translation
from django.utils.formats import date_format, time_format

ROOT = Path(__file__).resolve().parents[2] / "peerpath"
FILTER = re.compile(r"\|\s*(date|time)\s*:\s*(\"[^\"]*\"|'[^']*'|[\w.]+)")
ALLOWED = {
    # Month-and-year and day-and-month are Django's named formats too, set per language; "c"
    # (ISO 8601) and "Y-m" (a month in a URL) are for machines, never shown.
    "date": {
        "SHORT_DATE_FORMAT",
        "DATE_FORMAT",
        "DATETIME_FORMAT",
        "YEAR_MONTH_FORMAT",
        "MONTH_DAY_FORMAT",
        "c",
        "Y-m",
    },
    "time": {"TIME_FORMAT"},
}


def templates() -> list[Path]:
    return [p for p in ROOT.rglob("*") if p.suffix in (".html", ".txt") and "templates" in p.parts]


def test_no_template_has_an_ad_hoc_date_format() -> None:
    ad_hoc = []
    for path in templates():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for kind, argument in FILTER.findall(line):
                if argument.strip("\"'") not in ALLOWED[kind]:
                    ad_hoc.append(f"{path.relative_to(ROOT)}:{number}: |{kind}:{argument}")
    assert not ad_hoc, "Use a named format (peerpath/formats/):\n" + "\n".join(ad_hoc)


def test_the_check_finds_an_ad_hoc_format() -> None:
    assert FILTER.findall('{{ when|date:"j M Y" }} {{ at|time:"H:i" }}') == [("date", '"j M Y"'), ("time", '"H:i"')]


def test_each_kind_follows_the_language() -> None:
    day = dt.date(2026, 12, 7)
    moment = dt.datetime(2026, 12, 7, 18, 5)
    with translation.override("en"):
        assert date_format(day, "SHORT_DATE_FORMAT") == "2026-12-07"
        assert date_format(day, "DATE_FORMAT") == "Monday 7 December 2026"
        assert date_format(moment, "DATETIME_FORMAT") == "2026-12-07 18:05"
        assert time_format(moment, "TIME_FORMAT") == "18:05"
    with translation.override("es"):
        assert date_format(day, "SHORT_DATE_FORMAT") == "07/12/2026"
        assert date_format(day, "DATE_FORMAT") == "lunes 7 de diciembre de 2026"
        assert date_format(moment, "DATETIME_FORMAT") == "07/12/2026 18:05"


def test_templates_use_the_named_formats() -> None:
    rendered = Template('{{ d|date:"DATE_FORMAT" }} · {{ d|date:"SHORT_DATE_FORMAT" }}').render(
        Context({"d": dt.date(2026, 12, 7)})
    )
    assert rendered == "Monday 7 December 2026 · 2026-12-07"
