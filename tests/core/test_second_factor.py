"""Two-factor sign-in: set up with an authenticator app, required per role by program setting,
verified at sign-in, recovery codes, and a coordinator's audited reset."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from peerpath.core import second_factor
from peerpath.core.models import AuditEntry
from tests.core.second_factor_helpers import code_for
from tests.factories import PASSWORD, MembershipFactory, ProgramFactory

pytestmark = pytest.mark.django_db

SETUP = "/account/two-factor/setup/"
VERIFY = "/account/two-factor/verify/"
CODES = "/account/two-factor/recovery-codes/"


@pytest.fixture
def required(world: Any) -> Any:
    """The world's program with the default requirement: coordinators use two-factor sign-in."""
    world.program.second_factor_for_coordinators = True
    world.program.save()
    return world


def sign_in(user: Any) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def enrol(client: Client) -> tuple[str, list[str]]:
    """Set up an app through the pages; returns its secret and the recovery codes shown."""
    page = client.get(SETUP).content.decode()
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', page).group(1)
    response = client.post(SETUP, {"code": code_for(secret), "next": "/p/riverside/"})
    assert response.status_code == 302 and response.url.startswith(CODES)
    codes_page = client.get(response.url).content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", codes_page)
    return secret, codes


def test_a_coordinator_is_sent_to_set_it_up_before_anything_else(required: Any) -> None:
    client = sign_in(required.coordinator)
    for path in ("/", "/p/riverside/", "/p/riverside/members/", "/account/api-tokens/"):
        response = client.get(path)
        assert response.status_code == 302 and response.url.startswith(SETUP), path
    page = client.get(SETUP)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and 'role="img"' in html and 'data-testid="totp-secret"' in html
    assert client.get("/p/riverside/").status_code == 302  # still owed


def test_setting_it_up_needs_a_right_code_and_shows_recovery_codes_once(required: Any) -> None:
    client = sign_in(required.coordinator)
    secret_of = re.compile(r'data-testid="totp-secret">([A-Z2-7 ]+)<')
    first = secret_of.search(client.get(SETUP).content.decode()).group(1)
    assert secret_of.search(client.get(SETUP).content.decode()).group(1) == first  # a reload keeps it
    wrong = client.post(SETUP, {"code": "000000"})
    assert wrong.status_code == 400 and not TOTPDevice.objects.filter(user=required.coordinator, confirmed=True)
    second_factor.start_setup(actor=required.coordinator).throttle_reset()
    secret, codes = enrol(client)
    assert len(codes) == second_factor.RECOVERY_CODE_COUNT
    assert client.get(CODES).status_code == 302  # shown once
    assert client.get("/p/riverside/").status_code == 200
    assert AuditEntry.objects.filter(action="two_factor.enrol", actor=required.coordinator).exists()
    assert secret.replace(" ", "") not in str(list(AuditEntry.objects.values_list("changes", flat=True)))


def test_signing_in_again_takes_a_code_or_a_recovery_code_once(required: Any) -> None:
    secret, codes = enrol(sign_in(required.coordinator))
    client = sign_in(required.coordinator)
    response = client.get("/p/riverside/")
    assert response.status_code == 302 and response.url.startswith(VERIFY)
    assert client.post(VERIFY, {"code": "123456"}).status_code == 400
    TOTPDevice.objects.filter(user=required.coordinator).update(throttling_failure_count=0)
    response = client.post(VERIFY, {"code": code_for(secret, steps_ahead=1), "next": "/p/riverside/members/"})
    assert response.status_code == 302 and response.url == "/p/riverside/members/"
    assert client.get("/p/riverside/members/").status_code == 200

    with_recovery = sign_in(required.coordinator)
    assert with_recovery.post(VERIFY, {"code": codes[0].upper()}).status_code == 302
    assert with_recovery.get("/p/riverside/").status_code == 200
    assert AuditEntry.objects.filter(action="two_factor.recovery_code_used").count() == 1
    again = sign_in(required.coordinator)
    assert again.post(VERIFY, {"code": codes[0]}).status_code == 400  # used up
    assert StaticToken.objects.filter(device__user=required.coordinator).count() == len(codes) - 1


def test_a_second_try_straight_after_a_wrong_code_is_asked_to_wait(required: Any) -> None:
    _, codes = enrol(sign_in(required.coordinator))
    client = sign_in(required.coordinator)
    assert client.post(VERIFY, {"code": "notacode"}).status_code == 400
    hurried = client.post(VERIFY, {"code": codes[0]})
    assert hurried.status_code == 400 and "wait a few seconds" in hurried.content.decode()
    assert StaticToken.objects.filter(device__user=required.coordinator).count() == len(codes)  # not used up
    StaticDevice.objects.filter(user=required.coordinator).update(throttling_failure_timestamp=None)
    assert client.post(VERIFY, {"code": codes[0]}).status_code == 302


