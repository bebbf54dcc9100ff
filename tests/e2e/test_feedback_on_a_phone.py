"""A participant answers their feedback link on a 390 px phone, with no account, and the
coordinator reads the answer."""

from __future__ import annotations

from typing import Any

import pytest

from peerpath.voice.models import FeedbackAnswer
from tests.e2e.conftest import PHONE, login
from tests.factories import PASSWORD
from tests.support.conftest import support  # noqa: F401 (the support personas fixture)
from tests.voice.helpers import first_contact, send_and_read_link

pytestmark = pytest.mark.django_db(transaction=True)

MESSAGE = "Could we meet in person sometimes? Phone calls tire me."


def test_participant_answers_on_a_phone_and_the_coordinator_reads_it(
    phone_page: Any,
    page: Any,
    a11y: Any,
    support: Any,  # noqa: F811
) -> None:
    first_contact(support.ana_rel, support.supporter)
    path = send_and_read_link("ana.lopez@example.net")

    phone = phone_page
    phone.goto(path)
    a11y.check(phone)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "the page scrolls sideways"
    heard = phone.get_by_role("group", name="Did you feel heard by your peer supporter?")
    heard.get_by_label("Mostly").check()
    # Leaving a question out shows the page again with the error, the choice kept.
    phone.get_by_role("button", name="Send my answers").click()
    phone.wait_for_load_state("load")
    a11y.check(phone)
    assert "Choose an answer." in phone.content()
    assert (
        phone.get_by_role("group", name="Did you feel heard by your peer supporter?")
        .get_by_label("Mostly")
        .is_checked()
    )
    fit = phone.get_by_role("group", name="Is this a good fit for you?")
    choice = fit.get_by_label("No, not a good fit")
    label_box = fit.locator("label", has_text="No, not a good fit").bounding_box()
    assert label_box is not None and label_box["x"] + label_box["width"] <= PHONE["width"]
    choice.check()
    phone.get_by_label("Anything you want the program to know? (optional)").fill(MESSAGE)
    phone.get_by_role("button", name="Send my answers").click()
    phone.wait_for_load_state("load")
    a11y.check(phone)
    assert phone.get_by_role("heading", name="Thank you").is_visible()
    answer = FeedbackAnswer.objects.get()
    assert answer.good_fit == "no" and answer.message == MESSAGE

    login(page, a11y, support.coordinator.email, PASSWORD)
    page.goto("/p/riverside/")
    a11y.check(page)
    assert "said it is not a good fit" in page.content()
    page.get_by_role("link", name="Read the feedback").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    page.locator(f"a[href$='/voice/feedback/{answer.pk}/']").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert MESSAGE in page.content()
    assert page.get_by_role("button", name="Close and rematch").is_visible()
