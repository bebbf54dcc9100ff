"""The task queue's own upkeep: how long finished task rows are kept, and pruning them.

Every queued task keeps its arguments in the database queue (django_tasks_db's task results)
until pruned: an e-mail's recipients and text, a reminder's ids. Finished rows (successful or
failed) are deleted once they are older than ``settings.FINISHED_TASKS_KEEP_DAYS``
(`PEERPATH_FINISHED_TASKS_KEEP_DAYS`), by the daily periodic job ``core.prune_finished_tasks``.
The same number of days is the installation's retention for other finished work; reuse
`finished_tasks_keep_days()` and `prune_finished_tasks()` rather than another setting.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult


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
