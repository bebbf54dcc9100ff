"""Small pieces the login machinery needs."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import backends as auth_backends
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from peerpath.core.models import User, normalize_email
from peerpath.core.prepared import PreparedLookup


def axes_username(request: HttpRequest, credentials: dict | None = None) -> str:
    """Lock out per account whatever case the address was typed in."""
    if credentials and credentials.get("username"):
        return normalize_email(credentials["username"])
    return normalize_email(request.POST.get("username", ""))


def _users(pk: int) -> QuerySet[User]:
    return User._default_manager.filter(pk=pk)


# Loaded on every request of a logged-in person (see peerpath.core.prepared).
_USER = PreparedLookup(_users, pk=-2_000_000_002)


class ModelBackend(auth_backends.ModelBackend):
    """Django's ModelBackend, loading the session's user through a prepared lookup. Django still
    verifies the session against the user exactly as before."""

    def get_user(self, user_id: Any) -> User | None:
        try:
            pk = get_user_model()._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        user = _USER.first(pk=pk)
        return user if user is not None and self.user_can_authenticate(user) else None
