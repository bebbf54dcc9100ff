"""Groups pages run a bounded number of queries whatever the number of groups, members,
sessions and answers (the coordinator's pages too, which the site-wide crawl does not reach)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from peerpath.groups import services
from peerpath.groups.models import GroupKind, GroupSession
from tests.groups.helpers import colleague, member, past_session, weekly_group


def build(world: Any, n: int) -> dict[str, int]:
    """n groups with n members each, each with a held session and an event with n answers."""
    others = [colleague(world, f"Col {i:02d}") for i in range(n)]
    first = None
    for g in range(n):
        group = weekly_group(world, name=f"Group {g:02d}", co=others[g : g + 2])
        members = [member(world, group, f"Member {g:02d}-{i:02d}") for i in range(n)]
        session = past_session(group)
        services.take_attendance(
            actor=world.coordinator, session=session, present=members, first_time_drop_ins=1, returning_drop_ins=1
        )
        services.save_notes(actor=world.coordinator, session=session, notes="n", topics="t")
        first = first or (group, session)
    dinner = weekly_group(
        world,
        name="Dinner",
        kind=GroupKind.objects.get(program=world.program, name="Social gathering"),
        admission="registration",
    )
    coming = GroupSession.objects.filter(group=dinner, starts_at__gt=timezone.now()).first()
    for person in others:
        services.rsvp(actor=person.user, session=coming, supporter=person, answer="yes")
    assert first is not None
    return {"group": first[0].pk, "session": first[1].pk, "event": coming.pk}


def pages(ids: dict[str, int]) -> list[tuple[str, str]]:
    p = "/p/riverside/groups"
    return [
        ("coordinator", "/p/riverside/"),
        ("coordinator", f"{p}/"),
        ("coordinator", f"{p}/waiting/"),
        ("coordinator", f"{p}/kinds/"),
        ("coordinator", f"{p}/settings/"),
        ("coordinator", f"{p}/{ids['group']}/"),
        ("coordinator", f"{p}/{ids['group']}/members/add/"),
        ("coordinator", f"{p}/sessions/{ids['session']}/"),
        ("coordinator", f"{p}/sessions/{ids['session']}/attendance/"),
        ("coordinator", f"{p}/events/"),
        ("coordinator", f"{p}/{ids['group']}/sessions/add/"),
        ("coordinator", f"{p}/sessions/{ids['session']}/restore/"),
        ("coordinator", f"{p}/sessions/{ids['event']}/event-attendance/"),
        ("supporter", f"{p}/sessions/{ids['session']}/concern/"),
        ("supporter", "/p/riverside/"),
        ("supporter", f"{p}/mine/"),
        ("supporter", f"{p}/events/"),
        ("supporter", f"{p}/{ids['group']}/"),
    ]


def counts(world: Any, ids: dict[str, int]) -> dict[str, int]:
    found = {}
    for who, path in pages(ids):
        client = world.client_for(getattr(world, who))
        client.get(path)  # warm the per-process caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200, (who, path, response.status_code)
        page = (
            path.replace(f"/{ids['group']}/", "/<group>/")
            .replace(f"/{ids['session']}/", "/<session>/")
            .replace(f"/{ids['event']}/", "/<event>/")
        )
        found[f"{who} {page}"] = len(queries)
    return found


@pytest.mark.django_db
def test_groups_pages_do_not_grow_with_the_data(world: Any) -> None:
    small = counts(world, build(world, 2))
    large = counts(world, build(world, 6))
    assert set(small) == set(large) and len(small) == 18
    grown = {page: (small[page], large[page]) for page in small if large[page] > small[page] + 1}
    assert not grown, f"pages whose queries grow with the data (small, large): {grown}"
