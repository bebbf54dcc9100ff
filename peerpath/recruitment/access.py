"""Fetching recruitment records a person may see; anything else is a 404."""

from __future__ import annotations

from typing import cast

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from peerpath.core.http import ProgramMember
from peerpath.core.models import User
from peerpath.core.permissions import Role
from peerpath.core.prepared import PreparedLookup
from peerpath.programs.http import ProgramRequest
from peerpath.programs.models import Membership, Program
from peerpath.recruitment.models import Application, RedFlag, ScreeningInterview, ScreeningQuestion, Stage, Supporter


def get_supporter(program: Program, pk: int) -> Supporter:
    return get_object_or_404(Supporter, program=program, pk=pk)


def get_application(program: Program, pk: int) -> Application:
    return get_object_or_404(
        Application.objects.select_related("supporter", "reviewed_by").prefetch_related("focus_areas"),
        program=program,
        pk=pk,
    )


def get_interview(program: Program, pk: int) -> ScreeningInterview:
    return get_object_or_404(
        ScreeningInterview.objects.select_related("supporter", "interviewer", "decided_by"), program=program, pk=pk
    )


def get_question(program: Program, pk: int) -> ScreeningQuestion:
    return get_object_or_404(ScreeningQuestion, program=program, pk=pk)


def get_red_flag(program: Program, pk: int) -> RedFlag:
    return get_object_or_404(RedFlag, program=program, pk=pk)


# Read by several panels of every supporter's home page (see peerpath.core.prepared).
_OWN_RECORD = PreparedLookup(
    lambda program_id, user_id: Supporter.objects.filter(program_id=program_id, user_id=user_id).order_by("pk"),
    related="supervisor",
    program_id=-2_000_000_021,
    user_id=-2_000_000_022,
)


def _own_record(program: Program, user_id: int) -> Supporter | None:
    record = _OWN_RECORD.first(program_id=program.pk, user_id=user_id)
    if record is not None:
        record.program = program  # the same row: spares a query wherever record.program is read
    return record


# Accepted into training but not yet supporting anyone: no match offers, matching profile or breaks.
TRAINEE_STAGES = frozenset({Stage.ACCEPTED, Stage.IN_TRAINING, Stage.ASSESSED})
NOT_WHILE_TRAINING = _(
    "This page opens once you have finished your training and start supporting participants "
    "(match offers, your matching profile and breaks). Until then, see My training."
)


_UNKNOWN = object()


def not_while_in_training(membership: ProgramMember) -> str:
    """A condition for the supporting pages (core.permissions.register_condition): refused to a
    supporter whose pathway record is still in training. One query per request, kept on the
    membership."""
    if Role.SUPPORTER not in membership.roles:
        return ""
    stage = membership.__dict__.get("_pathway_stage", _UNKNOWN)
    if stage is _UNKNOWN:
        member = cast(Membership, membership)  # the programs app's row (core.permissions.membership_for)
        stage = (
            Supporter.objects.filter(program_id=member.program_id, user_id=member.user_id)
            .values_list("stage", flat=True)
            .first()
        )
        membership.__dict__["_pathway_stage"] = stage
    return str(NOT_WHILE_TRAINING) if stage in TRAINEE_STAGES else ""


def supporter_record_for(request: ProgramRequest, program: Program) -> Supporter | None:
    """The logged-in person's own pathway record in the program, or None; fetched once per request
    because several home-page panels ask for it."""
    cache: dict[int, Supporter | None] = request.__dict__.setdefault("_own_supporter_records", {})
    if program.pk not in cache:
        cache[program.pk] = _own_record(program, request.user.pk)
    return cache[program.pk]


def own_supporter_record(program: Program, user: User) -> Supporter:
    """The user's own pathway record in the program, with their supervisor; 404 for someone
    with none (the pages of a supporter's own training, certification, care and caseload)."""
    record = _own_record(program, user.pk)
    if record is None:
        raise Http404(_("You have no pathway record in this program."))
    return record
