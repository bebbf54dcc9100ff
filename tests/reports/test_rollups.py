"""The contact rollups against the direct queries the reports ran before them.

Hypothesis builds random histories (contacts logged, corrected and deleted, participants' areas
changed, relationships deleted, several relationships for one participant) and random periods
and grace days; every contact report read from the rollups must equal the same report counted
straight from the contacts with the SQL the reports used to run (kept below as the reference),
and `rollups.differences` must find nothing. A contact written without a signal (bulk_create)
leaves the rollups behind, and the comparison says so.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, DateField, Exists, ExpressionWrapper, OuterRef, Q, Sum, TextField
from django.db.models.functions import Cast, TruncMonth
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from peerpath.hours import ledger
from peerpath.hours.ledger import Scope, as_hours
from peerpath.hours.models import Kind
from peerpath.programs.models import FocusArea
from peerpath.reports import rollups
from peerpath.reports.base import Period, by_month, month_label, monthly_rows, percent
from peerpath.reports.library import (
    ContactsByMonth,
    ContactsByTask,
    FollowUpAdherence,
    PeopleReached,
    UnitsOfService,
    Unreachable,
)
from peerpath.reports.library.hours import units
from peerpath.support.defaults import get_settings
from peerpath.support.models import Contact, Participant, SupportRelationship, SupportTask
from tests.reports.test_support_reports import participant, relationship

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
TASKS = [task.value for task in SupportTask]


# --- the reference: the reports' direct queries, as they were before the rollups -----------------


def contacts_in(program: Any, period: Period) -> Any:
    return Contact.objects.filter(program=program, contacted_on__gte=period.start, contacted_on__lte=period.end)


def direct_contacts_by_month(program: Any, period: Period) -> list[dict[str, Any]]:
    found = by_month(
        contacts_in(program, period)
        .annotate(month=TruncMonth("contacted_on"))
        .values("month")
        .annotate(
            contacts=Count("id"),
            reached_n=Count("id", filter=Q(reached=True)),
            not_reached=Count("id", filter=Q(reached=False)),
            minutes=Sum("duration_minutes", filter=Q(reached=True)),
        )
    )
    rows = monthly_rows(period, found, ["contacts", "reached_n", "not_reached", "minutes"])
    for row in rows:
        row["reached"] = row.pop("reached_n")
        row["hours"] = round(row.pop("minutes") / 60, 1)
    return rows


def direct_tasks(program: Any, period: Period) -> dict[str, int]:
    contacts = contacts_in(program, period).filter(reached=True).annotate(task_text=Cast("tasks", TextField()))
    return contacts.aggregate(
        total=Count("id"),
        none=Count("id", filter=~Q(task_text__contains='"')),
        **{task: Count("id", filter=Q(task_text__contains=f'"{task}"')) for task in TASKS},
    )


def direct_follow_ups(program: Any, period: Period) -> list[dict[str, Any]]:
    grace = dt.timedelta(days=get_settings(program).followup_grace_days)
    deadline = ExpressionWrapper(OuterRef("next_follow_up") + grace, output_field=DateField())
    later = Contact.objects.filter(
        relationship=OuterRef("relationship"), reached=True, contacted_on__gt=OuterRef("contacted_on")
    )
    found = by_month(
        Contact.objects.filter(program=program, next_follow_up__gte=period.start, next_follow_up__lte=period.end)
        .annotate(
            on_time=Exists(later.filter(contacted_on__lte=deadline)),
            late=Exists(later.filter(contacted_on__gt=deadline)),
            month=TruncMonth("next_follow_up"),
        )
        .values("month")
        .annotate(
            due=Count("id"),
            on_time_n=Count("id", filter=Q(on_time=True)),
            late_n=Count("id", filter=Q(on_time=False, late=True)),
            missed=Count("id", filter=Q(on_time=False, late=False, next_follow_up__lt=TODAY - grace)),
        )
    )
    rows = monthly_rows(period, found, ["due", "on_time_n", "late_n", "missed"])
    for row in rows:
        row["on_time"], row["late"] = row.pop("on_time_n"), row.pop("late_n")
        row["open"] = row["due"] - row["on_time"] - row["late"] - row["missed"]
        row["on_time_percent"] = percent(row["on_time"], row["due"] - row["open"])
    return rows


def direct_units(program: Any, period: Period) -> list[dict[str, Any]]:
    """The funder report's rows from every ledger entry, contacts included, with each
    participant's areas read from the participants."""
    found = ledger.entries(Scope(program, None, period.start, period.end))
    names: dict[int, list[str]] = defaultdict(list)
    for participant_id, name in (
        Participant.focus_areas.through.objects.filter(participant__program=program)
        .order_by("focusarea__position", "focusarea__name")
        .values_list("participant_id", "focusarea__name")
    ):
        names[participant_id].append(name)
    kinds = {str(k.value): (position, str(k.label)) for position, k in enumerate(Kind)}
    cells: dict[tuple[dt.date, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for entry in found:
        if entry.participant_id is not None:
            area = " + ".join(names.get(entry.participant_id, [])) or "Area not recorded"
        else:
            area = " + ".join(entry.areas) or "Not specific to an area"
        cell = cells[(ledger.month_of(entry.day), entry.kind, area)]
        cell[0] += 1
        cell[1] += entry.minutes
    return [
        {
            "month": month_label(month),
            "activity": kinds[kind][1],
            "area": area,
            "activities": count,
            "hours": as_hours(minutes),
            "units": units(minutes, 60),
        }
        for (month, kind, area), (count, minutes) in sorted(
            cells.items(), key=lambda item: (item[0][0], kinds[item[0][1]][0], item[0][2])
        )
    ]


def direct_reached(program: Any, period: Period) -> list[tuple[int, int]]:
    """(one-to-one, either) per month and for the whole period (no group work in these histories)."""
    one: dict[dt.date, set[int]] = defaultdict(set)
    for day, participant_id in (
        contacts_in(program, period).filter(reached=True).values_list("contacted_on", "relationship__participant_id")
    ):
        one[day.replace(day=1)].add(participant_id)
    months = [(len(one.get(m, set())),) * 2 for m in period.months()]
    everyone = set().union(*one.values()) if one else set()
    return [*months, (len(everyone),) * 2]


# --- histories ------------------------------------------------------------------------------------

day_offsets = st.integers(min_value=-420, max_value=5)
contact_values = st.fixed_dictionaries(
    {
        "days": day_offsets,
        "reached": st.booleans(),
        "minutes": st.sampled_from([None, 0, 5, 30, 45, 60]),
        "tasks": st.lists(st.sampled_from(TASKS), unique=True, max_size=3),
        "follow_up": st.one_of(st.none(), st.integers(min_value=-3, max_value=40)),
    }
)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("log"), st.integers(0, 3), contact_values),
        st.tuples(st.just("log"), st.integers(0, 3), contact_values),
        st.tuples(st.just("correct"), st.integers(0, 50), contact_values),
        st.tuples(st.just("delete"), st.integers(0, 50), st.none()),
        st.tuples(st.just("areas"), st.integers(0, 2), st.lists(st.integers(0, 2), unique=True, max_size=2)),
        st.tuples(st.just("end"), st.integers(0, 3), st.none()),
    ),
    min_size=1,
    max_size=30,
)
periods = st.tuples(st.integers(min_value=0, max_value=400), st.integers(min_value=0, max_value=400))


