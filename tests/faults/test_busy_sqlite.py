"""Fault: another process holds the SQLite write lock for 30 s while people keep writing.

Every write that cannot get the lock within the busy timeout (20 s) must be answered 503 with
Retry-After, never 500; every write answered 201 must be in the database afterwards, once; no
write answered 503 may have been saved; reads keep working meanwhile (WAL)."""

from __future__ import annotations

import datetime as dt
import subprocess
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import requests

from tests.faults.running import PYTHON, sqlite_site, wait_for

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

SAVED = """
import json
from peerpath.support.models import Contact
print(json.dumps([c.notes for c in Contact.objects.filter(relationship_id={relationship})]))
"""


def test_a_write_lock_held_for_30_seconds_gives_503_never_500_and_loses_nothing() -> None:
    site, people = sqlite_site("busy")
    try:
        # Threads to spare: six writers wait on the lock, and reads must still find a free one.
        url = site.web(workers=2, threads=8)
        api = f"{url}/api/v1/programs/{people['program']}/relationships/{people['relationship']}/contacts"
        headers = {"Authorization": f"Bearer {people['token']}"}
        today = dt.date.today().isoformat()

        def write(marker: str) -> int:
            body = {"contacted_on": today, "channel": "phone", "reached": True, "tasks": ["rapport"], "notes": marker}
            try:
                answer = requests.post(api, json=body, headers=headers, timeout=60)
            except requests.RequestException:
                return 0
            if answer.status_code == 503:
                assert answer.headers.get("Retry-After") == "5", answer.headers
                assert "busy" in answer.json()["detail"]
            return answer.status_code

        assert write("before the lock") == 201
        locker = subprocess.Popen(
            [PYTHON, "-c", LOCKER, str(site.work / "var" / "peerpath.sqlite3"), str(HOLD_SECONDS)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert locker.stdout is not None and locker.stdout.readline().strip() == "locked"
        locked_at = time.monotonic()

        results: dict[str, int] = {}
        lock = threading.Lock()

        def writer(n: int) -> None:
            # Each writer keeps writing until well after the lock is gone, one write at a time.
            k = 0
            while time.monotonic() - locked_at < HOLD_SECONDS + 8:
                marker = f"writer {n} write {k}"
                status = write(marker)
                with lock:
                    results[marker] = status
                k += 1
                time.sleep(0.5)

        with ThreadPoolExecutor(6) as pool:
            running = [pool.submit(writer, n) for n in range(6)]
            # Reads are not blocked by the writer (WAL): the health check and an API read answer.
            time.sleep(3)
            assert requests.get(f"{url}/health/", timeout=10).status_code == 200
            read = requests.get(f"{url}/api/v1/me", headers=headers, timeout=30)
            assert read.status_code == 200, read.text
            for future in running:
                future.result()
        assert locker.wait(timeout=30) == 0

        statuses = Counter(results.values())
        assert statuses[500] == 0 and set(statuses) <= {201, 503}, statuses
        assert statuses[503] >= 1, statuses  # writes that waited out the busy timeout
        assert statuses[201] >= 6, statuses  # and writing works again after it, without a restart
        saved = Counter(site.shell(SAVED.format(relationship=people["relationship"])))
        acknowledged = {m for m, s in results.items() if s == 201}
        refused = {m for m, s in results.items() if s == 503}
        assert acknowledged <= set(saved), acknowledged - set(saved)  # nothing committed is lost
        assert not refused & set(saved), refused & set(saved)  # a 503 saved nothing
        assert all(n == 1 for n in saved.values()), saved  # nothing saved twice
        assert wait_for(lambda: "answered 503" in site.log("web"), 5, "the 503s to be logged")
    finally:
        site.stop_all()
