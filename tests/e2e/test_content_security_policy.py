"""In a real browser, the strict Content-Security-Policy blocks nothing the pages need.

Chromium reports every blocked inline style, inline script, eval or foreign load as a
`securitypolicyviolation` event and a console error. A script added to every page before the
site's own (through the browser's debugging protocol, which the policy does not govern) turns
each event into a console message; the test collects both kinds and fails on any. It walks
the pages that run scripts: the reports dashboard and the care trend chart (Chart.js), the
contact form's draft script and its htmx auto-save, the participant list's htmx filter, and
the API's Swagger UI.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

import pytest

from peerpath.demo.content import DEMO_PASSWORD, DOMAIN
from peerpath.support.models import RelationshipState, SupportRelationship
from tests.demo_copy import load_demo
from tests.e2e.helpers import login

pytestmark = pytest.mark.django_db(transaction=True)

REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline") +
                " at " + e.sourceFile + ":" + e.lineNumber + " " + (e.sample || ""));
});
"""


@pytest.fixture
def violations(page: Any) -> Iterator[list[str]]:
    """Every violation reported on any page of the browser context (tabs opened later too)."""
    found: list[str] = []
    page.context.add_init_script(REPORT_VIOLATIONS)

    def on_console(message: Any) -> None:
        if "Content Security Policy" in message.text or message.text.startswith("CSP violation"):
            found.append(f"{message.page.url if message.page else '?'}: {message.text}")

    page.context.on("console", on_console)
    yield found


def settle(page: Any) -> None:
    """Let deferred scripts run and any late violation reach the console."""
    page.wait_for_load_state("load")
    page.wait_for_timeout(200)


def test_pages_with_scripts_run_under_the_policy(page: Any, a11y: Any, live_server: Any, violations: list[str]) -> None:
    load_demo(io.StringIO())

    # The coordinator: the reports dashboard's charts, and the participant list's htmx filter.
    login(page, a11y, f"coordinator@{DOMAIN}", DEMO_PASSWORD)
    page.get_by_role("link", name="Reports").first.click()
    settle(page)
    a11y.check(page)
    assert page.evaluate("() => window.Chart && Object.keys(window.Chart.instances).length") >= 5
    assert page.locator(".report canvas").first.bounding_box()["height"] > 100
    page.get_by_role("link", name="Participants", exact=True).first.click()
    settle(page)
    a11y.check(page)
    rows = page.locator("#participant-rows")
    before = rows.inner_html()
    with page.expect_response(re.compile(r"/participants/\?")):
        page.locator("select").first.select_option(index=1)
    page.wait_for_function("(before) => document.querySelector('#participant-rows').innerHTML !== before", arg=before)
    settle(page)

    # The API's Swagger UI, served from django-ninja's own static files (in a tab of its own:
    # django-ninja's page is not ours to hold to the accessibility check).
    docs = page.context.new_page()
    docs.goto("/api/v1/docs")
    docs.locator(".swagger-ui .info .title").wait_for()
    settle(docs)
    assert "PeerPath API" in docs.locator(".swagger-ui .info .title").inner_text()
    docs.close()

    # The supporter: their well-being trend chart, then a contact typed and auto-saved as a draft.
    page.context.clear_cookies()
    login(page, a11y, f"supporter@{DOMAIN}", DEMO_PASSWORD)
    page.goto("/p/riverside/care/me/")
    settle(page)
    a11y.check(page)
    assert page.locator("canvas[data-chart]").count() >= 1
    page.wait_for_function("() => window.Chart && Object.keys(Chart.instances).length >= 1")
    relationship = SupportRelationship.objects.filter(
        supporter__user__email=f"supporter@{DOMAIN}", state=RelationshipState.ACTIVE
    ).first()
    page.goto(f"/p/riverside/support/relationships/{relationship.pk}/contacts/new/")
    settle(page)
    a11y.check(page)
    page.get_by_label("Notes").fill("Talked about the week ahead.")
    page.get_by_text(re.compile("Draft saved")).wait_for()
    settle(page)

    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)


def test_the_listener_sees_a_violation(page: Any, a11y: Any, live_server: Any, violations: list[str]) -> None:
    """The check above can fail: an inline style added to a page under the policy is reported."""
    page.goto("/accounts/login/")
    a11y.check(page)
    # Waits for the report itself (not a fixed pause a slow machine can outlast).
    with page.expect_console_message(lambda message: "style-src" in message.text):
        page.evaluate("() => document.body.insertAdjacentHTML('beforeend', '<style>main { color: red }</style>')")
    assert any("style-src" in v for v in violations), violations
