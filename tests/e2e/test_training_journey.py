"""A trainer enrols a trainee, takes attendance, logs a role play, assesses and certifies them;
the new supporter downloads the certificate PDF and the verification address in it says 'valid'."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from django.utils import timezone
from pypdf import PdfReader

from peerpath.recruitment.models import Stage
from peerpath.training import services
from tests.e2e.helpers import login
from tests.factories import PASSWORD
from tests.training.helpers import trainee

pytestmark = pytest.mark.django_db(transaction=True)


def test_enrol_attend_role_play_assess_certify_and_verify(page: Any, a11y: Any, live_server: Any, world: Any) -> None:
    person = trainee(world.program, "Jamie Rivera")
    start = timezone.localdate() - dt.timedelta(days=7)
    cohort = services.save_cohort(
        actor=world.coordinator,
        program=world.program,
        cohort=None,
        data={"name": "Spring evening course", "starts_on": start, "ends_on": start + dt.timedelta(weeks=9)},
        trainers=[world.trainer],
    )
    held = timezone.now() - dt.timedelta(days=2)
    services.save_session(
        actor=world.trainer,
        cohort=cohort,
        session=None,
        data={
            "title": "Listening and empathy",
            "starts_at": held,
            "ends_at": held + dt.timedelta(hours=2),
            "location": "Room 2",
        },
    )

    # The trainer opens their cohort and enrols the trainee.
    login(page, a11y, world.trainer.email, PASSWORD)
    page.get_by_role("navigation", name="Program").get_by_role("link", name="My cohorts").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    page.get_by_role("link", name="Spring evening course").first.click()
    page.wait_for_load_state("load")
    a11y.check(page)
    page.get_by_text("Enrol a trainee").click()
    page.get_by_label("Person in training").select_option(label="Jamie Rivera")
    page.get_by_role("button", name="Enrol", exact=True).click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert "Jamie Rivera is enrolled" in page.content()

    # Attendance for the session held two days ago.
    page.get_by_role("link", name="Listening and empathy").first.click()
    page.wait_for_load_state("load")
    a11y.check(page)
    page.get_by_label("Jamie Rivera", exact=True).select_option("present")
    page.get_by_role("button", name="Save attendance").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert "Attendance saved" in page.content()

    # A role play as evidence.
    page.get_by_role("link", name="← Spring evening course").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert "100.0%" in page.content()
    page.get_by_text("Log a role play").click()
    form = page.locator("form[action$='/role-plays/new/']")
    form.get_by_label("Trainee (played the supporter)").select_option(label="Jamie Rivera")
    form.get_by_label("Scenario").fill("A participant calls after a relapse, ashamed and wanting to quit.")
    form.get_by_label("Who played the participant").fill("Theo Trainer")
    form.get_by_label("Observer notes").fill("Listened without rushing; reflected feelings.")
    form.get_by_label(re.compile(r"^4\. ")).check()
    form.get_by_role("button", name="Log the role play").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert "Role play logged" in page.content()

    # Assess: every competency competent; the rules give 'certified'.
    page.get_by_role("link", name="Not assessed").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert "role play" in page.content()
    for radio in page.locator("input[type=radio][value=competent]").all():
        radio.check()
    page.get_by_role("button", name="Save ratings").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert page.get_by_label("Certified", exact=True).is_checked()
    page.get_by_role("button", name="Record the outcome").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert "Jamie Rivera: Certified" in page.content()
    person.refresh_from_db()
    assert person.stage == Stage.CERTIFIED

    # The new supporter downloads the certificate and checks it.
    page.context.clear_cookies()
    login(page, a11y, person.user.email, PASSWORD)
    page.get_by_role("navigation", name="Program").get_by_role("link", name="My training").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download my certificate (PDF)").click()
    pdf_path = Path(download_info.value.path())
    text = PdfReader(pdf_path).pages[0].extract_text()
    url = re.search(r"https?://\S+/verify/[0-9A-Z-]+/", text).group(0)
    page.context.clear_cookies()
    page.goto(urlparse(url).path)  # the PDF names the configured site; the test server runs elsewhere
    page.wait_for_load_state("load")
    a11y.check(page)
    assert "Jamie Rivera" in page.content()
    assert page.locator(".status").inner_text().strip() == "This certificate is valid."
