"""Periodic background work (reminders, digests) on top of Django's tasks framework.

Django's tasks have no clock of their own, so apps register periodic tasks here and
`manage.py run_scheduler` queues each one when it is due. The last run is stored in the
database under a row lock, so several scheduler processes never queue the same job twice.
Periodic tasks take no arguments and work through every program themselves. Pages never
depend on them having run: they compute the same due items with the same queries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from peerpath.core.models import ScheduledJob


@dataclass(frozen=True)
class Periodic:
    name: str
    task: Any
    every: dt.timedelta


PERIODIC: dict[str, Periodic] = {}


def register_periodic(name: str, task: Any, every: dt.timedelta) -> None:
    """Queue ``task`` (a django.tasks Task without arguments) once every ``every``."""
    PERIODIC[name] = Periodic(name, task, every)


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
