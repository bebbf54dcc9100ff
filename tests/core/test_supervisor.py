"""`manage.py run_supervised` (and `make run`): a worker or scheduler that exits is started again.

The supervisor's loop, with short-lived stand-in processes; the real command, with a real worker
killed, is a fault test (tests/faults/test_supervised.py)."""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path

from peerpath.core.management.commands.run_supervised import commands
from peerpath.core.supervisor import supervise


def test_a_process_that_exits_is_started_again_and_stop_ends_the_others(tmp_path: Path) -> None:
    starts = tmp_path / "starts"
    flaky = [sys.executable, "-c", f"open({str(starts)!r}, 'a').write('x')"]  # exits at once, every time
    steady = [sys.executable, "-c", "import time; time.sleep(120)"]
    stop = threading.Event()
    events: list[str] = []

    def seen(message: str) -> None:
        events.append(message)
        if "restarted flaky (start 3)" in message:
            stop.set()

    safety = threading.Timer(60, stop.set)
    safety.start()
    result = supervise({"flaky": flaky, "steady": steady}, stop=stop, min_backoff=0.1, max_backoff=0.4, on_event=seen)
    safety.cancel()
    assert result["flaky"].starts == 3, events
    assert result["flaky"].exits[:2] == [0, 0]
    # The steady one was never restarted, and stopping terminated it.
    assert result["steady"].starts == 1
    assert result["steady"].process is not None and result["steady"].process.returncode == -signal.SIGTERM


def test_backoff_doubles_up_to_the_limit() -> None:
    stop = threading.Event()
    pauses: list[str] = []

    def seen(message: str) -> None:
        if "starting it again in" in message:
            pauses.append(message.rsplit(" in ", 1)[1])
            if len(pauses) == 4:
                stop.set()

    safety = threading.Timer(60, stop.set)
    safety.start()
    supervise({"quick": [sys.executable, "-c", "pass"]}, stop=stop, min_backoff=0.1, max_backoff=0.4, on_event=seen)
    safety.cancel()
    assert pauses == ["0.1 s", "0.2 s", "0.4 s", "0.4 s"]


def test_the_command_supervises_the_worker_and_the_scheduler() -> None:
    found = commands(2, scheduler=True)
    assert list(found) == ["worker-1", "worker-2", "scheduler"]
    assert found["worker-1"][2:] == ["run_worker", "--no-reload"]
    assert found["scheduler"][2:] == ["run_scheduler"]
    assert list(commands(1, scheduler=False)) == ["worker"]
