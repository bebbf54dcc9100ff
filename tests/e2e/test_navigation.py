"""The navigation on a 390 x 844 phone and a 1280 px desktop, for each persona: on the phone the
menu is one "Menu" button and the page's heading sits in the top quarter of the screen; opening
the menu (by keyboard) shows the person's task groups and links; on a desktop the groups show
without opening anything."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from peerpath.core.navigation import grouped_links
from peerpath.core.permissions import allowed_actions
from peerpath.programs.models import Membership
from peerpath.recruitment.models import Stage
from tests.e2e.helpers import PHONE, login, nav_to
from tests.factories import PASSWORD, MembershipFactory, SupporterFactory

pytestmark = pytest.mark.django_db(transaction=True)

PERSONAS = ["coordinator", "trainer", "supervisor", "supporter", "trainee"]
# A page with a sub-navigation of its own (supporter care's pages) for each persona.
SUB_NAVIGATED = {
    "coordinator": "care:supporters",
    "trainer": "care:topics",
    "supervisor": "care:supporters",
    "supporter": "care:my_care",
    "trainee": "care:my_care",
}


def person(world: Any, persona: str) -> Any:
    if persona != "trainee":
        return getattr(world, persona)
    user = MembershipFactory(program=world.program, is_supporter=True, user__full_name="Tara Trainee").user
    SupporterFactory(
        program=world.program, user=user, full_name=user.full_name, email=user.email, stage=Stage.IN_TRAINING
    )
    return user


def expected_menu(world: Any, user: Any) -> list[tuple[str, list[str]]]:
    membership = Membership.objects.get(user=user, program=world.program)
    return [
        (str(group.label), [str(link.label) for link in links])
        for group, links in grouped_links(allowed_actions(membership))
    ]


def top(locator: Any) -> float:
    box = locator.bounding_box()
    assert box is not None, locator
    return float(box["y"])


def shows_menu(page: Any, menu: list[tuple[str, list[str]]]) -> None:
    nav = page.get_by_role("navigation", name="Program")
    for group, links in menu:
        listed = nav.get_by_role("list", name=group)
        assert listed.is_visible(), group
        for label in links:
            assert listed.get_by_role("link", name=label, exact=True).is_visible(), (group, label)
    account = page.get_by_role("navigation", name="Your account")
    assert account.get_by_role("button", name="Log out").is_visible()


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_menu_on_a_phone_and_a_desktop(
    phone_page: Any, page: Any, a11y: Any, live_server: Any, world: Any, persona: str
) -> None:
    user = person(world, persona)
    menu = expected_menu(world, user)
    assert menu and menu[0][1][0] == "Home"
    home = reverse("programs:home", args=[world.program.slug])

    # The phone: the navigation is closed and the heading is in the top quarter of the screen.
    login(phone_page, a11y, user.email, PASSWORD)
    phone_page.goto(home)
    a11y.check(phone_page)
    heading = phone_page.locator("main h1").first
    assert top(heading) <= PHONE["height"] / 4, f"{persona}: the heading starts at {top(heading)} px"
    assert not phone_page.get_by_role("navigation", name="Program").is_visible()
    toggle = phone_page.locator("header details > summary")  # a disclosure: the browser states open or closed
    assert toggle.inner_text().strip() == "Menu"
    box = toggle.bounding_box()
    assert box is not None and box["height"] >= 44 and box["width"] >= 44

    # A page with its own sub-navigation keeps that closed too, and its heading as high.
    phone_page.goto(reverse(SUB_NAVIGATED[persona], args=[world.program.slug]))
    a11y.check(phone_page)
    heading = phone_page.locator("main h1").first
    assert top(heading) <= PHONE["height"] / 4, f"{persona}: the heading starts at {top(heading)} px"
    sub = phone_page.locator("main details.sub-menu")
    assert not sub.locator("nav").is_visible()
    sub.locator("summary").click()
    assert sub.locator("nav a").first.is_visible()
    a11y.check(phone_page)
    phone_page.goto(home)
    a11y.check(phone_page)

    # The keyboard opens it: the groups and every link show, and the page still passes axe.
    toggle.focus()
    phone_page.keyboard.press("Enter")
    shows_menu(phone_page, menu)
    a11y.check(phone_page)
    phone_page.keyboard.press("Enter")
    assert not phone_page.get_by_role("navigation", name="Program").is_visible()

    # The desktop: the groups and links show without opening anything; no "Menu" button.
    login(page, a11y, user.email, PASSWORD)
    page.goto(home)
    a11y.check(page)
    assert not page.locator("header details > summary").is_visible()
    shows_menu(page, menu)
    assert top(page.locator("main h1").first) <= 300, top(page.locator("main h1").first)


def test_the_settings_area_on_a_phone_and_a_desktop(
    phone_page: Any, page: Any, a11y: Any, live_server: Any, world: Any
) -> None:
    """A coordinator reaches every settings section from the one Settings link; on a phone the
    sections wait behind "All settings" and the heading stays in the top quarter."""
    login(phone_page, a11y, world.coordinator.email, PASSWORD)
    nav_to(phone_page, a11y, "Settings")
    assert phone_page.locator("main h1").inner_text() == "Settings"
    phone_page.locator("main").get_by_role("link", name="Support", exact=True).click()
    phone_page.wait_for_load_state("load")
    a11y.check(phone_page)
    heading = phone_page.locator("main h1")
    assert heading.inner_text() == "Support settings"
    assert top(heading) <= PHONE["height"] / 4, f"the heading starts at {top(heading)} px"
    sections = phone_page.get_by_role("navigation", name="Settings")
    assert not sections.is_visible()
    phone_page.locator("details.sub-menu > summary").click()
    assert sections.get_by_role("link", name="Retention").is_visible()
    a11y.check(phone_page)
    sections.get_by_role("link", name="Screening").click()
    phone_page.wait_for_load_state("load")
    a11y.check(phone_page)
    assert phone_page.locator("main h1").inner_text() == "Screening setup"

    # On a desktop the sections stand at the side of each settings page.
    login(page, a11y, world.coordinator.email, PASSWORD)
    nav_to(page, a11y, "Settings")
    page.locator("main").get_by_role("link", name="Certification rules").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    sections = page.get_by_role("navigation", name="Settings")
    assert sections.get_by_role("link", name="Certification rules").get_attribute("aria-current") == "page"
    for name in ("Program details", "Two-factor sign-in", "Screening", "Support", "Supporter care", "Retention"):
        assert sections.get_by_role("link", name=name, exact=True).is_visible(), name
    side, main = sections.bounding_box(), page.locator("main h1").bounding_box()
    assert side is not None and main is not None and side["x"] + side["width"] <= main["x"]
