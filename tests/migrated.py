"""Databases made by the real migrations, migrated once and copied wherever a fresh one is needed.

Migrating an empty database costs about 30 s of CPU (Django renders the models' states again for
each operation), and several checks need one: the at-rest tests (tests/support/test_encryption.py),
the fault tests (tests/faults/), `.ci/backup-restore` and `deploy/two_machines_check.py`. CI
migrates one SQLite file and one PostgreSQL database at its start, beside the linters, and names
them in two variables; each check copies them. Without the variables (a developer's run) the first
check that needs one migrates it, once per process:

- ``PEERPATH_MIGRATED_SQLITE``: a SQLite file the real migrations made;
- ``PEERPATH_MIGRATED_PG``: the name of a migrated PostgreSQL database, on the server the copy is
  made on, that nobody is connected to (``CREATE DATABASE ... TEMPLATE`` copies it).
"""

from __future__ import annotations

import atexit
import functools
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def development_env(folder: Path) -> dict[str, str]:
    """The environment of a development installation (DEBUG on, its secrets generated into
    ``folder``) whose database is the SQLite file ``folder/db.sqlite3``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PEERPATH_", "DJANGO_", "DATABASE_URL", "REDIS"))}
    env.update(
        DJANGO_SETTINGS_MODULE="peerpath.settings",
        PEERPATH_DEBUG="1",
        PEERPATH_VAR_DIR=str(folder),
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
        PYTHONUNBUFFERED="1",
    )
    return env


@functools.cache
def migrated_sqlite() -> Path:
    """A SQLite database the real migrations made: ``PEERPATH_MIGRATED_SQLITE``, or one migrated
    now (once per process) in a temporary folder."""
    given = os.environ.get("PEERPATH_MIGRATED_SQLITE")
    if given:
        assert Path(given).is_file(), f"PEERPATH_MIGRATED_SQLITE names no file: {given}"
        return Path(given)
    folder = Path(tempfile.mkdtemp(prefix="peerpath-migrated-"))
    atexit.register(shutil.rmtree, folder, True)
    done = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=development_env(folder),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, f"manage.py migrate failed:\n{done.stderr[-3000:]}"
    return folder / "db.sqlite3"


def copy_sqlite(source: Path, target: Path) -> None:
    """Copy a SQLite database with SQLite's backup API (whole, whatever its journal holds)."""
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.close(os.open(target, os.O_CREAT | os.O_WRONLY, 0o600))  # owner-only, as PeerPath makes its own
    with sqlite3.connect(source) as original, sqlite3.connect(target) as copy:
        original.backup(copy)


def create_postgres(admin: Any, name: str) -> bool:
    """Create the database ``name`` through ``admin`` (an autocommit psycopg connection to its
    server): a copy of ``PEERPATH_MIGRATED_PG`` when that is set (returns True: already migrated),
    else empty (returns False: the caller migrates it)."""
    template = os.environ.get("PEERPATH_MIGRATED_PG", "")
    for plain in (name, template):
        assert not plain or re.fullmatch(r"[a-z0-9_]+", plain), f"not a plain database name: {plain!r}"
    admin.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return bool(template)
