"""`make bench`: serve PeerPath as in production and measure its main pages under load.

Starts gunicorn (several workers, DEBUG off) against the database in DATABASE_URL (filled by
`make bench-data`), logs in the benchmark personas by creating their sessions directly, and
drives each page with wrk (16 concurrent connections). Each page's throughput is reported as
a ratio to a trivial view served by the same server in the same run, which cancels out most
of the machine's speed. Also counts each page's SQL queries. Writes bench/results/web.json.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PORT = int(os.environ.get("BENCH_PORT", "8765"))
BASE = f"http://127.0.0.1:{PORT}"
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
DURATION = os.environ.get("BENCH_DURATION", "15s")
WORKERS = int(os.environ.get("BENCH_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
TARGETS = {"dashboard": 0.25}
P95_LIMIT_MS = 300.0


def server_env() -> dict[str, str]:
    """Production settings (DEBUG off), with the same secrets `make bench-data` used (from var/)."""
    sys.path.insert(0, str(ROOT))
    from peerpath.env import secret

    env = dict(os.environ)
    for name in ("PEERPATH_SECRET_KEY", "PEERPATH_CREDENTIAL_SECRET", "PEERPATH_FIELD_ENCRYPTION_KEYS"):
        env.setdefault(name, secret(name, generate_in_dev=True))
    # As recommended for production: Redis for the shared cache and session reads (BENCH_REDIS_URL=""
    # measures without it, on the database cache).
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/3")
    if redis_url:
        env["REDIS_URL"] = redis_url
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "peerpath.settings",
            "PEERPATH_DEBUG": "0",
            "PEERPATH_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "PEERPATH_SITE_URL": BASE,
            "PEERPATH_SECURE_SSL_REDIRECT": "0",
            "PEERPATH_DB_CONN_MAX_AGE": "60",
            "PEERPATH_LOG_LEVEL": "ERROR",
        }
    )
    return env


def setup_django() -> None:
    # As in production: static files collected with their manifest before serving.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=server_env(), check=True
    )
    os.environ.update(server_env())
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def personas() -> dict[str, object]:
    from bench.data import BENCH_PROGRAM, bench_personas

    return bench_personas(BENCH_PROGRAM)


def session_cookie(user: object) -> str:
    """A logged-in session for the user, made the way Django's login() makes one."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
    from django.utils.crypto import get_random_string

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "peerpath.core.auth.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.set_expiry(3600)
    session.save()
    # A browser also holds the form-token cookie it was given on its first page.
    csrf = get_random_string(CSRF_SECRET_LENGTH, allowed_chars=CSRF_ALLOWED_CHARS)
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}; {settings.CSRF_COOKIE_NAME}={csrf}"


def pages(people: dict[str, object]) -> list[dict[str, str]]:
    from django.urls import reverse

    from bench.data import BENCH_PROGRAM

    slug = BENCH_PROGRAM
    listed = [
        {"name": "trivial", "path": reverse("core:health"), "user": None},
        {"name": "dashboard", "path": reverse("reports:dashboard", args=[slug]), "user": "coordinator"},
        {"name": "supporter_home", "path": reverse("programs:home", args=[slug]), "user": "supporter"},
        {"name": "recruitment_board", "path": reverse("recruitment:board", args=[slug]), "user": "coordinator"},
    ]
    from django.urls import NoReverseMatch

    try:
        participants = reverse("support:participants", args=[slug])
    except NoReverseMatch:  # the participant list arrives with the support app
        participants = None
    if participants:
        listed.insert(3, {"name": "participant_list", "path": participants, "user": "coordinator"})
    return listed


def count_queries(page: dict[str, str], people: dict[str, object]) -> dict[str, float]:
    """SQL queries (and time) of the page's first view, and queries of a view repeated as wrk
    repeats it (by a browser holding its form-token cookie, so a kept page is served from it)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    if page["user"]:
        client.force_login(people[page["user"]])
    counts, took = [], []
    for _ in range(3):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(page["path"])
        took.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{page['name']}: {page['path']} answered {response.status_code}")
        counts.append(len(captured))
    return {"first": counts[0], "repeated": counts[-1], "first_ms": round(took[0], 1)}


def wait_for_server(process: subprocess.Popen) -> None:
    for _ in range(100):
        if process.poll() is not None:
            raise SystemExit("gunicorn exited; see the output above")
        try:
            urllib.request.urlopen(f"{BASE}/health/", timeout=1)  # noqa: S310 - our own local server
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer within 20 s")


def run_wrk(path: str, cookie: str | None, duration: str) -> dict[str, float]:
    command = [
        "wrk",
        "-t2",
        f"-c{CONNECTIONS}",
        f"-d{duration}",
        "--latency",
        "-s",
        str(ROOT / "bench" / "wrk_report.lua"),
    ]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run([*command, f"{BASE}{path}"], capture_output=True, text=True, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> int:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed for the benchmark: apt-get install wrk")
    setup_django()
    from django.db import connection

    if connection.vendor != "postgresql":
        print("Note: DATABASE_URL is not PostgreSQL; the figures will not be comparable.", file=sys.stderr)
    if os.environ.get("REDIS_URL"):
        from django.core.cache import cache

        cache.clear()  # figures from an earlier run would spare this run the first computation
    people = personas()
    listed = pages(people)
    cookies = {role: session_cookie(user) for role, user in people.items()}
    queries = {page["name"]: count_queries(page, people) for page in listed}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "peerpath.wsgi",
            "-w",
            str(WORKERS),
            "-b",
            f"127.0.0.1:{PORT}",
            "--access-logfile",
            "/dev/null",
            "--error-logfile",
            "-",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=server_env(),
    )
    results: dict[str, dict[str, float]] = {}
    try:
        wait_for_server(server)
        for page in listed:
            cookie = cookies.get(page["user"]) if page["user"] else None
            run_wrk(page["path"], cookie, "3s")  # warm up caches and connections
            measured = run_wrk(page["path"], cookie, DURATION)
            if measured["non_2xx"] or measured["errors"]:
                raise SystemExit(f"{page['name']}: errors while measuring: {measured}")
            results[page["name"]] = measured
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    trivial = results["trivial"]["rps"]
    report = {
        name: {
            "rps": round(r["rps"], 1),
            "p95_ms": round(r["p95_ms"], 1),
            "ratio": round(r["rps"] / trivial, 3),
            "queries": queries[name]["repeated"],
            "queries_first_view": queries[name]["first"],
            "first_view_ms": queries[name]["first_ms"],
        }
        for name, r in results.items()
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "web.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"{'page':<20}{'req/s':>9}{'p95 ms':>9}{'ratio':>8}{'queries':>9}{'(first view)':>14}")
    failed = []
    for name, r in report.items():
        print(f"{name:<20}{r['rps']:>9}{r['p95_ms']:>9}{r['ratio']:>8}{r['queries']:>9}{r['queries_first_view']:>14}")
        if r["p95_ms"] > P95_LIMIT_MS:
            failed.append(f"{name} p95 {r['p95_ms']} ms > {P95_LIMIT_MS}")
        if name in TARGETS and r["ratio"] < TARGETS[name]:
            failed.append(f"{name} ratio {r['ratio']} < {TARGETS[name]}")
    print(f"workers={WORKERS} connections={CONNECTIONS} duration={DURATION}; wrote {RESULTS / 'web.json'}")
    if failed:
        print("Targets missed: " + "; ".join(failed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
