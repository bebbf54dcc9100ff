"""Token authentication and the API's use of the one permission module."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import HttpBearer

from peerpath.api.tokens import user_for_token
from peerpath.core.models import User
from peerpath.core.permissions import roles_for
from peerpath.programs.access import current_membership
from peerpath.programs.http import ProgramRequest
from peerpath.programs.models import Membership


class ApiRequest(ProgramRequest):
    """A request that TokenAuth let through (``auth`` is the token's user); ``require`` sets
    ``program`` and ``membership``. For annotations only: django-ninja passes the HttpRequest."""

    auth: User


class TokenAuth(HttpBearer):
    """`Authorization: Bearer pp_…` with a personal token made on the API tokens page."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


def require(request: ApiRequest, program_slug: str, action: str) -> Membership:
    """The caller's membership in the program if their role allows ``action``.

    The same rule as the pages: not a member -> 404 (nothing confirms the program's records
    exist), a member without the role -> 403.
    """
    membership = current_membership(request.auth.pk, program_slug)
    if membership is None:
        raise HttpError(404, _("Not found."))
    if not membership.roles & roles_for(action):
        raise HttpError(403, _("Your role in this program does not allow this."))
    request.program = membership.program
    request.membership = membership
    return membership
