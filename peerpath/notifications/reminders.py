"""Reminders before something expires (a certificate, a qualification), sent once per threshold.

Certification's expiry reminders and credentials' qualification reminders are the same loop:
pick the nearest threshold the expiry date has reached (90/30/7 or 60/30/7 days before), keep a
reminder row per record, threshold and expiry date so each goes once, and tell the holder in
their language. Both call `send_expiry_reminder`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import models, transaction

from peerpath.notifications.services import tell


def threshold_for(days_left: int, thresholds: Sequence[int]) -> int | None:
    """The nearest threshold reached ``days_left`` before the date (a missed run sends the
    nearest one, never the ones it skipped); None before the first or after the date."""
    reached = [t for t in thresholds if 0 <= days_left <= t]
    return min(reached) if reached else None


def send_expiry_reminder[Reminder: models.Model](
    *,
    kind: str,
    person: Any,
    program: Any,
    expires_on: dt.date,
    today: dt.date,
    thresholds: Sequence[int],
    reminders: type[Reminder],
    about: Mapping[str, Any],
    context: Mapping[str, Any],
    url: str,
    reply_to: str = "",
) -> Reminder | None:
    """Remind ``person`` that something expires on ``expires_on``, once per threshold.

    Rules: the reminder row (``reminders`` with ``about``, the threshold and the expiry date,
    unique together) is made first, in the same transaction as the message, so a second run
    sends nothing; the message goes through the notification layer (`tell`: their chosen
    channels with an account, else e-mail) in the recipient's language, with ``days_left`` in
    its context and the reminder as its idempotency key. Returns the reminder when one was sent."""
    days_left = (expires_on - today).days
    threshold = threshold_for(days_left, thresholds)
    if threshold is None:
        return None
    with transaction.atomic():
        reminder, created = reminders._default_manager.get_or_create(
            days_before=threshold, expires_on=expires_on, **about
        )
        if not created:
            return None
        sent = tell(
            kind=kind,
            person=person,
            program=program,
            context={**context, "days_left": days_left},
            url=url,
            key=f"{kind}:{reminder.pk}",
            reply_to=reply_to,
        )
    return reminder if sent else None
