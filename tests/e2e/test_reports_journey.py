"""A coordinator opens the program reports: every report has a drawn chart or its table, the page
passes axe, and "Refresh figures" computes them again."""

from __future__ import annotations

from typing import Any

import pytest

from peerpath.reports.base import ordered_reports
from tests.e2e.helpers import login
from tests.factories import PASSWORD
from tests.reports.test_care_reports import check_in, strain_questionnaire
from tests.reports.test_support_reports import contact, relationship

pytestmark = pytest.mark.django_db(transaction=True)


def test_reports_dashboard_draws_its_charts(page: Any, a11y: Any, live_server: Any, world: Any) -> None:
    rel = relationship(world.program)
    for days in (3, 20, 40):
        contact(rel, days, tasks=["rapport", "emotional"], duration_minutes=30)
    contact(rel, 5, reached=False)
    questionnaire = strain_questionnaire(world.program)
    for _ in range(5):
        check_in(world.program, questionnaire, "Low")

    login(page, a11y, world.coordinator.email, PASSWORD)
    page.get_by_role("link", name="Reports").first.click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert page.locator("h1").inner_text() == "Program reports"
    for report in ordered_reports():
        assert page.locator(f"section#{report.slug}").count() == 1, report.slug
    # Chart.js has drawn the contacts chart: its canvas has a size and an accessible summary.
    canvas = page.locator("section#contacts-by-month canvas")
    assert canvas.get_attribute("role") == "img"
    assert "4 contacts logged in the period" in canvas.get_attribute("aria-label")
    assert page.evaluate("() => window.Chart && Object.keys(window.Chart.instances).length") >= 5
    # A count axis steps by whole numbers (at most 2 contacts a month here: never 0.5 of one).
    ticks = page.evaluate(
        "() => { const c = window.Chart.getChart(document.querySelector('section#contacts-by-month canvas'));"
        " const axis = c.options.indexAxis === 'y' ? c.scales.x : c.scales.y; return axis.ticks.map(t => t.value); }"
    )
    assert ticks and all(float(t).is_integer() for t in ticks), ticks
    wellbeing = page.locator("section#wellbeing-bands")
    wellbeing.get_by_text("Data table").click()
    assert "fewer than 5" in wellbeing.inner_text()

    page.get_by_role("button", name="Refresh figures").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert "The figures have been computed again." in page.content()
