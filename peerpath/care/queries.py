"""Queries behind care pages, reminders and digests. Each runs a fixed number of SQL statements.

Everything time-driven (supervision overdue, check-ins due, milestones) is computed here from
the data, so pages never depend on a scheduled task having run.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Count, IntegerField, Max, Min, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from peerpath.care import topics
from peerpath.care.models import (
    Break,
    BreakStatus,
    BuddyPair,
    CareSettings,
    CareTask,
    CheckIn,
    CheckInStatus,
    Debrief,
    Recognition,
    SupervisionMeeting,
    TaskStatus,
    TopicPlan,
)
from peerpath.care.recognition_sources import MEASURES
from peerpath.care.stages import CURRENT_STAGES, SERVING_STAGES
from peerpath.programs.models import Program
from peerpath.recruitment.models import Stage, StageChange, Supporter
from peerpath.support.models import WORKING_STATES, Contact, RelationshipState, SupportRelationship
from peerpath.training.queries import learn_more_answers

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class CareAnnotations(TypedDict):
    """What `annotate_care` adds to each supporter."""

    last_supervised: dt.date | None
    last_checkin: dt.datetime | None
    last_concern: bool | None
    waiting_due: dt.date | None
    open_task_count: int


type CareSupporter = WithAnnotations[Supporter, CareAnnotations]

Attendance = SupervisionMeeting.attendees.through
YEAR_MILESTONES = (1, 3, 5, 10)


def supporters_on_break(program: Program, on_date: dt.date) -> set[int]:
    """Ids of the program's supporters (recruitment.Supporter) on a break on ``on_date``.

    A break covers its first day through its last (`ends_on`, inclusive; open-ended breaks
    run until the supporter returns). Cancelled breaks do not count. For today, anyone whose
    pathway stage is 'on break' is included too (a coordinator may have moved them there
    without recording dates). Matching calls this to leave these people out.
    """
    covering = (
        Break.objects.filter(program=program, starts_on__lte=on_date)
        .exclude(status=BreakStatus.CANCELLED)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on_date))
        .values_list("supporter_id", flat=True)
    )
    ids = set(covering)
    if on_date == timezone.localdate():
        ids |= set(Supporter.objects.filter(program=program, stage=Stage.ON_BREAK).values_list("pk", flat=True))
    return ids


def first_active_dates(program: Program, supporter_ids: list[int] | None = None) -> dict[int, dt.date]:
    """When each supporter first became active (their pathway history)."""
    rows = StageChange.objects.filter(supporter__program=program, to_stage=Stage.ACTIVE)
    if supporter_ids is not None:
        rows = rows.filter(supporter_id__in=supporter_ids)
    return {
        row["supporter_id"]: timezone.localdate(row["first"])
        for row in rows.values("supporter_id").annotate(first=Min("created_at"))
    }


@dataclass
class CareRow:
    """One supporter with their supervision and check-in status."""

    supporter: Supporter
    last_supervised: dt.date | None
    supervision_due: dt.date | None
    last_checkin: dt.datetime | None
    last_concern: bool
    checkin_due: dt.date | None
    waiting_checkin_due: dt.date | None
    open_tasks: int
    on_break: bool
    today: dt.date
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def supervision_overdue(self) -> bool:
        return self.supervision_due is not None and self.supervision_due < self.today

    @property
    def checkin_overdue(self) -> bool:
        return self.checkin_due is not None and self.checkin_due < self.today

    @property
    def checkin_is_due(self) -> bool:
        """A check-in is waiting for them (after a hard event or a break), or the routine one is due."""
        return self.waiting_checkin_due is not None or (self.checkin_due is not None and self.checkin_due <= self.today)


def annotate_care(supporters: QuerySet[Supporter]) -> QuerySet[CareSupporter]:
    """Add last supervision, last check-in, waiting check-in and open-task count (one query)."""
    completed = CheckIn.objects.filter(supporter=OuterRef("pk"), status=CheckInStatus.COMPLETED).order_by(
        "-completed_at"
    )
    open_tasks = (
        CareTask.objects.filter(supporter=OuterRef("pk"), status=TaskStatus.OPEN)
        .order_by()
        .values("supporter")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return supporters.annotate(
        last_supervised=Subquery(
            Attendance.objects.filter(supporter_id=OuterRef("pk"))
            .order_by("-supervisionmeeting__held_on")
            .values("supervisionmeeting__held_on")[:1]
        ),
        last_checkin=Subquery(completed.values("completed_at")[:1]),
        last_concern=Subquery(completed.values("concern")[:1]),
        waiting_due=Subquery(
            CheckIn.objects.filter(supporter=OuterRef("pk"), status=CheckInStatus.SCHEDULED)
            .order_by("due_on")
            .values("due_on")[:1]
        ),
        open_task_count=Coalesce(Subquery(open_tasks, output_field=IntegerField()), Value(0)),
    ).select_related("supervisor")


def care_row(supporter: CareSupporter, settings: CareSettings, today: dt.date, on_break: set[int]) -> CareRow:
    """Due dates for one annotated supporter (see `annotate_care`)."""
    serving = supporter.stage in SERVING_STAGES and supporter.pk not in on_break
    since = timezone.localdate(supporter.stage_changed_at)
    supervision_due = None
    checkin_due = None
    if serving:
        supervision_due = (supporter.last_supervised or since) + dt.timedelta(days=settings.supervision_every_days)
        base = timezone.localdate(supporter.last_checkin) if supporter.last_checkin else since
        checkin_due = base + dt.timedelta(days=settings.checkin_every_days)
    waiting = supporter.waiting_due
    if waiting is not None:
        checkin_due = min(checkin_due, waiting) if checkin_due else waiting
    return CareRow(
        supporter=supporter,
        last_supervised=supporter.last_supervised,
        supervision_due=supervision_due,
        last_checkin=supporter.last_checkin,
        last_concern=bool(supporter.last_concern),
        checkin_due=checkin_due,
        waiting_checkin_due=waiting,
        open_tasks=supporter.open_task_count,
        on_break=supporter.pk in on_break or supporter.stage == Stage.ON_BREAK,
        today=today,
    )


def care_rows(
    program: Program, supporters: QuerySet[Supporter], settings: CareSettings, today: dt.date
) -> list[CareRow]:
    on_break = supporters_on_break(program, today)
    return [care_row(s, settings, today, on_break) for s in annotate_care(supporters)]


def covers(brk: Break, on_date: dt.date) -> bool:
    """Whether a break covers the date (see `supporters_on_break`)."""
    return (
        brk.status != BreakStatus.CANCELLED
        and brk.starts_on <= on_date
        and (brk.ends_on is None or brk.ends_on >= on_date)
    )


def checkin_status(
    program: Program,
    supporter: Supporter,
    settings: CareSettings,
    today: dt.date,
    breaks: list[Break] | None = None,
) -> CareRow:
    """One person's care row. ``breaks``, when the caller has them, must hold every break of the
    supporter that may cover ``today``; otherwise they are looked up."""
    # One person: look at their own breaks only (the supporter's stage covers "on break" today).
    if breaks is None:
        breaks = list(Break.objects.filter(supporter=supporter, starts_on__lte=today))
    on_break_today = any(covers(b, today) for b in breaks)
    if today == timezone.localdate() and supporter.stage == Stage.ON_BREAK:
        on_break_today = True
    on_break = {supporter.pk} if on_break_today else set()
    return care_row(annotate_care(Supporter.objects.filter(pk=supporter.pk))[0], settings, today, on_break)


# --- check-in trends -------------------------------------------------------------------------


def checkin_trends(supporter: Supporter, limit: int = 24) -> list[dict[str, Any]]:
    """The supporter's completed check-ins as one chart (and table) per questionnaire, oldest first."""
    rows = list(
        CheckIn.objects.filter(supporter=supporter, status=CheckInStatus.COMPLETED)
        .select_related("questionnaire")
        .order_by("-completed_at")[:limit]
    )
    rows.reverse()
    charts: dict[int, dict[str, Any]] = {}
    for checkin in rows:
        questionnaire = checkin.questionnaire
        if questionnaire is None:
            continue
        chart = charts.setdefault(
            questionnaire.pk,
            {
                "id": f"trend-{supporter.pk}-{questionnaire.pk}",
                "qid": questionnaire.pk,
                "title": questionnaire.name,
                "keys": [],
                "names": {},
            },
        )
        for key, value in checkin.scores.items():
            if key not in chart["keys"]:
                chart["keys"].append(key)
                chart["names"][key] = value.get("name", key)
    for chart in charts.values():
        chart["labels"], chart["rows"] = [], []
        series: dict[str, list[float | None]] = {key: [] for key in chart["keys"]}
        for checkin in rows:
            if checkin.questionnaire_id != chart["qid"]:
                continue
            label = timezone.localdate(checkin.completed_at).isoformat()
            chart["labels"].append(label)
            cells = []
            for key in chart["keys"]:
                value = checkin.scores.get(key)
                series[key].append(float(value["score"]) if value else None)
                cells.append({"name": chart["names"][key], "value": value})
            chart["rows"].append({"date": label, "cells": cells, "checkin": checkin})
        chart["series"] = [{"name": chart["names"][key], "values": series[key]} for key in chart["keys"]]
        # The spec that peerpath/charts.js draws, as for the reports dashboard.
        chart["data"] = {
            "kind": "line",
            "labels": chart["labels"],
            "series": [{"label": s["name"], "data": s["values"]} for s in chart["series"]],
            "span_gaps": True,
            "y_title": "Score",
            "legend": "bottom",
        }
        chart["json_id"] = f"{chart['id']}-data"
        chart["summary"] = ", ".join(chart["names"][key] for key in chart["keys"])
    return list(charts.values())


