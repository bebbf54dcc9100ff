"""Queries that build the plan pages, and the plan as other apps read it. Each runs a fixed
number of SQL statements, whatever the number of goals, steps or relationships.

`goals_and_progress(relationship, start, end)` is the plan over a date range, for the progress
summary (the ``voice`` app) and the JSON API.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from peerpath.core.permissions import Role, has_role
from peerpath.plans.defaults import get_settings
from peerpath.plans.models import Goal, GoalProgress, GoalStatus, GoalStep, PlanReview
from peerpath.programs.models import Program
from peerpath.support.access import Viewer, show_as, supporters_overseen_by
from peerpath.support.extensions import FollowUp
from peerpath.support.models import WORKING_STATES, SupportRelationship


def goals_with_detail(relationship: SupportRelationship) -> list[Goal]:
    """The relationship's goals, open first, each with its steps and progress (three queries)."""
    goals = list(
        Goal.objects.filter(relationship=relationship)
        .prefetch_related(  # type: ignore[no-redef]  # fills the attributes Goal declares
            Prefetch("steps", GoalStep.objects.order_by("created_at", "id"), to_attr="step_rows"),
            Prefetch("progress", GoalProgress.objects.select_related("recorded_by"), to_attr="progress_rows"),
        )
        .order_by("created_at", "id")
    )
    order = {GoalStatus.OPEN: 0, GoalStatus.MET: 1, GoalStatus.SET_ASIDE: 2}
    return sorted(goals, key=lambda g: order.get(GoalStatus(g.status), 3))


def review_due_on(relationship: SupportRelationship, last_review: dt.date | None, weeks: int) -> dt.date:
    """When the next plan review is due: ``weeks`` after the last review, or after the match started."""
    started = (relationship.activated_at or relationship.proposed_at).date()
    return (last_review or started) + dt.timedelta(weeks=weeks)


def plan(relationship: SupportRelationship) -> dict[str, Any]:
    """The plan page and section: the goals, the reviews and when the next is due."""
    weeks = get_settings(relationship.program).review_every_weeks
    reviews = list(PlanReview.objects.filter(relationship=relationship).select_related("reviewed_by"))
    goals = goals_with_detail(relationship)
    due = review_due_on(relationship, reviews[0].reviewed_on if reviews else None, weeks)
    working = relationship.state in WORKING_STATES
    return {
        "goals": goals,
        "open_goals": [g for g in goals if g.is_open],
        "reviews": reviews,
        "review_every_weeks": weeks,
        "review_due_on": due if working else None,
        "review_due": working and due <= timezone.localdate(),
    }


@dataclass
class GoalInRange:
    """One goal as it stood over a date range: for the progress summary."""

    goal: Goal
    status: str  # at the end of the range
    met_in_range: bool
    progress: list[GoalProgress] = field(default_factory=list)
    steps_done: list[GoalStep] = field(default_factory=list)
    steps_open: list[GoalStep] = field(default_factory=list)


def goals_and_progress(relationship: SupportRelationship, start: dt.date, end: dt.date) -> list[GoalInRange]:
    """The goals set by ``end`` with what happened to them from ``start`` to ``end`` (both
    included): the progress noted, the steps done, whether they were met in the range, and their
    status at its end (a goal met after the range was still being worked on then). Three queries.
    The caller checks access (`plans.access`) and audits the read."""
    rows = []
    for goal in goals_with_detail(relationship):
        if goal.created_at.date() > end:
            continue
        met_after = goal.met_on is not None and goal.met_on > end
        status = GoalStatus.OPEN if (goal.status == GoalStatus.MET and met_after) else GoalStatus(goal.status)
        rows.append(
            GoalInRange(
                goal=goal,
                status=status,
                met_in_range=goal.met_on is not None and start <= goal.met_on <= end,
                progress=[p for p in goal.progress_rows if start <= p.noted_on <= end],
                steps_done=[s for s in goal.step_rows if s.done_on is not None and start <= s.done_on <= end],
                steps_open=[s for s in goal.step_rows if s.done_on is None or s.done_on > end],
            )
        )
    return rows


