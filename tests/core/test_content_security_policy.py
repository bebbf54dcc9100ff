"""The Content-Security-Policy holds: pages carry no inline style, script or event handler.

The policy (settings.SECURE_CSP) lets only this site's own files script and style a page, so
anything inline would silently stop working in the browser. The guards: every template file is
read; every program route is rendered for a coordinator and a supporter; the header itself is
checked here; and every page the demo program's people reach by following links is rendered and
read by the every-page walk (`inline_code` is one of tests/page_checks.py's HTML checks, run by
tests/e2e/test_every_page.py), which also catches markup built in Python.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

import peerpath
from peerpath.core.permissions import ACTIONS, Role
from tests.core.test_url_permissions import concrete_path, program_routes
from tests.page_checks import inline_code


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
