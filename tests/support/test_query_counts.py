"""The main support pages run a bounded number of queries whatever the data size."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from peerpath.support.services import concerns, contacts
from tests.support.helpers import make_participant, match


def grow(support: Any, n: int) -> None:
    """n more participants matched with Priya (with contacts) and n more waiting."""
    from peerpath.support import eligibility

    profile = eligibility.profile_of(support.priya)
    profile.capacity = 20
    profile.save()
    for i in range(n):
        person = make_participant(support.world, full_name=f"Person {i} Many", email=f"p{i}@example.net")
        relationship = match(support.world, person, support.priya, support.supporter)
        contacts.log_contact(
            actor=support.supporter,
            relationship=relationship,
            data={
                "contacted_on": timezone.localdate() - dt.timedelta(days=i),
                "channel": "phone",
                "reached": bool(i % 2),
                "notes": "n",
                "next_follow_up": timezone.localdate() - dt.timedelta(days=i),
            },
        )
        concerns.raise_concern(
            actor=support.supporter, relationship=relationship, kind="concern", answers=[], notes="n"
        )
        make_participant(support.world, full_name=f"Waiting {i} Person", email=f"w{i}@example.net")


PAGES = [
    ("coordinator", "support:participants", []),
    ("coordinator", "support:attention", []),
    ("coordinator", "support:supporters", []),
    ("coordinator", "support:concerns", []),
    ("coordinator", "support:batch", []),
    ("coordinator", "programs:home", []),
    ("supporter", "support:caseload", []),
    ("supporter", "programs:home", []),
    ("supervisor", "support:supervision", []),
    ("supervisor", "programs:home", []),
]


@pytest.mark.parametrize(("who", "name", "args"), PAGES)
def test_page_queries_do_not_grow_with_data(
    support: Any, django_assert_max_num_queries: Any, who: str, name: str, args: list
) -> None:
    client = support.client_for(getattr(support, who))
    path = reverse(name, args=["riverside", *args])
    grow(support, 2)
    # A home page gathers every area's panel (groups, plans, voice and hours added theirs), each
    # with its own few queries; issue 21 asks for fewer. What must hold is that none grows.
    ceiling = 60 if name == "programs:home" else 40
    with django_assert_max_num_queries(ceiling) as small:
        assert client.get(path).status_code == 200
    grow(support, 12)
    with django_assert_max_num_queries(len(small)) as large:
        assert client.get(path).status_code == 200
    assert len(large) <= len(small)


def test_participant_and_relationship_pages_are_bounded(support: Any, django_assert_max_num_queries: Any) -> None:
    client = support.client_for(support.coordinator)
    for n in (1, 15):
        for _ in range(n):
            contacts.log_contact(
                actor=support.supporter,
                relationship=support.ana_rel,
                data={"contacted_on": timezone.localdate(), "channel": "phone", "reached": True, "notes": "x"},
            )
        with django_assert_max_num_queries(35):
            client.get(reverse("support:participant", args=["riverside", support.ana.pk]))
        with django_assert_max_num_queries(35):
            client.get(reverse("support:relationship", args=["riverside", support.ana_rel.pk]))
