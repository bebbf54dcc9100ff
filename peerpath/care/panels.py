"""Supporter care's panels on the program home page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F, Q
from django.utils import timezone

from peerpath.care import queries
from peerpath.care.access import care_supporters_visible_to
from peerpath.care.models import Break, BreakStatus, CareTask, CheckIn, CheckInStatus, HardEvent, TaskStatus
from peerpath.care.services import buddies
from peerpath.care.services import common as care_common
from peerpath.care.stages import CURRENT_STAGES
from peerpath.core.permissions import Role, can, has_role
from peerpath.programs.http import ProgramRequest
from peerpath.programs.models import Program
from peerpath.recruitment.access import supporter_record_for
from peerpath.recruitment.models import Supporter


def my_care_panel(request: ProgramRequest, program: Program, membership: Any) -> tuple[str, dict] | None:
    """The supporter's check-in, what happens next after one, their break and their buddy."""
    if not can(membership, "care.own_care"):
        return None
    record = supporter_record_for(request, program)
    if record is None:
        return None
    settings = care_common.get_settings(program)
    today = timezone.localdate()
    # One query for the breaks the panel shows (planned or current) and those covering today.
    open_statuses = [BreakStatus.PLANNED, BreakStatus.CURRENT]
    breaks = list(
        Break.objects.filter(supporter=record)
        .filter(
            Q(status__in=open_statuses) | (Q(starts_on__lte=today) & (Q(ends_on__isnull=True) | Q(ends_on__gte=today)))
        )
        .exclude(status=BreakStatus.CANCELLED)
        .order_by("starts_on", "pk")
    )
    row = queries.checkin_status(program, record, settings, today, breaks=breaks)
    latest = None
    if row.last_checkin is not None:  # someone who never completed a check-in has nothing to follow up
        latest = (
            CheckIn.objects.filter(supporter=record, status=CheckInStatus.COMPLETED).order_by("-completed_at").first()
        )
    follow_up = None
    if latest is not None and latest.asks_for_follow_up:
        follow_up = latest.tasks.filter(status=TaskStatus.OPEN).select_related("assigned_to").first()
    pair = buddies.current_pair(record)
    buddy = pair.other(record.pk) if pair else None
    buddy_hard_time = (
        buddy is not None
        and HardEvent.objects.filter(supporter=buddy, occurred_at__gte=timezone.now() - dt.timedelta(days=14)).exists()
    )
    brk = next((b for b in breaks if b.status in open_statuses), None)
    return (
        "care/_panel_me.html",
        {
            "row": row,
            "follow_up": follow_up,
            "buddy": buddy,
            "buddy_hard_time": buddy_hard_time,
            "brk": brk,
            "questionnaire_ready": settings.checkin_questionnaire_id is not None,
        },
    )


def supervision_panel(request: ProgramRequest, program: Program, membership: Any) -> tuple[str, dict] | None:
    """For supervisors: their open tasks, overdue supervision and check-ins among their supporters."""
    if not has_role(membership, Role.SUPERVISOR):
        return None
    settings = care_common.get_settings(program)
    today = timezone.localdate()
    supervised = Supporter.objects.filter(program=program, supervisor=request.user, stage__in=CURRENT_STAGES)
    rows = queries.care_rows(program, supervised, settings, today)
    open_tasks = CareTask.objects.filter(program=program, assigned_to=request.user, status=TaskStatus.OPEN)
    # The most overdue first, then by due date; undated last.
    tasks = list(open_tasks.select_related("supporter").order_by(F("due_on").asc(nulls_last=True), "created_at")[:6])
    return (
        "care/_panel_supervision.html",
        {
            "count": len(rows),
            "tasks": tasks,
            "open_tasks": open_tasks.count(),
            "overdue_tasks": open_tasks.filter(due_on__lt=today).count(),
            "today": today,
            "supervision_overdue": [r for r in rows if r.supervision_overdue],
            "checkins_overdue": [r for r in rows if r.checkin_overdue],
        },
    )


def coordinator_panel(request: ProgramRequest, program: Program, membership: Any) -> tuple[str, dict] | None:
    """For coordinators: who is on break, unassigned care tasks, upcoming milestones."""
    if not has_role(membership, Role.COORDINATOR):
        return None
    settings = care_common.get_settings(program)
    today = timezone.localdate()
    visible = care_supporters_visible_to(membership, request.user)
    rows = queries.care_rows(program, visible.filter(stage__in=CURRENT_STAGES), settings, today)
    return (
        "care/_panel_coordinator.html",
        {
            "supervision_overdue": sum(1 for r in rows if r.supervision_overdue),
            "checkins_overdue": sum(1 for r in rows if r.checkin_overdue),
            "on_break": Break.objects.filter(program=program, status=BreakStatus.CURRENT).select_related("supporter")[
                :8
            ],
            "unassigned": CareTask.objects.filter(
                program=program, status=TaskStatus.OPEN, assigned_to__isnull=True
            ).count(),
            "no_supervisor": visible.filter(stage__in=CURRENT_STAGES, supervisor__isnull=True).count(),
            "milestones": queries.milestones(program, settings, today)["upcoming"][:5],
        },
    )


def topics_panel(request: ProgramRequest, program: Program, membership: Any) -> tuple[str, dict] | None:
    """For trainers: what supporters ask to have covered in the next refresher."""
    if not has_role(membership, Role.TRAINER):
        return None
    settings = care_common.get_settings(program)
    return (
        "care/_panel_topics.html",
        {"suggestions": queries.topic_suggestions(program, settings, timezone.now())[:5]},
    )
