"""The series laid out with dateutil's rrule: each frequency, the nth and last weekday, the
group's own dates, and wall-clock times kept across a daylight-saving change."""

from __future__ import annotations

import datetime as dt

from django.test import override_settings
from django.utils import timezone

from peerpath.groups.models import Frequency, Group, Nth, Weekday
from peerpath.groups.schedule import describe, occurrences


def series(**values: object) -> Group:
    defaults: dict[str, object] = {
        "frequency": Frequency.WEEKLY,
        "weekday": Weekday.TUESDAY,
        "nth": Nth.FIRST,
        "starts_on": dt.date(2026, 1, 1),
        "ends_on": None,
        "start_time": dt.time(18, 30),
        "duration_minutes": 90,
    }
    defaults.update(values)
    return Group(**defaults)


def days(group: Group, start: dt.date, end: dt.date) -> list[dt.date]:
    return [timezone.localtime(m).date() for m in occurrences(group, start, end)]


def test_weekly_and_every_other_week() -> None:
    jan = (dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    assert days(series(), *jan) == [dt.date(2026, 1, d) for d in (6, 13, 20, 27)]
    assert days(series(frequency=Frequency.FORTNIGHTLY), *jan) == [dt.date(2026, 1, 6), dt.date(2026, 1, 20)]
    assert describe(series()) == "Every week on Tuesday at 18:30"


def test_monthly_on_the_nth_and_the_last_weekday_and_quarterly() -> None:
    year = (dt.date(2026, 1, 1), dt.date(2026, 4, 30))
    second_thursday = series(frequency=Frequency.MONTHLY, weekday=Weekday.THURSDAY, nth=Nth.SECOND)
    assert days(second_thursday, *year) == [
        dt.date(2026, 1, 8),
        dt.date(2026, 2, 12),
        dt.date(2026, 3, 12),
        dt.date(2026, 4, 9),
    ]
    last_friday = series(frequency=Frequency.QUARTERLY, weekday=Weekday.FRIDAY, nth=Nth.LAST)
    assert days(last_friday, dt.date(2026, 1, 1), dt.date(2026, 12, 31)) == [
        dt.date(2026, 1, 30),
        dt.date(2026, 4, 24),
        dt.date(2026, 7, 31),
        dt.date(2026, 10, 30),
    ]
    assert describe(second_thursday) == "Every month on the second Thursday at 18:30"


def test_the_groups_own_dates_bound_the_series() -> None:
    group = series(starts_on=dt.date(2026, 1, 10), ends_on=dt.date(2026, 1, 25))
    assert days(group, dt.date(2026, 1, 1), dt.date(2026, 3, 1)) == [dt.date(2026, 1, 13), dt.date(2026, 1, 20)]
    once = series(frequency=Frequency.ONCE, starts_on=dt.date(2026, 2, 3))
    assert days(once, dt.date(2026, 1, 1), dt.date(2026, 3, 1)) == [dt.date(2026, 2, 3)]
    assert days(once, dt.date(2026, 2, 4), dt.date(2026, 3, 1)) == []


@override_settings(TIME_ZONE="America/New_York")
def test_the_wall_clock_time_holds_across_daylight_saving() -> None:
    moments = occurrences(series(), dt.date(2026, 3, 1), dt.date(2026, 3, 20))  # DST starts 8 March 2026
    local = [timezone.localtime(m) for m in moments]
    assert [(m.hour, m.minute) for m in local] == [(18, 30)] * 3
    assert local[0].utcoffset() != local[-1].utcoffset()