def test_the_password_alone_cannot_replace_the_app(required: Any) -> None:
    enrol(sign_in(required.coordinator))
    client = sign_in(required.coordinator)
    for path in (SETUP, "/account/two-factor/"):
        response = client.get(path)
        assert response.status_code == 302 and response.url.startswith(VERIFY)
    assert client.post(SETUP, {"code": "123456"}).status_code == 302
    assert client.post("/account/two-factor/turn-off/").status_code == 302
    assert TOTPDevice.objects.filter(user=required.coordinator, confirmed=True).count() == 1


def test_roles_the_program_does_not_require_sign_in_with_the_password(required: Any) -> None:
    for person in (required.trainer, required.supervisor, required.supporter):
        assert sign_in(person).get("/p/riverside/").status_code == 200


def test_the_program_setting_chooses_the_roles(required: Any) -> None:
    required.program.second_factor_for_trainers = True
    required.program.save()
    assert sign_in(required.trainer).get("/p/riverside/").url.startswith(SETUP)
    assert sign_in(required.supervisor).get("/p/riverside/").status_code == 200


def test_a_role_that_requires_it_in_any_program_requires_it_everywhere(world: Any) -> None:
    strict = ProgramFactory(slug="strict", second_factor_for_coordinators=True)
    MembershipFactory(program=strict, user=world.trainer, is_coordinator=True)
    assert sign_in(world.trainer).get("/p/riverside/").url.startswith(SETUP)
    assert sign_in(world.coordinator).get("/p/riverside/").status_code == 200  # riverside does not require it


def test_coordinators_change_the_setting_on_the_settings_page(world: Any) -> None:
    client = world.client_for(world.coordinator)
    page = client.get("/p/riverside/settings/two-factor/")
    assert page.status_code == 200 and "Supervisors must use two-factor sign-in" in page.content.decode()
    data = {"second_factor_for_supervisors": "on"}
    assert client.post("/p/riverside/settings/two-factor/", data).status_code == 302
    world.program.refresh_from_db()
    assert world.program.second_factor_roles == {second_factor_role("supervisor")}
    entry = AuditEntry.objects.filter(action__startswith="program.").latest("id")
    assert "second_factor_for_supervisors" in entry.changes


def second_factor_role(value: str) -> Any:
    from peerpath.core.permissions import Role

    return Role(value)


def test_a_coordinator_resets_a_locked_out_person_audited(required: Any) -> None:
    other = MembershipFactory(program=required.program, is_coordinator=True, user__full_name="Lou Lost").user
    verified = sign_in(other)
    enrol(verified)
    membership = other.memberships.get(program=required.program)
    url = f"/p/riverside/members/{membership.pk}/two-factor/reset/"
    assert required.client_for(required.trainer).post(url).status_code == 403
    assert required.client_for(required.outsider).post(url).status_code == 404
    assert TOTPDevice.objects.filter(user=other).exists()
    admin = sign_in(required.coordinator)
    enrol(admin)
    page = admin.get(f"/p/riverside/members/{membership.pk}/").content.decode()
    assert "Reset two-factor sign-in of Lou Lost" in page
    assert admin.post(url).status_code == 302
    assert not TOTPDevice.objects.filter(user=other).exists()
    entry = AuditEntry.objects.get(action="two_factor.reset")
    assert entry.actor == required.coordinator and entry.program == required.program
    assert entry.target_id == str(other.pk)
    # The session the old app verified is no longer verified: set it up again first.
    assert verified.get("/p/riverside/").url.startswith(SETUP)


def test_turning_it_off_is_refused_while_required_and_allowed_otherwise(required: Any) -> None:
    client = sign_in(required.coordinator)
    enrol(client)
    client.post("/account/two-factor/turn-off/")
    assert TOTPDevice.objects.filter(user=required.coordinator, confirmed=True).exists()
    volunteer = sign_in(required.trainer)
    enrol(volunteer)  # anyone may choose it
    assert sign_in(required.trainer).get("/p/riverside/").url.startswith(VERIFY)  # and then it is asked for
    volunteer.post("/account/two-factor/turn-off/")
    assert not TOTPDevice.objects.filter(user=required.trainer).exists()
    assert volunteer.get("/p/riverside/").status_code == 200
