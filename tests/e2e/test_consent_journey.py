"""A participant saved without consent is not offered to anyone; the page says how to record
consent, and once it is recorded the offer is one click away."""

from __future__ import annotations

import re
from typing import Any

import pytest

from peerpath.support.models import Participant, SupportRelationship
from tests.e2e.helpers import login
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_no_match_until_consent_is_recorded(page: Any, a11y: Any, live_server: Any, support: Any) -> None:
    login(page, a11y, support.coordinator.email, PASSWORD)
    page.goto("/p/riverside/support/participants/new/")
    a11y.check(page)
    page.locator("#id_full_name").fill("Jordan Ellis")
    page.locator("#id_phone").fill("555-0177")
    page.locator("input[name=preferred_contact][value=phone]").check()
    page.get_by_label("Languages").fill("English")
    page.get_by_label("Grief and loss").check()
    page.locator("input[name=modes][value=phone]").check()
    # "The participant consented" is left unticked.
    page.get_by_role("button", name="Add to the waiting list").click()
    page.wait_for_url(re.compile(r"/participants/\d+/$"))
    a11y.check(page)
    assert page.get_by_text("cannot be matched until you record it").is_visible()
    warning = page.locator("#no-consent")
    assert warning.is_visible() and "cannot be matched yet" in warning.inner_text()
    assert page.get_by_role("link", name="Find a supporter").count() == 0
    participant_url = page.url

    # Even reached by its address, the match page offers nobody.
    page.goto(participant_url + "match/")
    a11y.check(page)
    assert page.locator("#no-consent").is_visible()
    assert page.get_by_role("button", name=re.compile("^Offer to")).count() == 0

    # The page says what to do: record the consent, then match.
    page.goto(participant_url)
    a11y.check(page)
    page.locator("#no-consent").get_by_role("link", name="edit the participant").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    page.get_by_label("The participant consented").check()
    page.get_by_label("What they agreed to").fill("To be called by a peer supporter.")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url(re.compile(re.escape(participant_url) + "(#.*)?$"))
    a11y.check(page)
    assert page.locator("#no-consent").count() == 0
    page.get_by_role("link", name="Find a supporter").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    page.get_by_role("button", name="Offer to Priya Supporter").click()
    page.wait_for_url(re.compile(r"/relationships/\d+/$"))
    a11y.check(page)
    jordan = Participant.objects.get(program=support.program, status="waiting", relationships__isnull=False)
    assert jordan.consent_given and SupportRelationship.objects.filter(participant=jordan).count() == 1
