"""An applicant applies, the coordinator screens and accepts them, and they set a password."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core import mail

from peerpath.recruitment.models import Stage, Supporter
from tests.e2e.helpers import login
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_apply_screen_accept_and_join(page: Any, a11y: Any, live_server: Any, world: Any) -> None:
    # The applicant finds the public form and applies.
    page.goto("/apply/riverside/")
    a11y.check(page)
    page.get_by_label("Your name").fill("Jamie Rivera")
    page.get_by_label("Your e-mail address").fill("Jamie.Rivera@example.org")
    page.get_by_label("Why do you want to become a peer supporter?").fill("I came through recovery and want to help.")
    page.get_by_label("When are you available").fill("Tuesday evenings")
    page.get_by_label("Languages you speak").fill("English, Spanish")
    page.locator("input[name=preferred_contact][value=email]").check()
    page.locator("input[name=source][value=clinician]").check()
    page.get_by_label("Name of the clinician who referred you").fill("Dr. Avery")
    page.get_by_label("I agree that the program may contact me").check()
    page.get_by_role("button", name="Send my application").click()
    page.wait_for_url(re.compile(r"/apply/riverside/thanks/$"))
    a11y.check(page)
    assert "your application has been received" in page.content()
    assert any(m.to == ["jamie.rivera@example.org"] for m in mail.outbox)

    # The coordinator logs in and finds them on the board.
    login(page, a11y, world.coordinator.email, PASSWORD)
    page.get_by_role("navigation", name="Program").get_by_role("link", name="Recruitment").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    page.get_by_label("Search name or e-mail").fill("jamie")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    page.get_by_role("link", name="Jamie Rivera").click()
    page.wait_for_load_state("load")
    a11y.check(page)

    # Schedule the screening interview.
    page.get_by_text("Schedule a screening interview").click()
    # Interviews are scheduled at most a year ahead: take a weekday morning a month from now.
    interview_day = dt.date.today() + dt.timedelta(days=30)
    page.get_by_label("Date and time").fill(f"{interview_day.isoformat()}T10:00")
    page.get_by_label("Where (place, phone number or video link)").fill("Community room")
    page.get_by_role("button", name="Schedule and e-mail the applicant").click()
    page.wait_for_url(re.compile(r"/interviews/\d+/$"))
    a11y.check(page)

    # Record answers with one red flag, then accept.
    page.get_by_label("Why do you want to become a peer supporter?").fill("To give back what I received.")
    first_flag = page.locator("input[type=checkbox][name^=flag_]").first
    first_flag.check()
    flag_id = first_flag.get_attribute("name").split("_")[1]
    page.locator(f"input[name=flagnote_{flag_id}]").fill("Recent loss; check in on support.")
    page.get_by_role("button", name="Save the screening").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert "1 red flag noted" in page.content()
    # Accepting someone with a red flag needs a written reason: refused without one.
    page.get_by_label("Accept into training").check()
    page.get_by_role("button", name="Record decision").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert "In training" not in page.content()
    # The error summary has the focus; its link takes the coordinator to the note.
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    page.locator("[data-error-summary]").get_by_role("link", name=re.compile("red flag was noted")).click()
    page.keyboard.type("Has support around them; their supervisor checks in monthly.")
    page.get_by_label("Accept into training").check()
    page.get_by_role("button", name="Record decision").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert "In training" in page.content()

    supporter = Supporter.objects.get(email="jamie.rivera@example.org")
    assert supporter.stage == Stage.IN_TRAINING
    invitation = next(m for m in mail.outbox if m.to == ["jamie.rivera@example.org"] and "invited" in m.subject)
    link = re.search(r"http://testserver(/accounts/invitation/\S+)", invitation.body).group(1)

    # The new supporter opens the invitation, sets a password and sees their status.
    page.context.clear_cookies()
    page.goto(link)
    page.wait_for_load_state("load")
    a11y.check(page)
    page.locator("#id_new_password1").fill("a long new password 42")
    page.get_by_label("New password confirmation").fill("a long new password 42")
    page.get_by_role("button", name="Save password").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert "In training" in page.content()
    page.get_by_role("link", name="See my pathway").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert "Accepted" in page.content()
