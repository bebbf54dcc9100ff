"""E-mail survives a worker killed with SIGKILL and a mail server that never answers.

Real processes: `manage.py run_worker` against a SQLite file in a temporary folder (a copy of
a copy of the database migrated once, `tests.migrated.migrated_sqlite`), and an SMTP sink
(aiosmtpd) in this process. Each test fails on an e-mail lost, or delivered twice except as the
one repeat allowed (a worker killed between the server taking the message and the worker
recording it), which must carry the first copy's Message-ID. See docs/operations.md, "Fault tests".
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from tests.faults import running
from tests.faults.running import free_port
from tests.migrated import copy_sqlite, development_env, migrated_sqlite

ROOT = Path(__file__).resolve().parents[2]
MANAGE = str(ROOT / "manage.py")
BATCH = 50
KILL_AT = 20  # the worker is killed while the server takes this message, before it is answered


@dataclass
class Sink:
    """An SMTP server that keeps every message it accepted; ``on_message`` runs before it answers."""

    received: list[tuple[str, str]] = field(default_factory=list)  # (recipient, Message-ID)
    on_message: Callable[[int], None] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content)
        with self.lock:
            for recipient in envelope.rcpt_tos:
                self.received.append((recipient, str(message["Message-ID"])))
            count = len(self.received)
        if self.on_message is not None:
            self.on_message(count)
        return "250 Message accepted for delivery"


class HungServer:
    """Accepts connections and never says a word (no greeting, no answer)."""

    def __init__(self, port: int) -> None:
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", port))
        self.listener.listen(16)
        self.listener.settimeout(0.2)
        self.held: list[socket.socket] = []
        self.accepted = 0
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _addr = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.held.append(conn)
            self.accepted += 1

    def close(self) -> None:
        """Stop listening (the port is free again at once) and drop every held connection."""
        self.stopped.set()
        self.thread.join(timeout=5)
        self.listener.close()
        for conn in self.held:
            conn.close()


@dataclass
class Site:
    folder: Path
    smtp_port: int
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def database(self) -> Path:
        return self.folder / "db.sqlite3"

    def env(self) -> dict[str, str]:
        env = development_env(self.folder)  # DEBUG on: secrets generated into the folder
        env.update(
            PEERPATH_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            PEERPATH_EMAIL_HOST="127.0.0.1",
            PEERPATH_EMAIL_PORT=str(self.smtp_port),
            PEERPATH_EMAIL_TIMEOUT="2",
            PEERPATH_EMAIL_RETRY_SECONDS="1",
            PEERPATH_EMAIL_MAX_ATTEMPTS="12",
            PEERPATH_TASK_LEASE_SECONDS="8",
        )
        return env

    def manage(self, *args: str, timeout: float = 120) -> str:
        done = subprocess.run(
            [sys.executable, MANAGE, *args], env=self.env(), capture_output=True, text=True, timeout=timeout
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def start_worker(self, name: str) -> subprocess.Popen[bytes]:
        log = (self.folder / f"{name}.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, MANAGE, "run_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2"],
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.processes.append(process)
        return process

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.database, timeout=30) as db:
            return list(db.execute(sql))

    def statuses(self) -> dict[str, int]:
        return dict(self.query("SELECT status, COUNT(*) FROM core_outgoingemail GROUP BY status"))  # type: ignore[arg-type]

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in self.folder.glob("*.log"))

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=10)


def wait_for(condition: Callable[[], bool], seconds: float, what: str, site: Site) -> None:
    running.wait_for(condition, seconds, what, detail=lambda: f"e-mails {site.statuses()}\n{site.logs()}")


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    """A development installation in ``tmp_path`` on a copy of the migrated database (its
    secrets generated afresh: the copy holds nothing they encrypted)."""
    copy_sqlite(migrated_sqlite(), tmp_path / "db.sqlite3")
    made = Site(tmp_path, smtp_port=free_port())
    try:
        yield made
    finally:
        made.stop()


def queue_emails(site: Site, count: int, *, then_other_tasks: int = 0) -> None:
    """Queue ``count`` e-mails (one per recipient), then ``then_other_tasks`` other tasks."""
    site.manage(
        "shell",
        "-c",
        "from peerpath.core import outbox\n"
        "from peerpath.core.tasks import prune_used_form_tokens\n"
        f"for n in range({count}):\n"
        "    outbox.store(to=[f'person{n}@example.org'], subject=f'Message {n}', body='Hello.')\n"
        f"for n in range({then_other_tasks}):\n"
        "    prune_used_form_tokens.enqueue()\n",
    )


def test_a_worker_killed_mid_batch_loses_no_email_and_repeats_one_with_the_same_message_id(site: Site) -> None:
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=site.smtp_port)
    controller.start()
    try:
        queue_emails(site, BATCH)
        first = site.start_worker("worker-1")

        def kill_mid_batch(count: int) -> None:
            # The server has the message; the worker is waiting for its answer and never gets it.
            if count == KILL_AT and first.poll() is None:
                os.kill(first.pid, signal.SIGKILL)

        sink.on_message = kill_mid_batch
        wait_for(lambda: first.poll() is not None, 90, "the kill of the first worker", site)
        assert first.returncode == -signal.SIGKILL
        sent_before_restart = site.statuses().get("sent", 0)
        assert sent_before_restart < BATCH, "the worker was killed after the batch, not during it"
        assert site.statuses().get("sending") == 1, "the message in hand at the kill should be left 'being sent'"

        site.start_worker("worker-2")
        wait_for(lambda: site.statuses() == {"sent": BATCH}, 90, "delivery of the whole batch", site)
    finally:
        controller.stop()

    expected = {f"person{n}@example.org" for n in range(BATCH)}
    by_recipient: dict[str, list[str]] = {}
    for recipient, message_id in sink.received:
        by_recipient.setdefault(recipient, []).append(message_id)
    assert set(by_recipient) == expected, "an e-mail was lost"
    stored = dict(site.query("SELECT json_extract(\"to\", '$[0]'), message_id FROM core_outgoingemail"))
    for recipient, ids in by_recipient.items():
        assert set(ids) == {stored[recipient]}, f"{recipient} got a copy with another Message-ID: {ids}"
    repeats = {recipient: len(ids) for recipient, ids in by_recipient.items() if len(ids) > 1}
    # Exactly the message the worker was killed on goes out twice (same Message-ID); nothing else.
    assert list(repeats.values()) == [2], repeats
    assert len(sink.received) == BATCH + 1
    assert site.query("SELECT status, COUNT(*) FROM django_tasks_database_dbtaskresult GROUP BY status") == [
        ("SUCCESSFUL", BATCH)
    ]
    assert site.query("SELECT COUNT(*) FROM core_tasklease") == [(0,)]


def test_a_mail_server_that_never_answers_holds_no_queue_and_the_email_goes_out_when_it_recovers(site: Site) -> None:
    hung = HungServer(site.smtp_port)
    controller: Controller | None = None
    try:
        queue_emails(site, 1, then_other_tasks=3)
        site.start_worker("worker")
        # The one worker gives up on the silent server after the timeout and runs the other tasks.
        wait_for(
            lambda: (
                site.query(
                    "SELECT COUNT(*) FROM django_tasks_database_dbtaskresult "
                    "WHERE task_path LIKE '%prune_used_form_tokens' AND status = 'SUCCESSFUL'"
                )
                == [(3,)]
            ),
            30,
            "the other tasks running while the mail server hangs",
            site,
        )
        wait_for(lambda: site.query("SELECT attempts FROM core_outgoingemail")[0][0] >= 2, 30, "a second attempt", site)
        assert hung.accepted >= 2
        (status, error), *_ = site.query("SELECT status, last_error FROM core_outgoingemail")
        assert status in {"queued", "sending"}
        assert "timed out" in error.lower() or "timeout" in error.lower(), error

        hung.close()
        sink = Sink()
        controller = Controller(sink, hostname="127.0.0.1", port=site.smtp_port)
        controller.start()
        wait_for(lambda: site.statuses() == {"sent": 1}, 60, "delivery once the server answers again", site)
    finally:
        hung.close()
        if controller is not None:
            controller.stop()
    (message_id,) = site.query("SELECT message_id FROM core_outgoingemail")[0]
    assert sink.received == [("person0@example.org", message_id)]
