"""Report tests build small data by hand; the cache is emptied so no figure is left from another test."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from peerpath.reports.base import Period


@pytest.fixture(autouse=True)
def _empty_report_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


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
