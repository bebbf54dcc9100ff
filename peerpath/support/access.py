"""Fetching support records a person may see; anything else is a 404.

Reading a participant's record through `get_participant` (or a page built on a relationship,
offer or concern) writes the audit entry every read of participant data leaves.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from peerpath.core.http import ProgramRequest
from peerpath.core.models import User
from peerpath.core.permissions import (
    Role,
    can_correct_contact,
    can_handle_concern,
    has_role,
    participants_visible_to,
    relationships_visible_to,
)
from peerpath.programs.models import Program
from peerpath.recruitment.models import Stage, Supporter
from peerpath.support.models import (
    Concern,
    Contact,
    MatchRun,
    Participant,
    RelationshipState,
    SupervisorCover,
    SupportRelationship,
)
from peerpath.support.services.participants import record_view


def get_participant(request: ProgramRequest, program: Program, pk: int, *, page: str) -> Participant:
    participant: Participant = get_object_or_404(
        participants_visible_to(program, request.membership, request.user), pk=pk
    )
    record_view(actor=request.user, program=program, participant=participant, page=page)
    return participant


def get_participant_for_staff(program: Program, pk: int) -> Participant:
    """A coordinator's lookup (matching, export, erasure) without a read audit of its own."""
    return get_object_or_404(Participant, program=program, pk=pk)


def get_relationship(request: ProgramRequest, program: Program, pk: int, *, page: str = "") -> SupportRelationship:
    relationship: SupportRelationship = get_object_or_404(
        relationships_visible_to(program, request.membership, request.user).select_related(
            "participant", "supporter", "supporter__user", "supporter__supervisor"
        ),
        pk=pk,
    )
    if page:
        record_view(actor=request.user, program=program, participant=relationship.participant, page=page)
    return relationship


def get_own_relationship(request: ProgramRequest, program: Program, pk: int, *, page: str) -> SupportRelationship:
    """A relationship of the requesting supporter's own (or any, for a coordinator)."""
    relationship = get_relationship(request, program, pk)
    mine = relationship.supporter.user_id == request.user.pk and has_role(request.membership, Role.SUPPORTER)
    if not mine and not has_role(request.membership, Role.COORDINATOR):
        raise Http404("Not your relationship.")
    record_view(actor=request.user, program=program, participant=relationship.participant, page=page)
    return relationship


def get_offer(request: ProgramRequest, program: Program, pk: int) -> SupportRelationship:
    relationship = get_object_or_404(
        SupportRelationship.objects.select_related("participant", "supporter"),
        program=program,
        pk=pk,
        supporter__user=request.user,
    )
    if relationship.state == RelationshipState.PROPOSED:
        record_view(actor=request.user, program=program, participant=relationship.participant, page="match offer")
    return relationship


def get_contact_to_correct(request: ProgramRequest, program: Program, pk: int) -> Contact:
    contact = get_object_or_404(
        Contact.objects.select_related("relationship", "relationship__participant", "relationship__supporter"),
        program=program,
        pk=pk,
    )
    if not can_correct_contact(program, request.membership, request.user, contact):
        raise Http404("Not a contact of a supporter you supervise.")
    record_view(
        actor=request.user, program=program, participant=contact.relationship.participant, page="contact correction"
    )
    return contact


def get_concern(request: ProgramRequest, program: Program, pk: int) -> Concern:
    concern = get_object_or_404(
        Concern.objects.select_related(
            "participant", "supporter", "relationship", "raised_by", "acknowledged_by", "followed_up_by", "on_call"
        ),
        program=program,
        pk=pk,
    )
    raised_it = concern.supporter.user_id == request.user.pk and has_role(request.membership, Role.SUPPORTER)
    if not raised_it and not can_handle_concern(program, request.membership, request.user, concern):
        raise Http404("No such concern.")
    record_view(actor=request.user, program=program, participant=concern.participant, page="concern")
    return concern


def get_match_run(program: Program, pk: int) -> MatchRun:
    return get_object_or_404(MatchRun, program=program, pk=pk)


def get_active_supporter(program: Program, pk: int) -> Supporter:
    return get_object_or_404(Supporter, program=program, pk=pk, stage__in=[Stage.ACTIVE, Stage.ON_BREAK])


def own_supporter_record(program: Program, user: User) -> Supporter:
    record = Supporter.objects.filter(program=program, user=user).select_related("supervisor").first()
    if record is None:
        raise Http404("You have no supporter record in this program.")
    return record


def get_own_cover(program: Program, user: object, pk: int) -> SupervisorCover:
    return get_object_or_404(SupervisorCover, program=program, supervisor=user, pk=pk)
