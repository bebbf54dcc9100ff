"""Queries that build training pages and that other areas read. Each runs a fixed number of SQL
statements whatever the number of trainees, sessions or answers."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Avg, Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from peerpath.programs.models import Competency, Membership, Program
from peerpath.recruitment.models import Supporter
from peerpath.training.extensions import (
    COVERAGE_SOURCES,
    TopicCredit,
    TopicOffer,
    other_evidence,
    topic_credits,
    topic_offers,
)
from peerpath.training.models import (
    ATTENDED,
    Attendance,
    CESubject,
    Cohort,
    Enrolment,
    EnrolmentStatus,
    Feedback,
    FeedbackKind,
    Module,
    RolePlay,
    SessionKind,
    Shadowing,
    Topic,
    TrainingSession,
)
from peerpath.training.services import ON_ROSTER, REFRESHER_STAGES

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class CohortCounts(TypedDict):
    """What the cohort lists add to each cohort."""

    trainees: int
    session_count: int


# --- Attendance ------------------------------------------------------------------------------


@dataclass
class MadeUpAnotherWay:
    """A missed course session whose every topic the trainee covered another way afterwards
    (a completed self-paced module, where the program lets it count): what covered it."""

    session: TrainingSession
    credits: list[TopicCredit]

    @property
    def labels(self) -> list[str]:
        return list(dict.fromkeys(c.label for c in self.credits))


@dataclass
class AttendanceRate:
    """A trainee's attendance over the cohort's course sessions held so far.

    A course session counts as attended when they were present or late, or when they attended
    a make-up session for it, or (where the program lets self-paced learning count) when, on
    or after its day, they completed work covering every one of its topics (``self_paced``,
    shown as such, never as attended in person). Excused absences are not attendance (they can
    be made up).
    """

    held: int = 0
    attended: int = 0
    made_up: int = 0
    self_paced: int = 0
    missed: list[TrainingSession] = field(default_factory=list)
    made_up_another_way: dict[int, MadeUpAnotherWay] = field(default_factory=dict)

    @property
    def percent(self) -> Decimal | None:
        if not self.held:
            return None
        return (Decimal(self.attended) * 100 / Decimal(self.held)).quantize(Decimal("0.1"))

    def meets(self, minimum_percent: int | Decimal) -> bool:
        """Exact comparison (no rounding): attended / held >= minimum / 100."""
        return self.held > 0 and Decimal(self.attended) * 100 >= Decimal(minimum_percent) * self.held


def held_course_sessions(cohort: Cohort, now: dt.datetime | None = None) -> list[TrainingSession]:
    now = now or timezone.now()
    return list(
        TrainingSession.objects.filter(
            cohort=cohort, kind=SessionKind.REGULAR, is_cancelled=False, starts_at__lte=now
        ).order_by("starts_at")
    )


def attendance_rates(
    cohort: Cohort, supporter_ids: Iterable[int] | None = None, now: dt.datetime | None = None
) -> dict[int, AttendanceRate]:
    """Attendance rate per trainee of the cohort (or the given trainees): two queries."""
    sessions = held_course_sessions(cohort, now)
    rows = Attendance.objects.filter(session__cohort=cohort, status__in=ATTENDED, session__is_cancelled=False)
    if supporter_ids is not None:
        ids = list(supporter_ids)
        rows = rows.filter(supporter_id__in=ids)
    else:
        ids = list(Enrolment.objects.filter(cohort=cohort, status__in=ON_ROSTER).values_list("supporter_id", flat=True))
    attended: dict[int, set[int]] = defaultdict(set)
    made_up: dict[int, set[int]] = defaultdict(set)
    for supporter_id, session_id, kind, makeup_for_id in rows.values_list(
        "supporter_id", "session_id", "session__kind", "session__makeup_for_id"
    ):
        if kind == SessionKind.REGULAR:
            attended[supporter_id].add(session_id)
        elif kind == SessionKind.MAKE_UP and makeup_for_id:
            made_up[supporter_id].add(makeup_for_id)
    rates = {}
    for supporter_id in ids:
        rate = AttendanceRate(held=len(sessions))
        for session in sessions:
            if session.pk in attended[supporter_id]:
                rate.attended += 1
            elif session.pk in made_up[supporter_id]:
                rate.attended += 1
                rate.made_up += 1
            else:
                rate.missed.append(session)
        rates[supporter_id] = rate
    _count_covered_another_way(cohort, rates)
    return rates


def _count_covered_another_way(cohort: Cohort, rates: dict[int, AttendanceRate]) -> None:
    """Move the missed sessions whose every topic the trainee covered afterwards (registered
    sources: credentials' self-paced modules) from missed to made up. Two queries plus the
    sources', and none when nobody missed anything."""
    missed_ids = {s.pk for rate in rates.values() for s in rate.missed}
    if not missed_ids or not COVERAGE_SOURCES:
        return
    topics: dict[int, set[int]] = defaultdict(set)
    through = TrainingSession.topics.through
    for session_id, topic_id in through.objects.filter(trainingsession_id__in=missed_ids).values_list(
        "trainingsession_id", "topic_id"
    ):
        topics[session_id].add(topic_id)
    learners = [sid for sid, rate in rates.items() if any(topics.get(s.pk) for s in rate.missed)]
    if not learners:
        return
    credits = topic_credits(cohort.program, learners)
    for supporter_id in learners:
        rate = rates[supporter_id]
        still_missed = []
        for session in rate.missed:
            covering = _covering(topics.get(session.pk, set()), credits.get(supporter_id, []), session)
            if covering is None:
                still_missed.append(session)
                continue
            rate.attended += 1
            rate.self_paced += 1
            rate.made_up_another_way[session.pk] = MadeUpAnotherWay(session, covering)
        rate.missed = still_missed


def _covering(topic_ids: set[int], credits: list[TopicCredit], session: TrainingSession) -> list[TopicCredit] | None:
    """The earliest credit for each of the session's topics done on or after its day, or None
    when a topic has none (or the session has no topics: nothing says what it taught)."""
    if not topic_ids:
        return None
    day = timezone.localdate(session.starts_at)
    chosen = []
    for topic_id in sorted(topic_ids):
        found = sorted((c for c in credits if c.topic_id == topic_id and c.done_on >= day), key=lambda c: c.done_on)
        if not found:
            return None
        chosen.append(found[0])
    return chosen


def ways_to_make_up(
    program: Program, supporter: Supporter, rates: Iterable[AttendanceRate]
) -> dict[int, list[TopicOffer]]:
    """For a trainee's "what is left to do": per missed course session, the ways still open to
    cover its topics (a published self-paced module on one of them, where the program lets
    self-paced learning count). Two queries plus the sources', none when nothing was missed."""
    missed = {s.pk for rate in rates for s in rate.missed}
    if not missed or not COVERAGE_SOURCES:
        return {}
    topics: dict[int, list[int]] = defaultdict(list)
    through = TrainingSession.topics.through
    for session_id, topic_id in (
        through.objects.filter(trainingsession_id__in=missed)
        .order_by("topic__position", "topic_id")
        .values_list("trainingsession_id", "topic_id")
    ):
        topics[session_id].append(topic_id)
    offers = topic_offers(program, supporter.pk, [t for ids in topics.values() for t in ids])
    found = {}
    for session_id, topic_ids in topics.items():
        ways = [offer for topic_id in topic_ids for offer in offers.get(topic_id, [])]
        if ways:
            found[session_id] = list({offer.url: offer for offer in ways}.values())
    return found


@dataclass
class GridCell:
    """One trainee's cell for one session of the grid: the attendance mark (None: not marked),
    and what made the session up when the trainee covered its topics another way."""

    mark: Attendance | None
    made_up_by: MadeUpAnotherWay | None = None


def attendance_grid(cohort: Cohort) -> dict[str, Any]:
    """The cohort's attendance grid: trainees by sessions (course and make-up) with marks and rates."""
    sessions = list(
        TrainingSession.objects.filter(cohort=cohort).select_related("makeup_for").order_by("starts_at", "id")
    )
    enrolments = list(
        Enrolment.objects.filter(cohort=cohort).select_related("supporter").order_by("supporter__full_name")
    )
    marks = {
        (a.supporter_id, a.session_id): a
        for a in Attendance.objects.filter(session__cohort=cohort).only("supporter_id", "session_id", "status")
    }
    rates = attendance_rates(cohort, [e.supporter_id for e in enrolments])
    rows = [
        {
            "enrolment": e,
            "cells": [
                GridCell(marks.get((e.supporter_id, s.pk)), rates[e.supporter_id].made_up_another_way.get(s.pk))
                for s in sessions
            ],
            "rate": rates[e.supporter_id],
        }
        for e in enrolments
    ]
    return {"sessions": sessions, "rows": rows}


# --- Curriculum ------------------------------------------------------------------------------


def curriculum(program: Program) -> list[Module]:
    return list(
        Module.objects.filter(program=program).prefetch_related(
            Prefetch("topics", queryset=Topic.objects.order_by("position", "id").prefetch_related("competencies"))
        )
    )


def coverage_matrix(program: Program) -> dict[str, Any]:
    """Topics by competencies: which active topic builds which active competency, and the
    competencies no topic covers."""
    competencies = list(Competency.objects.filter(program=program, is_active=True).order_by("number"))
    topics = list(
        Topic.objects.filter(program=program, is_active=True, module__is_active=True)
        .select_related("module")
        .prefetch_related("competencies")
    )
    covered: dict[int, int] = defaultdict(int)
    rows = []
    for topic in topics:
        ids = {c.pk for c in topic.competencies.all()}
        for cid in ids:
            covered[cid] += 1
        rows.append({"topic": topic, "cells": [c.pk in ids for c in competencies]})
    columns = [{"competency": c, "topics": covered.get(c.pk, 0)} for c in competencies]
    return {
        "columns": columns,
        "rows": rows,
        "uncovered": [c for c in competencies if not covered.get(c.pk)],
    }


# --- Evidence --------------------------------------------------------------------------------


def evidence_for(supporter_ids: Iterable[int]) -> dict[str, dict[int, list[Any]]]:
    """Role plays and shadowing per trainee, with their competencies: two queries plus prefetches."""
    ids = list(supporter_ids)
    role_plays: dict[int, list[RolePlay]] = defaultdict(list)
    shadowings: dict[int, list[Shadowing]] = defaultdict(list)
    for rp in (
        RolePlay.objects.filter(trainee_id__in=ids).select_related("recorded_by").prefetch_related("competencies")
    ):
        role_plays[rp.trainee_id].append(rp)
    for sh in (
        Shadowing.objects.filter(trainee_id__in=ids)
        .select_related("experienced_supporter")
        .prefetch_related("competencies")
    ):
        shadowings[sh.trainee_id].append(sh)
    return {"role_plays": role_plays, "shadowings": shadowings}


def evidence_by_competency(supporter: Supporter, viewer: Membership | None = None) -> dict[int, dict[str, list[Any]]]:
    """For a trainee's competency record: competency id -> role plays and shadowings showing it,
    and under "other" what later apps register (``extensions.register_evidence_source``), linked
    where the viewer may open it."""
    evidence = evidence_for([supporter.pk])
    by_competency: dict[int, dict[str, list[Any]]] = defaultdict(
        lambda: {"role_plays": [], "shadowings": [], "other": []}
    )
    for competency_id, items in other_evidence(supporter, viewer).items():
        by_competency[competency_id]["other"].extend(items)
    for rp in evidence["role_plays"][supporter.pk]:
        for c in rp.competencies.all():
            by_competency[c.pk]["role_plays"].append(rp)
    for sh in evidence["shadowings"][supporter.pk]:
        for c in sh.competencies.all():
            by_competency[c.pk]["shadowings"].append(sh)
    return by_competency


# --- Feedback --------------------------------------------------------------------------------


def learn_more_answers(program: Program, since: dt.date | None = None) -> list[dict[str, Any]]:
    """Every non-empty 'what would you like to learn more about' answer from training feedback,
    newest first: {'text', 'user_id', 'answered_at'}. One query."""
    rows = Feedback.objects.filter(program=program).exclude(learn_more="")
    if since is not None:
        start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
        rows = rows.filter(answered_at__gte=start)
    return [
        {"text": text, "user_id": user_id, "answered_at": answered_at}
        for text, user_id, answered_at in rows.order_by("-answered_at", "-id").values_list(
            "learn_more", "user_id", "answered_at"
        )
    ]


_SPLIT = re.compile(r"[,;\n]|\band\b|&|/", re.IGNORECASE)
_FILLER = re.compile(r"^(more (about|on)|about|how to|learning about|learn about|the|a|an)\s+", re.IGNORECASE)


def _phrases(text: str) -> list[str]:
    phrases = []
    for part in _SPLIT.split(text):
        phrase = re.sub(r"[^\w\s'-]", "", part).strip().lower()
        while True:
            shorter = _FILLER.sub("", phrase)
            if shorter == phrase:
                break
            phrase = shorter
        if len(phrase) >= 3:
            phrases.append(phrase)
    return phrases


def group_learn_more(answers: Iterable[str]) -> list[dict[str, Any]]:
    """Group free-text 'learn more about' answers: each answer is split into phrases (on commas,
    'and', semicolons), lower-cased and stripped of fillers ('more about', 'how to'); identical
    phrases are one group. Groups come biggest first, with the answers that mentioned them."""
    groups: dict[str, dict[str, Any]] = {}
    for answer in answers:
        for phrase in dict.fromkeys(_phrases(answer)):
            group = groups.setdefault(phrase, {"phrase": phrase, "count": 0, "answers": []})
            group["count"] += 1
            if answer not in group["answers"]:
                group["answers"].append(answer)
    return sorted(groups.values(), key=lambda g: (-g["count"], g["phrase"]))


def feedback_summary(program: Program, cohort_ids: Iterable[int] | None = None) -> dict[str, Any]:
    """Aggregates of training feedback: per session, per module (through the sessions' topics),
    end-of-course, and the grouped 'learn more about' answers. A fixed handful of queries."""
    feedback = Feedback.objects.filter(program=program)
    if cohort_ids is not None:
        feedback = feedback.filter(cohort_id__in=list(cohort_ids))
    per_session = list(
        feedback.filter(kind=FeedbackKind.SESSION)
        .values("session_id", "session__title", "session__starts_at", "cohort__name")
        .annotate(average=Avg("helpful"), answers=Count("id"))
        .order_by("-session__starts_at")
    )
    # A session can cover several topics of one module: count each answer once per module.
    links = set(
        TrainingSession.topics.through.objects.filter(
            trainingsession_id__in=[r["session_id"] for r in per_session]
        ).values_list("trainingsession_id", "topic__module_id", "topic__module__title")
    )
    by_session = {r["session_id"]: r for r in per_session}
    totals: dict[int, dict[str, Any]] = {}
    for session_id, module_id, title in links:
        row = by_session[session_id]
        total = totals.setdefault(module_id, {"module": title, "sum": 0.0, "answers": 0})
        total["sum"] += float(row["average"]) * row["answers"]
        total["answers"] += row["answers"]
    per_module = sorted(
        ({"module": t["module"], "average": t["sum"] / t["answers"], "answers": t["answers"]} for t in totals.values()),
        key=lambda r: r["module"],
    )
    course = feedback.filter(kind=FeedbackKind.COURSE).aggregate(average=Avg("helpful"), answers=Count("id"))
    comments = list(
        feedback.exclude(comments="")
        .select_related("session", "cohort")
        .order_by("-answered_at")
        .values("comments", "answered_at", "kind", "session__title", "cohort__name")[:50]
    )
    learn_more = list(feedback.exclude(learn_more="").values_list("learn_more", flat=True))
    return {
        "per_session": per_session,
        "per_module": per_module,
        "course": course,
        "comments": comments,
        "learn_more_groups": group_learn_more(learn_more),
        "learn_more_count": len(learn_more),
    }


# --- A trainee's and a trainer's own pages ---------------------------------------------------


def trainee_enrolments(supporter: Supporter) -> list[Enrolment]:
    return list(
        Enrolment.objects.filter(supporter=supporter)
        .select_related("cohort")
        .prefetch_related("cohort__trainers")
        .order_by("-cohort__starts_on")
    )


def roster_cohort_ids(supporter: Supporter) -> list[int]:
    """The cohorts the person is on (enrolled, or completed and keeping their record)."""
    return list(Enrolment.objects.filter(supporter=supporter, status__in=ON_ROSTER).values_list("cohort_id", flat=True))


def schedule_for_supporter(
    supporter: Supporter, *, since: dt.datetime | None = None, cohort_ids: list[int] | None = None
) -> QuerySet[TrainingSession]:
    """Sessions of the cohorts they are on, and refresher events if they may come to them.
    ``cohort_ids`` (from `roster_cohort_ids`), when the caller has them, spares a join."""
    if cohort_ids is None:
        where = Q(cohort__enrolments__supporter=supporter, cohort__enrolments__status__in=ON_ROSTER)
    else:
        where = Q(cohort_id__in=cohort_ids)
    if supporter.stage in REFRESHER_STAGES:
        where |= Q(kind=SessionKind.REFRESHER)
    sessions = TrainingSession.objects.filter(where, program_id=supporter.program_id)
    if since is not None:
        sessions = sessions.filter(ends_at__gte=since)
    sessions = sessions.select_related("cohort", "makeup_for")
    if cohort_ids is None:
        sessions = sessions.distinct()  # the join through enrolments could repeat a session
    return sessions.order_by("starts_at")


def schedule_for_trainer(program: Program, user: Any, *, since: dt.datetime | None = None) -> QuerySet[TrainingSession]:
    """Sessions of the cohorts they teach, and the program's refresher events."""
    sessions = TrainingSession.objects.filter(Q(cohort__trainers=user) | Q(kind=SessionKind.REFRESHER), program=program)
    if since is not None:
        sessions = sessions.filter(ends_at__gte=since)
    return sessions.select_related("cohort", "makeup_for").distinct().order_by("starts_at")


def feedback_to_give(supporter: Supporter, cohort_ids: list[int] | None = None) -> dict[str, list[Any]]:
    """Surveys the trainee still owes: sessions of their cohorts that are over and that they
    attended without answering yet, and end-of-course surveys for courses that have ended.
    ``cohort_ids`` (from `roster_cohort_ids`), when the caller has them, spares the joins, and
    someone on no cohort owes nothing."""
    if cohort_ids is None:
        cohort_ids = roster_cohort_ids(supporter)
    if not cohort_ids:
        return {"sessions": [], "courses": []}
    now = timezone.now()
    answered = Feedback.objects.filter(supporter=supporter, kind=FeedbackKind.SESSION).values("session_id")
    sessions = list(
        TrainingSession.objects.filter(
            cohort_id__in=cohort_ids,
            is_cancelled=False,
            ends_at__lte=now,
            attendance__supporter=supporter,
            attendance__status__in=ATTENDED,
        )
        .exclude(pk__in=answered)
        .select_related("cohort")
        .distinct()
        .order_by("-starts_at")
    )
    courses_answered = Feedback.objects.filter(supporter=supporter, kind=FeedbackKind.COURSE).values("cohort_id")
    courses = list(
        Cohort.objects.filter(pk__in=cohort_ids, ends_on__lte=timezone.localdate()).exclude(pk__in=courses_answered)
    )
    return {"sessions": sessions, "courses": courses}


def my_attendance(supporter: Supporter) -> list[Attendance]:
    return list(
        Attendance.objects.filter(supporter=supporter)
        .select_related("session", "session__cohort", "session__makeup_for")
        .order_by("-session__starts_at")
    )


def trainer_cohorts(program: Program, user: Any) -> list[WithAnnotations[Cohort, CohortCounts]]:
    """Cohorts this trainer teaches with counts of trainees and sessions."""
    return list(
        Cohort.objects.filter(program=program, trainers=user)
        .annotate(
            trainees=Count("enrolments", filter=Q(enrolments__status__in=ON_ROSTER), distinct=True),
            session_count=Count("sessions", filter=Q(sessions__is_cancelled=False), distinct=True),
        )
        .prefetch_related("trainers")
        .order_by("-starts_on")
    )


def cohort_rows(cohorts: QuerySet[Cohort]) -> list[WithAnnotations[Cohort, CohortCounts]]:
    return list(
        cohorts.annotate(
            trainees=Count("enrolments", filter=Q(enrolments__status__in=ON_ROSTER), distinct=True),
            session_count=Count("sessions", filter=Q(sessions__is_cancelled=False), distinct=True),
        )
        .prefetch_related("trainers")
        .order_by("-starts_on", "name")
    )


def candidates_for_enrolment(cohort: Cohort) -> QuerySet[Supporter]:
    """People in training who are not (or no longer) enrolled in this cohort."""
    enrolled = Enrolment.objects.filter(cohort=cohort).exclude(status=EnrolmentStatus.WITHDRAWN).values("supporter_id")
    return Supporter.objects.filter(program=cohort.program, stage="in_training").exclude(pk__in=enrolled)


def refresher_events(program: Program) -> dict[str, list[TrainingSession]]:
    now = timezone.now()
    events = list(
        TrainingSession.objects.filter(program=program, kind=SessionKind.REFRESHER)
        .annotate(
            attendees=Count("attendance", filter=Q(attendance__status__in=ATTENDED)),
            ce_subject_name=Subquery(
                CESubject.objects.filter(program=OuterRef("program"), key=OuterRef("ce_category")).values("name")[:1]
            ),
        )
        .order_by("starts_at")
    )
    return {
        "upcoming": [e for e in events if e.ends_at >= now],
        "past": list(reversed([e for e in events if e.ends_at < now])),
    }
