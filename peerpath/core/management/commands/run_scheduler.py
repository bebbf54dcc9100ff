"""Queue periodic jobs when they are due: `manage.py run_scheduler` (or `--once` from cron)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from peerpath.core.scheduler import PERIODIC, run_due


class Command(BaseCommand):
    help = "Queue PeerPath's periodic background jobs (reminders, digests) when they are due."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="Check once and exit (for cron).")
        parser.add_argument("--interval", type=int, default=60, help="Seconds between checks.")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Periodic jobs: {', '.join(sorted(PERIODIC)) or 'none registered'}")
        while True:
            for name in run_due():
                self.stdout.write(f"queued {name}")
            if options["once"]:
                return
            time.sleep(options["interval"])
