"""Small report classes: a date range in, rows out, shown as a chart with its data table,
downloadable as CSV and XLSX, each deciding who may see it.

A report runs a fixed number of aggregate queries whatever the size of the program.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import ngettext

from peerpath.core.permissions import can

MAX_PERIOD_DAYS = 366 * 5


@dataclass(frozen=True)
class Period:
    """An inclusive range of dates, as chosen on the dashboard."""

    start: dt.date
    end: dt.date

    @classmethod
    def default(cls, today: dt.date | None = None) -> Period:
        today = today or timezone.localdate()
        return cls(start=today - dt.timedelta(days=364), end=today)

    @property
    def start_at(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.start, dt.time.min))

    @property
    def end_at(self) -> dt.datetime:
        """The first moment after the period (exclusive bound)."""
        return timezone.make_aware(dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min))

    def months(self) -> list[dt.date]:
        """The first day of every month the period touches."""
        months, day = [], self.start.replace(day=1)
        while day <= self.end:
            months.append(day)
            day = (day + dt.timedelta(days=32)).replace(day=1)
        return months


@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise  # gettext_lazy: read in the language of the page or the download
    kind: str = "text"  # text, int, decimal, percent, date


@dataclass(frozen=True)
class Chart:
    """How to draw the rows: ``label`` column on the axis, one series per ``series`` column."""

    kind: str  # bar, line, doughnut
    label: str
    series: tuple[str, ...]
    stacked: bool = False
    horizontal: bool = False


@dataclass
class ReportResult:
    report: Report
    rows: list[dict[str, Any]]
    summary: str = ""
    notes: list[str] = field(default_factory=list)
    computed_at: dt.datetime | None = None

    def to_cache(self) -> dict[str, Any]:
        """Plain data to keep in the cache (the report class is found again by its slug)."""
        return {"rows": self.rows, "summary": self.summary, "notes": self.notes, "computed_at": self.computed_at}

    @classmethod
    def from_cache(cls, report: Report, data: dict[str, Any]) -> ReportResult:
        return cls(report=report, **data)

    def chart_data(self) -> dict[str, Any] | None:
        chart = self.report.chart
        if chart is None or not self.rows:
            return None
        labels = {c.key: str(c.label) for c in self.report.columns}
        return {
            "kind": chart.kind,
            "stacked": chart.stacked,
            "horizontal": chart.horizontal,
            "labels": [str(row[chart.label]) for row in self.rows],
            "series": [
                {"label": labels[key], "data": [_number(row.get(key)) for row in self.rows]} for key in chart.series
            ],
        }

    def table(self) -> list[list[Any]]:
        return [[row.get(c.key) for c in self.report.columns] for row in self.rows]


def _number(value: Any) -> float | int | None:
    """A value to plot; text such as "fewer than 5" (a suppressed count) is left off the chart."""
    if value is None or isinstance(value, str):
        return None
    return value if isinstance(value, int) else float(value)


class Report:
    """Subclass and set the class attributes; implement ``rows``."""

    slug: ClassVar[str]
    # gettext_lazy, so each reader sees them in their own language; rows, summaries and notes are
    # written with gettext while the report runs, in the language the cache key names (reports.cache).
    title: ClassVar[str | Promise]
    description: ClassVar[str | Promise] = ""
    action: ClassVar[str] = "reports.view"
    columns: ClassVar[list[Column]]
    chart: ClassVar[Chart | None] = None
    order: ClassVar[int] = 100  # place on the dashboard, smallest first

    def rows(self, program: Any, period: Period) -> list[dict[str, Any]]:
        raise NotImplementedError

    def summary(self, rows: list[dict[str, Any]]) -> str:
        """One sentence for screen readers describing what the chart shows."""
        return ngettext("%(title)s: %(n)s row.", "%(title)s: %(n)s rows.", len(rows)) % {
            "title": self.title,
            "n": len(rows),
        }

    def notes(self, program: Any, period: Period, rows: list[dict[str, Any]]) -> list[str]:
        """Sentences shown under the summary (e.g. how small numbers are hidden)."""
        return []

    def run(self, program: Any, period: Period) -> ReportResult:
        rows = self.rows(program, period)
        return ReportResult(
            report=self,
            rows=rows,
            summary=self.summary(rows),
            notes=self.notes(program, period, rows),
            computed_at=timezone.now(),
        )

    @classmethod
    def is_available_to(cls, membership: Any) -> bool:
        return can(membership, cls.action)


REPORTS: dict[str, type[Report]] = {}


def register(report: type[Report]) -> type[Report]:
    REPORTS[report.slug] = report
    return report


def ordered_reports() -> list[type[Report]]:
    return sorted(REPORTS.values(), key=lambda report: (report.order, report.slug))


def percent(part: int | float, whole: int | float) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def aware(day: dt.date) -> dt.datetime:
    """The first moment of a day in the current time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def as_date(value: Any) -> dt.date:
    """A date from what TruncMonth and friends return (a date, or a datetime on some databases)."""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def month_label(month: dt.date) -> str:
    return month.strftime("%Y-%m")


def by_month(rows: Any, key: str = "month") -> dict[dt.date, dict[str, Any]]:
    """Aggregate rows keyed by the first day of their month."""
    return {as_date(row[key]).replace(day=1): row for row in rows}


def monthly_rows(period: Period, found: dict[dt.date, dict[str, Any]], keys: list[str]) -> list[dict[str, Any]]:
    """One row per month of the period, with zeros where nothing happened."""
    return [
        {"month": month_label(month), **{k: (found.get(month) or {}).get(k) or 0 for k in keys}}
        for month in period.months()
    ]
