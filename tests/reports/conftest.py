"""Report tests build small data by hand; the cache is emptied so no figure is left from another
test. Their shared dates and sums are in tests/reports/helpers.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache

from tests.reports.helpers import PERIOD, TODAY, days_ago, moment, month_of, total  # noqa: F401 (the old layout)


@pytest.fixture(autouse=True)
def _empty_report_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()
