"""Fetching a program's own records for a view: anything else is a 404.

Also where a person's way into a program is looked up: their current membership there (see
``MembershipQuerySet.current``), which core's ``program_view`` reads through the lookup this app
registers in ``ProgramsConfig.ready()``.
"""

from __future__ import annotations

from typing import cast

from django.shortcuts import get_object_or_404

from peerpath.core.models import EmailStatus, OutgoingEmail
from peerpath.core.prepared import PreparedLookup
from peerpath.programs.models import Competency, FocusArea, Membership, Program


def get_undelivered_email(program: Program, pk: int) -> OutgoingEmail:
    """An undelivered e-mail of this program (its coordinators may resend it); 404 otherwise."""
    return get_object_or_404(OutgoingEmail, program=program, status=EmailStatus.UNDELIVERED, pk=pk)


def get_membership(program: Program, pk: int) -> Membership:
    return get_object_or_404(Membership.objects.select_related("user"), program=program, pk=pk)


def get_competency(program: Program, pk: int) -> Competency:
    return get_object_or_404(Competency, program=program, pk=pk)


def get_focus_area(program: Program, pk: int) -> FocusArea:
    return get_object_or_404(FocusArea, program=program, pk=pk)


# Runs on every program page and API call (see peerpath.core.prepared). One membership per
# person and program: no ordering (nor the join it would need).
_MEMBERSHIP = PreparedLookup(
    lambda user_id, slug: Membership.objects.current().filter(user_id=user_id, program__slug=slug).order_by(),
    related="program",
    user_id=-2_000_000_001,
    slug="\x00slug",
)

# The program switcher, on every page.
_MEMBERSHIPS = PreparedLookup(
    lambda user_id: Membership.objects.current().filter(user_id=user_id).order_by("program__name"),
    related="program",
    user_id=-2_000_000_003,
)


def current_membership(user_id: int, program_slug: str) -> Membership | None:
    """The person's current membership in the program with this slug (with its program), or None."""
    return cast(Membership | None, _MEMBERSHIP.first(user_id=user_id, slug=program_slug))


def current_memberships(user_id: int) -> list[Membership]:
    """The person's current memberships with their programs, by program name."""
    return cast(list[Membership], _MEMBERSHIPS.all(user_id=user_id))


def second_factor_required(user_id: int) -> bool:
    """Whether the person holds a role that a program they work in requires two-factor sign-in
    for (registered with core.second_factor in ProgramsConfig.ready())."""
    return any(m.roles & m.program.second_factor_roles for m in current_memberships(user_id))
