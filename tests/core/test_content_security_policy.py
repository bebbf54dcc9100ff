"""The Content-Security-Policy holds: pages carry no inline style, script or event handler.

The policy (settings.SECURE_CSP) lets only this site's own files script and style a page, so
anything inline would silently stop working in the browser. Three guards: every template file
is read; every page the demo program's people can reach by following links is rendered and
read (which also catches markup built in Python); and the header itself is checked.
"""

from __future__ import annotations

import io
import re
from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import Resolver404, resolve

import peerpath
from peerpath.core.models import User
from peerpath.core.permissions import ACTIONS, Role
from peerpath.demo.content import DOMAIN
from peerpath.programs.models import Program
from tests.core.test_url_permissions import concrete_path, program_routes

# JSON data blocks (json_script: chart specs, Swagger UI's settings) are never run by the browser.
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}
SKIP = re.compile(r"(export=|\.csv|\.xlsx|\.pdf|\.ics|\.zip|\.json|/logout/|/download|/evidence/)")
LINK = re.compile(r'href="(/[^"#]*)"')
VISITS_PER_VIEW = 3


class InlineCodeFinder(HTMLParser):
    """Collects what a strict CSP would block: style attributes, <style> elements, inline
    scripts with a body, on* event-handler attributes and javascript: links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._inline_script: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        where = f"line {self.getpos()[0]}: <{tag}>"
        names = {name.lower(): value for name, value in attrs}
        if "style" in names:
            self.problems.append(f"{where} has a style attribute")
        handlers = sorted(name for name in names if name.startswith("on"))
        if handlers:
            self.problems.append(f"{where} has event-handler attributes {handlers}")
        for name in ("href", "src", "action", "formaction"):
            if (names.get(name) or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"{where} has a javascript: {name}")
        if tag == "style":
            self.problems.append(f"{where} is an inline style element")
        if tag == "script" and "src" not in names and (names.get("type") or "").lower() not in DATA_SCRIPT_TYPES:
            self._inline_script = where

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self._inline_script = None

    def handle_data(self, data: str) -> None:
        if self._inline_script and data.strip():
            self.problems.append(f"{self._inline_script} is an inline script with a body")
            self._inline_script = None

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._inline_script = None


def inline_code(html: str) -> list[str]:
    finder = InlineCodeFinder()
    finder.feed(html)
    finder.close()
    return finder.problems


def test_the_finder_catches_each_kind_of_inline_code() -> None:
    assert inline_code('<h2 style="margin-top:0">A</h2>') == ["line 1: <h2> has a style attribute"]
    assert inline_code("<style>h2 { margin: 0 }</style>") == ["line 1: <style> is an inline style element"]
    assert inline_code("<script>alert(1)</script>") == ["line 1: <script> is an inline script with a body"]
    assert inline_code('<button onclick="go()">Go</button>') == [
        "line 1: <button> has event-handler attributes ['onclick']"
    ]
    assert inline_code('<a href="javascript:go()">Go</a>') == ["line 1: <a> has a javascript: href"]
    # What the policy allows: external scripts, JSON data, classes, text that merely mentions them.
    allowed = (
        '<script src="/static/peerpath/charts.js" defer></script>'
        '<script id="d" type="application/json">{"a": 1}</script>'
        '<p class="small">Write style="x" or onclick= in a text box.</p>'
    )
    assert inline_code(allowed) == []


TEMPLATE_COMMENT = re.compile(r"{#.*?#}|{% comment %}.*?{% endcomment %}", re.DOTALL)
TEMPLATE_DIRS = sorted(Path(peerpath.__file__).parent.glob("**/templates"))


def test_no_template_carries_inline_style_script_or_handler() -> None:
    files = [path for directory in TEMPLATE_DIRS for path in directory.rglob("*.html")]
    assert len(files) > 100, files
    problems = [
        f"{path.relative_to(Path(peerpath.__file__).parent)} {p}"
        for path in files
        for p in inline_code(TEMPLATE_COMMENT.sub("", path.read_text()))
    ]
    assert not problems, "Inline code the Content-Security-Policy would block:\n" + "\n".join(problems)


def crawl(client: Client, starts: list[str]) -> dict[str, list[str]]:
    """Every HTML page reachable from ``starts`` by same-site links (a few visits per view),
    mapped to the inline code found on it."""
    seen: set[str] = set()
    visits: dict[str, int] = {}
    found: dict[str, list[str]] = {}
    queue = deque(starts)
    while queue:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        try:
            view = resolve(path.split("?")[0]).view_name
        except Resolver404:
            continue
        if view.startswith("admin:") or visits.get(view, 0) >= VISITS_PER_VIEW:
            continue
        visits[view] = visits.get(view, 0) + 1
        response = client.get(path)
        if response.status_code in (301, 302) and response["Location"].startswith("/"):
            queue.append(response["Location"])
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        found[path] = inline_code(html)
        for link in LINK.findall(html):
            link = link.replace("&amp;", "&")
            if not SKIP.search(link) and link not in seen:
                queue.append(link)
    return found


# A whole-site crawl of the demo: CI runs it in the SQLite pass only (markup does not depend on the engine).
@pytest.mark.sqlite_only
@pytest.mark.django_db
def test_every_page_the_demo_people_reach_is_free_of_inline_code() -> None:
    call_command("load_demo", stdout=io.StringIO())
    slug = Program.objects.get().slug
    problems: list[str] = []
    pages: set[str] = set()
    public = ["/accounts/login/", "/accounts/password-reset/", f"/apply/{slug}/", f"/ask/{slug}/", "/api/v1/docs"]
    crawls = [("anonymous", crawl(Client(), public))]
    for role in ("coordinator", "trainer", "supervisor", "supporter"):
        client = Client()
        client.force_login(User.objects.get(email=f"{role}@{DOMAIN}"))
        crawls.append((role, crawl(client, ["/", "/api/v1/docs"])))
    for who, found in crawls:
        pages |= set(found)
        problems += [f"{who} {path}: {p}" for path, page_problems in found.items() for p in page_problems]
    assert len(pages) > 100, f"the crawl reached only {len(pages)} pages: {sorted(pages)}"
    assert not problems, "Inline code the Content-Security-Policy would block:\n" + "\n".join(problems)


@pytest.mark.django_db
def test_every_program_route_renders_free_of_inline_code_for_the_coordinator_and_the_supporter(world: Any) -> None:
    """The permission walk's routes as the two ends of the role scale: real pages where the
    route needs no object, and the 403 and 404 pages otherwise."""
    problems: list[str] = []
    statuses: set[int] = set()
    for user, role in ((world.coordinator, Role.COORDINATOR), (world.supporter, Role.SUPPORTER)):
        client = world.client_for(user)
        for route, _name, action in program_routes():
            response = client.get(concrete_path(route))
            statuses.add(response.status_code)
            if "text/html" in response.get("Content-Type", ""):
                problems += [f"{role} {route}: {p}" for p in inline_code(response.content.decode())]
            if role in ACTIONS[action] and response.status_code == 200:
                assert "Content-Security-Policy" in response, route
    assert {200, 403, 404} <= statuses, statuses
    assert not problems, "Inline code the Content-Security-Policy would block:\n" + "\n".join(problems)


EXPECTED_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def directives(header: str) -> dict[str, str]:
    parts = (part.strip().split(None, 1) for part in header.split(";") if part.strip())
    return {part[0]: part[1] if len(part) > 1 else "" for part in parts}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "logged_in", "status"),
    [
        ("/accounts/login/", False, 200),
        ("/p/riverside/", True, 200),
        ("/no-such-page/", True, 404),
        ("/api/v1/docs", False, 200),
    ],
)
def test_responses_carry_the_strict_policy(world: Any, path: str, logged_in: bool, status: int) -> None:
    response = world.client_for(world.coordinator if logged_in else None).get(path)
    assert response.status_code == status, (path, response.status_code)
    assert directives(response["Content-Security-Policy"]) == EXPECTED_POLICY
    # No way around it: nothing inline, no eval, no other origin.
    assert "unsafe" not in response["Content-Security-Policy"] and "*" not in response["Content-Security-Policy"]
