#!/usr/bin/env python3
"""Two machines' worth of PeerPath on one: prove the processes share work without doubling it.

Starts, against the machine's PostgreSQL (a database of its own, made afresh) and Redis (one
database number, emptied first), with production settings (DEBUG off):

- two gunicorn web servers on different ports,
- two task workers (`manage.py run_worker`),
- two schedulers (`manage.py run_scheduler`),
- a local SMTP sink (aiosmtpd) that records every message.

Then it logs a coordinator in on server A, works on server B with that session, invites people
through both servers (one e-mail each), logs out on B and checks A no longer lets the session in,
and checks:

- every e-mail arrived exactly once (no address twice, no Message-ID twice);
- no task ran twice (every task row finished once, by one worker run);
- only one scheduler ticked at a time (the tick intervals both print never overlap, and one
  scheduler did all the ticking while both ran); after the leader is killed with SIGKILL the
  other takes over once its lease runs out;
- the session works across both servers.

It exits 1 on any failure and also when it measured nothing (no e-mail, no tick).

    .venv/bin/python deploy/two_machines_check.py [--database-url postgres://postgres@127.0.0.1:5432/peerpath_two_machines]
        [--redis-url redis://127.0.0.1:6379/12] [--invites 20] [--template peerpath_ci_migrated]

With --template (default: PEERPATH_MIGRATED_PG, which .ci/run sets) the database starts as a copy
of that migrated database on the same server instead of being migrated here.
"""

from __future__ import annotations

import argparse
import email
import itertools
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import redis
import requests
from aiosmtpd.controller import Controller
from processes import TimedOut, free_port, wait_for  # deploy/processes.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
TICK = re.compile(r"^tick (\S+) ([\d.]+) ([\d.]+)$", re.MULTILINE)
SCHEDULER_INTERVAL = 1.0
# Long enough that a leader starved of CPU on a loaded machine still renews in time (4 s was not,
# at a load average of 10 on 2 cores).
SCHEDULER_LEASE = 10.0


class Failure(Exception):
    pass


class Sink:
    """An SMTP server that records every message it accepts."""

    def __init__(self) -> None:
        self.port = free_port()
        self.messages: list[email.message.Message] = []
        self.lock = threading.Lock()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port, ready_timeout=10)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def recipients(self) -> list[str]:
        with self.lock:
            return [str(m["To"]).strip().lower() for m in self.messages]

    def message_ids(self) -> list[str]:
        with self.lock:
            return [str(m["Message-ID"]) for m in self.messages]


