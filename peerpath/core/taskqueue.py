"""The task queue's own upkeep: leases on running tasks, and how long finished task rows are kept.

Leases. django_tasks_db marks a task RUNNING when a worker claims it and never looks at it again:
a worker killed with ``kill -9`` (or the OOM killer, or a power cut) leaves it RUNNING for ever.
PeerPath's worker (`manage.py run_worker`, peerpath.core.worker) therefore takes a lease on the
task it runs (`TaskLease`, ``settings.TASK_LEASE_SECONDS``) and renews it while the task runs.
Every worker sweeps (`reclaim_expired`): a RUNNING task whose lease ran out (or that never got
one within the lease time) goes back to the queue once; a task whose lease runs out a second
time is marked FAILED (`LeaseExpired`, so a task that kills its worker cannot do so for ever),
and ``task_finished`` is sent for it as the worker would have. Work that must go on after that
(an e-mail) listens to that signal (peerpath.core.mail).

Every queued task keeps its arguments in the database queue (django_tasks_db's task results)
until pruned: an e-mail's recipients and text, a reminder's ids. Finished rows (successful or
failed) are deleted once they are older than ``settings.FINISHED_TASKS_KEEP_DAYS``
(`PEERPATH_FINISHED_TASKS_KEEP_DAYS`), by the daily periodic job ``core.prune_finished_tasks``.
The same number of days is the installation's retention for other finished work; reuse
`finished_tasks_keep_days()` and `prune_finished_tasks()` rather than another setting.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.tasks.base import TaskResultStatus
from django.tasks.signals import task_finished
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from peerpath.core.models import TaskLease

logger = logging.getLogger(__name__)


class LeaseExpired(Exception):
    """The worker running this task stopped renewing its lease twice (killed, or hung)."""


def lease_length() -> dt.timedelta:
    """How long a lease lasts without renewal (PEERPATH_TASK_LEASE_SECONDS)."""
    return dt.timedelta(seconds=int(settings.TASK_LEASE_SECONDS))


def take_lease(task_id: uuid.UUID, worker_id: str, now: dt.datetime | None = None) -> None:
    """Start (or renew) the lease of the task ``worker_id`` is running."""
    expires_at = (now or timezone.now()) + lease_length()
    TaskLease.objects.update_or_create(task_id=task_id, defaults={"worker_id": worker_id, "expires_at": expires_at})


def release_lease(task_id: uuid.UUID) -> None:
    """The task finished (or failed): its lease is no longer needed."""
    TaskLease.objects.filter(task_id=task_id).delete()


def _expired(now: dt.datetime) -> Q:
    """RUNNING tasks whose lease ran out, or that got none within a lease's length of starting."""
    return Q(status=TaskResultStatus.RUNNING) & (
        Q(lease__expires_at__lt=now) | Q(lease__isnull=True, started_at__lt=now - lease_length())
    )


def reclaim_expired(now: dt.datetime | None = None, limit: int = 100) -> tuple[int, int]:
    """Put RUNNING tasks whose lease ran out back in the queue (once), or fail them the second time.

    Each row is changed by one conditional UPDATE that re-checks the expiry, so a worker renewing
    at the same moment, or another worker sweeping, never makes a task run twice because of the
    sweep. Returns (requeued, failed)."""
    now = now or timezone.now()
    requeued = failed = 0
    for row in list(DBTaskResult.objects.filter(_expired(now)).order_by("started_at")[:limit]):
        still = DBTaskResult.objects.filter(_expired(now), pk=row.pk)
        # One claim so far (django_tasks_db appends the worker id at each claim): one more try.
        if len(row.worker_ids) < 2:
            with transaction.atomic():
                if still.update(status=TaskResultStatus.READY):
                    TaskLease.objects.filter(task_id=row.pk).delete()
                    requeued += 1
                    logger.warning("task %s (%s): lease expired, back in the queue", row.pk, row.task_path)
            continue
        error = LeaseExpired(f"The lease expired twice (workers {', '.join(row.worker_ids)}); not run again.")
        with transaction.atomic():
            changed = still.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                return_value=None,
                exception_class_path=f"{LeaseExpired.__module__}.{LeaseExpired.__qualname__}",
                traceback=str(error),
            )
            TaskLease.objects.filter(task_id=row.pk).delete()
        if changed:
            failed += 1
            logger.error("task %s (%s): %s", row.pk, row.task_path, error)
            row.refresh_from_db()
            try:
                task_finished.send(sender=DatabaseBackend, task_result=row.task_result)
            except Exception:  # a receiver's failure must not stop the sweep
                logger.exception("task %s: a task_finished receiver failed", row.pk)
    return requeued, failed


def finished_tasks_keep_days() -> int:
    """Days a finished task row is kept (PEERPATH_FINISHED_TASKS_KEEP_DAYS)."""
    return int(settings.FINISHED_TASKS_KEEP_DAYS)


def finished_tasks_cutoff(now: dt.datetime | None = None) -> dt.datetime:
    """Rows finished before this moment are due for pruning."""
    return (now or timezone.now()) - dt.timedelta(days=finished_tasks_keep_days())


def prune_finished_tasks(now: dt.datetime | None = None) -> int:
    """Delete task rows that finished (successfully or not) more than the kept days ago.

    Waiting and running tasks are never touched. Returns how many rows were deleted."""
    deleted, _counts = DBTaskResult.objects.finished().filter(finished_at__lt=finished_tasks_cutoff(now)).delete()
    return deleted
