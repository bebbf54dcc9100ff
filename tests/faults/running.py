"""A throw-away PeerPath installation for the fault tests: its own database (a SQLite file in a
temporary directory, or a given PostgreSQL URL), production settings (DEBUG off), and real
processes started with `manage.py` or gunicorn, each logging to a file in the directory."""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import functools
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from deploy.processes import free_port, wait_for
from tests.migrated import copy_sqlite, migrated_sqlite

ROOT = Path(__file__).resolve().parent.parent.parent
PYTHON = sys.executable
PASSWORD = "fault-test-password-1234"


@dataclass
class Site:
    """One installation: ``env`` for its processes, ``work`` its directory (logs, var)."""

    work: Path
    database_url: str = ""
    keys: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        keep = {
            k: v for k, v in os.environ.items() if not k.startswith(("PEERPATH_", "DJANGO_", "DATABASE_URL", "REDIS"))
        }
        self.keys = self.keys or {
            name: secrets.token_urlsafe(48)
            for name in ["PEERPATH_SECRET_KEY", "PEERPATH_CREDENTIAL_SECRET", "PEERPATH_FIELD_ENCRYPTION_KEYS"]
        }
        self.env = {
            **keep,
            **self.keys,
            "PEERPATH_ALLOWED_HOSTS": "127.0.0.1",
            "PEERPATH_SITE_URL": "http://127.0.0.1",
            "PEERPATH_SECURE_SSL_REDIRECT": "0",
            "PEERPATH_VAR_DIR": str(self.work / "var"),
            "PEERPATH_LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
        if self.database_url:
            self.env["DATABASE_URL"] = self.database_url

    def manage(self, *args: str, timeout: float = 300) -> str:
        done = subprocess.run(
            [PYTHON, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=timeout
        )
        assert done.returncode == 0, f"manage.py {' '.join(args)} failed:\n{done.stderr[-4000:]}"
        return done.stdout

    def shell(self, code: str, timeout: float = 300) -> Any:
        """Run ``code`` in `manage.py shell`; it prints one JSON line last, returned decoded."""
        out = self.manage("shell", "-c", code, timeout=timeout)
        return json.loads(out.strip().splitlines()[-1])

    def install(self) -> dict[str, Any]:
        """Migrate (or copy the migrated SQLite database, tests/migrated.py), collect the static files and build
        the people (`PEOPLE`); returns their keys."""
        if self.database_url:
            self.manage("migrate", "--noinput", "-v", "0")
        else:
            copy_sqlite(migrated_sqlite(), self.work / "var" / "peerpath.sqlite3")
        self.manage("createcachetable")
        self.manage("collectstatic", "--noinput", "-v", "0")
        people: dict[str, Any] = self.shell(PEOPLE)
        return people

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = (self.work / f"{name}.log").open("ab")
        process = subprocess.Popen(args, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        self.processes[name] = process
        return process

    def log(self, name: str) -> str:
        return (self.work / f"{name}.log").read_text(errors="replace")

    def web(self, name: str = "web", workers: int = 2, threads: int = 4) -> str:
        port = free_port()
        self.start(
            name,
            PYTHON,
            "-m",
            "gunicorn",
            "peerpath.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--timeout",
            "90",
        )
        url = f"http://127.0.0.1:{port}"
        wait_for(lambda: _answers(url), 90, f"{name} to answer")
        return url

    def stop(self, name: str, sig: int = signal.SIGTERM) -> None:
        process = self.processes[name]
        if process.poll() is None:
            process.send_signal(sig)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def stop_all(self, remove: bool = True) -> None:
        """Stop every process and (unless a test failed and its logs are wanted) remove the folder."""
        for name in list(self.processes):
            self.stop(name)
        if remove and not os.environ.get("PEERPATH_FAULTS_KEEP"):
            shutil.rmtree(self.work, ignore_errors=True)


@functools.cache
def sqlite_template() -> tuple[Path, tuple[tuple[str, str], ...], str]:
    """One installed SQLite site per test run (on a copy of the migrated database): its
    directory, its keys and its people, copied by `sqlite_site` for each test."""
    site = Site(Path(tempfile.mkdtemp(prefix="peerpath-fault-template-")))
    atexit.register(shutil.rmtree, site.work, True)
    people = site.install()
    return site.work, tuple(site.keys.items()), json.dumps(people)


def sqlite_site(prefix: str) -> tuple[Site, dict[str, Any]]:
    """A fresh SQLite installation (a copy of the run's template) and its people."""
    template, keys, people = sqlite_template()
    work = Path(tempfile.mkdtemp(prefix=f"peerpath-fault-{prefix}-"))
    (work / "var").mkdir()
    for item in (template / "var").iterdir():
        if item.name == "static":
            (work / "var" / "static").symlink_to(item)
        elif item.name == "peerpath.sqlite3":
            copy_sqlite(item, work / "var" / item.name)
    return Site(work, keys=dict(keys)), json.loads(people)


def _answers(url: str) -> bool:
    try:
        return requests.get(f"{url}/health/", timeout=2).status_code == 200
    except requests.RequestException:
        return False


class Browser:
    """A person's browser: cookies kept by hand, so the Secure cookies of a production
    installation travel over this local plain-HTTP test as a browser sends them over HTTPS."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        url = self.base + path
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), "Referer": url}
        headers.update(kwargs.pop("headers", {}))
        response = requests.request(method, url, headers=headers, allow_redirects=False, timeout=60, **kwargs)
        for cookie in response.cookies:
            if cookie.value:
                self.cookies[cookie.name] = cookie.value
            else:
                self.cookies.pop(cookie.name, None)
        return response

    def log_in(self, email: str, password: str = PASSWORD) -> None:
        page = self.request("GET", "/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token, "no CSRF token on the login page"
        done = self.request(
            "POST",
            "/accounts/login/",
            data={"csrfmiddlewaretoken": token.group(1), "username": email, "password": password},
        )
        assert done.status_code == 302, f"log-in as {email} answered {done.status_code}"


class ContactWriters:
    """People logging contacts through the API at once, each writing one after another, every answer
    kept by the contact's notes (a marker naming the writer and the write): the load the
    busy-database fault tests put on a site, and the checks of what it left in the database."""

    def __init__(self, url: str, people: dict[str, Any], *, pause: float) -> None:
        self.api = f"{url}/api/v1/programs/{people['program']}/relationships/{people['relationship']}/contacts"
        self.headers = {"Authorization": f"Bearer {people['token']}"}
        self.relationship = people["relationship"]
        self.pause = pause  # between one writer's writes
        self.results: dict[str, int] = {}  # marker -> status answered (0: no answer at all)
        self._lock = threading.Lock()
        self._abandoned = threading.Event()

    def write(self, marker: str) -> int:
        """Log one contact with ``marker`` as its notes; the status answered, 0 for none. A 503 must
        say that the database is busy and when to try again."""
        body = {
            "contacted_on": dt.date.today().isoformat(),
            "channel": "phone",
            "reached": True,
            "tasks": ["rapport"],
            "notes": marker,
        }
        try:
            answer = requests.post(self.api, json=body, headers=self.headers, timeout=60)
        except requests.RequestException:
            return 0
        if answer.status_code == 503:
            assert answer.headers.get("Retry-After") == "5", answer.headers
            assert "busy" in answer.json()["detail"], answer.text
        return answer.status_code

    def _keep_writing(self, n: int, until: Callable[[], bool]) -> None:
        k = 0
        while not (until() or self._abandoned.is_set()):
            marker = f"writer {n} write {k}"
            status = self.write(marker)
            with self._lock:
                self.results[marker] = status
            k += 1
            time.sleep(self.pause)

    @contextlib.contextmanager
    def writing(self, writers: int, until: Callable[[], bool]) -> Iterator[None]:
        """``writers`` people write, each until ``until()`` is true, while the block runs; leaving
        the block waits for them (and raises what failed in any of them)."""
        with ThreadPoolExecutor(writers) as pool:
            running = [pool.submit(self._keep_writing, n, until) for n in range(writers)]
            try:
                yield
            except BaseException:
                self._abandoned.set()  # the test failed: stop writing rather than wait for `until`
                raise
            for future in running:
                future.result()

    def statuses(self) -> Counter[int]:
        return Counter(self.results.values())

    def check_saved(
        self, site: Site, *, also_acknowledged: set[str] = frozenset(), refused_saved_nothing: bool
    ) -> None:
        """Every write answered 201 (and ``also_acknowledged``) is in the database, nothing is in
        it twice, and (``refused_saved_nothing``) no write answered 503 was saved."""
        saved = Counter(site.shell(SAVED_NOTES.format(relationship=self.relationship)))
        acknowledged = {m for m, s in self.results.items() if s == 201} | also_acknowledged
        assert acknowledged <= set(saved), acknowledged - set(saved)  # nothing acknowledged is lost
        if refused_saved_nothing:
            refused = {m for m, s in self.results.items() if s == 503}
            assert not refused & set(saved), refused & set(saved)  # a 503 saved nothing
        assert all(n == 1 for n in saved.values()), saved  # nothing saved twice


SAVED_NOTES = """
import json
from peerpath.support.models import Contact
print(json.dumps([c.notes for c in Contact.objects.filter(relationship_id={relationship})]))
"""


# Builds the test's people in a fresh installation (run with Site.shell): the world of the test
# suite (tests.fixtures.build_world: the Riverside program, a coordinator, a trainer, a
# supervisor and a supporter), a participant matched with the supporter, everyone's password
# set to PASSWORD, and an API token for the supporter. Prints the keys as JSON.
PEOPLE = f"""
import json
from types import SimpleNamespace
from peerpath.api.tokens import create_token
from peerpath.core.models import User
from peerpath.programs.models import Program
from peerpath.recruitment.models import Supporter
from tests.fixtures import build_world
from tests.support.helpers import make_participant, match, profile

rows = build_world()
for user in User.objects.all():
    user.set_password({PASSWORD!r})
    user.save()
users = {{role: User.objects.get(pk=rows[role].pk) for role in ["coordinator", "trainer", "supervisor", "supporter"]}}
w = SimpleNamespace(program=Program.objects.get(pk=rows["program"].pk), coordinator=users["coordinator"])
priya = Supporter.objects.get(pk=rows["supporter_record"].pk)
priya.supervisor = users["supervisor"]
priya.save()
profile(w, priya)
ana = make_participant(w, full_name="Ana Lopez")
rel = match(w, ana, priya, users["supporter"])
_token, secret = create_token(actor=users["supporter"], name="fault test")
print(json.dumps({{
    "program": w.program.slug,
    "relationship": rel.pk,
    "token": secret,
    **{{role: user.email for role, user in users.items()}},
}}))
"""