@dataclass
class Installation:
    env: dict[str, str]
    logs: Path
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def manage(self, *args: str, timeout: float = 600) -> str:
        done = subprocess.run(
            [PYTHON, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=timeout
        )
        if done.returncode != 0:
            raise Failure(f"manage.py {' '.join(args)} failed:\n{done.stderr[-3000:]}")
        return done.stdout

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("ab")
        process = subprocess.Popen(args, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        self.processes[name] = process
        return process

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")

    def web(self, name: str) -> str:
        port = free_port()
        self.start(name, PYTHON, "-m", "gunicorn", "peerpath.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2")
        url = f"http://127.0.0.1:{port}"
        wait_for(lambda: _answers(url), 90, f"{name} to answer")
        return url

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _answers(url: str) -> bool:
    try:
        return requests.get(f"{url}/health/", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def fresh_database(url: str, template: str = "") -> None:
    """Drop the database ``url`` names and create it empty, or as a copy of ``template``."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    for plain in (name, template):
        if plain and not re.fullmatch(r"[a-z0-9_]+", plain):
            raise Failure(f"use a plain database name, not {plain!r}")
    server = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))


class Browser:
    """A person's browser: cookies kept by hand, so the Secure cookies of a production
    installation travel over this local plain-HTTP test the way a browser sends them over HTTPS."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), "Referer": url}
        response = requests.request(method, url, headers=headers, allow_redirects=False, timeout=30, **kwargs)
        for cookie in response.cookies:
            if cookie.value:
                self.cookies[cookie.name] = cookie.value
            else:
                self.cookies.pop(cookie.name, None)
        return response

    def form_fields(self, url: str) -> dict[str, str]:
        page = self.request("GET", url)
        if page.status_code != 200:
            raise Failure(f"GET {url} answered {page.status_code}")
        hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
        if "csrfmiddlewaretoken" not in hidden:
            raise Failure(f"no CSRF token on {url}")
        return hidden


SETUP = """
from peerpath.core.actors import SYSTEM
from peerpath.core.models import User
from peerpath.programs import services
services.create_program(actor=SYSTEM, name="Two Machines", slug="two", coordinator_email="{email}",
                        coordinator_name="Cora Coordinator")
# This checks sharing between machines, not two-factor sign-in (tests/e2e/test_two_factor.py
# does): the throwaway program lets its coordinator sign in with the password alone.
from peerpath.programs.models import Program
Program.objects.filter(slug="two").update(second_factor_for_coordinators=False)
user = User.objects.get(email="{email}")
user.set_password("{password}")
user.save()
"""


def check(args: argparse.Namespace) -> list[str]:
    fresh_database(args.database_url, args.template)
    redis.Redis.from_url(args.redis_url).flushdb()
    work = Path(tempfile.mkdtemp(prefix="peerpath-two-machines-"))
    sink = Sink()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PEERPATH_", "DJANGO_", "DATABASE_URL", "REDIS"))}
    env.update(
        {
            "DATABASE_URL": args.database_url,
            "REDIS_URL": args.redis_url,
            "PEERPATH_DB_CONN_MAX_AGE": "60",
            "PEERPATH_SECRET_KEY": secrets.token_urlsafe(48),
            "PEERPATH_CREDENTIAL_SECRET": secrets.token_urlsafe(48),
            "PEERPATH_FIELD_ENCRYPTION_KEYS": secrets.token_urlsafe(48),
            "PEERPATH_ALLOWED_HOSTS": "127.0.0.1",
            "PEERPATH_SITE_URL": "http://127.0.0.1",
            "PEERPATH_SECURE_SSL_REDIRECT": "0",
            "PEERPATH_VAR_DIR": str(work / "var"),
            "PEERPATH_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "PEERPATH_EMAIL_HOST": "127.0.0.1",
            "PEERPATH_EMAIL_PORT": str(sink.port),
            "PEERPATH_LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
        }
    )
    site = Installation(env, work)
    problems: list[str] = []
    sink.controller.start()
    try:
        if args.template:
            print(
                f"{args.database_url} copied from {args.template}; nothing left to migrate (logs in {work})", flush=True
            )
            site.manage("migrate", "--check", "--noinput", "-v", "0")
        else:
            print(f"migrating {args.database_url} (logs in {work})", flush=True)
            site.manage("migrate", "--noinput", "-v", "0")
        site.manage("collectstatic", "--noinput", "-v", "0")
        coordinator, password = "cora@two-machines.example.org", secrets.token_urlsafe(16)
        site.manage("shell", "-c", SETUP.format(email=coordinator, password=password))

        print("starting two web servers, two workers and two schedulers", flush=True)
        for n in (1, 2):
            site.start(f"worker{n}", PYTHON, "manage.py", "run_worker", "--no-reload", "--interval", "0.5")
            site.start(
                f"scheduler{n}",
                PYTHON,
                "manage.py",
                "run_scheduler",
                "-v",
                "2",
                "--interval",
                str(SCHEDULER_INTERVAL),
                "--lease",
                str(SCHEDULER_LEASE),
            )
        servers = [site.web("webA"), site.web("webB")]
        started = time.time()

        # Sessions: log in on A, work on B, log out on B, refused on A.
        browser = Browser()
        login = f"{servers[0]}/accounts/login/"
        fields = browser.form_fields(login)
        answer = browser.request("POST", login, data={**fields, "username": coordinator, "password": password})
        if answer.status_code != 302:
            raise Failure(f"log-in on A answered {answer.status_code}")
        home_b = browser.request("GET", f"{servers[1]}/p/two/")
        if home_b.status_code != 200 or "Cora Coordinator" not in home_b.text:
            problems.append(f"the session from A did not work on B ({home_b.status_code})")

        invited = [f"person{n}@two-machines.example.org" for n in range(args.invites)]
        for n, address in enumerate(invited):
            server = servers[n % 2]
            members = f"{server}/p/two/members/"
            fields = browser.form_fields(members)
            sent = browser.request(
                "POST", members, data={**fields, "full_name": f"Person {n}", "email": address, "roles": "supporter"}
            )
            if sent.status_code != 302:
                problems.append(f"inviting {address} on {'AB'[n % 2]} answered {sent.status_code}")
        expected = sorted([coordinator, *invited])

        wait_for(lambda: len(sink.recipients()) >= len(expected), 120, f"{len(expected)} e-mails to arrive")
        time.sleep(5)  # a duplicate would arrive now
        received = Counter(sink.recipients())
        if sorted(received) != expected:
            problems.append(f"e-mails to the wrong people: {sorted(set(received) ^ set(expected))}")
        doubled = {address: n for address, n in received.items() if n > 1}
        if doubled:
            problems.append(f"e-mails sent twice: {doubled}")
        ids = Counter(sink.message_ids())
        if any(n > 1 for n in ids.values()):
            problems.append("a Message-ID arrived twice")

        logout = f"{servers[1]}/accounts/logout/"
        fields = browser.form_fields(f"{servers[1]}/p/two/")
        browser.request("POST", logout, data={"csrfmiddlewaretoken": fields["csrfmiddlewaretoken"]})
        after = browser.request("GET", f"{servers[0]}/p/two/")
        if after.status_code != 302 or "/accounts/login/" not in after.headers.get("Location", ""):
            problems.append(f"after logging out on B, A still let the session in ({after.status_code})")

        problems += check_tasks(args.database_url)
        problems += check_schedulers(site, started)
        print(
            f"{len(sink.recipients())} e-mails to {len(received)} addresses, "
            f"{sum(1 for _ in TICK.finditer(site.log('scheduler1') + site.log('scheduler2')))} scheduler ticks",
            flush=True,
        )
        if not sink.recipients():
            problems.append("measured nothing: no e-mail arrived")
    finally:
        site.stop()
        sink.controller.stop()
    return problems


def check_tasks(database_url: str) -> list[str]:
    with psycopg.connect(database_url) as connection:
        rows = connection.execute(
            "SELECT id, task_path, status, worker_ids FROM django_tasks_database_dbtaskresult"
        ).fetchall()
    if not rows:
        return ["measured nothing: no task rows"]
    problems = []
    for task_id, path, status, workers in rows:
        if len(workers or []) > 1:
            problems.append(f"task {task_id} ({path}) ran {len(workers)} times: {workers}")
        if status not in {"SUCCESSFUL"} and path.endswith(("send_email", "send_account_link")):
            problems.append(f"e-mail task {task_id} ended {status}")
    ran_by = Counter(w[-1] for *_, w in rows if w)
    print(f"{len(rows)} task rows, run by {len(ran_by)} workers: {dict(ran_by)}", flush=True)
    return problems


def intervals(text: str) -> list[tuple[str, float, float]]:
    return [(m[1], float(m[2]), float(m[3])) for m in TICK.finditer(text)]


def check_schedulers(site: Installation, started: float) -> list[str]:
    problems = []
    ticks = sorted(intervals(site.log("scheduler1")) + intervals(site.log("scheduler2")), key=lambda t: t[1])
    if len(ticks) < 5:
        return [f"measured nothing: only {len(ticks)} scheduler ticks"]
    for before, after in itertools.pairwise(ticks):
        if after[1] < before[2]:
            problems.append(f"two schedulers ticked at once: {before} and {after}")
    holders = Counter(holder for holder, *_ in ticks)
    if len(holders) != 1:
        problems.append(f"while both ran, more than one scheduler led: {dict(holders)}")
    leader_holder = ticks[-1][0]
    leader = next(n for n in ("scheduler1", "scheduler2") if leader_holder in site.log(n))
    standby = "scheduler2" if leader == "scheduler1" else "scheduler1"
    # Kill the leader outright; the standby must take over once the lease runs out, alone.
    killed_at = time.time()
    site.processes[leader].send_signal(signal.SIGKILL)
    site.processes[leader].wait()
    try:
        wait_for(lambda: intervals(site.log(standby)), SCHEDULER_LEASE + 30, "the standby scheduler to take over")
    except (Failure, TimedOut) as failure:
        problems.append(str(failure))
        return problems
    taken = intervals(site.log(standby))[0]
    print(
        f"{len(ticks)} ticks by one leader while both ran; the standby took over "
        f"{taken[1] - killed_at:.1f} s after the leader was killed (lease {SCHEDULER_LEASE:g} s)",
        flush=True,
    )
    if taken[1] < killed_at:
        problems.append("the standby ticked while the leader was alive")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("PEERPATH_TWO_MACHINES_DB", "postgres://postgres@127.0.0.1:5432/peerpath_two_machines"),
        help="A PostgreSQL database to create afresh (it is dropped first).",
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("PEERPATH_TWO_MACHINES_REDIS", "redis://127.0.0.1:6379/12"),
        help="A Redis database number to empty and use.",
    )
    parser.add_argument("--invites", type=int, default=20, help="People to invite (one e-mail each).")
    parser.add_argument(
        "--template",
        default=os.environ.get("PEERPATH_MIGRATED_PG", ""),
        help="A migrated database on the same server to copy instead of migrating (CREATE DATABASE ... TEMPLATE).",
    )
    args = parser.parse_args()
    began = time.monotonic()
    try:
        problems = check(args)
    except (Failure, TimedOut) as failure:
        problems = [str(failure)]
    for problem in problems:
        print(f"FAIL: {problem}", file=sys.stderr)
    print(f"{'FAILED' if problems else 'passed'} in {time.monotonic() - began:.0f} s", flush=True)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
