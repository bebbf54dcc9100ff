"""A contact draft kept in the browser while typing is gone from it once the supporter logs out."""

from __future__ import annotations

import re
from typing import Any

import pytest

from peerpath.support.models import ContactDraft
from tests.e2e.helpers import login
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

DRAFT_KEYS = "Object.keys(localStorage).filter(k => k.startsWith('peerpath-draft'))"


def test_logging_out_clears_the_draft_from_the_browser(page: Any, a11y: Any, live_server: Any, support: Any) -> None:
    login(page, a11y, support.supporter.email, PASSWORD)
    page.goto(f"/p/riverside/support/relationships/{support.ana_rel.pk}/contacts/new/")
    a11y.check(page)
    page.get_by_label("Notes").fill("She told me about her sister's illness.")
    page.get_by_text(re.compile("Draft saved")).wait_for()
    assert page.evaluate(DRAFT_KEYS) == [f"peerpath-draft-{support.supporter.pk}-{support.ana_rel.pk}"]
    assert "illness" in page.evaluate(f"localStorage.getItem({DRAFT_KEYS}[0])")

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    a11y.check(page)
    assert page.evaluate(DRAFT_KEYS) == []
    assert page.evaluate("localStorage.length") == 0
    # The server's copy (encrypted, the supporter's own) is still there for their next session.
    assert ContactDraft.objects.filter(user=support.supporter, relationship=support.ana_rel).exists()
