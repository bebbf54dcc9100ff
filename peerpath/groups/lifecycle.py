"""The lifecycles of groups' records: sessions, memberships and cover requests (allowed moves as
data; `peerpath.core.lifecycle` makes them). The services in `services.py` add their rules."""

from __future__ import annotations

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from peerpath.core.lifecycle import Lifecycle
from peerpath.groups.models import (
    CoverRequest,
    CoverStatus,
    GroupMember,
    GroupSession,
    MemberStatus,
    SessionStatus,
)

S, M, C = SessionStatus, MemberStatus, CoverStatus

SESSION = Lifecycle(
    model=GroupSession,
    field="status",
    # A cancelled session can be put back on; a held one stays held (its attendance can be corrected).
    transitions={S.SCHEDULED: {S.HELD, S.CANCELLED}, S.CANCELLED: {S.SCHEDULED}, S.HELD: set()},
    audit_action="group_session.{to}",
    label=lambda session: _("The session of %(date)s") % {"date": date_format(session.starts_at, "SHORT_DATE_FORMAT")},
)

MEMBER = Lifecycle(
    model=GroupMember,
    field="status",
    transitions={M.REQUESTED: {M.ACTIVE, M.LEFT}, M.ACTIVE: {M.LEFT}, M.LEFT: {M.ACTIVE}},
    audit_action="group_member.{to}",
    label=lambda _record: str(_("This membership")),
)

COVER = Lifecycle(
    model=CoverRequest,
    field="status",
    transitions={C.OPEN: {C.TAKEN, C.WITHDRAWN}, C.TAKEN: set(), C.WITHDRAWN: set()},
    audit_action="group_cover.{to}",
    refusal=lambda cover, from_state, to_state: (
        _("This cover request is already closed.") if from_state != C.OPEN else None
    ),
)
