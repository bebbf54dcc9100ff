"""The requests that PeerPath's view decorators let through, typed for what they guarantee.

Only for annotations: a view declares ``request: ProgramRequest`` under ``@program_view`` and
``request: AuthenticatedRequest`` under ``@login_required_view``, so ``request.user`` is a
``User`` (an ``Actor``) and ``request.program``/``request.membership`` are known.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

from peerpath.core.models import User

if TYPE_CHECKING:  # core does not import the programs app at run time
    from peerpath.programs.models import Membership, Program


class AuthenticatedRequest(HttpRequest):
    """A request from a logged-in person (``@login_required_view``, ``@program_view``)."""

    user: User


class ProgramRequest(AuthenticatedRequest):
    """A request inside one program (``@program_view`` sets ``program`` and ``membership``)."""

    program: Program
    membership: Membership
