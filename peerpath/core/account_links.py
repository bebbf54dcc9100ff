"""Account links (invitations and password resets): one-time links that log a person in.

Such a link is as good as the account's password, so it is never written anywhere at rest:
the e-mail is queued with a placeholder where the link goes, plus the user id and the kind of
link, and the task that sends it (`peerpath.core.outbox.deliver_email`) builds the link at
that moment. `peerpath.core.mail.queue_email` refuses a body that already holds one, so no
code path can put a link into the task queue by mistake.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from peerpath.core.models import User

Kind = Literal["invitation", "password_reset"]

# The URL names of the two kinds of link, each taking the user id (base64) and a token.
URL_NAMES: dict[str, str] = {"invitation": "core:invitation", "password_reset": "core:password_reset_confirm"}

# What a queued body holds where the link will go (rendered as the template's ``{{ url }}``).
PLACEHOLDER = "[[peerpath-account-link]]"


def build(user: User, kind: str) -> str:
    """The absolute one-time link of this kind for this user (it stops working once used)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return f"{settings.SITE_URL}{reverse(URL_NAMES[kind], args=[uid, token])}"


def active_user(user_id: int) -> User | None:
    """The account a queued link is for, if it still exists and may log in."""
    return User.objects.filter(pk=user_id, is_active=True).first()


# Other links that must not rest in the database (a participant's feedback link): kind -> the
# function building the link for the record whose id the queued message keeps, or None when
# the link may no longer be sent; the prefix every such link starts with; and, for a message
# to someone whose address must not rest in the outbox either (a participant), the function
# giving the address at sending time. Higher apps register theirs in `AppConfig.ready()`.
_BUILDERS: dict[str, Callable[[int], str | None]] = {}
_PREFIXES: dict[str, Callable[[], str]] = {}
_RECIPIENTS: dict[str, Callable[[int], str | None]] = {}


def register_link(
    kind: str,
    build: Callable[[int], str | None],
    prefix: Callable[[], str] | None = None,
    recipient: Callable[[int], str | None] | None = None,
) -> None:
    """Let queued e-mail carry a link of ``kind``, built by ``build(record id)`` at sending time
    (and sent to ``recipient(record id)``, read then, when the queued message names nobody).
    ``prefix``: the path such links start with, when no other e-mail may hold one (a secret link;
    a public address, such as the application form, has none)."""
    _BUILDERS[kind] = build
    if prefix is not None:
        _PREFIXES[kind] = prefix
    if recipient is not None:
        _RECIPIENTS[kind] = recipient


def recipient_for(kind: str, record_id: int) -> str | None:
    """The address a message of ``kind`` queued without one goes to, read at sending time."""
    find = _RECIPIENTS.get(kind)
    return find(record_id) if find is not None else None


def build_for(kind: str, record_id: int) -> str | None:
    """The link of ``kind`` for the record (a user for account links), or None: not to be sent."""
    if kind in URL_NAMES:
        user = active_user(record_id)
        return build(user, kind) if user is not None else None
    builder = _BUILDERS.get(kind)
    return builder(record_id) if builder is not None else None


def link_prefixes() -> list[str]:
    """The start of every account link (site address and path up to the user id) and of every
    registered link."""
    prefixes = []
    for name in URL_NAMES.values():
        path = reverse(name, args=["UID", "TOKEN"])
        prefixes.append(f"{settings.SITE_URL}{path.split('UID', 1)[0]}")
    prefixes.extend(f"{settings.SITE_URL}{prefix()}" for prefix in _PREFIXES.values())
    return prefixes


def holds_link(text: str) -> bool:
    """Whether the text holds an account link (so it must not be stored)."""
    return any(prefix in text for prefix in link_prefixes())