# --- supervision hours -----------------------------------------------------------------------


def _hours(minutes: int | None) -> Decimal:
    return (Decimal(minutes or 0) / 60).quantize(Decimal("0.01"))


def hours_by_year(supporter: Supporter) -> list[tuple[int, Decimal, int]]:
    """(year, supervision hours, meetings) for one supporter, latest year first."""
    # django-stubs loses the "year" alias of values() through the next annotate() (its issue 3471).
    rows = (
        Attendance.objects.filter(supporter_id=supporter.pk)  # type: ignore[misc]
        .annotate(year=ExtractYear("supervisionmeeting__held_on"))
        .values("year")
        .annotate(minutes=Sum("supervisionmeeting__duration_minutes"), meetings=Count("pk"))
        .order_by("-year")
    )
    return [(row["year"], _hours(row["minutes"]), row["meetings"]) for row in rows]


def hours_in_year(program: Program, supporters: QuerySet[Supporter], year: int) -> dict[int, tuple[Decimal, int]]:
    """{supporter id: (hours, meetings)} of supervision in a calendar year."""
    rows = (
        Attendance.objects.filter(
            supporter_id__in=supporters.values("pk"),
            supervisionmeeting__program=program,
            supervisionmeeting__held_on__year=year,
        )
        .values("supporter_id")
        .annotate(minutes=Sum("supervisionmeeting__duration_minutes"), meetings=Count("pk"))
    )
    return {row["supporter_id"]: (_hours(row["minutes"]), row["meetings"]) for row in rows}


