"""A group's recurring series, laid out with python-dateutil's ``rrule`` (RFC 5545 recurrence):
weekly, every other week, monthly or quarterly on the nth weekday, or once. Times are the
program's local wall-clock time (settings.TIME_ZONE), so a weekly 18:00 group stays at 18:00
across daylight-saving changes."""

from __future__ import annotations

import datetime as dt

from dateutil.rrule import MONTHLY, WEEKLY, rrule, weekday
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from peerpath.groups.models import Frequency, Group


def occurrences(group: Group, start: dt.date, end: dt.date) -> list[dt.datetime]:
    """The series' start times (aware, local) from ``start`` to ``end`` (inclusive dates),
    within the group's own first and last dates."""
    first = max(start, group.starts_on)
    last = min(end, group.ends_on) if group.ends_on else end
    if first > last:
        return []
    tz = timezone.get_current_timezone()
    anchor = dt.datetime.combine(group.starts_on, group.start_time)
    until = dt.datetime.combine(last, group.start_time)
    day = weekday(group.weekday)
    if group.frequency == Frequency.ONCE:
        naive = [anchor] if first <= group.starts_on <= last else []
    elif group.frequency in (Frequency.WEEKLY, Frequency.FORTNIGHTLY):
        interval = 2 if group.frequency == Frequency.FORTNIGHTLY else 1
        # Counted from the first such weekday on or after the first date, so every other week
        # starts with that week (rrule would count from the first date's own calendar week).
        first_day = anchor + dt.timedelta(days=(group.weekday - group.starts_on.weekday()) % 7)
        naive = list(rrule(WEEKLY, interval=interval, byweekday=day, dtstart=first_day, until=until))
    else:
        interval = 3 if group.frequency == Frequency.QUARTERLY else 1
        naive = list(rrule(MONTHLY, interval=interval, byweekday=day(group.nth), dtstart=anchor, until=until))
    return [timezone.make_aware(moment, tz) for moment in naive if moment.date() >= first]


def describe(group: Group) -> str:
    """The series in words: 'Every week on Tuesday at 18:00'."""
    day = group.get_weekday_display()
    at = group.start_time.strftime("%H:%M")
    if group.frequency == Frequency.ONCE:
        return _("%(date)s at %(at)s") % {"date": date_format(group.starts_on, "DATE_FORMAT"), "at": at}
    if group.frequency in (Frequency.MONTHLY, Frequency.QUARTERLY):
        every = _("Every month") if group.frequency == Frequency.MONTHLY else _("Every three months")
        return _("%(every)s on the %(nth)s %(day)s at %(at)s") % {
            "every": every,
            "nth": group.get_nth_display().lower(),
            "day": day,
            "at": at,
        }
    every = _("Every week") if group.frequency == Frequency.WEEKLY else _("Every other week")
    return _("%(every)s on %(day)s at %(at)s") % {"every": every, "day": day, "at": at}
