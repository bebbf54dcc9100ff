"""Who may see which group and session, and fetching them for a view; anything else is a 404.

Coordinators see every group. A supporter sees the groups they lead or co-facilitate, and a
session they took over as cover. Members are named only on these pages, and each page that
names them leaves an audit entry (``support.services.participants.record_list_view``).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from peerpath.core.models import User
from peerpath.core.permissions import Role, has_role
from peerpath.groups.models import (
    Audience,
    CoverRequest,
    CoverStatus,
    Group,
    GroupKind,
    GroupMember,
    GroupSession,
)
from peerpath.programs.http import ProgramRequest
from peerpath.programs.models import Membership, Program
from peerpath.recruitment.models import Supporter


def own_supporter(program: Program, user: User) -> Supporter | None:
    return Supporter.objects.filter(program=program, user=user).first()


def is_coordinator(membership: Membership | None) -> bool:
    return has_role(membership, Role.COORDINATOR)


def facilitates(group: Group, supporter: Supporter | None) -> bool:
    """Whether the supporter leads or co-facilitates the group."""
    if supporter is None or group.program_id != supporter.program_id:
        return False
    return group.lead_id == supporter.pk or group.co_facilitators.filter(pk=supporter.pk).exists()


def groups_visible_to(membership: Membership, user: User) -> QuerySet[Group]:
    """All of the program's groups for a coordinator; the ones a supporter facilitates."""
    rows = Group.objects.filter(program_id=membership.program_id)
    if is_coordinator(membership):
        return rows
    return rows.filter(Q(lead__user=user) | Q(co_facilitators__user=user)).distinct()


def get_group(request: ProgramRequest, program: Program, pk: int) -> Group:
    group = get_object_or_404(Group.objects.select_related("program", "kind", "lead"), program=program, pk=pk)
    if is_coordinator(request.membership) or facilitates(group, own_supporter(program, request.user)):
        return group
    raise Http404("No such group.")


def can_see_session(membership: Membership | None, user: User, session: GroupSession) -> bool:
    """A session: the coordinator, the group's facilitators, and whoever took cover for it."""
    if membership is None or session.group.program_id != membership.program_id:
        return False
    if is_coordinator(membership):
        return True
    supporter = own_supporter(session.group.program, user)
    if supporter is None:
        return False
    return (
        facilitates(session.group, supporter)
        or CoverRequest.objects.filter(session=session, taken_by=supporter, status=CoverStatus.TAKEN).exists()
    )


def can_change_session(membership: Membership | None, user: User, session: GroupSession) -> bool:
    """Moving or cancelling a session: the coordinator or the group's lead."""
    if membership is None or session.group.program_id != membership.program_id:
        return False
    return is_coordinator(membership) or (session.group.lead is not None and session.group.lead.user_id == user.pk)


def can_add_session(membership: Membership | None, user: User, group: Group) -> bool:
    """Adding an extra session to a group: the coordinator or the group's lead (as moving one)."""
    if membership is None or group.program_id != membership.program_id:
        return False
    return is_coordinator(membership) or (group.lead is not None and group.lead.user_id == user.pk)


def get_session(request: ProgramRequest, program: Program, pk: int) -> GroupSession:
    session = get_object_or_404(
        GroupSession.objects.select_related("group__program", "group__kind", "group__lead", "debrief"),
        group__program=program,
        pk=pk,
    )
    if not can_see_session(request.membership, request.user, session):
        raise Http404("No such session.")
    return session


def get_event_session(program: Program, pk: int) -> GroupSession:
    """A session of an event for supporters (any member of the program may see events)."""
    return get_object_or_404(
        GroupSession.objects.select_related("group__program", "group__kind"),
        group__program=program,
        group__kind__audience=Audience.SUPPORTERS,
        pk=pk,
    )


def get_kind(program: Program, pk: int) -> GroupKind:
    return get_object_or_404(GroupKind, program=program, pk=pk)


def get_member(program: Program, pk: int) -> GroupMember:
    return get_object_or_404(
        GroupMember.objects.select_related("group__program", "participant"), group__program=program, pk=pk
    )


def get_cover(program: Program, pk: int) -> CoverRequest:
    return get_object_or_404(
        CoverRequest.objects.select_related("session__group__program", "facilitator"),
        session__group__program=program,
        pk=pk,
    )