def meeting_years(program: Program) -> list[int]:
    years = (
        SupervisionMeeting.objects.filter(program=program)
        .annotate(year=ExtractYear("held_on"))
        .values_list("year", flat=True)
        .distinct()
    )
    return sorted(set(years) | {timezone.localdate().year}, reverse=True)


# --- may need attention ----------------------------------------------------------------------


def attention(
    program: Program, supporters: QuerySet[Supporter], settings: CareSettings, today: dt.date
) -> list[tuple[CareRow, list[str]]]:
    """Current supporters who may need attention, each with the reasons.

    Reasons (thresholds are program settings): no activity (debrief, check-in, supervision or
    a contact) for N weeks; repeated check-ins in a highest-concern band within the window;
    overdue supervision; many support relationships closed within the window.
    """
    window_start = today - dt.timedelta(days=settings.attention_window_days)
    current = supporters.filter(stage__in=CURRENT_STAGES)
    concern_count = (
        CheckIn.objects.filter(
            supporter=OuterRef("pk"),
            status=CheckInStatus.COMPLETED,
            concern=True,
            completed_at__date__gte=window_start,
        )
        .order_by()
        .values("supporter")
        .annotate(n=Count("pk"))
        .values("n")
    )
    last_debrief = Debrief.objects.filter(supporter=OuterRef("pk")).order_by("-created_at").values("created_at")[:1]
    annotated = annotate_care(current).annotate(
        concern_count=Coalesce(Subquery(concern_count, output_field=IntegerField()), Value(0)),
        last_debrief=Subquery(last_debrief),
    )
    on_break = supporters_on_break(program, today)
    contacts = last_contacts(program)
    window_dt = timezone.make_aware(dt.datetime.combine(window_start, dt.time.min))
    closed = closed_relationship_counts(program, window_dt)
    quiet_before = today - dt.timedelta(weeks=settings.attention_quiet_weeks)
    found = []
    for supporter in annotated:
        row = care_row(supporter, settings, today, on_break)
        reasons = []
        moments = [
            supporter.last_supervised,
            timezone.localdate(supporter.last_checkin) if supporter.last_checkin else None,
            timezone.localdate(supporter.last_debrief) if supporter.last_debrief else None,
            contacts.get(supporter.pk),
        ]
        last_activity = max((m for m in moments if m is not None), default=None)
        row.extra["last_activity"] = last_activity
        if not row.on_break:
            reference = last_activity or timezone.localdate(supporter.stage_changed_at)
            if reference < quiet_before:
                reasons.append(
                    _("No activity for %(attention_quiet_weeks)s weeks or more")
                    % {"attention_quiet_weeks": settings.attention_quiet_weeks}
                )
        if supporter.concern_count >= settings.attention_concern_checkins:
            reasons.append(
                _("%(concern_count)s high-concern check-ins in %(attention_window_days)s days")
                % {"concern_count": supporter.concern_count, "attention_window_days": settings.attention_window_days}
            )
        if row.supervision_overdue:
            reasons.append(
                _("Supervision overdue since %(date)s")
                % {"date": date_format(row.supervision_due, "SHORT_DATE_FORMAT") if row.supervision_due else ""}
            )
        if closed.get(supporter.pk, 0) >= settings.attention_closed_relationships:
            reasons.append(
                _("%(closed)s support relationships closed in %(attention_window_days)s days")
                % {"closed": closed[supporter.pk], "attention_window_days": settings.attention_window_days}
            )
        if reasons:
            found.append((row, reasons))
    return found


