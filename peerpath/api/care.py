# No "from __future__ import annotations": django-ninja reads these annotations at import time.
"""Supporter care, where it is not confidential to the supporter: the supervision log.

Debriefs, check-ins and well-being scores stay on the pages (they are the supporter's and their
supervisor's); the API lists supervision meetings as the supervision log does, without notes:
coordinators see every meeting, supervisors those they led or logged.
"""

import datetime as dt
from typing import Any

from django.db.models import Q
from ninja import Query, Router, Schema

from peerpath.api.auth import ApiRequest, require
from peerpath.api.common import ERRORS, Id, PageIn, page_of, paged
from peerpath.api.schemas import MeetingOut
from peerpath.care.models import SupervisionMeeting
from peerpath.core.permissions import Role, has_role

router = Router(tags=["care"])


class MeetingFilter(Schema):
    since: dt.date | None = None
    until: dt.date | None = None
    attendee: Id | None = None


@router.get("/{program}/supervision-meetings", response={200: paged(MeetingOut), **ERRORS})
def supervision_meetings(
    request: ApiRequest, program: str, filters: Query[MeetingFilter], page: Query[PageIn]
) -> dict[str, Any]:
    """Supervision meetings, latest first: date, kind, length, who led it, who attended, topics."""
    membership = require(request, program, "care.log_supervision")
    rows = (
        SupervisionMeeting.objects.filter(program=membership.program)
        .select_related("supervisor")
        .prefetch_related("attendees")
    )
    if not has_role(membership, Role.COORDINATOR):
        rows = rows.filter(Q(supervisor=request.user) | Q(logged_by=request.user))
    if filters.since:
        rows = rows.filter(held_on__gte=filters.since)
    if filters.until:
        rows = rows.filter(held_on__lte=filters.until)
    if filters.attendee is not None:
        rows = rows.filter(attendees=filters.attendee)
    count, items = page_of(rows.order_by("-held_on", "-id"), page)
    return {"count": count, "items": items}
