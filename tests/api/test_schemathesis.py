"""Property-based checks of the whole API against its own OpenAPI schema: no server errors,
responses that match the schema, for every operation, as a real token holder."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    negative_data_rejection,
    positive_data_acceptance,
    unsupported_method,
    use_after_free,
)

from peerpath.api.tokens import create_token
from peerpath.wsgi import application


@pytest.fixture
def bearer(world: Any) -> dict[str, str]:
    _token, secret = create_token(actor=world.coordinator, name="schemathesis")
    return {"Authorization": f"Bearer {secret}"}


# Loaded through the WSGI app in-process: the schema endpoint needs no database.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case: Any, bearer: dict[str, str]) -> None:
    if "program" in (case.path_parameters or {}):
        # Mostly aim at the real program so the permitted paths are exercised, not only 404s.
        case.path_parameters["program"] = "riverside"
    case.call_and_validate(
        headers=bearer,
        excluded_checks=[negative_data_rejection, positive_data_acceptance, use_after_free, unsupported_method],
    )