# --- refresher topics ------------------------------------------------------------------------


def topic_suggestions(program: Program, settings: CareSettings, now: dt.datetime) -> list[topics.Suggestion]:
    """The suggested agenda: debrief topics and training's 'learn more about' answers, ranked."""
    since = now - dt.timedelta(days=settings.topic_window_days)
    mentions: list[topics.Mention] = []
    for text, supporter_id, user_id, at in (
        # Topics are encrypted: the empty ones are skipped after reading (split_list gives none).
        Debrief.objects.filter(program=program, created_at__gte=since).values_list(
            "topics", "supporter_id", "supporter__user_id", "created_at"
        )
    ):
        person = f"user:{user_id}" if user_id else f"supporter:{supporter_id}"
        mentions += [topics.Mention(t, person, at, "debrief") for t in topics.split_list(text)]
    for answer in learn_more_answers(program, since):
        at = answer.get("answered_at") or now
        if isinstance(at, dt.date) and not isinstance(at, dt.datetime):
            at = timezone.make_aware(dt.datetime.combine(at, dt.time.min))
        person = f"user:{answer.get('user_id')}"
        mentions += [
            topics.Mention(t, person, at, "training feedback") for t in topics.split_sentences(answer.get("text", ""))
        ]
    covered = dict(
        TopicPlan.objects.filter(program=program)
        .values("topic_key")
        .annotate(last=Max("planned_at"))
        .values_list("topic_key", "last")
    )
    return topics.rank(mentions, covered)


# --- buddies ---------------------------------------------------------------------------------


