"""Run the task worker and the scheduler, restarting either when it exits: `manage.py run_supervised`."""

from __future__ import annotations

import signal
import sys
import threading
from typing import Any

from django.core.management.base import BaseCommand

from peerpath.core.supervisor import supervise
from peerpath.env import BASE_DIR

MANAGE = str(BASE_DIR / "manage.py")


def commands(workers: int, scheduler: bool) -> dict[str, list[str]]:
    """The processes to supervise: ``workers`` task workers and, optionally, one scheduler."""
    found = {
        f"worker-{n}" if workers > 1 else "worker": [sys.executable, MANAGE, "run_worker", "--no-reload"]
        for n in range(1, workers + 1)
    }
    if scheduler:
        found["scheduler"] = [sys.executable, MANAGE, "run_scheduler"]
    return found


class Command(BaseCommand):
    help = "Run the task worker(s) and the scheduler, starting any that exits again (Ctrl-C or SIGTERM stops all)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--workers", type=int, default=1, help="How many task workers to run (1).")
        parser.add_argument("--no-scheduler", action="store_true", help="Run only the worker(s).")
        parser.add_argument("--max-backoff", type=float, default=30.0, help="Longest pause before a restart (s).")

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, lambda *_: stop.set())
        todo = commands(options["workers"], not options["no_scheduler"])
        self.stdout.write(f"Supervising {', '.join(todo)} (restarted when they exit)")
        supervise(
            todo,
            stop=stop,
            max_backoff=options["max_backoff"],
            on_event=lambda message: self.stderr.write(message),
        )
