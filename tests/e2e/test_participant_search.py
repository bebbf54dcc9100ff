"""In a browser, the participant search works without its term ever reaching an address: not the
address bar, not the history, not any request the browser sends (each would be in access logs)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.helpers import login
from tests.factories import PASSWORD
from tests.support.helpers import make_participant

pytestmark = pytest.mark.django_db(transaction=True)

SURNAME = "Quillfeather"


def test_search_filter_page_and_download_with_the_term_in_no_address(
    page: Any, a11y: Any, live_server: Any, support: Any
) -> None:
    for n in range(27):
        make_participant(
            support.world, full_name=f"Nadia {SURNAME}", email=f"nadia{n}@example.net", phone=f"555-07{n:02d}"
        )
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    login(page, a11y, support.coordinator.email, PASSWORD)
    page.goto("/p/riverside/support/participants/")
    a11y.check(page)

    search = page.get_by_role("search", name="Find participants")
    search.get_by_label("Search by name, e-mail or phone").fill(SURNAME)
    search.get_by_role("button", name="Show").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    rows = page.locator("#participant-rows tbody tr")
    assert rows.count() == 25 and rows.filter(has_text="Ana Lopez").count() == 0
    assert page.get_by_text("Page 1 of 2 (27 in all)").is_visible()

    # The status select filters with htmx (a POST), keeping the search; the pushed address holds
    # the status only.
    before = page.locator("#participant-rows").inner_html()
    with page.expect_response(re.compile(r"/participants/\?status=matched$")):
        search.get_by_label("Status").select_option("matched")
    page.wait_for_function("(before) => document.querySelector('#participant-rows').innerHTML !== before", arg=before)
    assert page.url.endswith("/participants/?status=matched")
    assert page.get_by_text("No participant matches.").is_visible()
    search.get_by_label("Status").select_option("waiting")
    page.wait_for_url(re.compile(r"status=waiting$"))
    page.get_by_text("Page 1 of 2 (27 in all)").wait_for()

    page.get_by_role("link", name="Next →").click()
    page.wait_for_url(re.compile(r"page=2"))
    a11y.check(page)
    assert rows.count() == 2

    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV").click()
    content = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
    assert content.count(SURNAME) == 27 and "Lopez" not in content

    # Back to where the search began: the browser reloads the page (nothing was kept in storage).
    page.go_back()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert page.evaluate("sessionStorage.getItem('htmx-history-cache')") is None

    page.get_by_role("button", name="Clear the search").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert page.locator("#participant-rows").get_by_text("Ana Lopez").count() == 0  # still waiting only
    assert page.get_by_text("Carla Diaz").is_visible()

    leaked = [u for u in requested if SURNAME.lower() in u.lower()]
    assert not leaked, f"The search term reached an address: {leaked}"
    assert any("/participants/" in u for u in requested)
