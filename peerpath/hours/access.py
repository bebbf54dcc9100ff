"""Whose ledger a member may see, and fetching duties for a view; anything else is a 404.

A ledger shows where a supporter's time went, participants only by reference: the supporter
themselves, the coordinators, and the supporter's own supervisor see it (as supporter care).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from peerpath.core.models import User
from peerpath.core.permissions import Role, has_role
from peerpath.hours.models import OtherDuty
from peerpath.programs.models import Membership, Program
from peerpath.recruitment.models import Supporter


def ledgers_visible_to(membership: Membership, user: User) -> QuerySet[Supporter]:
    """The supporters whose ledgers a member may see: all (coordinator) or supervised ones."""
    rows = Supporter.objects.filter(program_id=membership.program_id)
    if has_role(membership, Role.COORDINATOR):
        return rows
    if has_role(membership, Role.SUPERVISOR):
        return rows.filter(supervisor=user)
    return rows.none()


def get_visible_supporter(membership: Membership, user: User, pk: int) -> Supporter:
    return get_object_or_404(ledgers_visible_to(membership, user).select_related("program"), pk=pk)


def get_duty(program: Program, pk: int) -> OtherDuty:
    """A duty of the program, for its reviewer."""
    return get_object_or_404(OtherDuty.objects.select_related("supporter", "program"), program=program, pk=pk)


def own_duty(supporter: Supporter, pk: int) -> OtherDuty:
    """One of the supporter's own duties."""
    duty = OtherDuty.objects.select_related("supporter", "program").filter(supporter=supporter, pk=pk).first()
    if duty is None:
        raise Http404("No such duty.")
    return duty
