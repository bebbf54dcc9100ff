"""Who may read and change a participant's plan, needs and referrals: the rule of the
relationship they belong to (`support.access.VISIBILITY`), applied to these records.

* **Read**: whoever sees the participant's contact details through the relationship in its
  current state: its own supporter while it is active or closing, the supervisor overseeing
  that supporter (or covering), a coordinator; in every state for the last two. A supporter
  whose relationship has closed sees nothing of the plan any more. Anyone else: 404.
* **Change**: the relationship's own supporter and coordinators, while the relationship is
  active or closing (the states in which contacts are recorded). Supervisors read only.

Every page built on `get_plan` writes the read audit entry of the participant.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from peerpath.core.permissions import Role, has_role
from peerpath.plans.models import Goal, GoalStep, Referral
from peerpath.programs.http import ProgramRequest
from peerpath.programs.models import Program
from peerpath.support.access import (
    Sight,
    Viewer,
    Write,
    get_relationship,
    overseen_ids,
    participants_visible_to,
    refusal,
    sight_of,
    states_allowing,
    viewer_of,
)
from peerpath.support.models import Participant, SupportRelationship
from peerpath.support.services.participants import record_view


@dataclass(frozen=True)
class PlanAccess:
    """One person's access to one relationship's plan."""

    viewer: Viewer | None
    may_read: bool
    may_change: bool
    refused: str  # why changes are refused now ("" when they are allowed or the reader only reads)


def access_to(relationship: SupportRelationship, viewer: Viewer | None) -> PlanAccess:
    """The rule above, for a reader whose place in the relationship is ``viewer``."""
    may_read = sight_of(viewer, relationship) == Sight.CONTACT_DETAILS
    writer = viewer in (Viewer.SUPPORTER, Viewer.COORDINATOR)
    why = refusal(relationship, Write.CONTACT) or ""
    return PlanAccess(viewer, may_read, may_read and writer and not why, why if writer else "")


def plan_access(request: ProgramRequest, program: Program, relationship: SupportRelationship) -> PlanAccess:
    viewer = viewer_of(
        request.membership,
        request.user,
        relationship,
        overseen_ids=overseen_ids(program, request.membership, request.user),
    )
    return access_to(relationship, viewer)


def get_plan(
    request: ProgramRequest, program: Program, pk: int, *, page: str, change: bool = False
) -> tuple[SupportRelationship, PlanAccess]:
    """The relationship whose plan the request reads (404 when it may not), its read audited.
    ``change=True``: the request changes the plan (403 when only reading is allowed)."""
    relationship = get_relationship(request, program, pk)
    found = plan_access(request, program, relationship)
    if not found.may_read:
        raise Http404("No such plan.")
    if change and not found.may_change:
        raise PermissionDenied(found.refused or _("You may read this plan but not change it."))
    record_view(actor=request.user, program=program, participant=relationship.participant, page=page)
    return relationship, found


def check_change(relationship: SupportRelationship) -> None:
    """For services: the plan changes only while the relationship is active or closing."""
    if message := refusal(relationship, Write.CONTACT):
        raise ValidationError(message)


def get_goal(
    request: ProgramRequest, program: Program, pk: int, *, page: str, change: bool = False
) -> tuple[Goal, PlanAccess]:
    """A goal of a plan the request may read (or change), with its relationship; 404 otherwise."""
    relationship_id = Goal.objects.filter(program=program, pk=pk).values_list("relationship_id", flat=True).first()
    if relationship_id is None:
        raise Http404("No such goal.")
    relationship, found = get_plan(request, program, relationship_id, page=page, change=change)
    goal = Goal.objects.get(pk=pk)
    goal.relationship = relationship
    return goal, found


def get_step(
    request: ProgramRequest, program: Program, pk: int, *, page: str, change: bool = False
) -> tuple[GoalStep, PlanAccess]:
    goal_id = GoalStep.objects.filter(goal__program=program, pk=pk).values_list("goal_id", flat=True).first()
    if goal_id is None:
        raise Http404("No such step.")
    goal, found = get_goal(request, program, goal_id, page=page, change=change)
    step = GoalStep.objects.get(pk=pk)
    step.goal = goal
    return step, found


@dataclass(frozen=True)
class NeedsAccess:
    """One person's access to one participant's needs checklist."""

    may_change: bool
    relationship: SupportRelationship | None  # the supporter's working relationship with them


def get_needs(
    request: ProgramRequest, program: Program, pk: int, *, page: str, change: bool = False
) -> tuple[Participant, NeedsAccess]:
    """A participant whose needs the request may read: whoever may open the participant's record
    (`support.access.participants_visible_to`); 404 otherwise. Coordinators change the checklist
    at intake and any time, a supporter while their relationship with the participant is active
    or closing; supervisors read (403 on a change). The read is audited."""
    participant: Participant = get_object_or_404(
        participants_visible_to(program, request.membership, request.user), pk=pk
    )
    working = None
    if has_role(request.membership, Role.SUPPORTER):
        working = (
            SupportRelationship.objects.filter(
                participant=participant, supporter__user=request.user, state__in=states_allowing(Write.CONTACT)
            )
            .select_related("program", "participant")
            .first()
        )
    coordinator = has_role(request.membership, Role.COORDINATOR)
    found = NeedsAccess(may_change=coordinator or working is not None, relationship=None if coordinator else working)
    if change and not found.may_change:
        raise PermissionDenied(_("You may read these needs but not change them."))
    record_view(actor=request.user, program=program, participant=participant, page=page)
    return participant, found


def get_referral(
    request: ProgramRequest, program: Program, pk: int, *, page: str, change: bool = False
) -> tuple[Referral, PlanAccess]:
    """A referral of a plan the request may read (or change), with its relationship; 404 otherwise."""
    relationship_id = Referral.objects.filter(program=program, pk=pk).values_list("relationship_id", flat=True).first()
    if relationship_id is None:
        raise Http404("No such referral.")
    relationship, found = get_plan(request, program, relationship_id, page=page, change=change)
    referral = Referral.objects.select_related("resource", "concern").get(pk=pk)
    referral.relationship = relationship
    return referral, found
