"""Recruitment's panels on the program home page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from peerpath.core.permissions import can
from peerpath.programs.http import ProgramRequest
from peerpath.programs.models import Program
from peerpath.recruitment import queries
from peerpath.recruitment.access import supporter_record_for
from peerpath.recruitment.models import Application


def coordinator_panel(request: ProgramRequest, program: Program, membership: Any) -> tuple[str, dict] | None:
    if not can(membership, "recruitment.view_board"):
        return None
    week_ago = timezone.now() - dt.timedelta(days=7)
    return (
        "recruitment/_panel_coordinator.html",
        {
            "stages": [s for s in queries.stage_counts(program) if s["count"]],
            "new_this_week": Application.objects.filter(program=program, submitted_at__gte=week_ago).count(),
            "interviews": queries.upcoming_interviews(program, limit=5),
            "now": timezone.now(),
            "revisits": queries.revisits_due(program, timezone.localdate())[:10],
        },
    )


def my_pathway_panel(request: ProgramRequest, program: Program, membership: Any) -> tuple[str, dict] | None:
    if not can(membership, "recruitment.view_own_pathway"):
        return None
    record = supporter_record_for(request, program)
    if record is None:
        return None
    return ("recruitment/_panel_my_pathway.html", {"person": record})