def paired_ids(program: Program) -> set[int]:
    ids: set[int] = set()
    for first, second in BuddyPair.objects.filter(program=program, ended_on__isnull=True).values_list(
        "first_id", "second_id"
    ):
        ids |= {first, second}
    return ids


def buddy_suggestions(program: Program, today: dt.date) -> list[dict[str, Any]]:
    """Suggested pairs among unpaired serving supporters: the newest with the most experienced.

    Experience is the time since first becoming active (from the pathway history); people
    never active yet (shadowing, provisional) count as newest.
    """
    people = list(
        Supporter.objects.filter(program=program, stage__in=SERVING_STAGES)
        .exclude(pk__in=paired_ids(program))
        .order_by("pk")
    )
    since = first_active_dates(program, [p.pk for p in people])
    people.sort(key=lambda p: (since.get(p.pk, today), p.pk))
    pairs = []
    low, high = 0, len(people) - 1
    while low < high:
        experienced, newer = people[low], people[high]
        pairs.append(
            {
                "experienced": experienced,
                "newer": newer,
                "experienced_since": since.get(experienced.pk),
                "newer_since": since.get(newer.pk),
            }
        )
        low, high = low + 1, high - 1
    return pairs


# --- recognition -----------------------------------------------------------------------------


def add_years(day: dt.date, years: int) -> dt.date:
    year = day.year + years
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


def support_given(program: Program) -> tuple[dict[int, int], str]:
    """Support given per supporter and its unit: contacts that reached the participant."""
    return contact_counts(program), "contacts"


def milestones(program: Program, settings: CareSettings, today: dt.date) -> dict[str, Any]:
    """Service milestones: years since first active (1, 3, 5, 10), support given, and any
    measure another app registered (`peerpath.care.recognition_sources`, e.g. hours of service).

    'upcoming' are due within the look-ahead; 'reached' are reached (years: in the last 90
    days) and not yet recognised (a Recognition with the milestone's key).
    """
    people = {p.pk: p for p in Supporter.objects.filter(program=program, stage__in=CURRENT_STAGES)}
    since = first_active_dates(program, list(people))
    done = set(
        Recognition.objects.filter(program=program).exclude(milestone="").values_list("supporter_id", "milestone")
    )
    horizon = today + dt.timedelta(days=settings.milestone_lookahead_days)
    upcoming: list[dict[str, Any]] = []
    reached: list[dict[str, Any]] = []
    for pk, first in since.items():
        if pk not in people:
            continue
        for years in YEAR_MILESTONES:
            day = add_years(first, years)
            key = f"years:{years}"
            entry = {
                "supporter": people[pk],
                "key": key,
                "label": ngettext("%(years)s year of service", "%(years)s years of service", years) % {"years": years},
                "date": day,
                "first_active": first,
            }
            if today < day <= horizon:
                upcoming.append(entry)
            elif today - dt.timedelta(days=90) <= day <= today and (pk, key) not in done:
                reached.append(entry)
    counts, unit = support_given(program)
    measures = [("support", unit, counts, settings.support_thresholds())]
    # Measures registered by apps after care (the hours ledger's hours of service).
    measures += [(m.key, str(m.unit), m.counts(program), m.thresholds(program)) for m in MEASURES]
    for prefix, label, found, thresholds in measures:
        for pk, person in people.items():
            count = found.get(pk, 0)
            passed = [t for t in thresholds if t <= count]
            if passed and (pk, f"{prefix}:{passed[-1]}") not in done:
                reached.append(
                    {
                        "supporter": person,
                        "key": f"{prefix}:{passed[-1]}",
                        "label": f"{passed[-1]} {label}",
                        "count": count,
                    }
                )
            ahead = [t for t in thresholds if t > count]
            if ahead and count >= ahead[0] * 0.8:
                upcoming.append(
                    {"supporter": person, "key": f"{prefix}:{ahead[0]}", "label": f"{ahead[0]} {label}", "count": count}
                )
    upcoming.sort(key=lambda e: (e.get("date") or horizon, e["supporter"].full_name))
    reached.sort(key=lambda e: (e.get("date") or today, e["supporter"].full_name), reverse=True)
    others = [(label, ", ".join(str(t) for t in thresholds)) for _, label, _, thresholds in measures[1:]]
    return {"upcoming": upcoming, "reached": reached, "unit": unit, "other_measures": others}


