"""The API follows the same permission rules as the pages."""

from __future__ import annotations

from typing import Any

import pytest

from peerpath.api.models import ApiToken
from peerpath.api.tokens import user_for_token
from tests.factories import ApplicationFactory, SupporterFactory

pytestmark = pytest.mark.django_db

READ_PATHS = [
    ("/programs/riverside/supporters", {"coordinator"}),
    ("/programs/riverside/supporters/{supporter}", {"coordinator"}),
    ("/programs/riverside/applications", {"coordinator"}),
    ("/programs/riverside/competencies", {"coordinator", "trainer", "supervisor", "supporter"}),
]


def test_no_token_is_401(world: Any, api_for: Any) -> None:
    response = api_for(None).get("/me")
    assert response.status_code == 401 and response.json()["detail"]
    bad = api_for(None)
    bad.headers = {"Authorization": "Bearer pp_nope_nope"}
    assert bad.get("/me").status_code == 401


def test_me_lists_memberships(world: Any, api_for: Any) -> None:
    data = api_for(world.coordinator).get("/me").json()
    assert data["email"] == world.coordinator.email
    assert data["memberships"] == [{"program": "riverside", "program_name": "Riverside", "roles": ["coordinator"]}]


@pytest.mark.parametrize(("path", "allowed"), READ_PATHS)
def test_roles_outsiders_and_foreign_ids(world: Any, api_for: Any, path: str, allowed: set[str]) -> None:
    path = path.format(supporter=world.supporter_record.pk)
    for role in ("coordinator", "trainer", "supervisor", "supporter"):
        response = api_for(getattr(world, role)).get(path)
        assert response.status_code == (200 if role in allowed else 403), (role, response.content)
    assert api_for(world.outsider).get(path).status_code == 404
    # Another program's record through this program's address.
    foreign = api_for(world.coordinator).get(f"/programs/riverside/supporters/{world.outsider_record.pk}")
    assert foreign.status_code == 404 and foreign.json()["detail"]


def test_supporters_are_paginated_and_filtered(world: Any, api_for: Any) -> None:
    for i in range(5):
        ApplicationFactory(supporter=SupporterFactory(program=world.program, full_name=f"P{i}", stage="screening"))
    client = api_for(world.coordinator)
    page = client.get("/programs/riverside/supporters", limit=2, offset=0).json()
    assert page["count"] == 6 and len(page["items"]) == 2
    screening = client.get("/programs/riverside/supporters", stage="screening").json()
    assert screening["count"] == 5
    assert client.get("/programs/riverside/supporters", stage="astronaut").status_code == 422
    detail = client.get(f"/programs/riverside/supporters/{world.supporter_record.pk}").json()
    assert detail["stage"] == "active" and detail["history"] == []
    apps = client.get("/programs/riverside/applications").json()
    assert apps["count"] == 5 and "focus_areas" in apps["items"][0]


@pytest.mark.parametrize("size", [3, 50])
def test_list_queries_are_bounded(world: Any, api_for: Any, size: int, django_assert_max_num_queries: Any) -> None:
    for _ in range(size):
        ApplicationFactory(supporter=SupporterFactory(program=world.program))
    client = api_for(world.coordinator)
    with django_assert_max_num_queries(8):
        assert client.get("/programs/riverside/supporters", limit=100).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get("/programs/riverside/applications", limit=100).status_code == 200


def test_token_page_creates_shows_once_and_revokes(world: Any) -> None:
    client = world.client_for(world.trainer)
    response = client.post("/account/api-tokens/", {"name": "export"})
    secret = response.context["secret"]
    assert secret.startswith("pp_") and secret in response.content.decode()
    assert user_for_token(secret) == world.trainer
    listing = client.get("/account/api-tokens/").content.decode()
    assert secret not in listing and "export" in listing
    token = ApiToken.objects.get(user=world.trainer)
    assert token.key_hash != secret
    client.post(f"/account/api-tokens/{token.pk}/revoke/")
    assert user_for_token(secret) is None
    assert client.post("/account/api-tokens/", {"name": ""}).status_code == 400


def test_someone_elses_token_cannot_be_revoked(world: Any) -> None:
    client = world.client_for(world.trainer)
    client.post("/account/api-tokens/", {"name": "mine"})
    token = ApiToken.objects.get(user=world.trainer)
    assert world.client_for(world.coordinator).post(f"/account/api-tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.is_active


def test_the_schema_and_docs_are_served(world: Any, client: Any) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/programs/{program}/supporters" in schema["paths"]
    assert client.get("/api/v1/docs").status_code == 200
