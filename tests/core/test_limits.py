"""Every limit keys on one proxy-aware client address; public forms count only accepted
submissions; failed log-ins pause the (account, address) pair (issue 11, item 6)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory

from peerpath.core.limits import client_address
from peerpath.support.defaults import get_settings
from tests.factories import PASSWORD
from tests.recruitment.test_apply import form_data

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.254"


@pytest.fixture(autouse=True)
def _fresh_counts() -> Any:
    cache.clear()
    yield
    cache.clear()


def _request(remote: str, forwarded: str | None = None) -> Any:
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_a_proxy_the_connection_is_the_client_whatever_the_header_says(settings: Any) -> None:
    settings.PROXY_COUNT = 0
    assert client_address(_request("192.0.2.7", "198.51.100.1")) == "192.0.2.7"


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (1, "198.51.100.1", "198.51.100.1"),
        (1, "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # the client's own entry is not believed
        (2, "6.6.6.6, 198.51.100.1, 10.0.0.9", "198.51.100.1"),
        (2, "198.51.100.1", PROXY),  # fewer entries than proxies: the connection
        (1, "not-an-address", PROXY),
        (1, "", PROXY),
        (1, " 2001:db8::1 ", "2001:db8::1"),
    ],
)
def test_behind_proxies_the_client_is_the_entry_the_proxies_appended(
    settings: Any, count: int, forwarded: str, expected: str
) -> None:
    settings.PROXY_COUNT = count
    assert client_address(_request(PROXY, forwarded)) == expected


def _login(email: str, password: str, client_ip: str) -> int:
    """A log-in through one proxy: every request arrives from the proxy's address."""
    return (
        Client()
        .post(
            "/accounts/login/",
            {"username": email, "password": password},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=client_ip,
        )
        .status_code
    )


def test_failed_log_ins_pause_only_that_account_from_that_address(world: Any, settings: Any) -> None:
    settings.PROXY_COUNT = 1
    statuses = [_login(world.coordinator.email, "wrong", "198.51.100.66") for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    # The pair is paused, even for the right password (a guesser learns nothing from it)...
    assert _login(world.coordinator.email, PASSWORD, "198.51.100.66") == 429
    # ...but the same account from another address behind the same proxy is not,
    assert _login(world.coordinator.email, PASSWORD, "198.51.100.7") == 302
    # nor is another account from the guesser's address.
    assert _login(world.trainer.email, PASSWORD, "198.51.100.66") == 302


def test_guessing_many_accounts_from_one_address_locks_none_of_them_elsewhere(world: Any, settings: Any) -> None:
    settings.PROXY_COUNT = 1
    for person in (world.coordinator, world.trainer, world.supervisor):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            _login(person.email, "wrong", "198.51.100.66")
    for person in (world.coordinator, world.trainer, world.supervisor):
        assert _login(person.email, PASSWORD, "198.51.100.7") == 302


def test_a_new_password_lifts_the_pause(world: Any, settings: Any) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        Client().post("/accounts/login/", {"username": world.trainer.email, "password": "wrong"})
    assert Client().post("/accounts/login/", {"username": world.trainer.email, "password": PASSWORD}).status_code == 429
    world.trainer.set_password("a fresh passphrase 12")
    world.trainer.save()
    response = Client().post("/accounts/login/", {"username": world.trainer.email, "password": "a fresh passphrase 12"})
    assert response.status_code == 302


def _application(world: Any, i: int, *, valid: bool) -> dict[str, Any]:
    return form_data(world, email=f"p{i}@example.org" if valid else "not an address")


def _support_request(world: Any, i: int, *, valid: bool) -> dict[str, Any]:
    row = get_settings(world.program)
    if not row.requests_open:
        row.requests_open = True
        row.save()
    return {
        "full_name": f"Person {i}",
        "email": f"r{i}@example.net" if valid else "not an address",
        "preferred_contact": "email",
        "languages": "English",
        "consent_given": "on",
    }


FORMS: dict[str, tuple[str, Callable[..., dict[str, Any]]]] = {
    "application": ("/apply/riverside/", _application),
    "support request": ("/ask/riverside/", _support_request),
}


@pytest.mark.parametrize("form", FORMS)
def test_public_forms_count_only_accepted_submissions_per_client(world: Any, settings: Any, form: str) -> None:
    settings.PUBLIC_FORM_RATE = "2/h"
    settings.PROXY_COUNT = 1
    path, data = FORMS[form]

    def post(i: int, *, valid: bool, client_ip: str = "198.51.100.66") -> int:
        return (
            Client()
            .post(path, data(world, i, valid=valid), REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=client_ip)
            .status_code
        )

    # Mistakes do not count: a person correcting the form is never refused for it.
    assert [post(i, valid=False) for i in range(5)] == [400] * 5
    assert [post(i, valid=True) for i in range(3)] == [302, 302, 429]
    # Everyone else behind the same proxy still gets through.
    assert post(9, valid=True, client_ip="198.51.100.7") == 302
