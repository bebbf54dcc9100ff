"""Headless Chromium through Playwright, with an accessibility check on every page visited.

Uses the machine's Chromium (Debian's `chromium`), never a downloaded browser. Without it the
browser tests are skipped and the run says so; with PEERPATH_REQUIRE_BROWSER=1 (CI) a missing
browser is a failure instead.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.helpers import PHONE, Accessibility, login  # noqa: F401 (login: for tests written against the old layout)

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

CHROMIUM = os.environ.get("PEERPATH_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
HAVE_CHROMIUM = os.path.exists(CHROMIUM)
REQUIRE = os.environ.get("PEERPATH_REQUIRE_BROWSER", "") not in ("", "0", "false")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    for item in items:
        if "e2e" in item.nodeid.split("/"):
            item.add_marker(pytest.mark.browser)
            # The browser tier runs in CI's SQLite pass only: what a browser sees does not depend
            # on the database engine, and the server side of every page runs on both.
            item.add_marker(pytest.mark.sqlite_only)
    if HAVE_CHROMIUM or REQUIRE:
        return
    skip = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM}: browser tests skipped")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not HAVE_CHROMIUM and not REQUIRE:
        terminalreporter.write_line(
            f"NOTE: Chromium was not found at {CHROMIUM}, so the browser tests were SKIPPED. "
            "Install Debian's 'chromium' (or set PEERPATH_CHROMIUM) to run them.",
            yellow=True,
            bold=True,
        )


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not HAVE_CHROMIUM:
        pytest.fail(f"PEERPATH_REQUIRE_BROWSER is set but Chromium is not at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def a11y() -> Accessibility:
    return Accessibility()


def _page(browser: Any, live_server: Any, a11y: Accessibility, viewport: dict[str, int] | None) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server.url, viewport=viewport or {"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()

    def visited(frame: Any) -> None:
        if frame == page.main_frame and frame.url.startswith(live_server.url):
            a11y.visited.add(a11y.key(frame.url))

    page.on("framenavigated", visited)
    yield page
    context.close()
    unchecked = sorted(a11y.visited - a11y.checked)
    assert not unchecked, f"Pages visited without an accessibility check: {unchecked}"
    assert not a11y.problems, "Serious or critical accessibility violations:\n" + "\n".join(a11y.problems)


@pytest.fixture
def page(browser: Any, live_server: Any, a11y: Accessibility) -> Iterator[Any]:
    yield from _page(browser, live_server, a11y, None)


@pytest.fixture
def phone_page(browser: Any, live_server: Any, a11y: Accessibility) -> Iterator[Any]:
    yield from _page(browser, live_server, a11y, PHONE)
