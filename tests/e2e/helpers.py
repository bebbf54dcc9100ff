"""Steps the browser journeys share."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

PHONE = {"width": 390, "height": 844}  # the viewport of `phone_page`


class Accessibility:
    """Runs axe-core on a page and remembers which pages were checked and which visited."""

    def __init__(self) -> None:
        from axe_playwright_python.sync_playwright import Axe

        self.axe = Axe()
        self.visited: set[str] = set()
        self.checked: set[str] = set()
        self.problems: list[str] = []

    @staticmethod
    def key(url: str) -> str:
        return urlparse(url).path

    def check(self, page: Any) -> None:
        page.wait_for_load_state("load")
        results = self.axe.run(page)
        for violation in results.response.get("violations", []):
            if violation.get("impact") in ("serious", "critical"):
                targets = [n.get("target") for n in violation.get("nodes", [])][:3]
                self.problems.append(f"{page.url}: {violation['id']} ({violation['impact']}) {targets}")
        self.checked.add(self.key(page.url))


def login(page: Any, a11y: Accessibility, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    a11y.check(page)
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state("load")
    a11y.check(page)


def open_menu(page: Any) -> None:
    """Open the site menu when it is closed behind its "Menu" button (on a phone); on a wider
    screen its links already show."""
    toggle = page.locator("header details.menu > summary")
    if toggle.is_visible() and page.locator("header details.menu[open]").count() == 0:
        toggle.click()


def nav_to(page: Any, a11y: Accessibility, name: str) -> None:
    """Follow a link of the program navigation, opening the menu first on a phone."""
    open_menu(page)
    page.get_by_role("navigation", name="Program").get_by_role("link", name=name, exact=True).click()
    page.wait_for_load_state("load")
    a11y.check(page)


def log_out(page: Any) -> None:
    open_menu(page)
    page.get_by_role("button", name="Log out").click()
    page.wait_for_load_state("load")
