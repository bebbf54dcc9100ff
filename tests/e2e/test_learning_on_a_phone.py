"""Self-paced learning in the browser: a trainer writes a module with a reading and a two-question
quiz; a trainee works through it on a 390 px phone, misses the pass mark, tries again and
completes it; the trainer sees it on the learning progress page."""

from __future__ import annotations

from typing import Any

import pytest

from peerpath.credentials.models import LearningCompletion, QuizAttempt
from peerpath.training import services as training
from tests.e2e.helpers import PHONE, log_out, login, nav_to
from tests.factories import PASSWORD
from tests.training.helpers import cohort, trainee

pytestmark = pytest.mark.django_db(transaction=True)


def add_question(page: Any, a11y: Any, text: str, right: str, wrong: str) -> None:
    page.locator("#id_question_text").fill(text)
    page.get_by_label("Answer 1").fill(right)
    page.get_by_label("Answer 2").fill(wrong)
    page.get_by_label("The right answer").select_option("1")
    page.get_by_role("button", name="Add the question").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert "Question added." in page.content()


def test_a_trainer_writes_a_module_and_a_trainee_completes_its_quiz_on_a_phone(
    page: Any, phone_page: Any, a11y: Any, world: Any
) -> None:
    taught = cohort(world, name="Autumn course")
    tia = trainee(world.program, "Tia Trainee")
    training.enrol_trainee(actor=world.coordinator, cohort=taught, supporter=tia)

    # The trainer writes the module in the browser.
    login(page, a11y, world.trainer.email, PASSWORD)
    page.goto("/p/riverside/")
    a11y.check(page)
    nav_to(page, a11y, "Learning library")
    page.get_by_role("link", name="New module").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    page.get_by_label("Title").fill("Listening without fixing")
    page.get_by_label("Hours credited").fill("1")
    page.get_by_label("Pass mark (%)").fill("100")
    page.get_by_label("Attempts allowed").fill("3")
    page.get_by_label("Published").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert page.get_by_role("heading", name="Listening without fixing").is_visible()
    page.get_by_label("Title").fill("Listening first")
    page.get_by_label("Text", exact=True).fill("Reflect what you hear before anything else.")
    page.get_by_role("button", name="Add the material").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    add_question(page, a11y, "What do you do first?", "Reflect what you heard", "Give advice")
    add_question(page, a11y, "Which is an open question?", "How was your week?", "Did you sleep?")
    log_out(page)

    # The trainee takes it on a phone.
    phone = phone_page
    assert tia.user is not None
    login(phone, a11y, tia.user.email, PASSWORD)
    phone.goto("/p/riverside/")
    a11y.check(phone)
    nav_to(phone, a11y, "My learning")
    assert "1 module" in phone.content() and "left to do" in phone.content()
    phone.get_by_role("link", name="Listening without fixing").click()
    phone.wait_for_load_state("load")
    a11y.check(phone)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "the page scrolls sideways"
    assert "Reflect what you hear before anything else." in phone.content()
    first = phone.get_by_role("group", name="1. What do you do first?")
    second = phone.get_by_role("group", name="2. Which is an open question?")
    # Leaving a question out shows the page again with the error, the choice kept.
    first.get_by_label("Reflect what you heard").check()
    phone.get_by_role("button", name="Send my answers").click()
    phone.wait_for_load_state("load")
    a11y.check(phone)
    assert "Choose an answer." in phone.content()
    assert (
        phone.get_by_role("group", name="1. What do you do first?").get_by_label("Reflect what you heard").is_checked()
    )
    label_box = second.locator("label", has_text="How was your week?").bounding_box()
    assert label_box is not None and label_box["x"] + label_box["width"] <= PHONE["width"]
    # One wrong: 50 %, under the pass mark of 100 %.
    phone.get_by_role("group", name="2. Which is an open question?").get_by_label("Did you sleep?").check()
    phone.get_by_role("button", name="Send my answers").click()
    phone.wait_for_load_state("load")
    a11y.check(phone)
    assert "You scored 50%" in phone.content() and "2 attempts left." in phone.content()
    phone.get_by_role("group", name="1. What do you do first?").get_by_label("Reflect what you heard").check()
    phone.get_by_role("group", name="2. Which is an open question?").get_by_label("How was your week?").check()
    phone.get_by_role("button", name="Send my answers").click()
    phone.wait_for_load_state("load")
    a11y.check(phone)
    assert "You passed with 100%" in phone.content() and "Completed on" in phone.content()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert QuizAttempt.objects.filter(supporter=tia).count() == 2
    assert LearningCompletion.objects.filter(supporter=tia).count() == 1
    nav_to(phone, a11y, "My learning")
    assert "You have done every module" in phone.content()

    # The trainer sees it.
    login(page, a11y, world.trainer.email, PASSWORD)
    page.goto("/p/riverside/credentials/learning/progress/")
    a11y.check(page)
    assert "Tia Trainee" in page.content() and "done" in page.content()
    page.get_by_role("link", name="Tia Trainee").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert "2 of 3 attempts used" in page.content()
