"""The voice app's panels: on the program home page and on the support relationship page."""

from __future__ import annotations

from typing import Any

from peerpath.core.permissions import Role, can, has_role
from peerpath.programs.http import ProgramRequest
from peerpath.programs.models import Program
from peerpath.recruitment.access import supporter_record_for
from peerpath.support.models import SupportRelationship
from peerpath.voice import queries
from peerpath.voice.services import feedback


def supporter_panel(request: ProgramRequest, program: Program, membership: Any) -> tuple[str, dict] | None:
    """What participants said about the supporter, only as totals over enough answers."""
    if not can(membership, "support.view_caseload"):
        return None
    record = supporter_record_for(request, program)
    if record is None:
        return None
    totals = feedback.supporter_totals(record)
    if not totals.count:
        return None
    return "voice/_panel_supporter.html", {"totals": totals}


def coordinator_panel(request: ProgramRequest, program: Program, membership: Any) -> tuple[str, dict] | None:
    """New feedback to read, and answers saying a match is not a good fit."""
    if not can(membership, "voice.view_feedback"):
        return None
    counts = queries.feedback_counts(program)
    counts["to_invite"] = queries.former_participants_to_invite(program)
    if not counts["answers"] and not counts["to_invite"]:
        return None
    return "voice/_panel_coordinator.html", counts


def relationship_section(
    request: ProgramRequest, program: Program, relationship: SupportRelationship
) -> tuple[str, dict] | None:
    """Coordinators see the relationship's feedback answers; its supporter may record an outcome
    measure with the participant, and ask about becoming a supporter at a 'goals met' closing.
    Supervisors see neither answers nor scores here (the progress summary is theirs)."""
    coordinator = has_role(request.membership, Role.COORDINATOR)
    mine = relationship.supporter.user_id == request.user.pk and has_role(request.membership, Role.SUPPORTER)
    if not (coordinator or mine or can(request.membership, "voice.view_summary")):
        return None
    context = queries.relationship_voice(program, relationship, coordinator=coordinator, mine=mine)
    context["summary_allowed"] = can(request.membership, "voice.view_summary")
    return "voice/_relationship_section.html", context
