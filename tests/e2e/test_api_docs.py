"""The API docs page (django-ninja's Swagger UI) has a language and passes the accessibility check."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_api_docs_page_is_accessible(page: Any, a11y: Any, live_server: Any) -> None:
    page.goto("/api/v1/docs")
    page.locator("#swagger-ui .opblock").first.wait_for()
    assert page.locator("html").get_attribute("lang") == "en"
    a11y.check(page)
