"""Background work owned by core: sending e-mail, forgetting old one-time form tokens."""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives
from django.tasks import task

from peerpath.core import idempotency


@task()
def send_email(*, to: list[str], subject: str, body: str, html: str = "", reply_to: list[str] | None = None) -> int:
    message = EmailMultiAlternatives(subject=subject, body=body, to=to, reply_to=reply_to or None)
    if html:
        message.attach_alternative(html, "text/html")
    return message.send()


@task()
def prune_used_form_tokens() -> int:
    """Daily: forget one-time form tokens claimed more than peerpath.core.idempotency.KEEP_DAYS ago."""
    return idempotency.prune()
