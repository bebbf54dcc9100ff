"""How long a large import holds the SQLite write lock: `make bench-import`.

Starts PeerPath on a fresh SQLite file (its own var/ folder, the production database settings:
WAL, immediate transactions), builds the test personas' program, stages a file of N
participants (default 5,000) as the upload page does, and confirms it through the page
(`exchange:batch_apply`, the coordinator's click) with Django's test client. Meanwhile another
connection tries to take the write lock every millisecond without waiting (`BEGIN IMMEDIATE`
with no busy timeout): the longest stretch it was refused is how long the import held the
lock, what any other write (a crisis alert, a contact) would have waited. It does the same for
a file of N supporters. Prints the figures as JSON (and writes them to --out when given); exits
non-zero when the import did not import every row or the prober never saw the lock taken
(nothing was measured).

Options: --rows N (default 5000) --out FILE.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class Prober(threading.Thread):
    """Tries to take the write lock every millisecond; records the stretches it was refused."""

    def __init__(self, path: Path) -> None:
        super().__init__(daemon=True)
        self.connection = sqlite3.connect(path, timeout=0, isolation_level=None, check_same_thread=False)
        self.stop = threading.Event()
        self.longest = 0.0
        self.total = 0.0
        self.refusals = 0

    def run(self) -> None:
        busy_since: float | None = None
        while not self.stop.is_set():
            now = time.perf_counter()
            try:
                self.connection.execute("BEGIN IMMEDIATE")
                self.connection.execute("ROLLBACK")
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) and "busy" not in str(error):
                    raise
                self.refusals += 1
                busy_since = now if busy_since is None else busy_since
            else:
                if busy_since is not None:
                    self.longest = max(self.longest, now - busy_since)
                    self.total += now - busy_since
                    busy_since = None
            time.sleep(0.001)
        if busy_since is not None:
            self.longest = max(self.longest, time.perf_counter() - busy_since)


def participant_rows(n: int) -> list[dict[str, Any]]:
    return [
        {
            "number": i + 2,
            "values": {
                "full_name": f"Imported Person {i}",
                "email": f"imported.{i}@example.net",
                "phone": f"555-{i:07d}",
                "languages": "English; Spanish",
                "modes": "phone",
                "availability": "weekday_evening",
                "must_haves": "language",
                "consent_given": "yes",
                "consent_scope": "To be called by a peer supporter.",
                "waiting_since": "2025-01-15",
                "intake_notes": f"Intake note {i}",
            },
        }
        for i in range(n)
    ]


def supporter_rows(n: int) -> list[dict[str, Any]]:
    return [
        {
            "number": i + 2,
            "values": {
                "full_name": f"Imported Supporter {i}",
                "email": f"imported.supporter.{i}@example.net",
                "languages": "English",
                "stage": "active",
                "since": "2024-03-01",
            },
        }
        for i in range(n)
    ]


def measure(kind: str, rows: list[dict[str, Any]], database: Path, coordinator: Any, program: Any) -> dict[str, Any]:
    from django.test import Client

    from peerpath.exchange.models import ImportBatch
    from peerpath.recruitment.models import Supporter
    from peerpath.support.models import Participant

    model = Participant if kind == "participants" else Supporter
    before = model.objects.filter(program=program).count()
    batch = ImportBatch(program=program, kind=kind, filename=f"{kind}.csv", row_count=len(rows), created_by=coordinator)
    batch.rows = rows
    batch.save(force_insert=True)
    client = Client()
    client.force_login(coordinator)
    prober = Prober(database)
    prober.start()
    time.sleep(0.05)
    started = time.perf_counter()
    response = client.post(f"/p/{program.slug}/exchange/imports/{batch.pk}/apply/")
    elapsed = time.perf_counter() - started
    time.sleep(0.05)
    prober.stop.set()
    prober.join()
    imported = model.objects.filter(program=program).count() - before
    return {
        "kind": kind,
        "rows": len(rows),
        "imported": imported,
        "status": response.status_code,
        "request_seconds": round(elapsed, 3),
        "longest_write_lock_seconds": round(prober.longest, 3),
        "write_lock_seconds_in_all": round(prober.total, 3),
        "prober_refusals": prober.refusals,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="peerpath-bench-import-"))
    for name in [k for k in os.environ if k.startswith(("PEERPATH_", "DJANGO_")) or k == "DATABASE_URL"]:
        del os.environ[name]
    os.environ.update(
        {"PEERPATH_DEBUG": "1", "PEERPATH_VAR_DIR": str(folder), "DJANGO_SETTINGS_MODULE": "peerpath.settings"}
    )
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    settings.DEBUG = False  # no query log: measure the import, not Django's debug bookkeeping
    setup_test_environment()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)
    from tests.fixtures import build_world

    world = build_world()
    database = Path(settings.DATABASES["default"]["NAME"])
    results = [
        measure("participants", participant_rows(args.rows), database, world["coordinator"], world["program"]),
        measure("supporters", supporter_rows(args.rows), database, world["coordinator"], world["program"]),
    ]
    text = json.dumps({"sqlite": sqlite3.sqlite_version, "results": results}, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    failed = [r for r in results if r["imported"] != r["rows"] or r["status"] != 302 or not r["prober_refusals"]]
    if failed:
        print(f"nothing measured, or the import failed: {failed}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
