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
from peerpath.recruitment.models import Source
from peerpath.voice.models import AnswerLink, PeerInterest

KIND = "voice_answer"
INVITATION = "voice_invitation"
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


def recipient_for_delivery(link_id: int) -> str | None:
    """The participant's address, read as the e-mail is sent (never kept in the outbox)."""
    link = AnswerLink.objects.select_related("participant").filter(pk=link_id).first()
    return link.participant.email or None if link is not None and link.is_open() else None


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


def invitation_url(interest_id: int) -> str | None:
    """The application form, set to "former participant", while the person's consent stands."""
    interest = PeerInterest.objects.select_related("program").filter(pk=interest_id, consented=True).first()
    if interest is None:
        return None
    apply_url = absolute_url(reverse("recruitment:apply", args=[interest.program.slug]))
    return f"{apply_url}?source={Source.FORMER_PARTICIPANT}"


def invitation_recipient(interest_id: int) -> str | None:
    interest = PeerInterest.objects.select_related("participant").filter(pk=interest_id, consented=True).first()
    return (interest.participant.email or None) if interest is not None else None
