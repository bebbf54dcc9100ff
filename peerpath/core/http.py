"""The requests that PeerPath's view decorators let through, typed for what they guarantee.

Only for annotations: a view declares ``request: AuthenticatedRequest`` under
``@login_required_view``, so ``request.user`` is a ``User`` (an ``Actor``). Under
``@program_view`` it declares ``request: ProgramRequest`` from ``peerpath.programs.http``, which
names the programs app's ``Program`` and ``Membership``; core knows no other app, so here a
program page's request is ``MemberRequest``, typed by the two protocols below (what core itself
reads of a membership), and mypy checks that the programs app's models satisfy them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from django.http import HttpRequest

from peerpath.core.models import User

if TYPE_CHECKING:
    from peerpath.core.permissions import Role


class ProgramRecord(Protocol):
    """A program as core reads it: its slug, for URLs and the session's current program."""

    @property
    def slug(self) -> str: ...


class ProgramMember(Protocol):
    """A person's membership of one program as core reads it: the roles it grants and the program."""

    @property
    def roles(self) -> set[Role]: ...

    @property
    def program(self) -> ProgramRecord: ...


class AuthenticatedRequest(HttpRequest):
    """A request from a logged-in person (``@login_required_view``, ``@program_view``)."""

    user: User


class MemberRequest(AuthenticatedRequest):
    """A request inside one program, as core sets it (``@program_view``); views annotate the
    narrower ``peerpath.programs.http.ProgramRequest``."""

    program: ProgramRecord
    membership: ProgramMember
