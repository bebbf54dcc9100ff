"""Dates and sums the report tests share."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from peerpath.reports.base import Period

TODAY = timezone.localdate()
# The period most tests count: the last 60 days. Rows dated 200 days ago are outside it.
PERIOD = Period(TODAY - dt.timedelta(days=60), TODAY)


def days_ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


def moment(days: int, hour: int = 12) -> dt.datetime:
    """A time ``days`` ago (noon, so that it falls on that local date)."""
    return timezone.make_aware(dt.datetime.combine(days_ago(days), dt.time(hour)))


def month_of(day: dt.date) -> str:
    return day.strftime("%Y-%m")


def total(rows: list[dict[str, Any]], key: str) -> Any:
    return sum(row[key] for row in rows)
