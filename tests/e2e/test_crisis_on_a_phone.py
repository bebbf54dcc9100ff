"""A crisis on a 390 px phone: the crisis action stands out, one tap on the crisis page alerts
the supervisor, and the numbers are large tappable `tel:` links."""

from __future__ import annotations

import re
from typing import Any

import pytest

from peerpath.notifications.models import Notice as Notification
from peerpath.support.models import Concern, ConcernState
from tests.e2e.conftest import PHONE, login
from tests.factories import PASSWORD
from tests.support.conftest import support  # noqa: F401 (the support personas fixture)

pytestmark = pytest.mark.django_db(transaction=True)


def box(locator: Any) -> dict[str, float]:
    found = locator.bounding_box()
    assert found is not None, locator
    return found


def test_one_tap_alerts_the_supervisor(phone_page: Any, a11y: Any, live_server: Any, support: Any) -> None:  # noqa: F811
    page = phone_page
    login(page, a11y, support.supporter.email, PASSWORD)
    page.goto(support.ana_rel.get_absolute_url())
    a11y.check(page)

    # The crisis action does not look like "Log a contact".
    crisis = page.get_by_role("link", name="Crisis: get help now")
    contact = page.get_by_role("link", name="Log a contact")
    style = "e => { const s = getComputedStyle(e); return [s.backgroundColor, s.color, s.fontWeight]; }"
    crisis_style, contact_style = crisis.evaluate(style), contact.evaluate(style)
    assert crisis_style[0] != contact_style[0], (crisis_style, contact_style)
    assert crisis_style[0] == "rgb(166, 27, 27)"  # the "bad" red
    assert box(crisis)["height"] >= 44

    crisis.click()
    page.wait_for_load_state("load")
    a11y.check(page)
    alert = page.get_by_role("button", name="Tell my supervisor now")
    # The alert is the page's first action, on the first screen, and large.
    first_action = page.locator("main button, main input:not([type=hidden]), main textarea, main select").first
    assert first_action.inner_text() == "Tell my supervisor now"
    alert_box = box(alert)
    assert alert_box["y"] + alert_box["height"] <= PHONE["height"], f"the alert is below the first screen: {alert_box}"
    assert alert_box["height"] >= 44 and alert_box["width"] >= 300

    # The numbers are tel: links, each a target of at least 44 x 44 px.
    links = page.locator("main a[href^='tel:']")
    assert sorted(links.evaluate_all("els => els.map(e => e.getAttribute('href'))")) == ["tel:911", "tel:988"]
    for i in range(links.count()):
        target = box(links.nth(i))
        assert target["height"] >= 44 and target["width"] >= 44, target

    # One tap sends it.
    assert not Concern.objects.exists()
    alert.click()
    page.wait_for_url(re.compile(r"/concerns/\d+/$"))
    a11y.check(page)
    concern = Concern.objects.get()
    assert concern.kind == "crisis" and concern.state == ConcernState.OPEN
    assert Notification.objects.filter(
        user=support.supervisor, about=f"support.concern:{concern.pk}", is_urgent=True
    ).exists()
    assert "Your supervisor has been told" in page.content()

    # Details come after, and are optional.
    page.get_by_label("What happened", exact=True).fill("Said they cannot go on; alone at home.")
    page.get_by_role("button", name="Add these details").click()
    page.wait_for_url(re.compile(r"/concerns/\d+/$"))
    a11y.check(page)
    concern.refresh_from_db()
    assert concern.notes == "Said they cannot go on; alone at home."
    assert Notification.objects.filter(
        user=support.supervisor, about=f"support.concern:{concern.pk}", text__contains="added details"
    ).exists()
