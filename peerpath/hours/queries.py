"""Page queries of the service-hours ledger: a bounded number of queries per page (one per
ledger source, plus the page's own rows), whatever the size of the program."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from peerpath.groups.models import Attendance, SessionStatus
from peerpath.hours import ledger
from peerpath.hours.ledger import Entry, Scope, Totals, as_hours
from peerpath.hours.models import DutyStatus, HoursSettings, Kind, OtherDuty
from peerpath.programs.models import Program
from peerpath.recruitment.models import Supporter
from peerpath.support.models import Contact

YEARS_SHOWN = 5


def years(today: dt.date | None = None) -> list[int]:
    """The years a ledger page offers, this year first."""
    year = (today or timezone.localdate()).year
    return list(range(year, year - YEARS_SHOWN, -1))


@dataclass
class MonthRow:
    month: dt.date
    totals: Totals

    @property
    def hours_by_kind(self) -> list[Decimal]:
        return self.totals.hours_by_kind()


def kinds() -> list[tuple[str, str]]:
    return [(str(k.value), str(k.label)) for k in Kind]


def goal_progress(hours: Decimal, settings: HoursSettings) -> int | None:
    """Percent of the yearly goal reached (capped at 100), or None without a goal."""
    if not settings.yearly_goal_hours:
        return None
    return min(100, int(hours * 100 / settings.yearly_goal_hours))


def supporter_ledger(
    supporter: Supporter, settings: HoursSettings, year: int, month: dt.date | None = None
) -> dict[str, Any]:
    """One supporter's ledger in a year: hours by month and kind, the year's total against the
    program's goal, people supported (this year and all time), and the entries of one month
    (each saying where it came from). One query per ledger source."""
    every = ledger.entries(Scope(supporter.program, [supporter.pk]))
    in_year = [e for e in every if e.day.year == year]
    months = ledger.by_month(in_year)
    rows = [MonthRow(dt.date(year, m, 1), months.get(dt.date(year, m, 1), Totals())) for m in range(1, 13)]
    year_totals = Totals()
    for entry in in_year:
        year_totals.add(entry)
    shown_month = month if month is not None and month.year == year else None
    if shown_month is None and in_year:
        shown_month = ledger.month_of(in_year[-1].day)  # the latest month with service
    month_entries = [e for e in in_year if shown_month is not None and ledger.month_of(e.day) == shown_month]
    one_to_one = [e for e in every if e.kind == Kind.ONE_TO_ONE]
    return {
        "rows": rows,
        "year": year,
        "year_totals": year_totals,
        "goal": settings.yearly_goal_hours,
        "progress": goal_progress(year_totals.hours, settings),
        "people_year": len(ledger.everyone_reached(in_year)),
        "people_ever": len(ledger.everyone_reached(every)),
        "group_members_year": len(ledger.group_members_reached(in_year)),
        "drop_ins_year": sum(e.drop_ins for e in in_year),
        "contacts_year": sum(1 for e in in_year if e.kind == Kind.ONE_TO_ONE),
        "hours_ever": as_hours(sum(e.minutes for e in every)),
        "one_to_one_ever": as_hours(sum(e.minutes for e in one_to_one)),
        "shown_month": shown_month,
        "month_entries": list(reversed(month_entries)),
        "year_entries": in_year,
        "kinds": kinds(),
    }


@dataclass
class LedgerRow:
    supporter: Supporter
    totals: Totals
    progress: int | None


def ledger_rows(
    program: Program, people: Iterable[Supporter], settings: HoursSettings, year: int, among: QuerySet[Supporter]
) -> list[LedgerRow]:
    """Each supporter's hours by kind in a year, with their progress toward the goal. The
    entries are read for everyone ``among`` (the list's whole query, as a subquery) so a page
    costs the same queries whoever is on it."""
    people = list(people)
    scope = Scope(program, among.values("pk"), dt.date(year, 1, 1), dt.date(year, 12, 31))
    totals = ledger.by_supporter(ledger.entries(scope))
    rows = []
    for person in people:
        found = totals.get(person.pk, Totals())
        rows.append(LedgerRow(person, found, goal_progress(found.hours, settings)))
    return rows


def duties_awaiting(program: Program) -> QuerySet[OtherDuty]:
    return (
        OtherDuty.objects.filter(program=program, status=DutyStatus.SUBMITTED)
        .select_related("supporter")
        .order_by("created_at", "id")
    )


def duties_reviewed(program: Program) -> QuerySet[OtherDuty]:
    return (
        OtherDuty.objects.filter(program=program)
        .exclude(status=DutyStatus.SUBMITTED)
        .select_related("supporter", "reviewed_by")
        .order_by("-reviewed_at", "-id")
    )


def entry_table_rows(found: Iterable[Entry]) -> list[list[Any]]:
    return [[e.day, e.kind_label, e.hours, e.minutes, e.description, e.source] for e in found]


ENTRY_HEADERS = ["Date", "Kind", "Hours", "Minutes", "Where it came from", "Source record"]


def participant_service(participant: Any) -> dict[str, Any]:
    """The service a participant received, as the ledger counts it, for their own export
    (support.extensions): one-to-one contacts that reached them and their minutes, and the group
    sessions held at which they were present (as a registered member) with their minutes. Two
    queries; drop-ins are counted without names, so nobody's drop-in visits are in it."""
    one = Contact.objects.filter(relationship__participant=participant, reached=True).aggregate(
        n=Count("pk"), minutes=Sum("duration_minutes")
    )
    groups = Attendance.objects.filter(member__participant=participant, session__status=SessionStatus.HELD).aggregate(
        n=Count("pk"), minutes=Sum("session__duration_minutes")
    )
    return {
        "one_to_one_contacts": one["n"],
        "one_to_one_minutes": one["minutes"] or 0,
        "group_sessions_attended": groups["n"],
        "group_minutes": groups["minutes"] or 0,
    }
