"""Creating, checking and revoking personal API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from ninja.errors import HttpError

from peerpath.api.models import ApiToken
from peerpath.core import audit
from peerpath.core.actors import Actor, SystemActor
from peerpath.core.models import User

TOKEN_PREFIX = "pp_"  # noqa: S105 (a visible marker, not a secret)
MAX_ACTIVE_TOKENS = 10
DEFAULT_LIFETIME_DAYS = 90
MAX_LIFETIME_DAYS = 365
# What revokes a person's tokens when their password changes (the change itself has no actor).
PASSWORD_CHANGE = SystemActor("PeerPath (password changed)")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _active(user: User) -> Any:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=timezone.now())


def create_token(*, actor: User, name: str, lifetime_days: int = DEFAULT_LIFETIME_DAYS) -> tuple[ApiToken, str]:
    """Create a token for the acting user and return it with its secret (shown once, never stored).

    Rules: a token expires ``lifetime_days`` after creation (1 to MAX_LIFETIME_DAYS days); a
    person holds at most MAX_ACTIVE_TOKENS active tokens.
    """
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Say what the token is for.")})
    if not 1 <= lifetime_days <= MAX_LIFETIME_DAYS:
        raise ValidationError(
            {"lifetime_days": _("A token lasts from 1 to %(days)d days.") % {"days": MAX_LIFETIME_DAYS}}
        )
    if _active(actor).count() >= MAX_ACTIVE_TOKENS:
        raise ValidationError(
            _("You already have %(count)d active tokens; revoke one first.") % {"count": MAX_ACTIVE_TOKENS}
        )
    prefix = secrets.token_hex(4)
    secret = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    now = timezone.now()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=actor,
            name=name,
            prefix=prefix,
            key_hash=_hash(secret),
            created_at=now,
            expires_at=now + dt.timedelta(days=lifetime_days),
        )
        audit.record(
            actor=actor,
            program=None,
            action="api_token.create",
            target=token,
            changes={"expires_at": [None, token.expires_at.isoformat()]},
        )
    return token, secret


def revoke_token(*, actor: User, token: ApiToken) -> ApiToken:
    """Revoke one of the actor's own tokens; revoking twice changes nothing."""
    if token.user_id != actor.pk:
        raise ValidationError(_("You can only revoke your own tokens."))
    if token.revoked_at is None:
        with transaction.atomic():
            token.revoked_at = timezone.now()
            token.revoked_because = ApiToken.RevokedBecause.OWNER
            token.save(update_fields=["revoked_at", "revoked_because"])
            audit.record(actor=actor, program=None, action="api_token.revoke", target=token)
    return token


def revoke_all_tokens(*, actor: Actor, user: User, because: ApiToken.RevokedBecause) -> int:
    """Revoke every unrevoked token of ``user`` (their password changed, or a membership ended),
    one audit entry each; returns how many. Expired tokens are revoked too, so none can return."""
    with transaction.atomic():
        tokens = list(ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True))
        now = timezone.now()
        for token in tokens:
            token.revoked_at = now
            token.revoked_because = because
            token.save(update_fields=["revoked_at", "revoked_because"])
            audit.record(
                actor=actor,
                program=None,
                action="api_token.revoke",
                target=token,
                changes={"revoked_because": [None, str(because)]},
            )
    return len(tokens)


def user_for_token(secret: str) -> Any:
    """The active user holding this unrevoked, unexpired token, or None. Marks the token as used.

    An expired token raises a 401 HttpError saying so (the caller holds the secret: telling them
    it expired, and when, is what they need to fix their script)."""
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
    if token.expires_at <= now:
        when = formats.date_format(timezone.localtime(token.expires_at), "Y-m-d H:i")
        raise HttpError(401, _("This token expired on %(when)s; make a new one under 'API tokens'.") % {"when": when})
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
