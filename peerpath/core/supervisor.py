"""Keep background processes running: restart one that exits, stop them all on a signal.

`manage.py run_supervised` (started by `make run`) runs the task worker and the scheduler under
`supervise`, so a worker that dies (a crash, a "database is locked" it did not survive, a
`kill -9`) is started again after a short pause instead of leaving the queue unserved. The pause
doubles after each quick exit (up to ``max_backoff`` seconds) and falls back to ``min_backoff``
once a process has stayed up for a while. In production systemd does the same job
(`deploy/*.service`, `Restart=always`).
"""

from __future__ import annotations

import logging
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)

# A process that ran at least this long is considered healthy: its next restart waits only min_backoff.
STABLE_SECONDS = 30.0


@dataclass
class Supervised:
    """One supervised command and what happened to it so far."""

    name: str
    argv: Sequence[str]
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    starts: int = 0
    backoff: float = 0.0
    restart_at: float = 0.0
    exits: list[int] = field(default_factory=list)


def supervise(
    commands: Mapping[str, Sequence[str]],
    *,
    stop: threading.Event,
    min_backoff: float = 1.0,
    max_backoff: float = 30.0,
    poll: float = 0.2,
    on_event: Callable[[str], None] | None = None,
    stop_timeout: float = 10.0,
) -> dict[str, Supervised]:
    """Run every command, restarting any that exits, until ``stop`` is set; then terminate them
    all (SIGTERM, then SIGKILL after ``stop_timeout`` seconds) and return what happened."""
    say = on_event or (lambda message: logger.warning("%s", message))
    children = {name: Supervised(name, list(argv), backoff=min_backoff) for name, argv in commands.items()}

    def start(child: Supervised) -> None:
        child.process = subprocess.Popen(child.argv)  # noqa: S603 - argv comes from the caller, not from input
        child.started_at = time.monotonic()
        child.starts += 1
        if child.starts > 1:
            say(f"restarted {child.name} (start {child.starts})")

    for child in children.values():
        start(child)
    try:
        while not stop.wait(poll):
            now = time.monotonic()
            for child in children.values():
                if child.process is None:
                    if now >= child.restart_at:
                        start(child)
                    continue
                code = child.process.poll()
                if code is None:
                    continue
                child.exits.append(code)
                child.process = None
                if now - child.started_at >= STABLE_SECONDS:
                    child.backoff = min_backoff
                say(f"{child.name} exited with status {code}; starting it again in {child.backoff:g} s")
                child.restart_at = now + child.backoff
                child.backoff = min(max_backoff, child.backoff * 2)
    finally:
        running = [c.process for c in children.values() if c.process is not None and c.process.poll() is None]
        for process in running:
            process.terminate()
        deadline = time.monotonic() + stop_timeout
        for process in running:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    return children
