"""Who may see which participant, relationship, contact note and concern, and fetching those
records for a view; anything else is a 404.

Reading a participant's record through `get_participant` (or a page built on a relationship,
offer or concern) writes the audit entry every read of participant data leaves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Container

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from peerpath.core.models import User
from peerpath.core.permissions import Role, has_role
from peerpath.programs.http import ProgramRequest
from peerpath.programs.models import Membership, Program
from peerpath.recruitment.models import Stage, Supporter
from peerpath.support.models import (
    OPEN_STATES,
    WORKING_STATES,
    Concern,
    ConcernState,
    Contact,
    MatchRun,
    Participant,
    RelationshipState,
    SupervisorCover,
    SupportRelationship,
)
from peerpath.support.services.participants import record_view


def supporters_overseen_by(program: Program, user: User, on_date: dt.date | None = None) -> QuerySet[Supporter]:
    """Supporters this user supervises, plus those of supervisors they cover for on ``on_date``."""
    day = on_date or timezone.localdate()
    covered = SupervisorCover.objects.filter(program=program, backup=user, starts_on__lte=day, ends_on__gte=day).values(
        "supervisor_id"
    )
    return Supporter.objects.filter(program=program).filter(Q(supervisor=user) | Q(supervisor_id__in=covered))


def relationships_visible_to(
    program: Program, membership: Membership | None, user: User
) -> QuerySet[SupportRelationship]:
    """Coordinators: every relationship. Supervisors: their (or covered) supporters'. Supporters: their own."""
    rows = SupportRelationship.objects.filter(program=program)
    if has_role(membership, Role.COORDINATOR):
        return rows
    rule = Q(pk__in=[])
    if has_role(membership, Role.SUPERVISOR):
        rule |= Q(supporter__in=supporters_overseen_by(program, user))
    if has_role(membership, Role.SUPPORTER):
        rule |= Q(supporter__user=user)
    return rows.filter(rule)


def participants_visible_to(program: Program, membership: Membership | None, user: User) -> QuerySet[Participant]:
    """Coordinators: every participant. Supporters: those they are matched with (an active or closing
    relationship; a proposed match shows only the offer). Supervisors: those matched with the
    supporters they supervise or cover for (proposed, active or closing)."""
    rows = Participant.objects.filter(program=program)
    if has_role(membership, Role.COORDINATOR):
        return rows
    rule = Q(pk__in=[])
    if has_role(membership, Role.SUPERVISOR):
        rule |= Q(
            relationships__state__in=OPEN_STATES,
            relationships__supporter__in=supporters_overseen_by(program, user),
        )
    if has_role(membership, Role.SUPPORTER):
        rule |= Q(relationships__state__in=WORKING_STATES, relationships__supporter__user=user)
    return rows.filter(rule).distinct()


def can_correct_contact(program: Program, membership: Membership | None, user: User, contact: Contact) -> bool:
    """Only the supervisor of the supporter who logged the contact (or their backup while covering)."""
    if not has_role(membership, Role.SUPERVISOR):
        return False
    supporter_id = contact.relationship.supporter_id
    return supporters_overseen_by(program, user).filter(pk=supporter_id).exists()


def can_read_contact_notes(
    membership: Membership | None,
    user: User,
    relationship: SupportRelationship,
    *,
    overseen_ids: Container[int],
    show_previous_notes: bool,
) -> bool:
    """Who may read the notes of a relationship's contacts.

    Coordinators always; the relationship's own supporter; the supervisor overseeing that
    supporter. A later supporter of the same participant (after a rematch), and their
    supervisor, only when the program's setting allows it.
    """
    if has_role(membership, Role.COORDINATOR):
        return True
    if relationship.supporter.user_id == user.pk and has_role(membership, Role.SUPPORTER):
        return True
    if relationship.supporter_id in overseen_ids and has_role(membership, Role.SUPERVISOR):
        return True
    return show_previous_notes


def can_handle_concern(program: Program, membership: Membership | None, user: User, concern: Concern) -> bool:
    """Coordinators; the supervisor overseeing the supporter who raised it (or covering for them)."""
    if has_role(membership, Role.COORDINATOR):
        return True
    if not has_role(membership, Role.SUPERVISOR):
        return False
    if concern.on_call_id == user.pk:
        return True
    return supporters_overseen_by(program, user).filter(pk=concern.supporter_id).exists()


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


def get_own_relationship(
    request: ProgramRequest, program: Program, pk: int, *, page: str, audit_read: bool = True
) -> SupportRelationship:
    """A relationship of the requesting supporter's own (or any, for a coordinator).

    ``audit_read=False`` leaves the read audit to the caller, for a request that shows nothing
    of the participant and is audited once per editing session (the contact draft's autosave).
    """
    relationship = get_relationship(request, program, pk)
    mine = relationship.supporter.user_id == request.user.pk and has_role(request.membership, Role.SUPPORTER)
    if not mine and not has_role(request.membership, Role.COORDINATOR):
        raise Http404("Not your relationship.")
    if audit_read:
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


def may_handle_concern(program: Program, membership: Membership | None, user: User, concern: Concern) -> bool:
    """The one rule for acknowledging a concern and recording its follow-up, used by every page
    that handles one and by the services themselves.

    `can_handle_concern` decides who oversees it (coordinators; the supervisor overseeing the
    supporter, covering for their supervisor, or on call for it). On top of it: nobody but a
    coordinator handles a concern they raised themselves, so a supporter who also holds the
    supervisor role, or covers for their own supervisor, cannot close their own crisis.
    """
    if membership is None or concern.program_id != program.pk:
        return False
    if concern.supporter.user_id == user.pk and not has_role(membership, Role.COORDINATOR):
        return False
    return can_handle_concern(program, membership, user, concern)


def may_add_concern_details(user: User, concern: Concern) -> bool:
    """The person who raised a concern or crisis adds to it until it is followed up."""
    return concern.raised_by_id == user.pk and concern.state != ConcernState.RESOLVED


def get_concern_to_add_to(request: ProgramRequest, program: Program, pk: int) -> Concern:
    """A concern the requesting person raised and may still add details to; 404 otherwise."""
    concern = get_concern(request, program, pk)
    if concern.raised_by_id != request.user.pk:
        raise Http404("Not your concern.")
    return concern


def get_concern_to_handle(request: ProgramRequest, program: Program, pk: int) -> Concern:
    """A concern the requesting person may acknowledge or follow up; 403 for one they may only read."""
    concern = get_concern(request, program, pk)
    if not may_handle_concern(program, request.membership, request.user, concern):
        raise PermissionDenied("You do not handle this concern.")
    return concern


def get_match_run(program: Program, pk: int) -> MatchRun:
    return get_object_or_404(MatchRun, program=program, pk=pk)


def get_active_supporter(program: Program, pk: int) -> Supporter:
    return get_object_or_404(Supporter, program=program, pk=pk, stage__in=[Stage.ACTIVE, Stage.ON_BREAK])


def get_own_cover(program: Program, user: object, pk: int) -> SupervisorCover:
    return get_object_or_404(SupervisorCover, program=program, supervisor=user, pk=pk)
