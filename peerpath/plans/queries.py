"""Queries that build the plan pages, and the plan as other apps read it. Each runs a fixed
number of SQL statements, whatever the number of goals, steps or relationships.

`goals_and_progress(relationship, start, end)` is the plan over a date range, for the progress
summary (the ``voice`` app) and the JSON API.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Prefetch, Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from peerpath.core.permissions import Role, has_role
from peerpath.plans.defaults import get_settings
from peerpath.plans.models import (
    OPEN_REFERRAL_STATES,
    Goal,
    GoalProgress,
    GoalStatus,
    GoalStep,
    Need,
    NeedStatus,
    PlanReview,
    Referral,
    ReferralState,
    Resource,
)
from peerpath.programs.models import Program
from peerpath.support.access import Viewer, show_as, supporters_overseen_by
from peerpath.support.extensions import FollowUp
from peerpath.support.models import WORKING_STATES, Participant, SupportRelationship


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


def participant_plans(participant: Any) -> dict[str, Any]:
    """Every relationship's plan, the needs and the referrals of one participant, as plain data
    (support.extensions: the participant's own export)."""

    def day(value: dt.date | dt.datetime | None) -> str:
        return value.isoformat() if value else ""

    relationships = list(SupportRelationship.objects.filter(participant=participant).select_related("program"))
    return {
        "relationships": [{"relationship": r.pk, **plan_export(r)} for r in relationships],
        "needs": [
            {"need": n.area, "status": n.status, "note": n.note, "met_on": day(n.met_on), "since": day(n.created_at)}
            for n in Need.objects.filter(participant=participant)
        ],
        "referrals": [
            {
                "relationship": r.relationship_id,
                "resource": r.resource_name,
                "need": r.need,
                "state": r.state,
                "suggested_on": day(r.suggested_on),
                "made_on": day(r.made_on),
                "closed_on": day(r.closed_on),
                "follow_up_on": day(r.follow_up_on),
                "warm_handoff_notes": r.handoff_notes,
                "what_happened": r.outcome_note,
            }
            for r in Referral.objects.filter(relationship__participant=participant)
        ],
    }


# --- Needs, the directory and referrals -----------------------------------------------------------


def needs_of(participant: Participant) -> list[Need]:
    return list(Need.objects.filter(participant=participant).order_by("created_at", "id"))


def checklist(program: Program, participant: Participant) -> list[tuple[str, Need | None]]:
    """The program's needs checklist with the participant's need for each (or None), then any need
    they have whose name has since left the list."""
    needs = {n.area: n for n in needs_of(participant)}
    names = get_settings(program).need_list()
    return [(name, needs.get(name)) for name in names] + [(a, n) for a, n in needs.items() if a not in names]


def referrals_of(relationship: SupportRelationship) -> list[Referral]:
    return list(Referral.objects.filter(relationship=relationship).select_related("resource", "concern"))


def referrals_from(concern: Any) -> list[Referral]:
    """The referrals made from one concern, newest first."""
    return list(Referral.objects.filter(concern=concern).select_related("resource"))


def needs_and_referrals(relationship: SupportRelationship, start: dt.date, end: dt.date) -> dict[str, Any]:
    """The participant's needs and the relationship's referrals over a date range (both days
    included), for the progress summary: the needs recorded by ``end`` (with those met in the
    range) and the referrals suggested by ``end`` (with those made, connected or not in the range).
    Two queries. The caller checks access (`plans.access`) and audits the read."""
    needs = [n for n in needs_of(relationship.participant) if n.created_at.date() <= end]
    referrals = [r for r in referrals_of(relationship) if r.suggested_on <= end]
    return {
        "needs": needs,
        "needs_met": [n for n in needs if n.met_on is not None and start <= n.met_on <= end],
        "referrals": referrals,
        "referrals_made": [r for r in referrals if r.made_on is not None and start <= r.made_on <= end],
        "referrals_connected": [
            r
            for r in referrals
            if r.state == ReferralState.CONNECTED and r.closed_on is not None and start <= r.closed_on <= end
        ],
        "referrals_not_connected": [
            r
            for r in referrals
            if r.state == ReferralState.NOT_CONNECTED and r.closed_on is not None and start <= r.closed_on <= end
        ],
    }


def referral_followups(program: Program, user: Any, working: list[Any], today: dt.date) -> list[FollowUp]:
    """Open referrals whose follow-up date has come, in a supporter's working relationships
    (support.extensions): one query."""
    if not working:
        return []
    by_id = {r.pk: r for r in working}
    rows = Referral.objects.filter(
        relationship__in=list(by_id), state__in=OPEN_REFERRAL_STATES, follow_up_on__lte=today
    ).order_by("follow_up_on", "id")
    return [
        FollowUp(
            by_id[r.relationship_id],
            r.follow_up_on,  # type: ignore[arg-type]  # filtered on a date
            _("Referral to %(resource)s") % {"resource": r.resource_name},
            reverse("plans:referral", args=[program.slug, r.pk]),
        )
        for r in rows
    ]


def directory(
    program: Program, *, q: str = "", need: str = "", language: str = "", area: str = "", listed_only: bool = True
) -> QuerySet[Resource]:
    """The program's resources, searched by words (name, organisation, what they offer), need,
    language and area."""
    rows = Resource.objects.filter(program=program)
    if listed_only:
        rows = rows.filter(is_active=True)
    for word in q.split():
        rows = rows.filter(Q(name__icontains=word) | Q(organisation__icontains=word) | Q(offers__icontains=word))
    if need:
        # A JSON list's text holds each name in quotes: the same on SQLite and PostgreSQL.
        rows = rows.annotate(needs_text=Cast("needs", TextField())).filter(needs_text__icontains=f'"{need}"')
    if language:
        rows = rows.annotate(languages_text=Cast("languages", TextField())).filter(
            languages_text__icontains=f'"{language}'
        )
    if area:
        rows = rows.filter(area__icontains=area)
    return rows.order_by("name", "id")


def directory_languages(program: Program) -> list[str]:
    """Every language some listed resource speaks, for the search's choices (one query)."""
    found: set[str] = set()
    for languages in Resource.objects.filter(program=program, is_active=True).values_list("languages", flat=True):
        found.update(languages or [])
    return sorted(found, key=str.casefold)


def needs_report(program: Program, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """Per need of the checklist (and any recorded need since dropped from it): needs recorded,
    needs met in the range, referrals suggested, made, connected and not connected in the range.
    Two aggregate queries."""
    needs: dict[str, Any] = {
        row["area"]: row
        for row in Need.objects.filter(program=program)
        .values("area")
        .annotate(
            recorded=Count("id"),
            met=Count("id", filter=Q(status=NeedStatus.MET, met_on__gte=start, met_on__lte=end)),
        )
    }
    referrals: dict[str, Any] = {
        row["need"]: row
        for row in Referral.objects.filter(program=program)
        .values("need")
        .annotate(
            suggested=Count("id", filter=Q(suggested_on__gte=start, suggested_on__lte=end)),
            made=Count("id", filter=Q(made_on__gte=start, made_on__lte=end)),
            connected=Count("id", filter=Q(state=ReferralState.CONNECTED, closed_on__gte=start, closed_on__lte=end)),
            not_connected=Count(
                "id", filter=Q(state=ReferralState.NOT_CONNECTED, closed_on__gte=start, closed_on__lte=end)
            ),
        )
    }
    names = get_settings(program).need_list()
    names += sorted((set(needs) | set(referrals)) - set(names) - {""})
    if "" in referrals:
        names.append("")
    rows = []
    for name in names:
        n: dict[str, Any] = dict(needs.get(name, {}))
        r: dict[str, Any] = dict(referrals.get(name, {}))
        rows.append(
            {
                "need": name or _("No need named"),
                "recorded": n.get("recorded", 0),
                "met": n.get("met", 0),
                "suggested": r.get("suggested", 0),
                "made": r.get("made", 0),
                "connected": r.get("connected", 0),
                "not_connected": r.get("not_connected", 0),
            }
        )
    return rows


def erasure_counts(participant: Participant) -> dict[str, int]:
    """What an erased participant's plan leaves in the month's anonymous tally (support's
    `ErasureTally.other_counts`): goals and goals met, needs recorded and met, referrals and
    referrals connected. Three queries, read before the erasure's write transaction."""
    goals = Goal.objects.filter(relationship__participant=participant).aggregate(
        all=Count("pk"), met=Count("pk", filter=Q(status=GoalStatus.MET))
    )
    needs = Need.objects.filter(participant=participant).aggregate(
        all=Count("pk"), met=Count("pk", filter=Q(status=NeedStatus.MET))
    )
    referrals = Referral.objects.filter(relationship__participant=participant).aggregate(
        all=Count("pk"), connected=Count("pk", filter=Q(state=ReferralState.CONNECTED))
    )
    return {
        "goals": goals["all"],
        "goals_met": goals["met"],
        "needs": needs["all"],
        "needs_met": needs["met"],
        "referrals": referrals["all"],
        "referrals_connected": referrals["connected"],
    }
