"""The request of a program page, typed with this app's models.

A view under ``@program_view`` declares ``request: ProgramRequest``: ``request.user`` is a
``User``, ``request.program`` the program and ``request.membership`` the person's membership
in it. Core sets both attributes (``peerpath.core.http.MemberRequest``) but may not name these
models, so the narrower type lives here.
"""

from __future__ import annotations

from peerpath.core.http import MemberRequest
from peerpath.programs.models import Membership, Program


class ProgramRequest(MemberRequest):
    """A request inside one program (``@program_view`` sets ``program`` and ``membership``)."""

    program: Program
    membership: Membership
