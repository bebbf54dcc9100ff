from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from peerpath.api.tokens import create_token


class ApiClient:
    def __init__(self, user: Any | None) -> None:
        self.client = Client()
        self.headers = {}
        if user is not None:
            _token, secret = create_token(actor=user, name="tests")
            self.headers = {"Authorization": f"Bearer {secret}"}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def post(self, path: str, data: Any) -> Any:
        return self.client.post(f"/api/v1{path}", data, content_type="application/json", headers=self.headers)


@pytest.fixture
def api_for(world: Any) -> Any:
    return ApiClient


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Any:
    """Schemathesis calls the WSGI app directly, whose request signals would close the database
    connection that holds the test's transaction (PostgreSQL then fails); the test client avoids
    that the same way."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)
