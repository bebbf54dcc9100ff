"""Fault: `manage.py run_supervised` (what `make run` starts) loses its worker to SIGKILL.

A real supervisor with a real worker and scheduler on a copy of the run's migrated SQLite
database (development settings): the killed worker must be started again, and SIGTERM to the
supervisor must stop every child and end it cleanly. The supervisor's loop itself is tested
with stand-in processes in tests/core/test_supervisor.py."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

from tests.faults.running import PYTHON, ROOT, wait_for
from tests.migrated import copy_sqlite, development_env, migrated_sqlite


def test_run_supervised_restarts_a_killed_worker_and_sigterm_stops_all(tmp_path: Path) -> None:
    copy_sqlite(migrated_sqlite(), tmp_path / "db.sqlite3")
    supervisor = subprocess.Popen(
        [PYTHON, "manage.py", "run_supervised", "--max-backoff", "1"],
        cwd=ROOT,
        env=development_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        children = wait_for(lambda: _children(supervisor.pid, at_least=2), 30, "the worker and the scheduler")
        worker = next(pid for pid, cmd in children.items() if "run_worker" in cmd)
        os.kill(worker, signal.SIGKILL)
        wait_for(
            lambda: any("run_worker" in cmd for pid, cmd in _children(supervisor.pid).items() if pid != worker),
            30,
            "the killed worker to be started again",
        )
    finally:
        supervisor.send_signal(signal.SIGTERM)
        _, err = supervisor.communicate(timeout=30)
    assert supervisor.returncode == 0, err
    assert "restarted worker" in err
    assert _children(supervisor.pid) == {}


def _children(pid: int, at_least: int = 0) -> dict[int, str]:
    """The live (not zombie) child processes of ``pid``, with their command lines; none unless
    there are ``at_least`` that many."""
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
    return found if len(found) >= at_least else {}
