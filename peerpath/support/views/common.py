"""Helpers the support pages share."""

from __future__ import annotations

from django.http import HttpResponse

from peerpath.core.exports import Table, download_table
from peerpath.core.permissions import Role, has_role
from peerpath.programs.http import ProgramRequest
from peerpath.programs.models import Program
from peerpath.support.services import participants as support_participants

PAGE_SIZE = 25


def is_coordinator(request: ProgramRequest) -> bool:
    return has_role(request.membership, Role.COORDINATOR)


def download_list(request: ProgramRequest, program: Program, fmt: str, name: str, table: Table) -> HttpResponse:
    """A list page's download; one that names participants is audited with every one it names."""
    if table.participant_ids:
        support_participants.record_list_export(
            actor=request.user, program=program, participant_ids=table.participant_ids, page=name, fmt=fmt
        )
    return download_table(f"{program.slug}-{name.replace(' ', '-')}", fmt, table)
