"""Two-factor sign-in in a browser: a coordinator whose program requires it sets up an
authenticator app (typing the secret, as a phone that cannot scan would), keeps the recovery
codes, and signs in again with a code from the app, then with a recovery code, which works once."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from django_otp.plugins.otp_static.models import StaticDevice

from peerpath.core.models import AuditEntry
from tests.core.second_factor_helpers import code_for
from tests.e2e.helpers import login
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

SETUP = re.compile(r"/account/two-factor/setup/")
VERIFY = re.compile(r"/account/two-factor/verify/")


def wait_until_allowed(user: Any) -> None:
    deadline = time.monotonic() + 10
    for device in StaticDevice.objects.filter(user=user):
        while not device.verify_is_allowed()[0] and time.monotonic() < deadline:
            time.sleep(0.1)
            device.refresh_from_db()


def log_out(page: Any, a11y: Any) -> None:
    page.locator("header").get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    a11y.check(page)


def enter_code(page: Any, a11y: Any, code: str) -> None:
    page.get_by_role("textbox", name="Code").fill(code)
    page.get_by_role("button", name="Verify").click()
    page.wait_for_load_state("load")
    a11y.check(page)


def test_set_up_then_sign_in_with_a_code_and_with_a_recovery_code_once(
    page: Any, a11y: Any, live_server: Any, world: Any
) -> None:
    world.program.second_factor_for_coordinators = True  # the default for a new program
    world.program.save()
    coordinator = world.coordinator

    # The password alone leads to the set-up page, whatever was asked for.
    login(page, a11y, coordinator.email, PASSWORD)
    assert SETUP.search(page.url)
    page.goto("/p/riverside/")
    page.wait_for_url(SETUP)
    a11y.check(page)
    assert page.get_by_role("img", name="QR code to scan with your authenticator app").is_visible()

    # Nothing scanned: the secret typed into the "app" (computed here, as the app would).
    secret = page.get_by_test_id("totp-secret").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{4}( [A-Z2-7]{1,4})+", secret)
    page.get_by_role("textbox", name="Code").fill("000000" if code_for(secret) != "000000" else "111111")
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    # A wrong code sets up nothing.
    assert page.locator(".errorlist").get_by_text("That code does not match.").is_visible()
    page.get_by_role("textbox", name="Code").fill(code_for(secret))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()

    page.get_by_role("heading", name="Your recovery codes").wait_for()
    a11y.check(page)
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z2-7]{8}", c) for c in codes)
    page.get_by_role("link", name="I have kept them: continue").click()
    page.wait_for_url(re.compile(r"/p/riverside/$"))
    a11y.check(page)

    # Signing in again: the password, then a code from the app (the next one: each is used once).
    log_out(page, a11y)
    login(page, a11y, coordinator.email, PASSWORD)
    assert VERIFY.search(page.url)
    page.goto("/p/riverside/members/")  # nothing else opens before the code
    page.wait_for_url(VERIFY)
    a11y.check(page)
    enter_code(page, a11y, code_for(secret, steps_ahead=1))
    assert re.search(r"/p/riverside/members/$", page.url)

    # Without the phone: a recovery code signs in once.
    log_out(page, a11y)
    login(page, a11y, coordinator.email, PASSWORD)
    enter_code(page, a11y, codes[0])
    assert not VERIFY.search(page.url) and not SETUP.search(page.url)
    assert AuditEntry.objects.filter(action="two_factor.recovery_code_used", actor=coordinator).count() == 1

    log_out(page, a11y)
    login(page, a11y, coordinator.email, PASSWORD)
    enter_code(page, a11y, codes[0])
    assert VERIFY.search(page.url)
    assert page.locator(".errorlist").get_by_text("That code does not match.").is_visible()
    page.goto("/p/riverside/")
    page.wait_for_url(VERIFY)  # still owed
    a11y.check(page)
    # After a wrong code django-otp refuses the next try for a second; wait it out, as a person would.
    wait_until_allowed(coordinator)
    enter_code(page, a11y, codes[1])  # another, unused, code works
    assert re.search(r"/p/riverside/$", page.url)
