"""`manage.py run_supervised` (and `make run`): a worker or scheduler that exits is started again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from peerpath.core.management.commands.run_supervised import commands
from peerpath.core.supervisor import supervise

ROOT = Path(__file__).resolve().parents[2]


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


def test_run_supervised_restarts_a_killed_worker_and_sigterm_stops_all(tmp_path: Path) -> None:
    # Its own SQLite file under tmp_path, whatever database the suite runs on (the PostgreSQL pass's
    # DATABASE_URL names a database only the test runner's copy of exists).
    env = {**os.environ, "PEERPATH_DEBUG": "1", "PEERPATH_VAR_DIR": str(tmp_path), "PEERPATH_TESTING": ""}
    env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=300)
    supervisor = subprocess.Popen(
        [sys.executable, "manage.py", "run_supervised", "--max-backoff", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        children = _wait_for_children(supervisor.pid, 2)
        worker = next(pid for pid, cmd in children.items() if "run_worker" in cmd)
        os.kill(worker, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            again = _children(supervisor.pid)
            if any("run_worker" in cmd for pid, cmd in again.items() if pid != worker):
                break
            time.sleep(0.2)
        else:
            raise AssertionError("the killed worker was not started again")
    finally:
        supervisor.send_signal(signal.SIGTERM)
        _, err = supervisor.communicate(timeout=30)
    assert supervisor.returncode == 0
    assert "restarted worker" in err
    assert _children(supervisor.pid) == {}


def _children(pid: int) -> dict[int, str]:
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        state = stat.rsplit(")", 1)[1].split()[0]
        if parent == pid and state != "Z":
            found[int(entry.name)] = cmdline
    return found


def _wait_for_children(pid: int, count: int) -> dict[int, str]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = _children(pid)
        if len(found) >= count:
            return found
        time.sleep(0.2)
    raise AssertionError(f"the supervisor did not start {count} processes")
