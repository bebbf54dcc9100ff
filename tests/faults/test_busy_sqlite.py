"""Fault: another process holds the SQLite write lock for 30 s while people keep writing.

Every write that cannot get the lock within the busy timeout (20 s) must be answered 503 with
Retry-After, never 500; every write answered 201 must be in the database afterwards, once; no
write answered 503 may have been saved; reads keep working meanwhile (WAL)."""

from __future__ import annotations

import subprocess
import time

import requests

from tests.faults.running import PYTHON, ContactWriters, sqlite_site, wait_for

HOLD_SECONDS = 30

LOCKER = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=60)
db.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
db.execute("COMMIT")
print("released", flush=True)
"""


def test_a_write_lock_held_for_30_seconds_gives_503_never_500_and_loses_nothing() -> None:
    site, people = sqlite_site("busy")
    try:
        # Threads to spare: six writers wait on the lock, and reads must still find a free one.
        url = site.web(workers=2, threads=8)
        writers = ContactWriters(url, people, pause=0.5)
        assert writers.write("before the lock") == 201
        locker = subprocess.Popen(
            [PYTHON, "-c", LOCKER, str(site.work / "var" / "peerpath.sqlite3"), str(HOLD_SECONDS)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert locker.stdout is not None and locker.stdout.readline().strip() == "locked"
        locked_at = time.monotonic()

        # Each writer keeps writing until well after the lock is gone, one write at a time.
        with writers.writing(6, until=lambda: time.monotonic() - locked_at >= HOLD_SECONDS + 8):
            # Reads are not blocked by the writer (WAL): the health check and an API read answer.
            time.sleep(3)
            assert requests.get(f"{url}/health/", timeout=10).status_code == 200
            read = requests.get(f"{url}/api/v1/me", headers=writers.headers, timeout=30)
            assert read.status_code == 200, read.text
        assert locker.wait(timeout=30) == 0

        statuses = writers.statuses()
        assert statuses[500] == 0 and set(statuses) <= {201, 503}, statuses
        assert statuses[503] >= 1, statuses  # writes that waited out the busy timeout
        assert statuses[201] >= 6, statuses  # and writing works again after it, without a restart
        writers.check_saved(site, also_acknowledged=frozenset({"before the lock"}), refused_saved_nothing=True)
        assert wait_for(lambda: "answered 503" in site.log("web"), 5, "the 503s to be logged")
    finally:
        site.stop_all()
