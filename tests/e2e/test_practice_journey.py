"""A trainee practises a scenario in the browser (desktop and phone), sees feedback beside each
reply and the summary; their trainer reviews the transcript, comments and attaches it as
evidence."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone

from peerpath.practice import coder, services
from peerpath.practice.models import PracticeSession, ReplyComment
from peerpath.programs.models import Competency
from peerpath.training.models import Cohort, Enrolment
from tests.e2e.helpers import log_out, login, nav_to
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def trained_coder() -> None:
    """Train the coder before the browser waits on the first reply (the live server shares this
    process, so it codes with the same coder)."""
    coder.default_coder()


def send(page: Any, a11y: Any, text: str) -> None:
    replies = page.locator("li.turn").count()
    page.get_by_label("Your reply").fill(text)
    page.get_by_role("button", name="Send reply").click()
    page.locator("li.turn").nth(replies).wait_for()  # the conversation is swapped in by htmx
    a11y.check(page)


def test_a_trainee_practises_and_the_trainer_reviews(page: Any, a11y: Any, live_server: Any, world: Any) -> None:
    services.add_sample_scenarios(actor=world.coordinator, program=world.program)
    cohort = Cohort.objects.create(
        program=world.program, name="Spring", starts_on=timezone.localdate(), ends_on=timezone.localdate()
    )
    cohort.trainers.add(world.trainer)
    Enrolment.objects.create(program=world.program, cohort=cohort, supporter=world.supporter_record)

    login(page, a11y, world.supporter.email, PASSWORD)
    nav_to(page, a11y, "Practice lab")
    page.get_by_role("button", name="Practise Dana, three weeks after the hospital").click()
    page.wait_for_url(re.compile(r"/practice/sessions/\d+/$"))
    a11y.check(page)
    assert "Work has been" in page.locator("#person-says").inner_text()

    send(page, a11y, "You should tell your manager everything.")
    first = page.locator("li.turn").nth(0)
    assert "Advice without permission" in first.inner_text()
    assert "You gave advice before asking" in first.locator(".feedback").inner_text()
    assert "Try:" in first.locator(".feedback").inner_text()
    assert "Maybe. I should probably get going soon" in page.locator("#person-says").inner_text()

    send(page, a11y, "I jumped in there. What would be most helpful to talk about?")
    assert "An open question" in page.locator("li.turn").nth(1).inner_text()
    send(page, a11y, "It sounds like the politeness makes you feel watched rather than welcome.")
    summary = page.locator("#summary")
    summary.wait_for()
    assert "Session summary" in summary.inner_text() and "fair 1:1, good 2:1" in summary.inner_text()
    nav_to(page, a11y, "Practice lab")
    assert "Dana, three weeks after the hospital" in page.locator("#trend").inner_text()
    log_out(page)

    session = PracticeSession.objects.get(user=world.supporter)
    login(page, a11y, world.trainer.email, PASSWORD)
    nav_to(page, a11y, "Practice reviews")
    page.locator("#sessions").get_by_role("link").first.click()
    page.wait_for_load_state("load")
    a11y.check(page)
    turn = page.locator("#reply-1")
    turn.locator("summary").click()
    turn.get_by_label("Comment").fill("Ask before advising: what does she want from work?")
    turn.get_by_role("button", name="Add comment").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert ReplyComment.objects.get().text.startswith("Ask before advising")
    assert "Ask before advising" in page.locator("#reply-1").inner_text()
    communication = Competency.objects.filter(program=world.program).order_by("number").first()
    page.get_by_label(communication.title).check()
    page.get_by_role("button", name="Save evidence").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert list(session.competencies.all()) == [communication]


def test_practising_on_a_phone_with_a_risk_cue(phone_page: Any, a11y: Any, live_server: Any, world: Any) -> None:
    page = phone_page
    services.add_sample_scenarios(actor=world.coordinator, program=world.program)
    login(page, a11y, world.supporter.email, PASSWORD)
    nav_to(page, a11y, "Practice lab")
    page.get_by_role("button", name="Practise Sam, who wants it all to stop").click()
    page.wait_for_url(re.compile(r"/practice/sessions/\d+/$"))
    a11y.check(page)
    send(page, a11y, "It sounds like everything has got really heavy.")
    assert "better off" in page.locator("#person-says").inner_text()
    send(page, a11y, "What has that been like for you?")  # the risk cue left unchecked
    missed = page.locator("li.turn").nth(1)
    assert "ask directly" in missed.locator(".feedback").inner_text().lower()
    assert "guitar" in page.locator("#person-says").inner_text()
    send(page, a11y, "Are you thinking of ending your life?")
    assert "You asked directly about safety" in page.locator("li.turn").nth(2).inner_text()
    # Nothing on the page is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    send(page, a11y, "Thank you for telling me. Who could be with you tonight?")
    assert "missed" in page.locator("#summary").inner_text()
