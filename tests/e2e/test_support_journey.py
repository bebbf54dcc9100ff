"""On a phone: the coordinator adds a participant and matches them, the supporter accepts, logs two
contacts (one through a restored draft), raises a crisis, and the supervisor acknowledges it."""

from __future__ import annotations

import re
from typing import Any

import pytest

from peerpath.support.models import Concern, ConcernState, Contact, Participant, RelationshipState
from tests.e2e.helpers import log_out, login, nav_to
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def go(page: Any, a11y: Any, name: str) -> None:
    nav_to(page, a11y, name)


def logout(page: Any) -> None:
    log_out(page)


def test_match_contact_crisis_on_a_phone(phone_page: Any, a11y: Any, live_server: Any, support: Any) -> None:
    page = phone_page
    # The coordinator adds a participant to the waiting list.
    login(page, a11y, support.coordinator.email, PASSWORD)
    go(page, a11y, "Participants")
    page.get_by_role("link", name="Add a participant").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    page.locator("#id_full_name").fill("Jordan Ellis")
    page.locator("#id_phone").fill("555-0177")
    page.locator("input[name=preferred_contact][value=phone]").check()
    page.get_by_label("Languages").fill("English")
    page.get_by_label("Grief and loss").check()
    page.locator("input[name=modes][value=phone]").check()
    page.get_by_label("The participant consented").check()
    page.get_by_label("What they agreed to").fill("To be called by a peer supporter.")
    page.get_by_role("button", name="Add to the waiting list").click()
    page.wait_for_url(re.compile(r"/participants/\d+/$"))
    a11y.check(page)
    assert "Jordan Ellis" in page.content()

    # ...and offers them to Priya, the best match.
    page.get_by_role("link", name="Find a supporter").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert "shares: Grief and loss" in page.content()
    page.get_by_role("button", name="Offer to Priya Supporter").click()
    page.wait_for_url(re.compile(r"/relationships/\d+/$"))
    a11y.check(page)
    logout(page)

    # The supporter sees the offer on her home page and accepts it.
    login(page, a11y, support.supporter.email, PASSWORD)
    assert "new match offer" in page.content()
    go(page, a11y, "My participants")
    page.get_by_role("link", name=re.compile("Jordan")).first.click()
    page.wait_for_load_state("load")
    a11y.check(page)
    page.get_by_label("Accept this match").check()
    page.get_by_role("button", name="Send my answer").click()
    page.wait_for_url(re.compile(r"/relationships/\d+/$"))
    a11y.check(page)
    relationship_url = page.url
    assert "555-0177" in page.content()

    # First contact.
    page.get_by_role("link", name="Log a contact").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    page.get_by_label("Phone call").check()
    page.get_by_label("Minutes (optional)").fill("30")
    page.get_by_label("Building rapport").check()
    page.get_by_label("Sharing lived experience").check()
    page.get_by_label("Notes").fill("First call; we found we both lost a parent young.")
    page.get_by_role("button", name="Save the contact").click()
    page.wait_for_url(re.compile(r"/relationships/\d+/\?saved=1$"))
    a11y.check(page)

    # Second contact: the typing is kept as a draft, and survives leaving the page.
    page.get_by_role("link", name="Log a contact").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    page.get_by_label("Emotional support").check()
    page.get_by_label("Notes").fill("Hard week; talked it through.")
    page.get_by_text(re.compile("Draft saved")).wait_for()
    page.goto(relationship_url)
    a11y.check(page)
    page.get_by_role("link", name="Log a contact").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert page.get_by_label("Notes").input_value() == "Hard week; talked it through."
    page.get_by_label("Phone call").check()
    page.get_by_role("button", name="Save the contact").click()
    page.wait_for_url(re.compile(r"\?saved=1$"))
    a11y.check(page)
    person = Participant.objects.get(
        status="matched", relationships__supporter=support.priya, consent_given=True, pk__gt=support.waiting.pk
    )
    assert Contact.objects.filter(relationship__participant=person).count() == 2
    assert person.relationships.get().state == RelationshipState.ACTIVE

    # A crisis: the protocol shows at once, and the supervisor is told.
    page.get_by_role("link", name="Crisis: get help now").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert "Crisis protocol" in page.content() and "988" in page.content()
    page.get_by_role("button", name="Tell my supervisor now").click()
    page.wait_for_url(re.compile(r"/concerns/\d+/$"))
    a11y.check(page)
    assert "Your supervisor has been told" in page.content()
    # The details follow the alert.
    page.get_by_label("Is the participant safe right now?").fill("Not sure; said they cannot go on.")
    page.get_by_role("button", name="Add these details").click()
    page.wait_for_url(re.compile(r"/concerns/\d+/$"))
    a11y.check(page)
    assert "Not sure; said they cannot go on." in page.content()
    logout(page)

    # The supervisor sees it first thing and acknowledges it.
    login(page, a11y, support.supervisor.email, PASSWORD)
    assert "CRISIS" in page.content()
    page.get_by_role("link", name=re.compile("CRISIS")).click()
    page.wait_for_load_state("load")
    a11y.check(page)
    page.get_by_role("button", name="Acknowledge: I am on it").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    concern = Concern.objects.get(participant=person)
    assert concern.state == ConcernState.ACKNOWLEDGED and concern.acknowledged_by == support.supervisor
    page.get_by_label("What was done").fill("Called Jordan with Priya; connected them to the crisis line.")
    page.get_by_role("button", name="Record the follow-up").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    concern.refresh_from_db()
    assert concern.state == ConcernState.RESOLVED


def test_a_draft_survives_a_session_time_out(phone_page: Any, a11y: Any, live_server: Any, support: Any) -> None:
    page = phone_page
    login(page, a11y, support.supporter.email, PASSWORD)
    page.goto(f"/p/riverside/support/relationships/{support.ana_rel.pk}/contacts/new/")
    a11y.check(page)
    page.get_by_label("Notes").fill("Typed before the session ended")
    page.get_by_text(re.compile("Draft saved")).wait_for()
    # The session ends (time-out) while the supporter goes on typing.
    page.context.clear_cookies()
    page.get_by_label("Notes").fill("Typed before the session ended, and after it")
    page.get_by_text(re.compile("Your session has ended")).wait_for()
    page.get_by_role("link", name="log in again").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    page.get_by_label("E-mail").fill(support.supporter.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/contacts/new/$"))
    a11y.check(page)
    assert page.get_by_label("Notes").input_value() == "Typed before the session ended, and after it"
    page.get_by_text(re.compile("Draft saved")).wait_for()  # and the server has it again
    page.get_by_label("Phone call").check()
    page.get_by_role("button", name="Save the contact").click()
    page.wait_for_url(re.compile(r"\?saved=1$"))
    a11y.check(page)
    assert Contact.objects.get(relationship=support.ana_rel).notes == "Typed before the session ended, and after it"
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('peerpath-draft')).length") == 0
