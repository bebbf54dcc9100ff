"""Logging in by e-mail, throttling, password reset, idle sessions, admin for superusers only."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.utils import timezone

from peerpath.programs.models import Membership
from tests.factories import PASSWORD, MembershipFactory, ProgramFactory, UserFactory

pytestmark = pytest.mark.django_db


def login(client: Client, email: str, password: str, ip: str = "10.0.0.1") -> Any:
    return client.post("/accounts/login/", {"username": email, "password": password}, REMOTE_ADDR=ip)


def test_login_by_email_in_any_case_goes_to_the_program(world: Any) -> None:
    client = Client()
    response = login(client, world.coordinator.email.upper(), PASSWORD)
    assert response.status_code == 302
    assert client.get("/").url == "/p/riverside/"


def test_wrong_password_shows_an_error(world: Any) -> None:
    response = login(Client(), world.coordinator.email, "wrong")
    assert response.status_code == 200
    assert "do not match an account" in response.content.decode()


def test_failed_logins_pause_the_account_from_that_address_only(world: Any, settings: Any) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(Client(), world.coordinator.email, "wrong", ip="10.0.1.1")
    response = login(Client(), world.coordinator.email, PASSWORD, ip="10.0.1.1")
    assert response.status_code == 429
    assert "Too many failed log-ins" in response.content.decode()
    # The same account from another address, and another account from this one, are not paused.
    assert login(Client(), world.coordinator.email, PASSWORD, ip="10.0.2.1").status_code == 302
    assert login(Client(), world.trainer.email, PASSWORD, ip="10.0.1.1").status_code == 302


def test_failures_spread_over_addresses_pause_nothing(world: Any, settings: Any) -> None:
    for i in range(settings.AXES_FAILURE_LIMIT):
        login(Client(), world.coordinator.email, "wrong", ip=f"10.0.1.{i}")
    assert login(Client(), world.coordinator.email, PASSWORD, ip="10.0.1.0").status_code == 302


def test_password_reset_sends_a_link_that_sets_a_new_password(world: Any) -> None:
    client = Client()
    response = client.post("/accounts/password-reset/", {"email": world.trainer.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [world.trainer.email]
    path = re.search(r"http://testserver(/accounts/reset/\S+)", message.body).group(1)
    form_url = client.get(path).url
    response = client.post(form_url, {"new_password1": "brand new secret 77", "new_password2": "brand new secret 77"})
    assert response.status_code == 302
    assert login(Client(), world.trainer.email, "brand new secret 77").status_code == 302


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(world: Any) -> None:
    response = Client().post("/accounts/password-reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_an_idle_session_expires(world: Any) -> None:
    client = Client()
    login(client, world.coordinator.email, PASSWORD)
    assert client.get("/p/riverside/").status_code == 200
    Session.objects.update(expire_date=timezone.now() - timezone.timedelta(seconds=1))
    response = client.get("/p/riverside/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_requests_renew_the_idle_timer_at_most_once_a_minute(world: Any, settings: Any) -> None:
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_RENEW_SECONDS == 60
    client = world.client_for(world.coordinator)
    assert client.get("/p/riverside/").status_code == 200
    session = Session.objects.get()
    first_expiry = session.expire_date
    # Within the interval: nothing is written.
    assert client.get("/p/riverside/").status_code == 200
    assert Session.objects.get().expire_date == first_expiry
    # The last renewal was over a minute ago: the next request moves the idle timeout on.
    data = session.get_decoded()
    data["_renewed_at"] -= 61
    Session.objects.filter(pk=session.pk).update(
        session_data=SessionStore().encode(data), expire_date=timezone.now() + timezone.timedelta(minutes=5)
    )
    assert client.get("/p/riverside/").status_code == 200
    renewed = Session.objects.get().expire_date
    assert renewed > timezone.now() + timezone.timedelta(minutes=29)


def test_logout_ends_the_session(world: Any) -> None:
    client = world.client_for(world.coordinator)
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/p/riverside/").status_code == 302


def test_admin_is_for_superusers_only(world: Any) -> None:
    assert world.client_for(world.coordinator).get("/admin/").status_code == 404
    superuser = UserFactory(is_superuser=True, is_staff=True)
    assert world.client_for(superuser).get("/admin/").status_code == 200


def test_home_offers_a_choice_with_several_programs(world: Any) -> None:
    MembershipFactory(user=world.coordinator, program=world.other_program, is_supervisor=True)
    client = world.client_for(world.coordinator)
    assert client.get("/").url == "/programs/"
    page = client.get("/programs/").content.decode()
    assert "Riverside" in page and "Harbor" in page
    # Working in one program makes it the one home returns to.
    client.get("/p/harbor/")
    assert client.get("/").url == "/p/harbor/"
    assert "Switch program" in client.get("/p/harbor/").content.decode()


def test_a_person_without_programs_is_told_so(db: Any) -> None:
    client = Client()
    client.force_login(UserFactory())
    response = client.get("/", follow=True)
    assert "do not have a role in any program" in response.content.decode()


def test_anonymous_home_goes_to_login(db: Any) -> None:
    response = Client().get("/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_inactive_program_is_hidden(world: Any) -> None:
    program = ProgramFactory(slug="closed", is_active=False)
    Membership.objects.create(user=world.coordinator, program=program, is_coordinator=True)
    assert world.client_for(world.coordinator).get("/p/closed/").status_code == 404
