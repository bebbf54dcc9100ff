"""Delivering e-mail: at least once, with retries, and a visible end when it cannot be delivered.

`peerpath.core.mail.queue_email` stores each message as an `OutgoingEmail` (with its Message-ID,
made once) and queues `deliver_email` for it in the caller's transaction. Delivering:

1. the message is marked *sending* and its attempt counted (committed) before anything is sent;
2. it is sent through the configured mailer, which gives up after ``PEERPATH_EMAIL_TIMEOUT``
   seconds on a server that does not answer;
3. it is marked *sent* (committed).

A message already *sent* is never sent again, so a repeated task (a lease that ran out, a task
queued twice) changes nothing. The one repeat possible is a worker that died between 2 and 3:
the task goes back to the queue (peerpath.core.taskqueue) and sends it again, with the same
Message-ID, so receivers can drop the copy.

A failed attempt (connection refused, timeout, a refusal by the server) queues the next one after
``PEERPATH_EMAIL_RETRY_SECONDS``, doubling each time, until ``PEERPATH_EMAIL_MAX_ATTEMPTS``; the
last failure marks the message *undelivered*: its program's coordinators see it on the
undelivered messages page and may resend it (`resend`, audited), and the readiness check counts it.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import time
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import OperationalError, transaction
from django.db.models import QuerySet
from django.tasks import task
from django.tasks.base import TaskResult, TaskResultStatus
from django.utils import timezone
from django.utils.translation import gettext as _

from peerpath.core import account_links, audit
from peerpath.core.actors import Actor, SystemActor
from peerpath.core.models import EmailStatus, OutgoingEmail

logger = logging.getLogger(__name__)

DELIVERY = SystemActor("PeerPath (e-mail delivery)")
# Longest pause between two attempts, however many came before.
MAX_BACKOFF = dt.timedelta(hours=6)


def new_message_id() -> str:
    """A Message-ID under the site's own domain, made once per message."""
    domain = urlsplit(settings.SITE_URL).hostname or "peerpath.localhost"
    return email.utils.make_msgid(idstring="peerpath", domain=domain)


def max_attempts() -> int:
    return int(settings.EMAIL_MAX_ATTEMPTS)


def backoff(attempts: int) -> dt.timedelta:
    """The pause after the ``attempts``-th failed attempt: the base, doubled after each failure."""
    seconds = float(settings.EMAIL_RETRY_SECONDS) * 2 ** max(0, attempts - 1)
    return min(MAX_BACKOFF, dt.timedelta(seconds=seconds))


def store(
    *,
    to: list[str],
    subject: str,
    body: str,
    program: Any = None,
    reply_to: list[str] | None = None,
    html: str = "",
    link_user_id: int | None = None,
    link_kind: str = "",
) -> OutgoingEmail:
    """Store a message with its Message-ID and queue its delivery, in the caller's transaction."""
    with transaction.atomic():
        message = OutgoingEmail.objects.create(
            program=program,
            message_id=new_message_id(),
            to=to,
            reply_to=reply_to or [],
            subject=subject,
            body=body,
            html=html,
            link_user_id=link_user_id,
            link_kind=link_kind,
        )
        _queue(message.pk)
    return message


def _queue(email_id: int, when: dt.datetime | None = None) -> None:
    """Queue the delivery task, deferred to ``when`` where the task backend can defer."""
    runner = deliver_email
    if when is not None and runner.get_backend().supports_defer:
        runner = runner.using(run_after=when)
    runner.enqueue(email_id=email_id)


@task()
def deliver_email(*, email_id: int) -> str:
    """Send one stored message (an attempt); returns what became of it."""
    return deliver(email_id)


def deliver(email_id: int) -> str:
    """One delivery attempt of the message, as described in the module docstring."""
    with transaction.atomic():
        message = OutgoingEmail.objects.select_for_update().filter(pk=email_id).first()
        if message is None or message.status not in (EmailStatus.QUEUED, EmailStatus.SENDING):
            return message.status if message else "gone"
        # SENDING here means a worker died during an earlier attempt: it may have been sent.
        message.status = EmailStatus.SENDING
        message.attempts += 1
        message.last_attempt_at = timezone.now()
        message.next_attempt_at = None
        message.save(update_fields=["status", "attempts", "last_attempt_at", "next_attempt_at"])
    body = message.body
    if message.link_kind:
        # ``link_user_id`` is the user of an account link, or the record a registered link is for.
        url = account_links.build_for(message.link_kind, message.link_user_id or 0)
        if url is None:
            OutgoingEmail.objects.filter(pk=message.pk).update(status=EmailStatus.CANCELLED)
            return EmailStatus.CANCELLED
        body = body.replace(account_links.PLACEHOLDER, url)
    to = list(message.to)
    if not to and message.link_kind:
        # Queued without an address (a participant's is not kept in the outbox): read it now.
        address = account_links.recipient_for(message.link_kind, message.link_user_id or 0)
        if not address:
            OutgoingEmail.objects.filter(pk=message.pk).update(status=EmailStatus.CANCELLED)
            return EmailStatus.CANCELLED
        to = [address]
    outgoing = EmailMultiAlternatives(
        subject=message.subject,
        body=body,
        to=to,
        reply_to=message.reply_to or None,
        headers={"Message-ID": message.message_id},
    )
    if message.html:
        outgoing.attach_alternative(message.html, "text/html")
    try:
        outgoing.send()
    except Exception as error:
        logger.warning("e-mail %s: attempt %s failed: %r", message.pk, message.attempts, error)
        return attempt_failed(email_id=message.pk, error=f"{type(error).__name__}: {error}")
    _record_sent(message.pk)
    return EmailStatus.SENT


