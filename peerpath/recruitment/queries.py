"""Queries that build recruitment pages. Each runs a fixed number of SQL statements."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Count, Max, Prefetch, Q, QuerySet

from peerpath.programs.models import Program
from peerpath.recruitment.models import (
    Application,
    ScreeningInterview,
    Source,
    Stage,
    StageChange,
    Supporter,
)

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class BoardAnnotations(TypedDict):
    last_applied: dt.datetime | None
    applications_count: int


def stage_counts(program: Program) -> list[dict[str, Any]]:
    """Every stage with how many people are in it (zeros included), in lifecycle order."""
    counts = dict(
        Supporter.objects.filter(program=program).values_list("stage").annotate(n=Count("id")).values_list("stage", "n")
    )
    return [{"stage": s.value, "label": s.label, "count": counts.get(s.value, 0)} for s in Stage]


def source_counts(program: Program) -> list[dict[str, Any]]:
    counts = dict(
        Supporter.objects.filter(program=program)
        .values_list("source")
        .annotate(n=Count("id"))
        .values_list("source", "n")
    )
    return [{"source": s.value, "label": s.label, "count": counts.get(s.value, 0)} for s in Source]


def board_rows(
    program: Program, *, q: str = "", stage: str = "", source: str = ""
) -> QuerySet[WithAnnotations[Supporter, BoardAnnotations]]:
    rows = Supporter.objects.filter(program=program)
    if q:
        rows = rows.filter(Q(full_name__icontains=q) | Q(email__icontains=q.strip().lower()))
    if stage:
        rows = rows.filter(stage=stage)
    if source:
        rows = rows.filter(source=source)
    return rows.annotate(
        last_applied=Max("applications__submitted_at"), applications_count=Count("applications")
    ).order_by("-last_applied", "full_name")


def applications_awaiting_review(program: Program, limit: int = 20) -> list[Application]:
    """Repeat applications whose differences from the person's record nobody has reviewed yet,
    newest first (the board lists them; the index on program, needs_review serves it)."""
    return list(
        Application.objects.filter(program=program, needs_review=True)
        .select_related("supporter")
        .order_by("-submitted_at")[:limit]
    )


def person_detail(program: Program, supporter: Supporter) -> dict[str, Any]:
    applications = (
        Application.objects.filter(supporter=supporter).prefetch_related("focus_areas").order_by("-submitted_at")
    )
    interviews = (
        ScreeningInterview.objects.filter(supporter=supporter)
        .select_related("interviewer", "decided_by")
        .prefetch_related("answers", "red_flags")
        .order_by("-scheduled_for")
    )
    history = StageChange.objects.filter(supporter=supporter).select_related("actor")
    return {
        "applications": applications,
        "interviews": interviews,
        "history": history,
        "milestones": supporter.milestones.select_related("recorded_by"),
        "focus_areas": supporter.focus_areas.all(),
    }


def upcoming_interviews(program: Program, limit: int = 10) -> QuerySet[ScreeningInterview]:
    return (
        ScreeningInterview.objects.filter(program=program, status="scheduled")
        .select_related("supporter", "interviewer")
        .order_by("scheduled_for")[:limit]
    )


def revisits_due(program: Program, today: Any) -> QuerySet[Supporter]:
    return Supporter.objects.filter(program=program, stage=Stage.COACHING, revisit_on__lte=today).order_by("revisit_on")


def interview_with_people(interview: ScreeningInterview) -> ScreeningInterview:
    return (
        ScreeningInterview.objects.select_related("supporter", "interviewer", "decided_by")
        .prefetch_related(Prefetch("answers"), Prefetch("red_flags"))
        .get(pk=interview.pk)
    )
