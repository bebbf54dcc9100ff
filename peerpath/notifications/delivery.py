"""Sending texts, releasing messages held for quiet hours, and the daily digest.

A text is sent by the task `deliver_text`, at least once and never twice to the person:

1. the delivery is locked, re-checked (still queued; the person has not replied STOP since)
   and marked *sending* with its attempt counted (committed) before anything is sent;
2. the provider is asked to send it; an attempt whose outcome is unknown (*sending* found
   again: its worker died) first asks the provider whether it went out (`sent_since`);
3. it is marked *sent* with the provider's message id; the provider's status callback later
   marks it *delivered* or *failed*.

A transient failure (a 5xx answer, a timeout) is tried again after ``PEERPATH_SMS_RETRY_SECONDS``,
doubling, until ``PEERPATH_SMS_MAX_ATTEMPTS``; then, or at a final refusal, the delivery is
*failed* (audited). The periodic `release_due` sends what quiet hours held once they end, and
re-queues what a lost task left behind, so nothing depends on one task having run.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from peerpath.core import account_links, audit, mail, outbox, taskqueue
from peerpath.notifications import services, sms
from peerpath.notifications.language import language_for
from peerpath.notifications.models import Channel, Delivery, DeliveryStatus, Preferences, TextRecipient

logger = logging.getLogger(__name__)
MAX_BACKOFF = dt.timedelta(hours=1)


def queue_text(delivery_id: int, when: dt.datetime | None = None) -> None:
    runner = deliver_text
    if when is not None and runner.get_backend().supports_defer:
        runner = runner.using(run_after=when)
    runner.enqueue(delivery_id=delivery_id)


@task()
def deliver_text(*, delivery_id: int) -> str:
    """One attempt at one text (see the module docstring); returns what became of it."""
    return send_text(delivery_id)


def status_callback_url() -> str:
    return mail.absolute_url(reverse("notifications:sms_status"))


def _allowed_number(row: Delivery) -> str:
    """The number to text now, or "" when texts stopped (STOP, the number changed, no agreement).

    A person's text goes to the number it was made for while they still agree; a recipient's
    (a participant) is read from their record now, so their number never rests on the delivery."""
    if row.recipient_id is not None:
        recipient = TextRecipient.objects.filter(pk=row.recipient_id).first()
        return recipient.phone if recipient is not None and recipient.texts_allowed else ""
    if row.notice is None:
        return ""
    preferences = Preferences.objects.filter(user_id=row.notice.user_id).first()
    if preferences is None or not preferences.texts_allowed or preferences.phone != row.to:
        return ""
    return row.to


def _body(row: Delivery) -> str | None:
    """The text to send: a registered link is built into it now (None: the link is closed)."""
    if not row.link_kind or row.link_id is None:
        return row.body
    link = account_links.build_for(row.link_kind, row.link_id)
    return row.body.replace(account_links.PLACEHOLDER, link) if link else None


def send_text(delivery_id: int, now: dt.datetime | None = None) -> str:
    now = now or timezone.now()
    with transaction.atomic():
        row = Delivery.objects.select_for_update(of=("self",)).select_related("notice").filter(pk=delivery_id).first()
        if row is None or row.channel != Channel.SMS:
            return "gone"
        if row.status not in (DeliveryStatus.QUEUED, DeliveryStatus.SENDING):
            return row.status
        if row.send_after is not None and now < row.send_after:
            return row.status  # early: release_due or the deferred task sends it
        number = _allowed_number(row)
        if not number:
            row.status, row.last_error = DeliveryStatus.SKIPPED, "Texts stopped (STOP, or the number changed)."
            row.save(update_fields=["status", "last_error"])
            return row.status
        body = _body(row)
        if body is None:
            row.status, row.last_error = DeliveryStatus.SKIPPED, "The link in it was used or has expired."
            row.save(update_fields=["status", "last_error"])
            return row.status
        unknown_since = None
        if row.status == DeliveryStatus.SENDING:
            # Another attempt is under way unless its worker stopped renewing its lease.
            if row.last_attempt_at is not None and now - row.last_attempt_at < taskqueue.lease_length():
                return row.status
            unknown_since = row.last_attempt_at or now
        row.status, row.attempts, row.last_attempt_at = DeliveryStatus.SENDING, row.attempts + 1, now
        row.save(update_fields=["status", "attempts", "last_attempt_at"])
    provider = sms.provider()
    try:
        sid = ""
        if unknown_since is not None:
            sid = provider.sent_since(to=number, body=body, since=unknown_since - dt.timedelta(minutes=1))
        if not sid:
            sid = provider.send(to=number, body=body, status_callback=status_callback_url())
    except sms.SmsError as error:
        logger.warning("text %s: attempt %s failed: %s", row.pk, row.attempts, error)
        return attempt_failed(delivery_id=row.pk, error=error, number=number)
    Delivery.objects.filter(pk=row.pk, status=DeliveryStatus.SENDING).update(
        status=DeliveryStatus.SENT, provider_id=sid, sent_at=timezone.now()
    )
    return DeliveryStatus.SENT


def backoff(attempts: int) -> dt.timedelta:
    seconds = float(settings.SMS_RETRY_SECONDS) * 2 ** max(0, attempts - 1)
    return min(MAX_BACKOFF, dt.timedelta(seconds=seconds))


def attempt_failed(*, delivery_id: int, error: sms.SmsError, number: str = "") -> str:
    """Record a failed attempt: try again after the back-off while it may work, else fail it."""
    now = timezone.now()
    with transaction.atomic():
        row = Delivery.objects.select_for_update(of=("self",)).select_related("notice").get(pk=delivery_id)
        if row.status != DeliveryStatus.SENDING:
            return row.status
        row.last_error = str(error)[:500]
        if error.code in sms.OPTED_OUT_CODES:
            row.status = DeliveryStatus.SKIPPED
            row.save(update_fields=["status", "last_error"])
            services.record_opt_out(
                actor=services.NOTIFICATIONS, phone=number or row.to, source="the provider: opted out"
            )
            return row.status
        if error.transient and row.attempts < int(settings.SMS_MAX_ATTEMPTS):
            row.status, row.send_after = DeliveryStatus.QUEUED, now + backoff(row.attempts)
            row.save(update_fields=["status", "last_error", "send_after"])
            queue_text(row.pk, row.send_after)
            return row.status
        row.status = DeliveryStatus.FAILED
        row.save(update_fields=["status", "last_error"])
        audit.record(
            actor=services.NOTIFICATIONS,
            program=row.program,
            action="notifications.text_failed",
            target=row,
            note=f"{row.attempts} attempts; last: {row.last_error}",
        )
    return DeliveryStatus.FAILED


def release_due(now: dt.datetime | None = None, limit: int = 200) -> int:
    """Send what is due: e-mail and texts held for quiet hours that have ended, retries whose
    pause is over, and texts a lost task left queued or half-sent. Returns how many."""
    now = now or timezone.now()
    stale = now - 2 * taskqueue.lease_length()
    due = Delivery.objects.filter(
        Q(status__in=[DeliveryStatus.HELD, DeliveryStatus.QUEUED], send_after__lte=now)
        | Q(status=DeliveryStatus.QUEUED, send_after__isnull=True, created_at__lt=stale)
        | Q(status=DeliveryStatus.SENDING, last_attempt_at__lt=stale)
    )
    released = 0
    for pk in list(due.order_by("created_at").values_list("pk", flat=True)[:limit]):
        with transaction.atomic():
            row = Delivery.objects.select_for_update(of=("self",)).select_related("program").get(pk=pk)
            if row.status not in (DeliveryStatus.HELD, DeliveryStatus.QUEUED, DeliveryStatus.SENDING):
                continue
            if row.status == DeliveryStatus.HELD or row.send_after is not None:
                # Its time has come: the attempt must not wait for it again.
                row.status = DeliveryStatus.QUEUED if row.status == DeliveryStatus.HELD else row.status
                row.send_after = None
                row.save(update_fields=["status", "send_after"])
            if row.channel == Channel.EMAIL:
                services.hand_to_outbox(row)
            else:
                queue_text(row.pk)
            released += 1
    return released


def send_digests(now: dt.datetime | None = None) -> int:
    """Each person who chose the digest gets one e-mail listing what waited for it, in their
    language; each delivery in it is marked sent with that e-mail. Returns the e-mails sent."""
    now = now or timezone.now()
    waiting: dict[int, list[int]] = defaultdict(list)
    for pk, user_id in Delivery.objects.filter(status=DeliveryStatus.DIGEST).values_list("pk", "notice__user_id"):
        waiting[user_id].append(pk)
    sent = 0
    for ids in waiting.values():
        with transaction.atomic():
            rows = list(
                Delivery.objects.select_for_update(of=("self",))
                .filter(pk__in=ids, status=DeliveryStatus.DIGEST)
                .select_related("notice__user", "notice__program")
                .order_by("created_at")
            )
            notices = [r.notice for r in rows if r.notice is not None]
            if not notices:
                continue
            user = notices[0].user
            with translation.override(language_for(user)):
                context = {
                    "user": user,
                    "notices": [(n, mail.absolute_url(n.url) if n.url.startswith("/") else n.url) for n in notices],
                    "settings_url": mail.absolute_url(reverse("notifications:preferences")),
                }
                subject = " ".join(render_to_string("notifications/email/digest_subject.txt", context).split())
                body = render_to_string("notifications/email/digest_body.txt", context)
            message = outbox.store(to=[user.email], subject=subject, body=body)
            Delivery.objects.filter(pk__in=[r.pk for r in rows]).update(
                status=DeliveryStatus.SENT, email=message, sent_at=now
            )
            Preferences.objects.filter(user=user).update(last_digest_at=now)
            sent += 1
    return sent


@task()
def release_sweep() -> int:
    """Every minute: send held messages whose quiet hours ended, and repeat due crisis pages."""
    from peerpath.notifications import paging  # paging builds on this module

    return release_due() + paging.repeat_due()


@task()
def daily_digest() -> int:
    """Once a day: the digest e-mail to each person who chose it."""
    return send_digests()
