"""Support's panels on the program home page. Each runs a fixed number of queries."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop

from peerpath.core.permissions import can
from peerpath.programs.http import ProgramRequest
from peerpath.programs.models import Program
from peerpath.support import eligibility, queries
from peerpath.support import windows as w
from peerpath.support.services import matches
from peerpath.support.services.participants import record_list_view


def notifications_panel(request: ProgramRequest, program: Program, membership: Any) -> tuple[str, dict] | None:
    rows = queries.notifications(program, request.user)
    if not rows:
        return None
    return ("support/_panel_notifications.html", {"rows": rows})


def caseload_panel(request: ProgramRequest, program: Program, membership: Any) -> tuple[str, dict] | None:
    """The supporter's follow-ups due and overdue, offers to answer and unsent drafts."""
    if not can(membership, "support.view_caseload"):
        return None
    data = queries.caseload(program, request.user, with_closed=False)
    if not (data["working"] or data["offers"] or data["drafts"]):
        return ("support/_panel_caseload.html", {"empty": True})
    answers = {r.pk: r.latest_supporter_fit for r in data["working"]}
    due = matches.fit_questions_due(program, data["working"], answers=answers)
    data["fit_due"] = [r for r in data["working"] if r.pk in due]
    others = [f.relationship for f in [*data["other_due"], *data["other_overdue"]]]
    shown = list({r.pk: r.participant for r in [*data["due"], *data["overdue"], *others]}.values())
    record_list_view(actor=request.user, program=program, participants=shown, page=gettext_noop("home: follow-ups"))
    return ("support/_panel_caseload.html", data)


def supervision_panel(request: ProgramRequest, program: Program, membership: Any) -> tuple[str, dict] | None:
    if not can(membership, "support.supervise"):
        return None
    data = queries.supervision(program, request.user)
    flagged = [r for r in data["relationships"] if r.flags]
    return ("support/_panel_supervision.html", {**data, "flagged": flagged})


def coordinator_panel(request: ProgramRequest, program: Program, membership: Any) -> tuple[str, dict] | None:
    if not can(membership, "support.view_attention"):
        return None
    windows = w.Windows.for_program(program)
    return (
        "support/_panel_coordinator.html",
        {
            "waiting": eligibility.waiting_list(program).count(),
            "counts": w.summary(program, windows),
            "describe": windows.describe(),
            "concerns": queries.open_concerns(program).count(),
            "overdue_crises": [c for c in queries.open_concerns(program) if c.is_overdue()],
        },
    )
