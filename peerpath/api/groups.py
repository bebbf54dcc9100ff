# No "from __future__ import annotations": django-ninja reads these annotations at import time.
"""Groups and their sessions, as the groups pages show them to the same people: coordinators see
every group, supporters those they facilitate. Members are never named here (their names stay on
the audited pages); sessions carry counts: members present and drop-ins."""

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema

from peerpath.api.auth import ApiRequest, require
from peerpath.api.common import ERRORS, PageIn, PathId, page_of, paged
from peerpath.api.schemas import NamedRef
from peerpath.groups.access import groups_visible_to
from peerpath.groups.models import GroupSession, MemberStatus, SessionStatus

router = Router(tags=["groups"])


class GroupOut(Schema):
    """A group or event and its series (times are the program's local time)."""

    id: int
    name: str
    kind: str
    audience: str
    description: str
    frequency: str
    weekday: int
    nth: int
    starts_on: dt.date
    ends_on: dt.date | None
    start_time: dt.time
    duration_minutes: int
    place: str
    online_url: str
    capacity: int | None
    admission: str
    listed: bool
    is_active: bool
    lead: NamedRef | None
    co_facilitators: list[NamedRef]
    areas: list[str]
    member_count: int

    @staticmethod
    def resolve_kind(obj: Any) -> str:
        return str(obj.kind.name)

    @staticmethod
    def resolve_audience(obj: Any) -> str:
        return str(obj.kind.audience)

    @staticmethod
    def resolve_co_facilitators(obj: Any) -> list[Any]:
        return list(obj.co_facilitators.all())

    @staticmethod
    def resolve_areas(obj: Any) -> list[str]:
        """The lived-experience areas the group is for, in the program's order (none: not
        specific to an area)."""
        return [a.name for a in sorted(obj.focus_areas.all(), key=lambda a: (a.position, a.name))]


class GroupSessionOut(Schema):
    """One session: when (moved when starts_at differs from planned_for), its status, who
    facilitated it and how many came (members present, drop-ins first time and returning)."""

    id: int
    group_id: int
    planned_for: dt.datetime
    starts_at: dt.datetime
    duration_minutes: int
    status: str
    change_note: str
    place: str
    online_url: str
    facilitators: list[NamedRef]
    members_present: int
    first_time_drop_ins: int
    returning_drop_ins: int

    @staticmethod
    def resolve_place(obj: Any) -> str:
        return str(obj.where)

    @staticmethod
    def resolve_online_url(obj: Any) -> str:
        return str(obj.link)

    @staticmethod
    def resolve_facilitators(obj: Any) -> list[Any]:
        return list(obj.facilitators.all())


class GroupSessionFilter(Schema):
    since: dt.date | None = None
    until: dt.date | None = None
    status: SessionStatus | None = None


@router.get("/{program}/groups", response={200: paged(GroupOut), **ERRORS})
def groups(request: ApiRequest, program: str, page: Query[PageIn]) -> dict[str, Any]:
    """Groups and events: every one for coordinators, the ones a supporter facilitates."""
    membership = require(request, program, "groups.facilitate")
    rows = (
        groups_visible_to(membership, request.user)
        .select_related("kind", "lead")
        .prefetch_related("co_facilitators", "focus_areas")
        .annotate(member_count=Count("members", filter=Q(members__status=MemberStatus.ACTIVE), distinct=True))
        .order_by("name", "id")
    )
    count, items = page_of(rows, page)
    return {"count": count, "items": items}


@router.get("/{program}/groups/{group_id}/sessions", response={200: paged(GroupSessionOut), **ERRORS})
def sessions(
    request: ApiRequest, program: str, group_id: PathId, filters: Query[GroupSessionFilter], page: Query[PageIn]
) -> dict[str, Any]:
    """A group's sessions, in time order; ``since`` and ``until`` are local dates."""
    membership = require(request, program, "groups.facilitate")
    group = get_object_or_404(groups_visible_to(membership, request.user), pk=group_id)
    rows = (
        GroupSession.objects.filter(group=group)
        .select_related("group")
        .prefetch_related("facilitators")
        .annotate(members_present=Count("attendance"))
    )
    if filters.since:
        rows = rows.filter(starts_at__date__gte=filters.since)
    if filters.until:
        rows = rows.filter(starts_at__date__lte=filters.until)
    if filters.status:
        rows = rows.filter(status=filters.status)
    count, items = page_of(rows.order_by("starts_at", "id"), page)
    return {"count": count, "items": items}
