"""Every page of the demo program passes every page check, for every persona, on a desktop and a phone.

One walk per persona (tests/page_checks.py), in the pseudo-language (every translated string
and every record's own text in markers): the server-rendered HTML of each page goes through the
HTML checks (no id twice, nothing inline the Content-Security-Policy would block, no visible
text outside the markers),
then one browser page per persona opens the first address of each view at each width and runs
the browser checks. The walk is the browser tier of the suite: like every browser test
it runs in CI's SQLite pass only (the `sqlite_only` marker; the pages do not depend on the
database engine, and CI runs the rest of the suite on PostgreSQL a second time).
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client

from peerpath.core.models import User
from peerpath.demo.content import DOMAIN, SLUG
from tests import page_checks
from tests.demo_copy import load_demo
from tests.page_checks import WIDTHS, browser_problems, html_problems

pytestmark = pytest.mark.django_db(transaction=True)

PUBLIC = [
    "/accounts/login/",
    "/accounts/password-reset/",
    f"/apply/{SLUG}/",
    f"/ask/{SLUG}/",
    f"/groups/{SLUG}/",  # the demo lists its groups publicly
    "/api/v1/docs",
]
# persona -> the demo login (e-mail local part); the trainee is a supporter still in training.
PERSONAS = {
    "coordinator": "coordinator",
    "trainer": "trainer",
    "supervisor": "supervisor",
    "supporter": "supporter",
    "trainee": "nadia",
}
# Pages each persona must reach, so a walk that stopped early cannot pass.
AT_LEAST = {"anonymous": 5, "coordinator": 60, "trainer": 10, "supervisor": 15, "supporter": 10, "trainee": 5}
# Pages a persona's walk must reach through the links it follows (the demo gives them content).
MUST_REACH = {
    "coordinator": [f"/p/{SLUG}/notifications/failed/", "/account/notifications/", "/notifications/"],
    "supporter": ["/account/notifications/", "/notifications/"],
}


def client_for(persona: str) -> Client:
    client = Client()
    if persona != "anonymous":
        client.force_login(User.objects.get(email=f"{PERSONAS[persona]}@{DOMAIN}"))
    return client


@pytest.mark.parametrize("persona", ["anonymous", *PERSONAS])
def test_every_page_passes_every_check(persona: str, browser: Any, live_server: Any) -> None:
    load_demo(io.StringIO())
    client = client_for(persona)
    assert page_checks.mark_data() > 500  # the program's own words, marked as such
    starts = PUBLIC if persona == "anonymous" else [f"/p/{SLUG}/", "/api/v1/docs"]
    with page_checks.pseudo_language():
        walked = list(page_checks.pages(client, starts))
        problems = [f"{page.path}: {problem}" for page in walked for problem in html_problems(page)]
        problems += _laid_out_problems(walked, client, browser, live_server)
    laid_out = page_checks.first_of_each_view(walked)
    assert len(laid_out) >= AT_LEAST[persona], (
        f"the walk reached only {len(laid_out)} views: {[p.path for p in walked]}"
    )
    reached = {page.path for page in walked}
    assert [path for path in MUST_REACH.get(persona, []) if path not in reached] == []
    assert not problems, f"{len(problems)} problems on {len(walked)} pages:\n" + "\n".join(problems)


def _laid_out_problems(walked: list[page_checks.Page], client: Client, browser: Any, live_server: Any) -> list[str]:
    problems: list[str] = []
    laid_out = page_checks.first_of_each_view(walked)

    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(15_000)
    if "sessionid" in client.cookies:
        context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page_checks.prepare(context)
    browser_page = context.new_page()
    try:
        for page in laid_out:
            browser_page.goto(page.path)
            if page.view in page_checks.READY_WHEN:
                browser_page.locator(page_checks.READY_WHEN[page.view]).first.wait_for()
            for width in WIDTHS:  # the same document, laid out at each width in turn
                browser_page.set_viewport_size({"width": width, "height": 844 if width < 600 else 900})
                problems += [f"{page.path} at {width} px: {p}" for p in browser_problems(browser_page, width)]
    finally:
        context.close()
    return problems


def test_the_checks_catch_what_they_look_for(browser: Any) -> None:
    assert page_checks.duplicate_ids('<p id="a"></p><template><i id="a"></i></template><b id="b"></b>') == []
    assert page_checks.duplicate_ids('<label for="x"></label><input id="x">\n<input id="x">') == [
        'id="x" is used 2 times (lines 1, 2)'
    ]
    assert page_checks.html_problems(page_checks.Page("/", "v", '<b style="x">')) == [
        "line 1: <b> has a style attribute"
    ]
    context = browser.new_context()
    page_checks.prepare(context)
    page = context.new_page()
    try:
        page.set_viewport_size({"width": page_checks.PHONE, "height": 844})
        page.goto("data:text/html,<html lang=en><title>t</title><main><h1>Fits</h1></main></html>")
        assert page_checks.browser_problems(page, page_checks.PHONE) == []
        page.goto(
            "data:text/html,<html lang=en><title>t</title><main><h1>Wide</h1>"
            '<div class="wrap"><table id="grid"><tr><td><img alt="" width="900" height="1"></td></tr></table></div>'
            "<img src=x></main></html>"
        )
        problems = page_checks.browser_problems(page, page_checks.PHONE)
        assert any(p.startswith("axe image-alt (critical)") for p in problems), problems
        assert any("scrolls sideways" in p and "table#grid" in p for p in problems), problems
        # A wide table scrolling inside its own box is fine, and is not named as the offender.
        scroller = '<div style="overflow-x:auto"><table><tr><td><img alt="" width="900" height="1"></td></tr></table>'
        page.goto(f"data:text/html,<html lang=en><title>t</title><main><h1>Wide</h1>{scroller}</div></main></html>")
        assert page_checks.no_horizontal_scroll(page, page_checks.PHONE) == []
        beside = '<p id="out" style="position:relative;left:700px">pushed out</p>'
        page.goto(f"data:text/html,<html lang=en><title>t</title><main>{scroller}</div>{beside}</main></html>")
        (problem,) = page_checks.no_horizontal_scroll(page, page_checks.PHONE)
        assert "p#out" in problem and "table" not in problem, problem
    finally:
        context.close()


def test_the_pseudo_language_check_finds_text_outside_the_markers() -> None:
    from django.utils.translation import gettext

    assert page_checks.untranslated_text("<p>Plain</p>") == []  # only while the pseudo-language is on
    with page_checks.pseudo_language():
        assert gettext("Save") == "\u27e6Save\u27e7"
        html = (
            "<p>\u27e6Saved\u27e7 \u27ea\u2026\u27eb #3 · 12</p>"  # translated, the program's own, no letters
            '<p lang="es" translate="no">Español</p><code>support.participant</code>'  # named in itself, code
            '<p>Left <a title="Also left" href="/">\u27e6here\u27e7</a></p>'
        )
        assert page_checks.untranslated_text(html) == [
            "line 1: untranslated 'Left'",
            "line 1 <a title>: untranslated 'Also left'",
        ]
