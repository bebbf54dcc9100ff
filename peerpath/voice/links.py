"""The participant's answer link: signed, single use, expiring, and never stored.

The link carries a token signed with the installation's secret holding the link record's id and
a random nonce; the record keeps the nonce, its expiry and when it was used. A forged or altered
token fails the signature, a guessed id lacks the nonce, a used or expired link is refused by the
record. The e-mail is queued with a placeholder (`peerpath.core.mail.queue_link_email`) and the
link is built as it is sent, so neither the outbox nor a backup holds a working link.
"""

from __future__ import annotations

import hmac
import secrets

from django.core import signing
from django.urls import reverse

from peerpath.core.mail import absolute_url
from peerpath.voice.models import AnswerLink

KIND = "voice_answer"
SALT = "peerpath.voice.answer-link"


def new_nonce() -> str:
    return secrets.token_urlsafe(24)


def token_for(link: AnswerLink) -> str:
    return signing.dumps({"l": link.pk, "n": link.nonce}, salt=SALT)


def url_for(link: AnswerLink) -> str:
    return absolute_url(reverse("voice:answer", args=[token_for(link)]))


def prefix() -> str:
    """The path every answer link starts with (so no such link is queued by accident)."""
    return reverse("voice:answer", args=["TOKEN"]).split("TOKEN", 1)[0]


def build_for_delivery(link_id: int) -> str | None:
    """The link to put into the e-mail now, or None when it may no longer be answered."""
    link = AnswerLink.objects.filter(pk=link_id).first()
    if link is None or not link.is_open():
        return None
    return url_for(link)


def find(token: str) -> AnswerLink | None:
    """The link record a token names, if the token is genuine (open or not: the caller says which)."""
    try:
        data = signing.loads(token, salt=SALT)
        link_id, nonce = int(data["l"]), str(data["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    link = AnswerLink.objects.select_related("program", "participant", "relationship").filter(pk=link_id).first()
    if link is None or not hmac.compare_digest(link.nonce, nonce):
        return None
    return link
