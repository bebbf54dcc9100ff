"""Queue periodic jobs when they are due: `manage.py run_scheduler` (or `--once` from cron).

Several schedulers may run (one per machine); only the one holding the scheduler lease ticks
(peerpath.core.scheduler.lead), the others stand by and take over when its lease runs out. A
clean stop (SIGTERM, Ctrl-C) gives the lease up at once.
"""

from __future__ import annotations

import datetime as dt
import signal
import time
from typing import Any

from django.core.management.base import BaseCommand

from peerpath.core.scheduler import PERIODIC, holder_name, lead, resign, run_due, run_tick_checks


def _stop(signum: int, frame: Any) -> None:
    raise SystemExit(0)  # runs the finally below: the lease is given up


class Command(BaseCommand):
    help = "Queue PeerPath's periodic background jobs (reminders, digests) when they are due."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="Check once and exit (for cron).")
        parser.add_argument("--interval", type=float, default=60, help="Seconds between checks.")
        parser.add_argument(
            "--lease",
            type=float,
            default=None,
            help="Seconds a leader holds the lease without renewing it (default: three intervals, at least 10).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        interval = options["interval"]
        lease = dt.timedelta(seconds=options["lease"] or max(10.0, 3 * interval))
        holder = holder_name()
        verbose = options["verbosity"] >= 2
        signal.signal(signal.SIGTERM, _stop)
        self.stdout.write(f"Periodic jobs: {', '.join(sorted(PERIODIC)) or 'none registered'}")
        leading: bool | None = None
        try:
            while True:
                started = time.time()
                if lead(holder, lease):
                    if not leading:
                        self.stdout.write(f"leading as {holder}")
                    leading = True
                    for name in run_due():
                        self.stdout.write(f"queued {name}")
                    for name, result in run_tick_checks().items():
                        if result:
                            self.stdout.write(f"{name}: {result}")
                    if verbose:
                        self.stdout.write(f"tick {holder} {started:.3f} {time.time():.3f}")
                elif leading is not False:
                    self.stdout.write("standing by: another scheduler leads")
                    leading = False
                if options["once"]:
                    return
                time.sleep(interval)
        finally:
            resign(holder)
