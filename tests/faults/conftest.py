"""Fault tests start real processes (web server, worker, scheduler, SMTP sink, a private
PostgreSQL cluster) and break them on purpose. They are slow, so `make test` leaves them out and
`make faults` (which CI runs) takes them in: see docs/operations.md, "Fault tests"."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

# Collected only when asked for, so the everyday suite stays fast.
collect_ignore_glob = [] if os.environ.get("PEERPATH_FAULTS") else ["test_*.py"]


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding a migrated SQLite database (``db.sqlite3``) and the development secrets
    it was made with, migrated once per run (a minute or so): copy the database with SQLite's
    backup API, and the ``peerpath_*`` secret files, into each test's own folder."""
    folder = tmp_path_factory.mktemp("migrated")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PEERPATH_", "DJANGO_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="peerpath.settings",
        PEERPATH_DEBUG="1",
        PEERPATH_VAR_DIR=str(folder),
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
    )
    manage = str(Path(__file__).resolve().parents[2] / "manage.py")
    done = subprocess.run(  # the project's own manage.py
        [sys.executable, manage, "migrate", "--noinput"], env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return folder
