"""The groups API reads: the same people as the pages, counts but never members' names."""

from __future__ import annotations

from typing import Any

import pytest

from peerpath.groups import services
from tests.factories import FocusAreaFactory
from tests.groups.helpers import colleague, member, past_session, weekly_group

pytestmark = pytest.mark.django_db


def test_groups_and_sessions_for_coordinators_and_facilitators(world: Any, api_for: Any) -> None:
    # Two areas, given out of the program's order: the API lists them in that order.
    later = FocusAreaFactory(program=world.program, name="Veterans", position=2)
    first = FocusAreaFactory(program=world.program, name="Grief and loss", position=1)
    group = weekly_group(world, areas=[later, first])
    mia = member(world, group, "Mia Member")
    held = past_session(group)
    services.take_attendance(
        actor=world.supporter, session=held, present=[mia], first_time_drop_ins=2, returning_drop_ins=0
    )
    listing = api_for(world.coordinator).get("/programs/riverside/groups").json()
    assert listing["count"] == 1
    row = listing["items"][0]
    assert row["name"] == "Tuesday group" and row["member_count"] == 1 and row["audience"] == "participants"
    assert row["lead"]["full_name"] == world.supporter_record.full_name
    assert row["areas"] == ["Grief and loss", "Veterans"]
    sessions = api_for(world.supporter).get(f"/programs/riverside/groups/{group.pk}/sessions", status="held")
    body = sessions.json()
    assert body["count"] == 1
    assert body["items"][0]["members_present"] == 1 and body["items"][0]["first_time_drop_ins"] == 2
    assert "Mia" not in sessions.content.decode()
    assert (
        api_for(world.coordinator).get(f"/programs/riverside/groups/{group.pk}/sessions", status="nonsense").status_code
        == 422
    )


def test_others_see_no_group(world: Any, api_for: Any) -> None:
    group = weekly_group(world)
    stranger = colleague(world, "Sid Stranger")
    assert api_for(stranger.user).get("/programs/riverside/groups").json()["count"] == 0
    assert api_for(stranger.user).get(f"/programs/riverside/groups/{group.pk}/sessions").status_code == 404
    assert api_for(world.trainer).get("/programs/riverside/groups").status_code == 403
    assert api_for(world.outsider).get("/programs/riverside/groups").status_code == 404
