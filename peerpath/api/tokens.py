"""Creating, checking and revoking personal API tokens."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from peerpath.api.models import ApiToken
from peerpath.core import audit
from peerpath.core.models import User

TOKEN_PREFIX = "pp_"  # noqa: S105 (a visible marker, not a secret)
MAX_ACTIVE_TOKENS = 10


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(*, actor: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for the acting user and return it with its secret (shown once, never stored).

    Rule: a person holds at most MAX_ACTIVE_TOKENS active tokens.
    """
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Say what the token is for."})
    if ApiToken.objects.filter(user=actor, revoked_at__isnull=True).count() >= MAX_ACTIVE_TOKENS:
        raise ValidationError(f"You already have {MAX_ACTIVE_TOKENS} active tokens; revoke one first.")
    prefix = secrets.token_hex(4)
    secret = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        token = ApiToken.objects.create(user=actor, name=name, prefix=prefix, key_hash=_hash(secret))
        audit.record(actor=actor, program=None, action="api_token.create", target=token)
    return token, secret


def revoke_token(*, actor: User, token: ApiToken) -> ApiToken:
    """Revoke one of the actor's own tokens; revoking twice changes nothing."""
    if token.user_id != actor.pk:
        raise ValidationError("You can only revoke your own tokens.")
    if token.revoked_at is None:
        with transaction.atomic():
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit.record(actor=actor, program=None, action="api_token.revoke", target=token)
    return token


def user_for_token(secret: str) -> Any:
    """The active user holding this token, or None. Marks the token as used."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash(secret), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
