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
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PORT = int(os.environ.get("BENCH_PORT", "8765"))
BASE = f"http://127.0.0.1:{PORT}"
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
DURATION = os.environ.get("BENCH_DURATION", "15s")
WORKERS = int(os.environ.get("BENCH_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
# Issue 21: every page at least 0.05 x the trivial view's throughput in the same run (the dashboard,
# whose rendered page is kept, at least 0.25, as issue 6 set), and p95 under 300 ms at 16 connections.
MIN_RATIO = 0.05
TARGETS = {"dashboard": 0.25}
P95_LIMIT_MS = 300.0
# Issue 21: the coordinator's dashboard computed from nothing kept (its report figures and kept page
# dropped, as "Refresh figures" drops them) answers in under 300 ms, as the median of COLD_VIEWS first
# views on the served site (a year of the largest program, the dashboard's default period).
COLD_VIEWS = int(os.environ.get("BENCH_COLD_VIEWS", "5"))
COLD_LIMIT_MS = 300.0


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
    """The coordinator, the busiest active supporter and a supervisor (`bench_personas`), and a trainer
    of the course running now (the cohort page is theirs)."""
    from bench.data import BENCH_PROGRAM, bench_personas

    people = bench_personas(BENCH_PROGRAM)
    cohort = current_cohort()
    trainer = cohort.trainers.order_by("id").first() if cohort else None
    if trainer is None:
        raise SystemExit(f"No course with a trainer in '{BENCH_PROGRAM}': run `make bench-data` first.")
    people["trainer"] = trainer
    return people


def current_cohort() -> Any:
    from django.utils import timezone

    from bench.data import BENCH_PROGRAM
    from peerpath.training.models import Cohort

    today = timezone.localdate()
    return Cohort.objects.filter(program__slug=BENCH_PROGRAM, starts_on__lte=today).order_by("-starts_on", "id").first()


def second_factor(user: Any) -> dict[str, Any]:
    """What a signed-in session of this person holds about the second factor, as after signing in
    with it: whether it is required and, when it is, the authenticator app that verified it (one
    is set up for the persona, as a coordinator of a program requiring it has one)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from peerpath.core import second_factor as factor

    if not factor.must_verify(user):
        return {factor.REQUIRED_KEY: False}
    device, _created = TOTPDevice.objects.get_or_create(user=user, name=factor.APP_NAME, defaults={"confirmed": True})
    return {factor.REQUIRED_KEY: True, DEVICE_ID_SESSION_KEY: device.persistent_id}


def session_cookie(user: Any) -> str:
    """A logged-in session for the user, made the way Django's login() makes one (with the second
    factor passed, where the person's role requires it)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
    from django.utils.crypto import get_random_string

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "peerpath.core.auth.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.update(second_factor(user))
    session.set_expiry(3600)
    session.save()
    # A browser also holds the form-token cookie it was given on its first page.
    csrf = get_random_string(CSRF_SECRET_LENGTH, allowed_chars=CSRF_ALLOWED_CHARS)
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}; {settings.CSRF_COOKIE_NAME}={csrf}"


def pages(people: dict[str, Any]) -> list[dict[str, Any]]:
    """Each page with the person who opens it. The records (a relationship, a group, a course) are
    the persona's own: the supporter's relationship with the most contacts, a group they facilitate."""
    from django.db.models import Count, Q
    from django.urls import reverse

    from bench.data import BENCH_PROGRAM
    from peerpath.groups.models import Group
    from peerpath.support.models import SupportRelationship

    slug = BENCH_PROGRAM
    supporter = people["supporter"]
    relationship = (
        SupportRelationship.objects.filter(program__slug=slug, supporter__user=supporter, state="active")
        .annotate(n=Count("goals"), c=Count("contacts", distinct=True))
        .order_by("-n", "-c", "id")
        .first()
    )
    group = (
        Group.objects.filter(program__slug=slug)
        .filter(Q(lead__user=supporter) | Q(co_facilitators__user=supporter))
        .annotate(n=Count("sessions", distinct=True))
        .order_by("-n", "id")
        .first()
    )
    cohort = current_cohort()
    missing = [
        label for label, found in (("relationship", relationship), ("group", group), ("course", cohort)) if not found
    ]
    if missing:
        raise SystemExit(f"The benchmark data has no {', '.join(missing)} for its personas: run `make bench-data`.")

    def page(name: str, url: str, args: list[Any], user: str | None) -> dict[str, Any]:
        return {"name": name, "path": reverse(url, args=args), "user": user}

    return [
        {"name": "trivial", "path": reverse("core:health"), "user": None},
        page("dashboard", "reports:dashboard", [slug], "coordinator"),
        page("coordinator_home", "programs:home", [slug], "coordinator"),
        page("supporter_home", "programs:home", [slug], "supporter"),
        page("participant_list", "support:participants", [slug], "coordinator"),
        page("recruitment_board", "recruitment:board", [slug], "coordinator"),
        page("my_participants", "support:caseload", [slug], "supporter"),
        page("relationship", "support:relationship", [slug, relationship.pk], "supporter"),
        page("goals_referrals", "plans:plan", [slug, relationship.pk], "supporter"),
        page("group", "groups:group", [slug, group.pk], "supporter"),
        page("care_list", "care:supporters", [slug], "supervisor"),
        page("concerns", "support:concerns", [slug], "supervisor"),
        page("matching", "support:batch", [slug], "coordinator"),
        page("cohort", "training:cohort", [slug, cohort.pk], "trainer"),
    ]


def count_queries(page: dict[str, Any], people: dict[str, Any]) -> dict[str, Any]:
    """SQL queries (and time) of the page's first view, and queries of a view repeated as wrk
    repeats it (by a browser holding its form-token cookie, so a kept page is served from it).
    ``sql`` holds the first view's statements (nothing kept yet: every query the page can run)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    if page["user"]:
        client.force_login(people[page["user"]])
        session = client.session
        session.update(second_factor(people[page["user"]]))
        session.save()
    counts, took, first_sql = [], [], []
    for _ in range(3):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(page["path"])
        took.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{page['name']}: {page['path']} answered {response.status_code}")
        counts.append(len(captured))
        first_sql = first_sql or [q["sql"] for q in captured.captured_queries]
    return {"first": counts[0], "repeated": counts[-1], "first_ms": round(took[0], 1), "sql": first_sql}


# A sequential scan of a table this big (PostgreSQL's estimate) means a query missed an index.
EXPLAIN_LARGE_TABLE = int(os.environ.get("BENCH_EXPLAIN_LARGE_TABLE", "20000"))
# ... keeping less than this share of it (PostgreSQL's estimate): an index would read only those rows.
SELECTIVE = 0.2


def explain_pages(queries: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """EXPLAIN every SELECT of each page's first view on this database and list the sequential
    scans of large tables (over EXPLAIN_LARGE_TABLE rows) that filter out most of the table: at
    full scale each reads a table that an index would narrow to the program's, the person's or the
    record's rows (these fail the run). Whole-table reads feeding a join are listed apart.
    PostgreSQL only; the plans depend on the data, so this runs on the benchmark's network."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return {"skipped": "not PostgreSQL"}
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, reltuples::bigint FROM pg_class WHERE relkind = 'r'")
        sizes = dict(cursor.fetchall())
    result: dict[str, Any] = {
        "large_table_rows": EXPLAIN_LARGE_TABLE,
        "pages": {},
        "seq_scans": [],
        "whole_table_reads": [],
    }
    for name, found in queries.items():
        explained = 0
        for sql in found.get("sql", []):
            if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
                plan = cursor.fetchone()[0]
            explained += 1
            plan = plan[0]["Plan"] if isinstance(plan, list) else json.loads(plan)[0]["Plan"]
            for node in plan_nodes(plan):
                table = node.get("Relation Name", "")
                rows = sizes.get(table, 0)
                if node["Node Type"] != "Seq Scan" or rows <= EXPLAIN_LARGE_TABLE:
                    continue
                scan = {"page": name, "table": table, "rows": rows, "kept": node.get("Plan Rows", 0)}
                scan |= {"filter": node.get("Filter", ""), "sql": sql[:400]}
                # A filter that keeps a small part of a large table is what an index is for; a whole
                # table read to join with (no filter) is noted: the join, not an index, is at stake.
                if scan["filter"] and scan["kept"] < rows * SELECTIVE:
                    result["seq_scans"].append(scan)
                else:
                    result["whole_table_reads"].append(scan)
        result["pages"][name] = explained
    result["explained"] = sum(result["pages"].values())
    return result


def plan_nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from plan_nodes(child)


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


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def check_served(page: dict[str, Any], cookie: str | None) -> None:
    """The page answers 200 to its user's cookie on the server wrk measures: wrk counts a redirect to
    the login page as a success, so a lost session would otherwise measure the wrong page."""
    request = urllib.request.Request(  # noqa: S310 - our own local server
        f"{BASE}{page['path']}", headers={"Cookie": cookie} if cookie else {}
    )
    try:
        with urllib.request.build_opener(_NoRedirect).open(request, timeout=60) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    if status != 200:
        raise SystemExit(f"{page['name']}: {page['path']} answered {status} to {page['user'] or 'anyone'}")


def cold_dashboard(page: dict[str, Any], cookie: str | None) -> dict[str, Any]:
    """COLD_VIEWS first views of the dashboard on the served site, each after dropping the program's
    report figures and kept pages (a new generation in the shared cache, as "Refresh figures" does),
    so each view computes every report again. Times each request end to end, one at a time, on an
    otherwise idle server (run after the load, so every worker has served pages already)."""
    from bench.data import BENCH_PROGRAM
    from peerpath.programs.models import Program
    from peerpath.reports import cache as report_cache

    program = Program.objects.get(slug=BENCH_PROGRAM)
    took = []
    for _ in range(COLD_VIEWS):
        report_cache.clear(program)
        request = urllib.request.Request(  # noqa: S310 - our own local server
            f"{BASE}{page['path']}", headers={"Cookie": cookie} if cookie else {}
        )
        started = time.perf_counter()
        with urllib.request.build_opener(_NoRedirect).open(request, timeout=60) as response:
            response.read()
            status = response.status
        took.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise SystemExit(f"cold dashboard: {page['path']} answered {status}")
    ordered = sorted(took)
    return {
        "views": len(took),
        "median_ms": round(ordered[len(ordered) // 2], 1),
        "each_ms": [round(t, 1) for t in took],
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def run_wrk(path: str, cookie: str | None, duration: str) -> dict[str, float]:
    command = [
        "wrk",
        "-t2",
        f"-c{CONNECTIONS}",
        f"-d{duration}",
        "--latency",
        "--timeout",
        "10s",
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
    if only := [n for n in os.environ.get("BENCH_PAGES", "").split(",") if n]:
        # While working on a page; the trivial view always runs, since every ratio is to it.
        listed = [page for page in listed if page["name"] in {"trivial", *only}]
    cookies = {role: session_cookie(user) for role, user in people.items()}
    queries = {page["name"]: count_queries(page, people) for page in listed}
    explain = explain_pages(queries)
    explain["scale"] = network_scale()
    for scan in explain.get("seq_scans", []):
        print(
            f"EXPLAIN {scan['page']}: sequential scan of {scan['table']} ({scan['rows']:,} rows) {scan['filter'][:120]}"
        )
    if os.environ.get("BENCH_EXPLAIN_ONLY"):
        # The index check alone (no server, no load), while adding an index.
        print(f"EXPLAIN: {explain.get('explained', 0)} queries of {len(listed)} pages")
        return 1 if explain.get("seq_scans") or not explain.get("explained") else 0
    load_before = [round(x, 2) for x in os.getloadavg()]
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
    cold: dict[str, Any] | None = None
    try:
        wait_for_server(server)
        for page in listed:
            cookie = cookies.get(page["user"]) if page["user"] else None
            check_served(page, cookie)
            run_wrk(page["path"], cookie, "3s")  # warm up caches and connections
            measured = run_wrk(page["path"], cookie, DURATION)
            results[page["name"]] = measured
        dashboard = next((page for page in listed if page["name"] == "dashboard"), None)
        if dashboard is not None:
            cold = cold_dashboard(dashboard, cookies.get(dashboard["user"]))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    trivial = results.get("trivial", {}).get("rps") or 0.0
    report = {
        name: {
            "rps": round(r["rps"], 1),
            "p95_ms": round(r["p95_ms"], 1),
            "ratio": round(r["rps"] / trivial, 3) if trivial else 0.0,
            "queries": queries[name]["repeated"],
            "queries_first_view": queries[name]["first"],
            "first_view_ms": queries[name]["first_ms"],
            "errors": r["errors"],
        }
        for name, r in results.items()
    }
    failed = missed_targets(report, results, explain, cold)
    run = {
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "load_average_before": load_before,
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
        "workers": WORKERS,
        "connections": CONNECTIONS,
        "duration": DURATION,
        "scale": explain.get("scale"),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    document = {
        "run": run,
        "ok": not failed,
        "missed": failed,
        "pages": report,
        "cold_dashboard": cold,
        "cold_dashboard_ms": cold["median_ms"] if cold else None,
        "explain": explain,
    }
    (RESULTS / "web.json").write_text(json.dumps(document, indent=2) + "\n")
    print(f"{'page':<20}{'req/s':>9}{'p95 ms':>9}{'ratio':>8}{'queries':>9}{'(first view)':>14}")
    for name, r in report.items():
        print(f"{name:<20}{r['rps']:>9}{r['p95_ms']:>9}{r['ratio']:>8}{r['queries']:>9}{r['queries_first_view']:>14}")
    if cold:
        print(
            f"cold dashboard (figures dropped before each view): median {cold['median_ms']} ms of "
            f"{cold['each_ms']} (load average {cold['load_average']})"
        )
    print(
        f"workers={WORKERS} connections={CONNECTIONS} duration={DURATION}; load average {load_before} before, "
        f"{run['load_average_after']} after; wrote {RESULTS / 'web.json'}"
    )
    if failed:
        print("Targets missed:\n  " + "\n  ".join(failed), file=sys.stderr)
        return 1
    print(
        f"Every page at least {MIN_RATIO} x trivial throughput and p95 under {P95_LIMIT_MS:.0f} ms; "
        f"cold dashboard under {COLD_LIMIT_MS:.0f} ms."
    )
    return 0


def network_scale() -> float:
    """The size of the measured network relative to the full one (1: 100,000 participants)."""
    from peerpath.support.models import Participant

    return round(Participant.objects.count() / 100_000, 3)


def missed_targets(
    report: dict[str, dict[str, float]],
    measured: dict[str, dict[str, float]],
    explain: dict[str, Any],
    cold: dict[str, Any] | None = None,
) -> list[str]:
    """What keeps the run from passing: a page under its ratio or over the p95 limit, a cold
    dashboard (nothing kept) not under COLD_LIMIT_MS or not measured although the dashboard was,
    and a run that measured nothing (no trivial view, no page beside it, a page served no request)."""
    failed = [
        f"EXPLAIN: {scan['page']} reads all of {scan['table']} ({scan['rows']:,} rows): {scan['sql'][:160]}"
        for scan in explain.get("seq_scans", [])
    ]
    if "skipped" not in explain and not explain.get("explained"):
        failed.append("EXPLAIN: no query was explained")
    if "trivial" not in report or not measured.get("trivial", {}).get("requests"):
        failed.append("the trivial view was not measured, so no ratio means anything")
    if len(report) < 2:
        failed.append("no page was measured beside the trivial view")
    for name, r in report.items():
        if not measured.get(name, {}).get("requests"):
            failed.append(f"{name}: no request was served")
        if measured.get(name, {}).get("errors"):
            failed.append(f"{name}: {measured[name]['errors']} requests failed or timed out (10 s)")
        if r["p95_ms"] >= P95_LIMIT_MS:
            failed.append(f"{name}: p95 {r['p95_ms']} ms, not under {P95_LIMIT_MS:.0f}")
        target = TARGETS.get(name, MIN_RATIO)
        if name != "trivial" and r["ratio"] < target:
            failed.append(f"{name}: ratio {r['ratio']}, under {target}")
    if "dashboard" in report:
        if not cold or not cold.get("views"):
            failed.append("cold dashboard: not measured")
        elif cold["median_ms"] >= COLD_LIMIT_MS:
            failed.append(f"cold dashboard: median {cold['median_ms']} ms, not under {COLD_LIMIT_MS:.0f}")
    return failed


if __name__ == "__main__":
    raise SystemExit(main())
