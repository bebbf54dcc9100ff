"""Periodic background work (reminders, digests) on top of Django's tasks framework.

Django's tasks have no clock of their own, so apps register periodic tasks here and
`manage.py run_scheduler` queues each one when it is due. The last run is stored in the
database under a row lock, so several scheduler processes never queue the same job twice.
Periodic tasks take no arguments and work through every program themselves. Pages never
depend on them having run: they compute the same due items with the same queries.

Several schedulers may run (one per machine, for redundancy), but only one *ticks* at a time:
each tick starts with `lead(holder, lease)`, a single conditional UPDATE on the one
`SchedulerLease` row that succeeds only for the current holder or when the lease has expired.
The leader renews the lease every tick; the others stand by and take over once a leader that
died (or stopped: it resigns) has let the lease run out.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from peerpath.core.models import ScheduledJob, SchedulerLease

LEADER = "scheduler"
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Periodic:
    name: str
    task: Any
    every: dt.timedelta


PERIODIC: dict[str, Periodic] = {}


def register_periodic(name: str, task: Any, every: dt.timedelta) -> None:
    """Queue ``task`` (a django.tasks Task without arguments) once every ``every``."""
    PERIODIC[name] = Periodic(name, task, every)


# Checks the leading scheduler runs itself on every tick, not through the task queue, so they
# keep working while every worker is down (support's crisis escalation). Each must be cheap
# when there is nothing to do; an error in one is logged and the tick goes on.
TICK_CHECKS: dict[str, Callable[[], object]] = {}


def register_tick_check(name: str, check: Callable[[], object]) -> None:
    """Run ``check()`` in the leading scheduler's process at every tick."""
    TICK_CHECKS[name] = check


def run_tick_checks() -> dict[str, object]:
    """Run every tick check; returns each one's result (None for one that failed, which is logged)."""
    results: dict[str, object] = {}
    for name, check in TICK_CHECKS.items():
        try:
            results[name] = check()
        except Exception:
            logger.exception("Tick check %s failed", name)
            results[name] = None
    return results


def run_due(now: dt.datetime | None = None) -> list[str]:
    """Queue every periodic task that is due; returns the names queued."""
    now = now or timezone.now()
    queued = []
    for job in PERIODIC.values():
        with transaction.atomic():
            ScheduledJob.objects.get_or_create(name=job.name)
            row = ScheduledJob.objects.select_for_update().get(name=job.name)
            if row.last_enqueued_at is not None and now - row.last_enqueued_at < job.every:
                continue
            job.task.enqueue()
            row.last_enqueued_at = now
            row.save(update_fields=["last_enqueued_at"])
            queued.append(job.name)
    return queued


def holder_name() -> str:
    """This process's name as a lease holder: machine, process id and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"[:200]


def lead(holder: str, lease: dt.timedelta, now: dt.datetime | None = None) -> bool:
    """Take or renew the scheduler lease for ``lease``; True when ``holder`` leads (and may tick)."""
    now = now or timezone.now()
    if not SchedulerLease.objects.filter(name=LEADER).exists():
        try:
            with transaction.atomic():
                SchedulerLease.objects.create(name=LEADER)
        except IntegrityError:
            pass  # another scheduler created it first
    free = Q(holder=holder) | Q(holder="") | Q(expires_at__isnull=True) | Q(expires_at__lt=now)
    return bool(
        SchedulerLease.objects.filter(free, name=LEADER).update(holder=holder, expires_at=now + lease, ticked_at=now)
    )


def resign(holder: str) -> None:
    """Give the lease up at once (a clean stop), so a standby takes over at its next check."""
    SchedulerLease.objects.filter(name=LEADER, holder=holder).update(holder="", expires_at=None)


def leader() -> tuple[str, dt.datetime | None]:
    """The current holder and when its lease ends ("" when nobody leads)."""
    row = SchedulerLease.objects.filter(name=LEADER).values_list("holder", "expires_at").first()
    if row is None or not row[0] or row[1] is None or row[1] < timezone.now():
        return "", None
    return row[0], row[1]


def last_tick() -> dt.datetime | None:
    """When a scheduler last ticked (took or renewed the lease), whoever it was."""
    return SchedulerLease.objects.filter(name=LEADER).values_list("ticked_at", flat=True).first()
