"""Every page runs a bounded number of queries whatever the data size.

Two networks of different sizes are built side by side with the benchmark's generator (the
larger has three to eight times the people, participants and contacts). Each persona then
walks every page it can reach by following links from its program's home page, and each page's
query count on the larger network must stay within a small margin of the same page on the
smaller one. A page that loads rows one by one (an N+1) grows with the data and fails here.
"""

from __future__ import annotations

import re
from collections import deque

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, resolve

from bench.data import Size, bench_personas, build_network
from bench.web import second_factor

SMALL = Size(programs=1, supporters_per_program=24, participants_per_program=40, contacts_per_program=300)
LARGE = Size(programs=1, supporters_per_program=80, participants_per_program=200, contacts_per_program=2400)
MARGIN = 3  # different rows can take a different branch of a template (an open or a closed relationship)
CEILING = 90  # no page should need more, however it is built
VISITS_PER_VIEW = 2
# Pages that list or show many rows of the newer apps, each of which the crawl must reach with rows in
# it (bench.data builds them): the plan, the needs, referrals and the directory; feedback answers,
# outcome measures, consents, summaries and former participants; practice sessions and scenarios.
MUST_REACH = {
    *(f"plans:{v}" for v in ("plan", "goal", "progress", "needs", "directory", "resource", "referral", "settings")),
    *(
        f"voice:{v}"
        for v in ("feedback", "answer_detail", "outcome_new", "summary", "consents", "former_participants", "settings")
    ),
    *(f"practice:{v}" for v in ("home", "session", "review", "scenarios", "scenario", "step_edit", "settings")),
}
SKIP = re.compile(r"(export=|\.csv|\.xlsx|\.pdf|\.ics|\.zip|\.json|/logout/|/download|/evidence/)")
LINK = re.compile(r'href="(/[^"#]*)"')


def crawl(client: Client, start: str, prefix: str) -> dict[str, tuple[int, str]]:
    """The most queries seen for each view reachable from ``start`` by links under ``prefix``."""
    seen_paths: set[str] = set()
    per_view_visits: dict[str, int] = {}
    counts: dict[str, tuple[int, str]] = {}
    queue = deque([start])
    while queue:
        path = queue.popleft()
        if path in seen_paths:
            continue
        seen_paths.add(path)
        try:
            view = resolve(path.split("?")[0]).view_name
        except Resolver404:
            continue
        if per_view_visits.get(view, 0) >= VISITS_PER_VIEW:
            continue
        per_view_visits[view] = per_view_visits.get(view, 0) + 1
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        if len(queries) > counts.get(view, (-1, ""))[0]:
            counts[view] = (len(queries), path)
        for link in LINK.findall(response.content.decode()):
            link = link.replace("&amp;", "&")
            if link.startswith(prefix) and not SKIP.search(link) and link not in seen_paths:
                queue.append(link)
    return counts


def walk(prefix: str) -> dict[tuple[str, str], tuple[int, str]]:
    slug = f"{prefix}-01"
    people = bench_personas(slug)
    from peerpath.programs.models import Membership

    trainer = Membership.objects.filter(program__slug=slug, is_trainer=True).select_related("user").first().user
    results = {}
    for role, user in [*people.items(), ("trainer", trainer)]:
        client = Client()
        client.force_login(user)
        # Signed in with the second factor where the role requires it (a coordinator of these
        # programs must use it: without it every page would send them to set it up).
        session = client.session
        session.update(second_factor(user))
        session.save()
        for view, found in crawl(client, f"/p/{slug}/", f"/p/{slug}/").items():
            results[(role, view)] = found
    return results


# A whole-site crawl on two networks: CI runs it in the SQLite pass only (an N+1 is one on any engine;
# tests/*/test_query_counts.py bound the main pages on both).
@pytest.mark.sqlite_only
@pytest.mark.django_db
def test_pages_do_not_grow_with_the_data() -> None:
    build_network(size=SMALL, prefix="small", seed=3)
    build_network(size=LARGE, prefix="large", seed=3)
    small, large = walk("small"), walk("large")
    assert len(small) > 40, f"the crawl reached only {len(small)} pages: {sorted(small)}"
    # Each persona really walked (a coordinator sent to set up the second factor reaches nothing).
    for role in ("coordinator", "supervisor", "supporter", "trainer"):
        assert len([key for key in small if key[0] == role]) >= 10, f"the {role} reached almost nothing"
    reached = {view for _role, view in small}
    assert not MUST_REACH - reached, f"pages the crawl never reached: {sorted(MUST_REACH - reached)}"
    problems = []
    for key, (count, path) in sorted(large.items()):
        if count > CEILING:
            problems.append(f"{key}: {count} queries at {path} (more than {CEILING})")
        if key in small and count > small[key][0] + MARGIN:
            problems.append(f"{key}: {small[key][0]} queries on the small network, {count} on the large ({path})")
    assert not problems, "Pages whose queries grow with the data:\n" + "\n".join(problems)
