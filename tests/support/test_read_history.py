"""Who saw this person: the coordinator reads a participant's read history on their page."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from peerpath.support.services.participants import record_view
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

HEADING = "Who saw this person"


def page_of(support: Any, user: Any, **params: Any) -> str:
    response = support.client_for(user).get(reverse("support:participant", args=["riverside", support.ana.pk]), params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_coordinator_sees_who_read_the_record_when_and_on_which_page(support: Any) -> None:
    page_of(support, support.supporter)
    support.client_for(support.supporter).get(reverse("support:contact_new", args=["riverside", support.ana_rel.pk]))
    page_of(support, support.supervisor)
    support.client_for(support.coordinator).get(
        reverse("support:participant_export", args=["riverside", support.ana.pk]), {"format": "json"}
    )
    html = page_of(support, support.coordinator)
    history = html[html.index(HEADING) :]
    for seen in ("Priya Supporter", "Sam Supervisor", "Cora Coordinator", "participant record", "log contact"):
        assert seen in history, seen
    assert "export" in history
    # Another participant's reads are not listed here.
    page_of_ben = support.client_for(support.coordinator).get(
        reverse("support:participant", args=["riverside", support.ben.pk])
    )
    ben_history = page_of_ben.content.decode().split(HEADING)[1]
    assert "Priya Supporter" not in ben_history and "Sam Supervisor" not in ben_history


@pytest.mark.parametrize("role", ["supporter", "supervisor"])
def test_supporters_and_supervisors_never_see_it(support: Any, role: str) -> None:
    reader = MembershipFactory(program=support.program, is_coordinator=True, user__full_name="Rhea Reader").user
    page_of(support, reader)
    html = page_of(support, getattr(support, role))
    assert HEADING not in html
    assert "Rhea Reader" not in html


def test_the_history_is_paginated(support: Any) -> None:
    reader = MembershipFactory(program=support.program, is_coordinator=True, user__full_name="Rhea Reader").user
    for i in range(45):
        record_view(actor=reader, program=support.program, participant=support.ana, page=f"page {i}")
    first = page_of(support, support.coordinator)
    assert "page 44" in first and "page 0<" not in first and "reads=2" in first
    last = page_of(support, support.coordinator, reads=3)
    assert "page 0<" in last and "page 44" not in last


def test_the_history_costs_the_same_queries_however_long(support: Any) -> None:
    client = support.client_for(support.coordinator)
    url = reverse("support:participant", args=["riverside", support.ana.pk])

    def queries_for_a_page() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, {"reads": 2}).status_code == 200
        return len(captured)

    client.get(url)  # the first request of a session does some one-off work
    for i in range(25):
        record_view(actor=support.supervisor, program=support.program, participant=support.ana, page=f"page {i}")
    few = queries_for_a_page()
    reader = MembershipFactory(program=support.program, is_coordinator=True).user
    for i in range(100):
        record_view(
            actor=reader if i % 2 else support.supporter, program=support.program, participant=support.ana, page="x"
        )
    assert queries_for_a_page() == few
