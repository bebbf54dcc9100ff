"""`Cache-Control: no-store` on every download and every page that can show participant data.

The rule is one middleware (`peerpath.core.middleware.NoStore`), keyed on what a response is
rather than on a list of pages: these tests check every route of the URL configuration (as a
coordinator and anonymously, whatever the answer), the public downloads and the API; the walk of
the demo program as each login (every page and download a person reaches by links) checks it in
tests/core/test_downloads.py, which walks the demo once for both modules.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client

from peerpath.core.permissions import access_of
from peerpath.training import services as training_services
from tests.core.test_url_permissions import concrete_path, project_views
from tests.crawling import no_store


@pytest.mark.django_db
def test_every_route_says_no_store_whatever_it_answers(world: Any) -> None:
    """Every view of the URL configuration, for a coordinator and for nobody: a 200, a 404 for an
    object that does not exist, a redirect to sign in. Only a public view that chose its own caching
    (the certificate's public documents) may say otherwise."""
    cached_on_purpose: set[str] = set()
    missing: list[str] = []
    for client in (world.client_for(world.coordinator), world.client_for(None)):
        for route, name, view in project_views():
            if name == "core:logout":
                continue
            response = client.get(concrete_path(route))
            if no_store(response):
                continue
            if access_of(view)[0] == "public" and response.has_header("Cache-Control"):
                assert not response.has_header("Content-Disposition"), name
                cached_on_purpose.add(name)
                continue
            missing.append(f"{name} {response.status_code}: {response.get('Cache-Control')!r}")
    assert not missing, "Routes a browser may keep:\n" + "\n".join(missing)
    assert cached_on_purpose <= {"certification:jwks", "certification:issuer", "certification:achievement"}


@pytest.mark.django_db
def test_the_calendar_feed_a_public_download_says_no_store(world: Any) -> None:
    feed = training_services.calendar_feed(actor=world.coordinator, program=world.program, owner=world.coordinator)
    response = Client().get(f"/calendar/{feed.token}.ics")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("inline")
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_api_answers_say_no_store(world: Any) -> None:
    from peerpath.api.tokens import create_token

    _token, secret = create_token(actor=world.coordinator, name="tests")
    response = Client().get("/api/v1/programs/riverside/supporters", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


def test_a_download_is_no_store_even_when_its_view_allowed_caching() -> None:
    from django.test import RequestFactory

    from peerpath.core.exports import as_download
    from peerpath.core.middleware import NoStore

    def view(_request: Any) -> HttpResponse:
        response = as_download(HttpResponse(b"x"), "x.csv")
        response["Cache-Control"] = "public, max-age=3600"
        return response

    response = NoStore(view)(RequestFactory().get("/"))
    assert response["Cache-Control"] == "no-store"
