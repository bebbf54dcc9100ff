"""PeerPath's task worker: django_tasks_db's database worker plus leases (peerpath.core.taskqueue).

`manage.py run_worker` runs it. Next to the worker's own loop a keeper thread, every third of
the lease, renews the lease of the task in hand and sweeps the queue for tasks whose worker
died (`taskqueue.reclaim_expired`), so a worker killed mid-task loses nothing: the next sweep,
by any worker, puts the task back in the queue.
"""

from __future__ import annotations

import logging
import threading
import uuid
from typing import Any

from django.db import DatabaseError, connection
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from peerpath.core import taskqueue

logger = logging.getLogger(__name__)


class LeasedWorker(Worker):
    """A database worker that holds a lease on the task it runs and reclaims expired ones."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.current_task_id: uuid.UUID | None = None
        self.stopped = threading.Event()

    def run(self) -> None:
        keeper = threading.Thread(target=self.keep_leases, name="lease-keeper", daemon=True)
        keeper.start()
        try:
            super().run()
        finally:
            self.stopped.set()

    def run_task(self, db_task_result: DBTaskResult) -> None:
        self.current_task_id = db_task_result.pk
        try:
            taskqueue.take_lease(db_task_result.pk, self.worker_id)
        except DatabaseError:
            logger.exception("task %s: could not take its lease (the keeper will retry)", db_task_result.pk)
        try:
            super().run_task(db_task_result)
        finally:
            self.current_task_id = None
            try:
                taskqueue.release_lease(db_task_result.pk)
            except DatabaseError:
                logger.exception("task %s: could not drop its lease (it expires on its own)", db_task_result.pk)

    def keep_once(self) -> None:
        """Renew the lease of the task in hand, then reclaim tasks whose lease ran out."""
        current = self.current_task_id
        if current is not None:
            taskqueue.take_lease(current, self.worker_id)
        taskqueue.reclaim_expired()

    def keep_leases(self) -> None:
        every = max(0.2, taskqueue.lease_length().total_seconds() / 3)
        try:
            while True:
                try:
                    self.keep_once()
                except DatabaseError:
                    # "database is locked" and the like: the next round tries again, well within the lease.
                    logger.warning("lease keeper: database busy, trying again in %.1f s", every, exc_info=True)
                if self.stopped.wait(every):
                    return
        finally:
            connection.close()  # this thread's own connection
