"""Support reports: capacity and the waiting list, contacts by month and by the four tasks,
follow-up adherence, the unreachable rate, and concerns, crises and adverse events."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import (
    Count,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, TruncMonth
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from peerpath.recruitment.models import Stage, Supporter
from peerpath.reports import rollups
from peerpath.reports.base import (
    Chart,
    Column,
    Period,
    Report,
    by_month,
    monthly_rows,
    percent,
    register,
)
from peerpath.support import windows as w
from peerpath.support.defaults import get_settings
from peerpath.support.eligibility import LOAD_STATES
from peerpath.support.models import (
    AdverseEvent,
    AdverseKind,
    CloseReason,
    Concern,
    ConcernKind,
    MatchingProfile,
    Participant,
    ParticipantStatus,
    SupportRelationship,
    SupportTask,
)

LONG_WAIT_DAYS = 30
DEFAULT_CAPACITY = MatchingProfile._meta.get_field("capacity").default


@register
class CapacityAndWaiting(Report):
    slug = "capacity-and-waiting"
    title = _("Active supporters, free places and the waiting list")
    description = format_lazy(
        _(
            "Today: active supporters, the places they offer (their capacity in their matching profile, "
            "{capacity} without one), places taken by proposed and active relationships, places free among "
            "those open to new matches, and participants waiting for a supporter. For the period: participants "
            "added and relationships that started."
        ),
        capacity=DEFAULT_CAPACITY,
    )
    columns = [Column("measure", _("Measure")), Column("value", _("Number"), "int")]
    chart = Chart("bar", "measure", ("value",), horizontal=True)
    order = 50

    def rows(self, program: Any, period: Period) -> list[dict[str, Any]]:
        now = timezone.now()
        load = (
            SupportRelationship.objects.filter(supporter=OuterRef("pk"), state__in=LOAD_STATES)
            .order_by()
            .values("supporter")
            .annotate(n=Count("id"))
            .values("n")
        )
        open_to_new = Q(matching_profile__accepting_new=True) | Q(matching_profile__isnull=True)
        supporters = (
            Supporter.objects.filter(program=program, stage=Stage.ACTIVE)
            .annotate(
                places=Coalesce("matching_profile__capacity", Value(DEFAULT_CAPACITY), output_field=IntegerField()),
                taken=Coalesce(Subquery(load, output_field=IntegerField()), Value(0), output_field=IntegerField()),
            )
            .annotate(free=Greatest(F("places") - F("taken"), Value(0), output_field=IntegerField()))
            .aggregate(
                active=Count("id"),
                places_total=Sum("places"),
                taken_total=Sum("taken"),
                free_total=Sum("free", filter=open_to_new),
                with_room=Count("id", filter=open_to_new & Q(free__gt=0)),
            )
        )
        participants = Participant.objects.filter(program=program).aggregate(
            waiting=Count("id", filter=Q(status=ParticipantStatus.WAITING)),
            long_wait=Count(
                "id",
                filter=Q(status=ParticipantStatus.WAITING, waiting_since__lt=now - dt.timedelta(days=LONG_WAIT_DAYS)),
            ),
            oldest=Min("waiting_since", filter=Q(status=ParticipantStatus.WAITING)),
            added=Count("id", filter=Q(created_at__gte=period.start_at, created_at__lt=period.end_at)),
        )
        started = SupportRelationship.objects.filter(
            program=program, activated_at__gte=period.start_at, activated_at__lt=period.end_at
        ).count()
        oldest = participants["oldest"]
        longest = (now - oldest).days if oldest else 0
        # "key" names each row for the summary whatever the language of its "measure".
        return [
            {"key": "active", "measure": gettext("Active supporters"), "value": supporters["active"]},
            {"key": "with_room", "measure": gettext("Supporters with a free place"), "value": supporters["with_room"]},
            {"key": "offered", "measure": gettext("Places offered"), "value": supporters["places_total"] or 0},
            {"key": "taken", "measure": gettext("Places taken"), "value": supporters["taken_total"] or 0},
            {"key": "free", "measure": gettext("Places free"), "value": supporters["free_total"] or 0},
            {"key": "waiting", "measure": gettext("Participants waiting"), "value": participants["waiting"]},
            {
                "key": "long_wait",
                "measure": gettext("Waiting more than %(days)s days") % {"days": LONG_WAIT_DAYS},
                "value": participants["long_wait"],
            },
            {
                "key": "longest",
                "measure": gettext("Longest wait (days)"),
                "value": longest,
            },
            {"key": "added", "measure": gettext("Participants added in the period"), "value": participants["added"]},
            {"key": "started", "measure": gettext("Relationships started in the period"), "value": started},
        ]

    def summary(self, rows: list[dict[str, Any]]) -> str:
        v = {r["key"]: r["value"] for r in rows}
        return ngettext(
            "%(active)s active supporter with %(free)s of %(offered)s places free; %(waiting)s participants "
            "waiting, %(long_wait)s for more than %(days)s days.",
            "%(active)s active supporters with %(free)s of %(offered)s places free; %(waiting)s participants "
            "waiting, %(long_wait)s for more than %(days)s days.",
            v["active"],
        ) % {
            "active": v["active"],
            "free": v["free"],
            "offered": v["offered"],
            "waiting": v["waiting"],
            "long_wait": v["long_wait"],
            "days": LONG_WAIT_DAYS,
        }


@register
class ContactsByMonth(Report):
    slug = "contacts-by-month"
    title = _("Contacts over time")
    description = _(
        "Contacts and attempts supporters logged each month (by the date of the contact): those that reached "
        "the participant, those that did not, and the hours of support given in contacts that reached them."
    )
    columns = [
        Column("month", _("Month")),
        Column("contacts", _("Logged"), "int"),
        Column("reached", _("Reached"), "int"),
        Column("not_reached", _("Not reached"), "int"),
        Column("hours", _("Hours of support"), "decimal"),
    ]
    chart = Chart("bar", "month", ("reached", "not_reached"), stacked=True)
    order = 60

    def rows(self, program: Any, period: Period) -> list[dict[str, Any]]:
        found = rollups.by_month(rollups.days(program, period.start, period.end), "logged", "reached", "minutes")
        rows = monthly_rows(period, found, ["logged", "reached", "minutes"])
        for row in rows:
            row["contacts"] = row.pop("logged")
            row["not_reached"] = row["contacts"] - row["reached"]
            row["hours"] = round(row.pop("minutes") / 60, 1)
        return [{k: row[k] for k in ("month", "contacts", "reached", "not_reached", "hours")} for row in rows]

    def summary(self, rows: list[dict[str, Any]]) -> str:
        total = sum(r["contacts"] for r in rows)
        reached = sum(r["reached"] for r in rows)
        busiest = max(rows, key=lambda r: r["contacts"], default=None)
        text = ngettext(
            "%(total)s contact logged in the period, %(reached)s of them reached the participant.",
            "%(total)s contacts logged in the period, %(reached)s of them reached the participant.",
            total,
        ) % {"total": total, "reached": reached}
        if busiest and total:
            text += " " + gettext("The busiest month was %(month)s (%(contacts)s).") % {
                "month": busiest["month"],
                "contacts": busiest["contacts"],
            }
        return text


@register
class ContactsByTask(Report):
    slug = "contacts-by-task"
    title = _("Contacts by the four tasks of peer support")
    description = _(
        "Contacts in the period that reached the participant, by which of the four tasks of peer support they "
        "served (a contact may serve several, so the shares add up to more than 100%)."
    )
    columns = [
        Column("task", _("Task")),
        Column("contacts", _("Contacts"), "int"),
        Column("share", _("Share (%)"), "percent"),
    ]
    chart = Chart("bar", "task", ("contacts",))
    order = 65

    def rows(self, program: Any, period: Period) -> list[dict[str, Any]]:
        # Counted as each contact is saved (peerpath/reports/rollups.py).
        measures = ["reached", "task:", *(f"task:{task.value}" for task in SupportTask)]
        summed = dict.fromkeys(measures, 0)
        for month in rollups.by_month(rollups.days(program, period.start, period.end), *measures).values():
            for measure in measures:
                summed[measure] += month[measure]
        found = {"total": summed["reached"], "none": summed["task:"]}
        found |= {task.value: summed[f"task:{task.value}"] for task in SupportTask}
        rows = [
            {
                "key": task.value,
                "task": str(task.label),
                "contacts": found[task.value],
                "share": percent(found[task.value], found["total"]),
            }
            for task in SupportTask
        ]
        rows.append(
            {
                "key": "",
                "task": gettext("No task recorded"),
                "contacts": found["none"],
                "share": percent(found["none"], found["total"]),
            }
        )
        return rows

    def summary(self, rows: list[dict[str, Any]]) -> str:
        tasks = [r for r in rows if r["key"]]
        top = max(tasks, key=lambda r: r["contacts"])
        if not top["contacts"]:
            return gettext("No contact in the period recorded which of the four tasks it served.")
        return gettext("Of contacts that reached the participant, %(counts)s. Most often: %(top)s.") % {
            "counts": "; ".join(f"{r['task'].lower()} {r['contacts']}" for r in tasks),
            "top": top["task"].lower(),
        }


@register
class FollowUpAdherence(Report):
    slug = "follow-up-adherence"
    title = _("Follow-up adherence")
    description = _(
        "Follow-ups whose date fell in the period, by month: done on time (a contact reached the participant by "
        "the date plus the program's grace days), late (reached only after that), missed (nobody reached them "
        "since) or still open (the grace days have not passed yet)."
    )
    columns = [
        Column("month", _("Month")),
        Column("due", _("Due"), "int"),
        Column("on_time", _("On time"), "int"),
        Column("late", _("Late"), "int"),
        Column("missed", _("Missed"), "int"),
        Column("open", _("Still open"), "int"),
        Column("on_time_percent", _("On time (%)"), "percent"),
    ]
    chart = Chart("bar", "month", ("on_time", "late", "missed", "open"), stacked=True)
    order = 70

    def rows(self, program: Any, period: Period) -> list[dict[str, Any]]:
        # Each follow-up is kept under its date with how many days after it a later contact
        # reached the participant (peerpath/reports/rollups.py): on time within the grace days.
        grace = get_settings(program).followup_grace_days
        missed_before = timezone.localdate() - dt.timedelta(days=grace)
        found: dict[dt.date, dict[str, int]] = {}
        for day, figures in rollups.days(program, period.start, period.end):
            month = found.setdefault(day.replace(day=1), {"due": 0, "on_time_n": 0, "late_n": 0, "missed": 0})
            month["due"] += figures.get("due", 0)
            for measure, n in figures.items():
                if measure.startswith("lag:"):
                    month["on_time_n" if int(measure[4:]) <= grace else "late_n"] += n
            if day < missed_before:
                month["missed"] += figures.get("unanswered", 0)
        rows = monthly_rows(period, found, ["due", "on_time_n", "late_n", "missed"])
        for row in rows:
            row["on_time"], row["late"] = row.pop("on_time_n"), row.pop("late_n")
            row["open"] = row["due"] - row["on_time"] - row["late"] - row["missed"]
            row["on_time_percent"] = percent(row["on_time"], row["due"] - row["open"])
        return rows

    def summary(self, rows: list[dict[str, Any]]) -> str:
        due = sum(r["due"] for r in rows)
        if not due:
            return gettext("No follow-up fell due in the period.")
        on_time, late, missed = (sum(r[k] for r in rows) for k in ("on_time", "late", "missed"))
        return ngettext(
            "%(due)s follow-up fell due in the period: %(on_time)s on time, %(late)s late, %(missed)s missed.",
            "%(due)s follow-ups fell due in the period: %(on_time)s on time, %(late)s late, %(missed)s missed.",
            due,
        ) % {"due": due, "on_time": on_time, "late": late, "missed": missed}


@register
class Unreachable(Report):
    slug = "unreachable"
    title = _("Unreachable rate")
    description = _(
        "Each month: contact attempts that did not reach the participant, as a share of everything logged, and "
        "support relationships closed because the participant could not be reached."
    )
    columns = [
        Column("month", _("Month")),
        Column("contacts", _("Logged"), "int"),
        Column("not_reached", _("Did not reach them"), "int"),
        Column("rate", _("Not reached (%)"), "percent"),
        Column("closed_unreachable", _("Closed: could not be reached"), "int"),
    ]
    chart = Chart("line", "month", ("rate",))
    order = 80

    def rows(self, program: Any, period: Period) -> list[dict[str, Any]]:
        contacts = {
            month: {"contacts": found["logged"], "not_reached": found["logged"] - found["reached"]}
            for month, found in rollups.by_month(
                rollups.days(program, period.start, period.end), "logged", "reached"
            ).items()
        }
        closed = by_month(
            SupportRelationship.objects.filter(
                program=program,
                close_reason=CloseReason.UNREACHABLE,
                closed_at__gte=period.start_at,
                closed_at__lt=period.end_at,
            )
            .annotate(month=TruncMonth("closed_at"))
            .values("month")
            .annotate(closed_unreachable=Count("id"))
        )
        rows = monthly_rows(period, contacts, ["contacts", "not_reached"])
        closed_rows = monthly_rows(period, closed, ["closed_unreachable"])
        for row, closed_row in zip(rows, closed_rows, strict=True):
            row["rate"] = percent(row["not_reached"], row["contacts"])
            row["closed_unreachable"] = closed_row["closed_unreachable"]
        return rows

    def notes(self, program: Any, period: Period, rows: list[dict[str, Any]]) -> list[str]:
        windows = w.Windows.for_program(program)
        now = w.unreachable(w.tracked_relationships(program, windows), windows).count()
        return [
            ngettext(
                "Today %(n)s participant cannot be reached (%(rule)s); see Needs attention.",
                "Today %(n)s participants cannot be reached (%(rule)s); see Needs attention.",
                now,
            )
            % {"n": now, "rule": windows.describe()["unreachable"]}
        ]

    def summary(self, rows: list[dict[str, Any]]) -> str:
        logged = sum(r["contacts"] for r in rows)
        missed = sum(r["not_reached"] for r in rows)
        closed = sum(r["closed_unreachable"] for r in rows)
        rate = percent(missed, logged)
        first = ngettext(
            "%(missed)s of %(logged)s logged contact did not reach the participant",
            "%(missed)s of %(logged)s logged contacts did not reach the participant",
            logged,
        ) % {"missed": missed, "logged": logged}
        if rate is not None:
            first += f" ({rate}%)"
        second = ngettext(
            "%(n)s relationship closed because the participant could not be reached.",
            "%(n)s relationships closed because the participant could not be reached.",
            closed,
        ) % {"n": closed}
        return f"{first}; {second}"


@register
class ConcernsAndEvents(Report):
    slug = "concerns-and-events"
    title = _("Concerns, crises and adverse events")
    description = _(
        "Each month: concerns and crises supporters raised, and hard events recorded in their caseloads "
        "(hospitalised, relapsed, died). Counts only; no participant is named."
    )
    columns = [
        Column("month", _("Month")),
        Column("concerns", _("Concerns"), "int"),
        Column("crises", _("Crises"), "int"),
        Column("hospitalised", _("Hospitalised"), "int"),
        Column("relapsed", _("Relapsed"), "int"),
        Column("died", _("Died"), "int"),
    ]
    chart = Chart("bar", "month", ("concerns", "crises", "hospitalised", "relapsed", "died"), stacked=True)
    order = 90

    def rows(self, program: Any, period: Period) -> list[dict[str, Any]]:
        concerns = by_month(
            Concern.objects.filter(program=program, raised_at__gte=period.start_at, raised_at__lt=period.end_at)
            .annotate(month=TruncMonth("raised_at"))
            .values("month")
            .annotate(
                concerns=Count("id", filter=Q(kind=ConcernKind.CONCERN)),
                crises=Count("id", filter=Q(kind=ConcernKind.CRISIS)),
            )
        )
        events = by_month(
            AdverseEvent.objects.filter(
                program=program, occurred_at__gte=period.start_at, occurred_at__lt=period.end_at
            )
            .annotate(month=TruncMonth("occurred_at"))
            .values("month")
            .annotate(**{kind.value: Count("id", filter=Q(kind=kind)) for kind in AdverseKind})
        )
        rows = monthly_rows(period, concerns, ["concerns", "crises"])
        kinds = [kind.value for kind in AdverseKind]
        for row, event_row in zip(rows, monthly_rows(period, events, kinds), strict=True):
            row.update({k: event_row[k] for k in kinds})
        return rows

    def summary(self, rows: list[dict[str, Any]]) -> str:
        total = {k: sum(r[k] for r in rows) for k in ("concerns", "crises", "hospitalised", "relapsed", "died")}
        return (
            gettext(
                "In the period: %(concerns)s concerns, %(crises)s crises; %(hospitalised)s hospitalised, "
                "%(relapsed)s relapsed, %(died)s died."
            )
            % total
        )
