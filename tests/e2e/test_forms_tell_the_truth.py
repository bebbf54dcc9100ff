"""Forms that tell the truth (issue 13): ratings saved as they are chosen survive a reload; after an
error, focus is on the error summary and its links focus the fields; long answers show a counter."""

from __future__ import annotations

import re
from typing import Any

import pytest

from peerpath.certification.models import CompetencyRating
from peerpath.core.models import AuditEntry
from tests.certification.helpers import ready_trainee
from tests.e2e.helpers import login
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_rating_chosen_is_still_there_after_a_reload(page: Any, a11y: Any, live_server: Any, world: Any) -> None:
    the_cohort, person = ready_trainee(world)
    first = world.program.competencies.filter(is_active=True).order_by("number").first()
    login(page, a11y, world.trainer.email, PASSWORD)
    page.goto(f"/p/riverside/certification/cohorts/{the_cohort.pk}/trainees/{person.pk}/assess/")
    a11y.check(page)
    # With scripts on, the page says ratings are saved as they are chosen (and only then).
    assert page.get_by_text("saved as soon as you choose it").is_visible()
    assert not page.get_by_text("Save your ratings with").is_visible()

    group = page.get_by_role("group", name=re.compile(rf"^{first.number}\. "))

    def autosave(response: Any) -> bool:
        return response.request.method == "POST" and response.url.endswith("/assess/")

    with page.expect_response(autosave):
        group.get_by_label("Competent").check()
    page.locator("#ratings-status").get_by_text(re.compile("Saved")).wait_for()
    group.get_by_label(re.compile("Evidence notes")).fill("Calm and clear in the role play.")
    with page.expect_response(autosave):
        group.get_by_label(re.compile("Evidence notes")).blur()

    page.reload()
    a11y.check(page)
    group = page.get_by_role("group", name=re.compile(rf"^{first.number}\. "))
    assert group.get_by_label("Competent").is_checked()
    assert group.get_by_label(re.compile("Evidence notes")).input_value() == "Calm and clear in the role play."
    rating = CompetencyRating.objects.get(assessment__supporter=person, competency=first)
    assert rating.level == "competent"
    assert AuditEntry.objects.filter(action="certification.assessment.rate").exists()
    # The outcome section follows the saves: one fewer competency still to rate.
    unrated = world.program.competencies.filter(is_active=True).count() - 1
    assert page.locator("#assessment-outcome").get_by_text(f"{unrated} competencies still to rate").is_visible()


def test_after_an_error_focus_is_on_the_summary_and_its_links_reach_the_fields(
    page: Any, a11y: Any, live_server: Any, world: Any
) -> None:
    login(page, a11y, world.coordinator.email, PASSWORD)
    page.goto("/p/riverside/certification/settings/")
    a11y.check(page)
    page.get_by_label(re.compile("Attendance needed")).fill("140")
    page.get_by_label(re.compile("Credential name|credential name", re.I)).fill("")
    page.get_by_role("button", name=re.compile("Save")).click()
    page.wait_for_load_state("load")
    a11y.check(page)
    summary = page.locator("[data-error-summary]")
    assert summary.get_by_role("heading", name="There is a problem").is_visible()
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    links = summary.get_by_role("link")
    assert links.count() == 2
    summary.get_by_role("link", name=re.compile("Attendance needed")).click()
    assert page.evaluate("document.activeElement.id") == "id_min_attendance_percent"


def test_a_long_answer_counts_its_characters_instead_of_cutting_them(
    page: Any, a11y: Any, live_server: Any, world: Any
) -> None:
    page.goto("/apply/riverside/")
    a11y.check(page)
    answer = page.get_by_label(re.compile("Why do you want to become a peer supporter"))
    assert answer.get_attribute("maxlength") is None  # nothing typed or pasted is cut off silently
    counter = page.locator(f"#{answer.get_attribute('id')}_count")
    assert counter.text_content() == "You have 5000 characters left (of 5000)."
    assert f"{answer.get_attribute('id')}_count" in (answer.get_attribute("aria-describedby") or "")
    answer.fill("x" * 5003)
    assert answer.input_value() == "x" * 5003
    assert counter.text_content() == "You have 3 characters too many (at most 5000)."
    # Screen readers hear it politely once typing pauses.
    spoken = counter.locator("xpath=following-sibling::*[1]")
    assert spoken.get_attribute("aria-live") == "polite"
    spoken.get_by_text("3 characters too many").wait_for(state="attached")


def test_clear_the_draft_empties_the_form_too(page: Any, a11y: Any, live_server: Any, support: Any) -> None:
    login(page, a11y, support.supporter.email, PASSWORD)
    page.goto(f"/p/riverside/support/relationships/{support.ana_rel.pk}/contacts/new/")
    a11y.check(page)
    page.get_by_label("Notes").fill("She told me about her week.")
    page.get_by_text(re.compile("Draft saved")).wait_for()
    page.get_by_role("button", name="Clear the draft").click()
    page.get_by_text("Draft cleared.").wait_for()
    assert page.get_by_label("Notes").input_value() == ""
    assert page.locator("#id_contacted_on").input_value() == ""
    assert page.locator("#contact-form input[type=radio]:checked").count() == 0
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('peerpath-draft'))") == []
    page.reload()
    a11y.check(page)
    assert page.get_by_label("Notes").input_value() == ""
