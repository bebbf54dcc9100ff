"""A busy or unreachable database answers 503 with Retry-After (a page, or JSON for the API), never 500."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import OperationalError, ProgrammingError, connection
from django.test import Client
from django.urls import reverse

from peerpath.api.tokens import create_token
from peerpath.core.busy import is_database_busy

LOCKED = OperationalError("database is locked")


def missing_table(table: str) -> Exception:
    """A real fault, as each database reports a missing table: SQLite with an OperationalError,
    PostgreSQL with a ProgrammingError (every OperationalError there is a lost or refused connection)."""
    if connection.vendor == "sqlite":
        return OperationalError(f"no such table: {table}")
    return ProgrammingError(f'relation "{table}" does not exist')


def test_what_counts_as_busy() -> None:
    assert is_database_busy(LOCKED) and is_database_busy(OperationalError("database table is locked"))
    # Anything else is a real fault (a missing table): still a 500.
    assert not is_database_busy(missing_table("support_concern"))
    assert not is_database_busy(ValueError("database is locked"))


def test_a_locked_database_during_a_page_write_is_a_friendly_503(support: Any, monkeypatch: Any) -> None:
    from peerpath.support.services import common

    def locked(**kwargs: Any) -> Any:
        raise LOCKED

    monkeypatch.setattr(common, "mark_read", locked)
    client = support.client_for(support.coordinator)
    response = client.post(reverse("support:notifications_read", args=["riverside"]))
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    page = response.content.decode()
    assert "Busy for a moment" in page and "try again in 5 seconds" in page and "Nothing was lost" in page


def test_a_locked_database_during_an_api_write_is_503_json(support: Any, monkeypatch: Any) -> None:
    from peerpath.support.services import contacts

    def locked(**kwargs: Any) -> Any:
        raise LOCKED

    monkeypatch.setattr(contacts, "log_contact", locked)
    _token, secret = create_token(actor=support.supporter, name="tests")
    body = {"contacted_on": "2026-01-05", "channel": "phone", "reached": True, "tasks": ["rapport"], "notes": "x"}
    response = Client().post(
        f"/api/v1/programs/riverside/relationships/{support.ana_rel.pk}/contacts",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 503, response.content
    assert response["Retry-After"] == "5" and "busy" in response.json()["detail"]


@pytest.mark.django_db
def test_a_lock_outside_the_view_is_503_too_and_other_errors_stay_500(world: Any, monkeypatch: Any) -> None:
    """Saving the session happens in a middleware, after the view: the 500 handler answers 503 for it."""
    from django.contrib.sessions.backends.db import SessionStore

    client = Client(raise_request_exception=False)
    client.force_login(world.coordinator)

    def locked(self: Any, must_create: bool = False) -> None:
        raise LOCKED

    monkeypatch.setattr(SessionStore, "save", locked)  # the page marks the session changed: it is saved
    response = client.get("/p/riverside/")
    assert response.status_code == 503 and response["Retry-After"] == "5"

    def broken(self: Any, must_create: bool = False) -> None:
        raise missing_table("django_session")

    monkeypatch.setattr(SessionStore, "save", broken)
    response = client.get("/p/riverside/")
    assert response.status_code == 500 and "Something went wrong" in response.content.decode()
