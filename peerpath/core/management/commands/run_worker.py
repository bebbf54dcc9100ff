"""Run PeerPath's task worker: `manage.py run_worker` (django_tasks_db's `db_worker` with leases).

It takes every option `db_worker` takes. A task the worker is running carries a lease that the
worker renews; a worker killed mid-task lets its lease run out and any worker puts the task
back in the queue (peerpath.core.worker, peerpath.core.taskqueue).
"""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand

from peerpath.core.worker import LeasedWorker


class Command(DBWorkerCommand):
    help = "Run PeerPath's background task worker (the database queue, with leases on running tasks)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.configure_logging(options["verbosity"])
        reload = bool(options["reload"]) and not options["batch"]
        queue_names = options["queue_name"].split(",")
        excluded = options["exclude_queues"].split(",") if options["exclude_queues"] else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = LeasedWorker(
            queue_names=queue_names,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            excluded_queue_names=excluded,
        )
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
