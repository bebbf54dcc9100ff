"""The hours ledger's panels on the program home page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from peerpath.core.permissions import can
from peerpath.hours import ledger, queries, services
from peerpath.hours.ledger import Totals
from peerpath.hours.models import DutyStatus, OtherDuty
from peerpath.programs.http import ProgramRequest
from peerpath.programs.models import Program
from peerpath.recruitment.access import supporter_record_for


def my_hours_panel(request: ProgramRequest, program: Program, membership: Any) -> tuple[str, dict] | None:
    """The supporter's hours this year against the program's goal, and people supported."""
    if not can(membership, "hours.own"):
        return None
    record = supporter_record_for(request, program)
    if record is None or record.stage not in services.LOGGING_STAGES:
        return None
    settings = services.get_settings(program)
    year = timezone.localdate().year
    found = ledger.entries(ledger.Scope(program, [record.pk], dt.date(year, 1, 1), dt.date(year, 12, 31)))
    totals = Totals()
    for entry in found:
        totals.add(entry)
    waiting = OtherDuty.objects.filter(supporter=record, status=DutyStatus.SUBMITTED).count()
    return (
        "hours/_panel_me.html",
        {
            "year": year,
            "hours": totals.hours,
            "goal": settings.yearly_goal_hours,
            "progress": queries.goal_progress(totals.hours, settings),
            "people": len(ledger.everyone_reached(found)),
            "waiting": waiting,
        },
    )


def review_panel(request: ProgramRequest, program: Program, membership: Any) -> tuple[str, dict] | None:
    """For coordinators: other duties waiting for approval (nothing when none wait)."""
    if not can(membership, "hours.review_duties"):
        return None
    waiting = queries.duties_awaiting(program).count()
    if not waiting:
        return None
    return "hours/_panel_review.html", {"waiting": waiting}
