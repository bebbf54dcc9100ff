"""In the browser: a supporter adds a goal in the participant's words with a step, logs a contact
that worked on it, and refers the participant to a service found in the resource directory."""

from __future__ import annotations

import re
from typing import Any

import pytest

from peerpath.plans import services
from peerpath.plans.models import Goal, GoalProgress, Referral, ReferralState
from peerpath.support.models import Contact
from tests.e2e.helpers import login, nav_to
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_supporter_adds_a_goal_works_on_it_and_makes_a_referral(
    page: Any, a11y: Any, live_server: Any, support: Any
) -> None:
    services.save_resource(
        actor=support.coordinator,
        program=support.program,
        resource=None,
        data={"name": "Riverside Food Bank", "needs": ["Food"], "languages": ["Spanish"], "phone": "555-0701"},
    )
    login(page, a11y, support.supporter.email, PASSWORD)
    nav_to(page, a11y, "My participants")
    page.get_by_role("link", name="Ana Lopez").first.click()
    page.wait_for_url(re.compile(r"/relationships/\d+/$"))
    relationship_url = page.url
    a11y.check(page)

    # A goal, in Ana's own words, and its first step.
    page.get_by_role("link", name="Add a goal").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    page.get_by_label("The goal, in their own words").fill("Cook a proper meal for my kids on Sundays")
    page.get_by_role("button", name="Add the goal").click()
    page.wait_for_url(re.compile(r"/plans/goals/\d+/$"))
    a11y.check(page)
    page.get_by_text("Add a step").click()
    page.get_by_role("textbox", name=re.compile("^Step")).fill("Write a shopping list together")
    page.get_by_label("Who takes it").select_option("together")
    page.get_by_role("button", name="Add the step").click()
    page.wait_for_load_state("load")
    assert "Write a shopping list together" in page.content()

    # A contact that worked on it.
    page.goto(relationship_url)
    page.get_by_role("link", name="Log a contact").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    page.get_by_label("Phone call").check()
    page.get_by_label("Practical guidance").check()
    page.get_by_label("Cook a proper meal for my kids on Sundays").check()
    page.get_by_label("What moved (optional)").fill("Made the list; Sunday is pasta.")
    page.get_by_role("button", name="Save the contact").click()
    page.wait_for_url(re.compile(r"/relationships/\d+/"))
    a11y.check(page)
    assert "last worked on" in page.content()
    progress = GoalProgress.objects.get()
    assert progress.contact == Contact.objects.get() and progress.note == "Made the list; Sunday is pasta."

    # A referral to the food bank, found in the directory by need.
    page.get_by_role("link", name="Search the resource directory").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    page.get_by_label("Need").select_option("Food")
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state("load")
    page.get_by_role("link", name="Refer to Riverside Food Bank").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    page.get_by_label("The need it answers").select_option("Food")
    page.get_by_label("Warm handoff notes").fill("Called with Ana; Maria at the desk expects her Tuesday.")
    page.get_by_role("button", name="Suggest the referral").click()
    page.wait_for_url(re.compile(r"/plans/referrals/\d+/$"))
    a11y.check(page)
    page.get_by_label("Made").check()
    page.get_by_role("button", name="Save").first.click()
    page.wait_for_load_state("load")
    referral = Referral.objects.get()
    assert referral.state == ReferralState.MADE and referral.need == "Food"
    assert referral.handoff_notes.startswith("Called with Ana")
    assert Goal.objects.get().text == "Cook a proper meal for my kids on Sundays"