def values(data: dict[str, Any]) -> dict[str, Any]:
    day = TODAY + dt.timedelta(days=data["days"])
    follow_up = None if data["follow_up"] is None else day + dt.timedelta(days=data["follow_up"])
    return {
        "contacted_on": day,
        "reached": data["reached"],
        "duration_minutes": data["minutes"],
        "tasks": data["tasks"],
        "next_follow_up": follow_up,
    }


def play(program: Any, history: list[tuple[str, int, Any]]) -> None:
    """Three participants, four relationships (the first participant has two), three areas."""
    areas = [FocusArea.objects.create(program=program, name=f"Area {i}", position=2 - i) for i in range(3)]
    people = [participant(program) for _ in range(3)]
    first = relationship(program)
    supporter = first.supporter
    rels = [
        first,
        *(SupportRelationship.objects.create(program=program, participant=p, supporter=supporter) for p in people),
    ]
    rels[0].participant, rels[0].state = people[0], "closed"  # people[0] has an earlier relationship
    rels[0].save()
    rels[0].participant.focus_areas.set([areas[0], areas[1]])
    logged: list[Contact] = []
    for action, which, data in history:
        live = [c for c in logged if Contact.objects.filter(pk=c.pk).exists()]
        if action == "log":
            rel = rels[which]
            if SupportRelationship.objects.filter(pk=rel.pk).exists():
                logged.append(
                    Contact.objects.create(program=program, relationship=rel, channel="phone", **values(data))
                )
        elif action == "correct" and live:
            contact = live[which % len(live)]
            for name, value in values(data).items():
                setattr(contact, name, value)
            contact.save()
        elif action == "delete" and live:
            live[which % len(live)].delete()
        elif action == "areas":
            people[which].focus_areas.set([areas[i] for i in data])
        elif action == "end" and which == 3 and rels[3].pk is not None:
            rels[3].delete()  # takes its contacts with it
        elif action == "end" and which == 2:
            areas[2].participants.clear()  # from the area's side


