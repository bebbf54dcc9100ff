"""The funder report, from the service-hours ledger: units of service by month, kind of activity
and lived-experience area, and the people reached in one-to-one and group work (drop-ins apart).

Both read the ledger's entries for the period (`peerpath.hours.ledger`, one query per source)
and the participants' lived-experience areas (one query), so they cost the same whatever the
size of the program.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone

from peerpath.groups.models import Audience
from peerpath.groups.queries import sessions_held
from peerpath.hours import ledger
from peerpath.hours.ledger import Scope, as_hours
from peerpath.hours.models import Kind
from peerpath.hours.services import get_settings
from peerpath.reports.base import Chart, Column, Period, Report, month_label, plural, register
from peerpath.support.models import Contact, Participant

NO_AREA = "Not specific to an area"
AREA_NOT_RECORDED = "Area not recorded"


def participant_areas(program: Any, participant_ids: set[int]) -> dict[int, str]:
    """Each participant's lived-experience areas as one label ("Grief and loss + Trauma"), so a
    participant with two areas counts once, under their combination, and the rows add up."""
    names: dict[int, list[str]] = defaultdict(list)
    through = Participant.focus_areas.through
    rows = (
        through.objects.filter(participant__program=program, participant_id__in=participant_ids)
        .order_by("focusarea__position", "focusarea__name")
        .values_list("participant_id", "focusarea__name")
    )
    for participant_id, name in rows:
        names[participant_id].append(name)
    return {pk: " + ".join(found) for pk, found in names.items()}


def units(minutes: int, unit_minutes: int) -> Decimal:
    return (Decimal(minutes) / Decimal(unit_minutes)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@register
class UnitsOfService(Report):
    slug = "funder-units-of-service"
    title = "Funder report: units of service"
    description = (
        "Service given in the period, from every supporter's hours ledger: per month, kind of activity and "
        "lived-experience area (the participant's areas for one-to-one support, the group's areas for group "
        "sessions; other activities are not specific to an area), the activities counted, their hours and "
        "the units of service (the unit's length is an hours setting)."
    )
    columns = [
        Column("month", "Month"),
        Column("activity", "Kind of activity"),
        Column("area", "Lived-experience area"),
        Column("activities", "Activities", "int"),
        Column("hours", "Hours", "decimal"),
        Column("units", "Units of service", "decimal"),
    ]
    order = 200

    def rows(self, program: Any, period: Period) -> list[dict[str, Any]]:
        self.unit_minutes = get_settings(program).unit_minutes
        found = ledger.entries(Scope(program, None, period.start, period.end))
        areas = participant_areas(program, ledger.people_supported(found))
        kinds = {str(k.value): (position, str(k.label)) for position, k in enumerate(Kind)}
        cells: dict[tuple[dt.date, str, str], list[int]] = defaultdict(lambda: [0, 0])
        for entry in found:
            if entry.participant_id is not None:
                area = areas.get(entry.participant_id, AREA_NOT_RECORDED)
            else:  # a group session counts under its group's areas; other activities under none
                area = " + ".join(entry.areas) or NO_AREA
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
        return f"{hours} hours of service in the period, {units_given} units."

    def notes(self, program: Any, period: Period, rows: list[dict[str, Any]]) -> list[str]:
        return [
            f"One unit of service is {self.unit_minutes} minutes (Service hours settings).",
            "One-to-one support counts contacts that reached the participant, for the minutes logged; group "
            "sessions count their length plus the preparation time, under the areas the group is for (its page); "
            "other duties count once approved.",
        ]


@register
class PeopleReached(Report):
    slug = "funder-people-reached"
    title = "Funder report: people reached"
    description = (
        "Participants reached per month and over the whole period: one-to-one (a contact that reached them), in "
        "group work (a registered member present at a session held), either way (each person once), and drop-ins "
        "at group sessions, counted without names (first time and returning; not unique people). Someone reached "
        "in several months counts once in the period's total."
    )
    columns = [
        Column("month", "Month"),
        Column("one_to_one", "Reached one-to-one", "int"),
        Column("groups", "Reached in groups (members)", "int"),
        Column("either", "Reached either way", "int"),
        Column("first_time", "Drop-ins, first time", "int"),
        Column("returning", "Drop-ins, returning", "int"),
    ]
    chart = Chart("bar", "month", ("one_to_one", "groups", "first_time", "returning"))
    order = 201

    def rows(self, program: Any, period: Period) -> list[dict[str, Any]]:
        contacts = Contact.objects.filter(
            program=program, reached=True, contacted_on__gte=period.start, contacted_on__lte=period.end
        ).values_list("contacted_on", "relationship__participant_id")
        one: dict[dt.date, set[int]] = defaultdict(set)
        members: dict[dt.date, set[int]] = defaultdict(set)
        drop_ins: dict[dt.date, list[int]] = defaultdict(lambda: [0, 0])
        for day, participant_id in contacts:
            one[day.replace(day=1)].add(participant_id)
        for held in sessions_held(program, period.start, period.end):
            if held.audience != Audience.PARTICIPANTS:
                continue  # supporters' own events: their people are not the program's participants
            month = timezone.localtime(held.starts_at).date().replace(day=1)
            members[month].update(held.member_participant_ids)
            drop_ins[month][0] += held.first_time_drop_ins
            drop_ins[month][1] += held.returning_drop_ins

        def row(label: str, one_to_one: set[int], groups: set[int], counted: list[int]) -> dict[str, Any]:
            return {
                "month": label,
                "one_to_one": len(one_to_one),
                "groups": len(groups),
                "either": len(one_to_one | groups),
                "first_time": counted[0],
                "returning": counted[1],
            }

        rows = [
            row(month_label(m), one.get(m, set()), members.get(m, set()), drop_ins.get(m, [0, 0]))
            for m in period.months()
        ]
        every_one = set().union(*one.values()) if one else set()
        every_member = set().union(*members.values()) if members else set()
        totals = [sum(c[0] for c in drop_ins.values()), sum(c[1] for c in drop_ins.values())]
        rows.append(row("Whole period", every_one, every_member, totals))
        return rows

    def summary(self, rows: list[dict[str, Any]]) -> str:
        whole = rows[-1]
        return (
            f"{plural(whole['either'], 'participant')} reached in the period "
            f"({whole['one_to_one']} one-to-one, {whole['groups']} in groups), and "
            f"{plural(whole['first_time'] + whole['returning'], 'drop-in')} at group sessions."
        )
