"""Small pieces the login machinery needs."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from django.contrib.auth import backends as auth_backends
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from peerpath.core.models import User, normalize_email
from peerpath.core.prepared import PreparedLookup, UserWithMembership


def axes_username(request: HttpRequest, credentials: dict | None = None) -> str:
    """Lock out per account whatever case the address was typed in."""
    if credentials and credentials.get("username"):
        return normalize_email(credentials["username"])
    return normalize_email(request.POST.get("username", ""))


def _users(pk: int) -> QuerySet[User]:
    return User._default_manager.filter(pk=pk)


# Loaded on every request of a logged-in person (see peerpath.core.prepared).
_USER = PreparedLookup(_users, pk=-2_000_000_002)


# Set by a program page while Django loads the session's user (peerpath.core.permissions):
# the user's membership in that program then comes in the same query.
program_in_view: ContextVar[str | None] = ContextVar("program_in_view", default=None)
_USER_WITH_MEMBERSHIP = UserWithMembership()


class ModelBackend(auth_backends.ModelBackend):
    """Django's ModelBackend, loading the session's user through a prepared lookup (and, on a
    program page, their membership in the program with it). Django still verifies the session
    against the user exactly as before."""

    def get_user(self, user_id: Any) -> User | None:
        try:
            pk = get_user_model()._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        slug = program_in_view.get()
        if slug is None:
            user = _USER.first(pk=pk)
        else:
            user, membership = _USER_WITH_MEMBERSHIP.get(pk, slug)
            if user is not None:
                user._memberships_loaded = {slug: membership}  # read by membership_for
        return user if user is not None and self.user_can_authenticate(user) else None
