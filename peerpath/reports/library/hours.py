"""The funder report, from the service-hours ledger: units of service by month, kind of activity
and lived-experience area, and the people reached in one-to-one and group work (drop-ins apart).

Both read the ledger's sources for the period (`peerpath.hours.ledger`, one query per source),
except its contacts: one-to-one support comes from the contact rollups
(`peerpath.reports.rollups`: the program's days, and the participants' months for the people
reached), so they cost the same whatever the number of contacts.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, DateField, Exists, F, OuterRef, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from peerpath.groups.models import Audience
from peerpath.groups.queries import attendance_at_sessions_held, sessions_held
from peerpath.hours import ledger
from peerpath.hours.ledger import Scope, as_hours
from peerpath.hours.models import Kind
from peerpath.hours.services import get_settings
from peerpath.programs.models import FocusArea
from peerpath.reports import rollups
from peerpath.reports.base import Chart, Column, Period, Report, as_date, month_label, register
from peerpath.reports.models import ParticipantMonth


def area_labels(program: Any, keys: set[str]) -> dict[str, str]:
    """Each rollup key of a participant's lived-experience areas (their ids) as the report names
    it: the areas that still exist, in the program's order, joined by " + " (a participant with
    two areas counts once, under both together, so the rows add up)."""
    ids = {int(pk) for key in keys for pk in key.split(",") if pk}
    if not ids:
        return dict.fromkeys(keys, "")
    names = dict(
        FocusArea.objects.filter(program=program, pk__in=ids).order_by("position", "name").values_list("pk", "name")
    )
    order = {pk: i for i, pk in enumerate(names)}
    labels = {}
    for key in keys:
        found = sorted((int(pk) for pk in key.split(",") if pk and int(pk) in names), key=order.__getitem__)
        labels[key] = " + ".join(names[pk] for pk in found)
    return labels


def units(minutes: int, unit_minutes: int) -> Decimal:
    return (Decimal(minutes) / Decimal(unit_minutes)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass
class Counted:
    """Participants reached in one month, or in the whole period (each counted once)."""

    one_to_one: int = 0  # by a contact
    groups: int = 0  # present at a group session held, as a registered member
    both: int = 0  # both ways


def people_reached(program: Any, period: Period) -> tuple[dict[dt.date, Counted], Counted]:
    """Participants reached per month of the period and over all of it, counted in the database:
    one-to-one from the participants' months (peerpath/reports/rollups.py), in groups from the
    attendance at sessions held. Four aggregate queries, whatever the number of contacts."""
    months = period.months()
    partial = {
        m: bits
        for m in months
        if (bits := rollups.month_bits(m, period.start, period.end)) != rollups.month_bits(m, dt.date.min, dt.date.max)
    }
    one = ParticipantMonth.objects.filter(program=program, month__gte=months[0], month__lte=months[-1])
    if partial:
        one = one.annotate(**{f"d{i}": F("days").bitand(bits) for i, bits in enumerate(partial.values())})
        inside = Q(month__in=[m for m in months if m not in partial])
        for i, month in enumerate(partial):
            inside |= Q(month=month) & ~Q(**{f"d{i}": 0})
        one = one.filter(inside)
    present = attendance_at_sessions_held(program, period.start, period.end, Audience.PARTICIPANTS).annotate(
        month=TruncMonth("session__starts_at", output_field=DateField()), person=F("member__participant_id")
    )
    present = present.annotate(
        both_in_month=Exists(one.filter(participant_id=OuterRef("person"), month=OuterRef("month"))),
        both_in_period=Exists(one.filter(participant_id=OuterRef("person"))),
    )
    one_by_month = dict(
        one.order_by().values("month").annotate(n=Count("participant_id", distinct=True)).values_list("month", "n")
    )
    groups_by_month: dict[dt.date, Any] = {
        as_date(row["month"]).replace(day=1): row
        for row in present.order_by()
        .values("month")
        .annotate(
            groups=Count("person", distinct=True),
            both=Count("person", distinct=True, filter=Q(both_in_month=True)),
        )
    }
    found = {
        m: Counted(
            one_by_month.get(m, 0),
            groups_by_month.get(m, {}).get("groups", 0),
            groups_by_month.get(m, {}).get("both", 0),
        )
        for m in months
    }
    in_groups = present.aggregate(
        groups=Count("person", distinct=True), both=Count("person", distinct=True, filter=Q(both_in_period=True))
    )
    whole = Counted(
        one.aggregate(n=Count("participant_id", distinct=True))["n"], in_groups["groups"], in_groups["both"]
    )
    return found, whole


@register
class UnitsOfService(Report):
    slug = "funder-units-of-service"
    title = _("Funder report: units of service")
    description = _(
        "Service given in the period, from every supporter's hours ledger: per month, kind of activity and "
        "lived-experience area (the participant's areas for one-to-one support, the group's areas for group "
        "sessions; other activities are not specific to an area), the activities counted, their hours and "
        "the units of service (the unit's length is an hours setting)."
    )
    columns = [
        Column("month", _("Month")),
        Column("activity", _("Kind of activity")),
        Column("area", _("Lived-experience area")),
        Column("activities", _("Activities"), "int"),
        Column("hours", _("Hours"), "decimal"),
        Column("units", _("Units of service"), "decimal"),
    ]
    order = 200

    def rows(self, program: Any, period: Period) -> list[dict[str, Any]]:
        self.unit_minutes = get_settings(program).unit_minutes
        # One-to-one support from the contact rollups (by the participant's areas), every other
        # source from the ledger itself (peerpath/reports/rollups.py).
        scope = Scope(program, None, period.start, period.end, members=False)
        found = [entry for source in ledger.SOURCES if source.key != "contacts" for entry in source.read(scope)]
        no_area, area_not_recorded = gettext("Not specific to an area"), gettext("Area not recorded")
        kinds = {str(k.value): (position, str(k.label)) for position, k in enumerate(Kind)}
        cells: dict[tuple[dt.date, str, str], list[int]] = defaultdict(lambda: [0, 0])
        days = rollups.days(program, period.start, period.end)
        labels = area_labels(program, {m[4:] for _day, figures in days for m in figures if m.startswith("svc:")})
        for day, figures in days:
            for measure, count in figures.items():
                if measure.startswith("svc:"):
                    key = measure[4:]
                    cell = cells[(ledger.month_of(day), Kind.ONE_TO_ONE, labels.get(key) or area_not_recorded)]
                    cell[0] += count
                    cell[1] += figures.get(f"svcmin:{key}", 0)
        for entry in found:  # a group session counts under its group's areas; other activities under none
            area = " + ".join(entry.areas) or no_area
            cell = cells[(ledger.month_of(entry.day), entry.kind, area)]
            cell[0] += 1
            cell[1] += entry.minutes
        ordered = sorted(cells.items(), key=lambda item: (item[0][0], kinds[item[0][1]][0], item[0][2]))
        return [
            {
                "month": month_label(month),
                "activity": kinds[kind][1],
                "area": area,
                "activities": count,
                "hours": as_hours(minutes),
                "units": units(minutes, self.unit_minutes),
            }
            for (month, kind, area), (count, minutes) in ordered
        ]

    def summary(self, rows: list[dict[str, Any]]) -> str:
        hours = sum((r["hours"] for r in rows), Decimal(0))
        units_given = sum((r["units"] for r in rows), Decimal(0))
        return gettext("%(hours)s hours of service in the period, %(units)s units.") % {
            "hours": hours,
            "units": units_given,
        }

    def notes(self, program: Any, period: Period, rows: list[dict[str, Any]]) -> list[str]:
        return [
            gettext("One unit of service is %(minutes)s minutes (Service hours settings).")
            % {"minutes": self.unit_minutes},
            gettext(
                "One-to-one support counts contacts that reached the participant, for the minutes logged; group "
                "sessions count their length plus the preparation time, under the areas the group is for (its "
                "page); other duties count once approved."
            ),
        ]


@register
class PeopleReached(Report):
    slug = "funder-people-reached"
    title = _("Funder report: people reached")
    description = _(
        "Participants reached per month and over the whole period: one-to-one (a contact that reached them), in "
        "group work (a registered member present at a session held), either way (each person once), and drop-ins "
        "at group sessions, counted without names (first time and returning; not unique people). Someone reached "
        "in several months counts once in the period's total."
    )
    columns = [
        Column("month", _("Month")),
        Column("one_to_one", _("Reached one-to-one"), "int"),
        Column("groups", _("Reached in groups (members)"), "int"),
        Column("either", _("Reached either way"), "int"),
        Column("first_time", _("Drop-ins, first time"), "int"),
        Column("returning", _("Drop-ins, returning"), "int"),
    ]
    chart = Chart("bar", "month", ("one_to_one", "groups", "first_time", "returning"))
    order = 201

    def rows(self, program: Any, period: Period) -> list[dict[str, Any]]:
        drop_ins: dict[dt.date, list[int]] = defaultdict(lambda: [0, 0])
        for held in sessions_held(program, period.start, period.end, members=False):
            if held.audience != Audience.PARTICIPANTS:
                continue  # supporters' own events: their people are not the program's participants
            month = timezone.localtime(held.starts_at).date().replace(day=1)
            drop_ins[month][0] += held.first_time_drop_ins
            drop_ins[month][1] += held.returning_drop_ins
        months, whole = people_reached(program, period)

        def row(label: str, counted: Counted, dropped_in: list[int]) -> dict[str, Any]:
            return {
                "month": label,
                "one_to_one": counted.one_to_one,
                "groups": counted.groups,
                "either": counted.one_to_one + counted.groups - counted.both,
                "first_time": dropped_in[0],
                "returning": dropped_in[1],
            }

        rows = [row(month_label(m), months[m], drop_ins.get(m, [0, 0])) for m in period.months()]
        totals = [sum(c[0] for c in drop_ins.values()), sum(c[1] for c in drop_ins.values())]
        rows.append(row(gettext("Whole period"), whole, totals))
        return rows

    def summary(self, rows: list[dict[str, Any]]) -> str:
        whole = rows[-1]
        return ngettext(
            "%(n)s participant reached in the period (%(one)s one-to-one, %(groups)s in groups), and %(drop_ins)s "
            "drop-ins at group sessions.",
            "%(n)s participants reached in the period (%(one)s one-to-one, %(groups)s in groups), and %(drop_ins)s "
            "drop-ins at group sessions.",
            whole["either"],
        ) % {
            "n": whole["either"],
            "one": whole["one_to_one"],
            "groups": whole["groups"],
            "drop_ins": whole["first_time"] + whole["returning"],
        }
