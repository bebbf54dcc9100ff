"""Training's panels on the program home page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils import timezone

from peerpath.core.permissions import can
from peerpath.programs.http import ProgramRequest
from peerpath.programs.models import Program
from peerpath.recruitment.access import supporter_record_for
from peerpath.training import queries
from peerpath.training.models import Attendance, SessionKind, TrainingSession


def trainer_panel(request: ProgramRequest, program: Program, membership: Any) -> tuple[str, dict] | None:
    if not can(membership, "training.my_cohorts"):
        return None
    now = timezone.now()
    mine = TrainingSession.objects.filter(program=program, cohort__trainers=request.user, is_cancelled=False)
    upcoming = list(mine.filter(ends_at__gte=now).select_related("cohort").order_by("starts_at")[:5])
    untaken = list(
        mine.filter(starts_at__lte=now, starts_at__gte=now - dt.timedelta(days=60))
        .exclude(kind=SessionKind.REFRESHER)
        .filter(~Exists(Attendance.objects.filter(session=OuterRef("pk"))))
        .select_related("cohort")
        .order_by("-starts_at")[:10]
    )
    return ("training/_panel_trainer.html", {"upcoming": upcoming, "untaken": untaken})


def trainee_panel(request: ProgramRequest, program: Program, membership: Any) -> tuple[str, dict] | None:
    if not can(membership, "training.my_training"):
        return None
    supporter = supporter_record_for(request, program)
    if supporter is None:
        return None
    cohort_ids = queries.roster_cohort_ids(supporter)
    upcoming = list(
        queries.schedule_for_supporter(supporter, since=timezone.now(), cohort_ids=cohort_ids).filter(
            is_cancelled=False
        )[:3]
    )
    due = queries.feedback_to_give(supporter, cohort_ids)
    if not upcoming and not due["sessions"] and not due["courses"]:
        return None
    return ("training/_panel_trainee.html", {"upcoming": upcoming, "due": due})
