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
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from peerpath.groups.models import Audience
from peerpath.groups.queries import sessions_held
from peerpath.hours import ledger
from peerpath.hours.ledger import Scope, as_hours
from peerpath.hours.models import Kind
from peerpath.hours.services import get_settings
from peerpath.reports.base import Chart, Column, Period, Report, month_label, register
from peerpath.support.models import Contact, Participant


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
        found = ledger.entries(Scope(program, None, period.start, period.end))
        areas = participant_areas(program, ledger.people_supported(found))
        no_area, area_not_recorded = gettext("Not specific to an area"), gettext("Area not recorded")
        kinds = {str(k.value): (position, str(k.label)) for position, k in enumerate(Kind)}
        cells: dict[tuple[dt.date, str, str], list[int]] = defaultdict(lambda: [0, 0])
        for entry in found:
            if entry.participant_id is not None:
                area = areas.get(entry.participant_id, area_not_recorded)
            else:  # a group session counts under its group's areas; other activities under none
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
        rows.append(row(gettext("Whole period"), every_one, every_member, totals))
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