def compare(program: Any, period: Period) -> None:
    assert ContactsByMonth().rows(program, period) == [
        {k: r[k] for k in ("month", "contacts", "reached", "not_reached", "hours")}
        for r in direct_contacts_by_month(program, period)
    ]
    tasks = {r["key"] or "none": r["contacts"] for r in ContactsByTask().rows(program, period)}
    direct = direct_tasks(program, period)
    assert tasks == {k: direct[k] for k in [*TASKS, "none"]}
    assert FollowUpAdherence().rows(program, period) == direct_follow_ups(program, period)
    unreachable = [(r["month"], r["contacts"], r["not_reached"]) for r in Unreachable().rows(program, period)]
    assert unreachable == [
        (r["month"], r["contacts"], r["not_reached"]) for r in direct_contacts_by_month(program, period)
    ]
    assert UnitsOfService().rows(program, period) == direct_units(program, period)
    reached = [(r["one_to_one"], r["either"]) for r in PeopleReached().rows(program, period)]
    assert reached == direct_reached(program, period)
    assert list(rollups.differences(program.pk)) == []


# No shrinking: a failing history is printed as found (shrinking one took minutes).
@settings(
    max_examples=40,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(history=operations, bounds=periods, grace=st.integers(min_value=0, max_value=20))
def test_rollups_give_the_direct_figures(world: Any, history: list[Any], bounds: tuple[int, int], grace: int) -> None:
    with transaction.atomic():
        program = world.program
        get_settings(program).__class__.objects.filter(program=program).update(followup_grace_days=grace)
        play(program, history)
        period = Period(TODAY - dt.timedelta(days=max(bounds)), TODAY - dt.timedelta(days=min(bounds)))
        compare(program, period)
        compare(program, Period.default())
        transaction.set_rollback(True)


def test_a_contact_written_without_a_signal_leaves_the_rollups_behind_until_rebuilt(world: Any) -> None:
    rel = relationship(world.program)
    Contact.objects.create(program=world.program, relationship=rel, contacted_on=TODAY, channel="phone", reached=True)
    compare(world.program, Period.default())
    Contact.objects.bulk_create(
        [Contact(program=world.program, relationship=rel, contacted_on=TODAY, channel="phone", reached=False)]
    )
    with pytest.raises(AssertionError):
        compare(world.program, Period.default())
    assert any(rollups.differences(world.program.pk))
    with pytest.raises(SystemExit):
        call_command("rollups", "--check")
    call_command("rollups", "--rebuild")
    compare(world.program, Period.default())
    call_command("rollups", "--check")


def test_a_relationship_deleted_with_its_contacts_leaves_nothing_behind(world: Any) -> None:
    rel = relationship(world.program)
    for days in (3, 40):
        Contact.objects.create(
            program=world.program,
            relationship=rel,
            contacted_on=TODAY - dt.timedelta(days=days),
            channel="phone",
            reached=True,
            duration_minutes=30,
            next_follow_up=TODAY - dt.timedelta(days=days - 2),
        )
    assert rollups.days(world.program, TODAY - dt.timedelta(days=60), TODAY)
    rel.participant.delete()
    assert all(not figures for _day, figures in rollups.days(world.program, TODAY - dt.timedelta(days=60), TODAY))
    compare(world.program, Period.default())