def review_followups(program: Program, user: Any, working: list[Any], today: dt.date) -> list[FollowUp]:
    """Plan reviews due in a supporter's working relationships (support.extensions), in two
    queries: the settings and each relationship's latest review."""
    if not working:
        return []
    weeks = get_settings(program).review_every_weeks
    latest = dict(
        PlanReview.objects.filter(relationship__in=[r.pk for r in working])
        .values("relationship_id")
        .annotate(last=Max("reviewed_on"))
        .values_list("relationship_id", "last")
    )
    rows = []
    for relationship in working:
        due = review_due_on(relationship, latest.get(relationship.pk), weeks)
        if due <= today:
            url = reverse("plans:plan", args=[program.slug, relationship.pk])
            rows.append(FollowUp(relationship, due, _("Plan review"), url))
    return rows


def progress_rows(program: Program, membership: Any, user: Any) -> QuerySet[SupportRelationship]:
    """Working relationships with their goal counts, last progress and last review: a
    coordinator's of the whole program, a supervisor's of the supporters they oversee."""
    rows = SupportRelationship.objects.filter(program=program, state__in=WORKING_STATES)
    if not has_role(membership, Role.COORDINATOR):
        rows = rows.filter(supporter__in=supporters_overseen_by(program, user)).exclude(supporter__user=user)
    return (
        rows.select_related("participant", "supporter")
        .annotate(
            goals_open=Count("goals", filter=Q(goals__status=GoalStatus.OPEN), distinct=True),
            goals_met=Count("goals", filter=Q(goals__status=GoalStatus.MET), distinct=True),
            last_progress=Max("goals__progress__noted_on"),
            last_review=Max("plan_reviews__reviewed_on"),
        )
        .order_by("supporter__full_name", "activated_at", "id")
    )


def progress_overview(program: Program, membership: Any, user: Any) -> dict[str, Any]:
    """The goal-progress page: each relationship with when its next review is due."""
    weeks = get_settings(program).review_every_weeks
    rows = list(progress_rows(program, membership, user))
    viewer = Viewer.COORDINATOR if has_role(membership, Role.COORDINATOR) else Viewer.SUPERVISOR
    show_as(viewer, rows)
    today = timezone.localdate()
    for row in rows:
        row.review_due_on = review_due_on(row, row.last_review, weeks)  # type: ignore[attr-defined]
        row.review_due = row.review_due_on <= today  # type: ignore[attr-defined]
    return {"rows": rows, "review_every_weeks": weeks, "today": today}


def plan_export(relationship: SupportRelationship) -> dict[str, Any]:
    """One relationship's plan as plain data (the participant's own export)."""

    def day(value: dt.date | dt.datetime | None) -> str:
        return value.isoformat() if value else ""

    return {
        "goals": [
            {
                "goal": g.text,
                "status": g.status,
                "target_on": day(g.target_on),
                "met_on": day(g.met_on),
                "met_at_close": g.met_at_close,
                "created_at": day(g.created_at),
                "steps": [
                    {"step": s.text, "who": s.owner, "target_on": day(s.target_on), "done_on": day(s.done_on)}
                    for s in g.step_rows
                ],
                "progress": [{"on": day(p.noted_on), "note": p.note} for p in g.progress_rows],
            }
            for g in goals_with_detail(relationship)
        ],
        "plan_reviews": [
            {"on": day(r.reviewed_on), "note": r.note} for r in PlanReview.objects.filter(relationship=relationship)
        ],
    }


def participant_plans(participant: Any) -> list[dict[str, Any]]:
    """Every relationship's plan of one participant (support.extensions: the participant export)."""
    return [
        {"relationship": r.pk, **plan_export(r)}
        for r in SupportRelationship.objects.filter(participant=participant).select_related("program")
    ]