def _record_sent(email_id: int) -> None:
    """Mark the message sent, trying again while the database is busy: a message sent but not
    recorded as sent is the one case that sends it twice."""
    for wait in (0.2, 0.5, 1.0, 2.0, 0):
        try:
            OutgoingEmail.objects.filter(pk=email_id).update(status=EmailStatus.SENT, sent_at=timezone.now())
            return
        except OperationalError:
            if not wait:
                raise
            time.sleep(wait)


def attempt_failed(*, email_id: int, error: str) -> str:
    """Record a failed attempt: queue the next one after the back-off, or, after the last
    allowed attempt, mark the message undelivered (audited, for its program's coordinators)."""
    now = timezone.now()
    with transaction.atomic():
        message = OutgoingEmail.objects.select_for_update().filter(pk=email_id).first()
        if message is None or message.status not in (EmailStatus.QUEUED, EmailStatus.SENDING):
            return message.status if message else "gone"
        message.last_error = error[:2000]
        if message.attempts >= max_attempts():
            message.status = EmailStatus.UNDELIVERED
            message.failed_at = now
            message.save(update_fields=["status", "last_error", "failed_at"])
            audit.record(
                actor=DELIVERY,
                program=message.program,
                action="email.undelivered",
                target=message,
                target_label=message.subject[:200],
                note=f"{message.attempts} attempts; last: {message.last_error[:500]}",
            )
            return EmailStatus.UNDELIVERED
        message.status = EmailStatus.QUEUED
        message.next_attempt_at = now + backoff(message.attempts)
        message.save(update_fields=["status", "last_error", "next_attempt_at"])
        _queue(message.pk, message.next_attempt_at)
    return EmailStatus.QUEUED


def on_task_finished(sender: Any, task_result: TaskResult, **kwargs: Any) -> None:
    """A delivery task that failed outside an attempt (its lease ran out twice, the database
    failed while recording) counts as a failed attempt, so the message is retried or shown as
    undelivered instead of staying "being sent" for ever."""
    if task_result.status != TaskResultStatus.FAILED or task_result.task.func is not deliver_email.func:
        return
    email_id = task_result.kwargs.get("email_id")
    if not isinstance(email_id, int):
        return
    errors = task_result.errors
    reason = errors[-1].exception_class_path if errors else "the task failed"
    attempt_failed(email_id=email_id, error=f"the delivery task failed ({reason})")


def resend(*, actor: Actor, message: OutgoingEmail) -> OutgoingEmail:
    """Queue an undelivered message again, with a fresh set of attempts and the same Message-ID.

    Rule: only an undelivered message can be resent (a sent one never is)."""
    with transaction.atomic():
        locked = OutgoingEmail.objects.select_for_update().get(pk=message.pk)
        if locked.status != EmailStatus.UNDELIVERED:
            raise ValidationError(_("Only an undelivered message can be sent again."))
        before = audit.snapshot(locked, ["status", "attempts"])
        locked.status = EmailStatus.QUEUED
        locked.attempts = 0
        locked.failed_at = None
        locked.next_attempt_at = None
        locked.save(update_fields=["status", "attempts", "failed_at", "next_attempt_at"])
        audit.record(
            actor=actor,
            program=locked.program,
            action="email.resend",
            target=locked,
            target_label=locked.subject[:200],
            changes=audit.diff(before, audit.snapshot(locked, ["status", "attempts"])),
        )
        _queue(locked.pk)
    return locked


def undelivered() -> QuerySet[OutgoingEmail]:
    """Messages that could not be delivered, installation-wide."""
    return OutgoingEmail.objects.filter(status=EmailStatus.UNDELIVERED)


def prune_finished(before: dt.datetime) -> int:
    """Delete sent, cancelled and undelivered messages created before ``before``."""
    deleted, _counts = OutgoingEmail.objects.filter(
        status__in=[EmailStatus.SENT, EmailStatus.CANCELLED, EmailStatus.UNDELIVERED], created_at__lt=before
    ).delete()
    return deleted