# --- breaks ----------------------------------------------------------------------------------


def breaks_to_cover(program: Program, today: dt.date) -> tuple[list[Break], list[Break], dict[int, list[Any]]]:
    """Current and upcoming (next 60 days) breaks, and each person's active relationships to cover."""
    current = list(
        Break.objects.filter(program=program, status=BreakStatus.CURRENT)
        .select_related("supporter")
        .order_by("starts_on")
    )
    upcoming = list(
        Break.objects.filter(program=program, status=BreakStatus.PLANNED, starts_on__lte=today + dt.timedelta(days=60))
        .select_related("supporter")
        .order_by("starts_on")
    )
    ids = sorted({b.supporter_id for b in current + upcoming})
    return current, upcoming, active_relationships(program, ids)


# --- support given (peerpath.support) ---------------------------------------------------------


def active_relationships(program: Program, supporter_ids: list[int]) -> dict[int, list[SupportRelationship]]:
    """Each supporter's open support relationships.

    One query. Templates show each relationship through `str()`, which names the participant
    only by reference: the coordinator opens the relationship for details.
    """
    rows = SupportRelationship.objects.filter(
        program=program, supporter_id__in=supporter_ids, state__in=WORKING_STATES
    ).select_related("participant", "supporter", "program")
    found: dict[int, list[SupportRelationship]] = {pk: [] for pk in supporter_ids}
    for row in rows:
        found.setdefault(row.supporter_id, []).append(row)
    return found


def closed_relationship_counts(program: Program, since: dt.datetime) -> dict[int, int]:
    """Relationships each supporter closed since a time."""
    rows = (
        SupportRelationship.objects.filter(program=program, state=RelationshipState.CLOSED, closed_at__gte=since)
        .values("supporter_id")
        .annotate(n=Count("id"))
    )
    return {row["supporter_id"]: row["n"] for row in rows}


def contact_counts(program: Program) -> dict[int, int]:
    """Contacts that reached the participant, per supporter, all time."""
    rows = (
        Contact.objects.filter(program=program, reached=True)
        .values("relationship__supporter_id")
        .annotate(n=Count("id"))
    )
    return {row["relationship__supporter_id"]: row["n"] for row in rows}


def last_contacts(program: Program) -> dict[int, dt.date]:
    """The date of each supporter's latest logged contact."""
    rows = (
        Contact.objects.filter(program=program).values("relationship__supporter_id").annotate(last=Max("contacted_on"))
    )
    return {row["relationship__supporter_id"]: row["last"] for row in rows}


# --- weekly digest ---------------------------------------------------------------------------


def digest_for(program: Program, supervisor: Any, settings: CareSettings, today: dt.date) -> dict[str, Any]:
    """What a supervisor's weekly digest lists: attention, overdue supervision and check-ins, open tasks."""
    supervised = Supporter.objects.filter(program=program, supervisor=supervisor, stage__in=CURRENT_STAGES)
    rows = care_rows(program, supervised, settings, today)
    tasks = list(
        CareTask.objects.filter(program=program, assigned_to=supervisor, status=TaskStatus.OPEN)
        .select_related("supporter")
        .order_by("due_on", "created_at")
    )
    return {
        "attention": attention(program, supervised, settings, today),
        "supervision_overdue": [r for r in rows if r.supervision_overdue],
        "checkins_overdue": [r for r in rows if r.checkin_overdue],
        "tasks": tasks,
    }


def reminders_due(program: Program, settings: CareSettings, today: dt.date) -> list[CareRow]:
    """Supporters with a check-in due today or earlier (routine or waiting)."""
    candidates = (
        Supporter.objects.filter(program=program)
        .filter(Q(stage__in=SERVING_STAGES) | Q(care_checkins__status=CheckInStatus.SCHEDULED))
        .distinct()
    )
    return [row for row in care_rows(program, candidates, settings, today) if row.checkin_is_due]


def group_by_supporter(rows: list[Any], attr: str = "supporter_id") -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        grouped[getattr(row, attr)].append(row)
    return grouped
