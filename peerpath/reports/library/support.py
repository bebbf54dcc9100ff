"""Support reports: capacity and the waiting list, contacts by month and by the four tasks,
follow-up adherence, the unreachable rate, and concerns, crises and adverse events."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import (
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    TextField,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Greatest, TruncMonth
from django.utils import timezone

from peerpath.recruitment.models import Stage, Supporter
from peerpath.reports.base import (
    Chart,
    Column,
    Period,
    Report,
    by_month,
    monthly_rows,
    percent,
    plural,
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
    Contact,
    MatchingProfile,
    Participant,
    ParticipantStatus,
    SupportRelationship,
    SupportTask,
)

LONG_WAIT_DAYS = 30
DEFAULT_CAPACITY = MatchingProfile._meta.get_field("capacity").default


def _contacts(program: Any, period: Period) -> Any:
    return Contact.objects.filter(program=program, contacted_on__gte=period.start, contacted_on__lte=period.end)


@register
class CapacityAndWaiting(Report):
    slug = "capacity-and-waiting"
    title = "Active supporters, free places and the waiting list"
    description = (
        "Today: active supporters, the places they offer (their capacity in their matching profile, "
        f"{DEFAULT_CAPACITY} without one), places taken by proposed and active relationships, places free among "
        "those open to new matches, and participants waiting for a supporter. For the period: participants "
        "added and relationships that started."
    )
    columns = [Column("measure", "Measure"), Column("value", "Number", "int")]
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
        return [
            {"measure": "Active supporters", "value": supporters["active"]},
            {"measure": "Supporters with a free place", "value": supporters["with_room"]},
            {"measure": "Places offered", "value": supporters["places_total"] or 0},
            {"measure": "Places taken", "value": supporters["taken_total"] or 0},
            {"measure": "Places free", "value": supporters["free_total"] or 0},
            {"measure": "Participants waiting", "value": participants["waiting"]},
            {"measure": f"Waiting more than {LONG_WAIT_DAYS} days", "value": participants["long_wait"]},
            {"measure": "Longest wait (days)", "value": (now - oldest).days if oldest else 0},
            {"measure": "Participants added in the period", "value": participants["added"]},
            {"measure": "Relationships started in the period", "value": started},
        ]

    def summary(self, rows: list[dict[str, Any]]) -> str:
        v = {r["measure"]: r["value"] for r in rows}
        return (
            f"{plural(v['Active supporters'], 'active supporter')} with {v['Places free']} of "
            f"{v['Places offered']} places free; {v['Participants waiting']} participants waiting, "
            f"{v[f'Waiting more than {LONG_WAIT_DAYS} days']} for more than {LONG_WAIT_DAYS} days."
        )


@register
class ContactsByMonth(Report):
    slug = "contacts-by-month"
    title = "Contacts over time"
    description = (
        "Contacts and attempts supporters logged each month (by the date of the contact): those that reached "
        "the participant, those that did not, and the hours of support given in contacts that reached them."
    )
    columns = [
        Column("month", "Month"),
        Column("contacts", "Logged", "int"),
        Column("reached", "Reached", "int"),
        Column("not_reached", "Not reached", "int"),
        Column("hours", "Hours of support", "decimal"),
    ]
    chart = Chart("bar", "month", ("reached", "not_reached"), stacked=True)
    order = 60

    def rows(self, program: Any, period: Period) -> list[dict[str, Any]]:
        found = by_month(
            _contacts(program, period)
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

    def summary(self, rows: list[dict[str, Any]]) -> str:
        total = sum(r["contacts"] for r in rows)
        reached = sum(r["reached"] for r in rows)
        busiest = max(rows, key=lambda r: r["contacts"], default=None)
        tail = f" The busiest month was {busiest['month']} ({busiest['contacts']})." if busiest and total else ""
        return f"{plural(total, 'contact')} logged in the period, {reached} of them reached the participant.{tail}"


@register
class ContactsByTask(Report):
    slug = "contacts-by-task"
    title = "Contacts by the four tasks of peer support"
    description = (
        "Contacts in the period that reached the participant, by which of the four tasks of peer support they "
        "served (a contact may serve several, so the shares add up to more than 100%)."
    )
    columns = [Column("task", "Task"), Column("contacts", "Contacts", "int"), Column("share", "Share (%)", "percent")]
    chart = Chart("bar", "task", ("contacts",))
    order = 65

    def rows(self, program: Any, period: Period) -> list[dict[str, Any]]:
        # The tasks are a JSON list; its text holds each chosen task's value in quotes, which reads
        # the same on SQLite and PostgreSQL and stays one aggregate query.
        contacts = _contacts(program, period).filter(reached=True).annotate(task_text=Cast("tasks", TextField()))
        found = contacts.aggregate(
            total=Count("id"),
            none=Count("id", filter=~Q(task_text__contains='"')),
            **{task.value: Count("id", filter=Q(task_text__contains=f'"{task.value}"')) for task in SupportTask},
        )
        rows = [
            {"task": task.label, "contacts": found[task.value], "share": percent(found[task.value], found["total"])}
            for task in SupportTask
        ]
        rows.append(
            {"task": "No task recorded", "contacts": found["none"], "share": percent(found["none"], found["total"])}
        )
        return rows

    def summary(self, rows: list[dict[str, Any]]) -> str:
        tasks = [r for r in rows if r["task"] != "No task recorded"]
        top = max(tasks, key=lambda r: r["contacts"])
        if not top["contacts"]:
            return "No contact in the period recorded which of the four tasks it served."
        return (
            "Of contacts that reached the participant, "
            + "; ".join(f"{r['task'].lower()} {r['contacts']}" for r in tasks)
            + f". Most often: {top['task'].lower()}."
        )


@register
class FollowUpAdherence(Report):
    slug = "follow-up-adherence"
    title = "Follow-up adherence"
    description = (
        "Follow-ups whose date fell in the period, by month: done on time (a contact reached the participant by "
        "the date plus the program's grace days), late (reached only after that), missed (nobody reached them "
        "since) or still open (the grace days have not passed yet)."
    )
    columns = [
        Column("month", "Month"),
        Column("due", "Due", "int"),
        Column("on_time", "On time", "int"),
        Column("late", "Late", "int"),
        Column("missed", "Missed", "int"),
        Column("open", "Still open", "int"),
        Column("on_time_percent", "On time (%)", "percent"),
    ]
    chart = Chart("bar", "month", ("on_time", "late", "missed", "open"), stacked=True)
    order = 70

    def rows(self, program: Any, period: Period) -> list[dict[str, Any]]:
        today = timezone.localdate()
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
                missed=Count("id", filter=Q(on_time=False, late=False, next_follow_up__lt=today - grace)),
            )
        )
        rows = monthly_rows(period, found, ["due", "on_time_n", "late_n", "missed"])
        for row in rows:
            row["on_time"], row["late"] = row.pop("on_time_n"), row.pop("late_n")
            row["open"] = row["due"] - row["on_time"] - row["late"] - row["missed"]
            row["on_time_percent"] = percent(row["on_time"], row["due"] - row["open"])
        return rows

    def summary(self, rows: list[dict[str, Any]]) -> str:
        due = sum(r["due"] for r in rows)
        if not due:
            return "No follow-up fell due in the period."
        on_time, late, missed = (sum(r[k] for r in rows) for k in ("on_time", "late", "missed"))
        return f"{plural(due, 'follow-up')} fell due in the period: {on_time} on time, {late} late, {missed} missed."


@register
class Unreachable(Report):
    slug = "unreachable"
    title = "Unreachable rate"
    description = (
        "Each month: contact attempts that did not reach the participant, as a share of everything logged, and "
        "support relationships closed because the participant could not be reached."
    )
    columns = [
        Column("month", "Month"),
        Column("contacts", "Logged", "int"),
        Column("not_reached", "Did not reach them", "int"),
        Column("rate", "Not reached (%)", "percent"),
        Column("closed_unreachable", "Closed: could not be reached", "int"),
    ]
    chart = Chart("line", "month", ("rate",))
    order = 80

    def rows(self, program: Any, period: Period) -> list[dict[str, Any]]:
        contacts = by_month(
            _contacts(program, period)
            .annotate(month=TruncMonth("contacted_on"))
            .values("month")
            .annotate(contacts=Count("id"), not_reached=Count("id", filter=Q(reached=False)))
        )
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
            f"Today {plural(now, 'participant')} cannot be reached "
            f"({windows.describe()['unreachable']}); see Needs attention."
        ]

    def summary(self, rows: list[dict[str, Any]]) -> str:
        logged = sum(r["contacts"] for r in rows)
        missed = sum(r["not_reached"] for r in rows)
        closed = sum(r["closed_unreachable"] for r in rows)
        rate = percent(missed, logged)
        share = f" ({rate}%)" if rate is not None else ""
        return (
            f"{missed} of {plural(logged, 'logged contact')} did not reach the participant{share}; "
            f"{plural(closed, 'relationship')} closed because the participant could not be reached."
        )


@register
class ConcernsAndEvents(Report):
    slug = "concerns-and-events"
    title = "Concerns, crises and adverse events"
    description = (
        "Each month: concerns and crises supporters raised, and hard events recorded in their caseloads "
        "(hospitalised, relapsed, died). Counts only; no participant is named."
    )
    columns = [
        Column("month", "Month"),
        Column("concerns", "Concerns", "int"),
        Column("crises", "Crises", "int"),
        Column("hospitalised", "Hospitalised", "int"),
        Column("relapsed", "Relapsed", "int"),
        Column("died", "Died", "int"),
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
            f"In the period: {plural(total['concerns'], 'concern')}, {plural(total['crises'], 'crisis', 'crises')}; "
            f"{total['hospitalised']} hospitalised, {total['relapsed']} relapsed, {total['died']} died."
        )
