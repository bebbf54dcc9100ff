"""Groups' panels on the program home page: a supporter's sessions, cover and events to answer;
the coordinator's requests to join and people waiting for a group."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from peerpath.core.permissions import can
from peerpath.groups import queries, services
from peerpath.groups.models import Answer, Group, GroupMember, MemberStatus
from peerpath.programs.http import ProgramRequest
from peerpath.programs.models import Program
from peerpath.recruitment.access import supporter_record_for


def supporter_panel(request: ProgramRequest, program: Program, membership: Any) -> tuple[str, dict[str, Any]] | None:
    """The supporter's next group sessions, attendance to take, cover asked of them, and the
    events they can RSVP to from here."""
    if not can(membership, "groups.events"):
        return None
    record = supporter_record_for(request, program)
    if record is None:
        return None
    facilitating = (
        can(membership, "groups.mine") and Group.objects.filter(Q(lead=record) | Q(co_facilitators=record)).exists()
    )
    sessions = queries.my_sessions(record, days=14)[:4] if facilitating else []
    awaiting = queries.sessions_awaiting_attendance(record) if facilitating else []
    covers = services.open_cover_for(record) if can(membership, "groups.mine") else []
    events = queries.upcoming_events(program, record, days=100)[:4]
    if not (sessions or awaiting or covers or events):
        return None
    return (
        "groups/_panel_supporter.html",
        {
            "sessions": sessions,
            "awaiting": awaiting,
            "covers": covers,
            "events": events,
            "next": request.path,
            "answers": Answer.choices,
        },
    )


def coordinator_panel(request: ProgramRequest, program: Program, membership: Any) -> tuple[str, dict[str, Any]] | None:
    if not can(membership, "groups.manage"):
        return None
    requests = GroupMember.objects.filter(group__program=program, status=MemberStatus.REQUESTED).count()
    waiting = len(queries.waiting_for_a_group(program))
    if not (requests or waiting):
        return None
    return ("groups/_panel_coordinator.html", {"requests": requests, "waiting": waiting})


def participant_section(
    request: ProgramRequest, program: Program, record: Any, viewer: Any
) -> tuple[str, dict[str, Any]] | None:
    """The participant page's 'Groups' section: the groups they are in or asked to join."""
    rows = queries.memberships_of(record)
    if not rows:
        return None
    return ("groups/_participant_section.html", {"rows": rows, "link": can(request.membership, "groups.manage")})
