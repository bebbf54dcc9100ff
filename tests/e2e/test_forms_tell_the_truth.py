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
    group.get_by_label("Competent").check()
    page.locator("#ratings-status").get_by_text(re.compile("Saved")).wait_for()
    group.get_by_label(re.compile("Evidence notes")).fill("Calm and clear in the role play.")
    group.get_by_label(re.compile("Evidence notes")).blur()
    page.wait_for_function("document.querySelector('#ratings-status').textContent.includes('Saved')")
    page.wait_for_timeout(300)

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
