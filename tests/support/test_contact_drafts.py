"""Contact drafts: the autosave leaves one read in the audit log per editing session, and the
browser is told to forget its copy at logout (the browser test proves it forgets)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from peerpath.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def url(name: str, *args: Any) -> str:
    return reverse(name, args=["riverside", *args])


def open_form(client: Any, relationship_pk: int) -> str:
    """Open the contact form (an editing session) and return its one-time token."""
    page = client.get(url("support:contact_new", relationship_pk)).content.decode()
    return re.search(r'name="form_token" value="([^"]+)"', page).group(1)


def draft_reads(support: Any) -> int:
    return AuditEntry.objects.filter(
        action="participant.view", target_id=str(support.ana.pk), note="contact draft"
    ).count()


def test_autosave_writes_one_read_per_editing_session(support: Any) -> None:
    client = support.client_for(support.supporter)
    token = open_form(client, support.ana_rel.pk)
    for typed in ("H", "Ha", "Half", "Half a", "Half a thought"):
        response = client.post(url("support:contact_draft", support.ana_rel.pk), {"notes": typed, "form_token": token})
        assert response.status_code == 200 and "Draft saved" in response.content.decode()
    assert draft_reads(support) == 1
    # Opening the form again is a new editing session: one more read, however many autosaves.
    token = open_form(client, support.ana_rel.pk)
    for typed in ("Half a thought, and", "Half a thought, and more"):
        client.post(url("support:contact_draft", support.ana_rel.pk), {"notes": typed, "form_token": token})
    assert draft_reads(support) == 2


def test_autosave_without_a_form_token_reads_once_per_draft(support: Any) -> None:
    client = support.client_for(support.supporter)
    for typed in ("One", "One two", "One two three"):
        client.post(url("support:contact_draft", support.ana_rel.pk), {"notes": typed})
    assert draft_reads(support) == 1


def test_logging_out_tells_the_browser_to_forget_what_it_stored(support: Any) -> None:
    client = support.client_for(support.supporter)
    response = client.post(reverse("core:logout"))
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"storage"'
