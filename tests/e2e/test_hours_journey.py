"""A supporter logs an other duty, a coordinator approves it, and it shows in the supporter's
ledger, the coordinator's list of ledgers and the funder report."""

from __future__ import annotations

import re
from typing import Any

import pytest

from peerpath.hours.models import DutyStatus, OtherDuty
from tests.e2e.helpers import log_out, login, nav_to
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_duty_logged_approved_and_counted(page: Any, a11y: Any, live_server: Any, world: Any) -> None:
    # The supporter logs two hours at an outreach stall from their hours page.
    login(page, a11y, world.supporter.email, PASSWORD)
    nav_to(page, a11y, "My hours")
    assert page.locator("#year-hours").inner_text() == "0.00"
    page.get_by_role("link", name="Log a duty").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    page.get_by_role("button", name="Send for approval").click()  # nothing filled: errors, nothing saved
    page.wait_for_load_state("load")
    a11y.check(page)
    assert page.locator(".errorlist").count() >= 2 and not OtherDuty.objects.exists()
    page.get_by_label("Information sessions and outreach").check()
    page.get_by_label("What you did").fill("Outreach stall at the farmers' market")
    page.get_by_label("How long (minutes)").fill("120")
    page.get_by_role("button", name="Send for approval").click()
    page.wait_for_url(re.compile(r"/hours/me/$"))
    a11y.check(page)
    assert "Duty sent for approval." in page.content()
    assert "Awaiting approval" in page.locator("#duties").inner_text()
    assert page.locator("#year-hours").inner_text() == "0.00"  # not counted before approval
    log_out(page)

    # The coordinator finds it on their home page and approves it.
    login(page, a11y, world.coordinator.email, PASSWORD)
    page.get_by_role("link", name="1 duty awaits your approval").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    page.get_by_role("link", name="Outreach stall at the farmers' market").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    page.get_by_label("Approve").check()
    page.get_by_role("button", name="Record the review").click()
    page.wait_for_url(re.compile(r"/hours/duties/$"))
    a11y.check(page)
    assert OtherDuty.objects.get().status == DutyStatus.APPROVED

    # It counts in the supporter's ledger, as the coordinator sees it...
    nav_to(page, a11y, "Service hours")
    row = page.locator("#ledgers tr", has_text=world.supporter_record.full_name)
    assert "2.00" in row.inner_text()
    row.get_by_role("link").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert page.locator("#year-hours").inner_text() == "2.00"
    assert "Logged: Outreach stall at the farmers' market, approved by" in page.content()

    # ...and in the funder report, with its downloads.
    nav_to(page, a11y, "Reports")
    units = page.locator("section#funder-units-of-service")
    assert "Information sessions and outreach" in units.inner_text()
    assert "2.00 hours of service in the period" in units.inner_text()
    with page.expect_download() as download:
        units.get_by_role("link", name=re.compile("^CSV")).click()
    assert "Outreach" not in download.value.suggested_filename and download.value.suggested_filename.endswith(".csv")
    log_out(page)

    # The supporter sees it counted.
    login(page, a11y, world.supporter.email, PASSWORD)
    assert "2.00" in page.locator("#panel-hours_me").locator("xpath=..").inner_text()
    nav_to(page, a11y, "My hours")
    assert page.locator("#year-hours").inner_text() == "2.00"
    assert "Approved" in page.locator("#duties").inner_text()
