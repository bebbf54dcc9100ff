"""Who may handle a concern: one rule (support.access.may_handle_concern) for the acknowledge
and follow-up pages and for the services behind them."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from peerpath.programs.models import Membership
from peerpath.support.models import Concern, ConcernState
from peerpath.support.services import concerns, cover
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

FOLLOW_UP = {"follow_up": "Called her; she is safe.", "referral": ""}


def raise_crisis(support: Any) -> Concern:
    return concerns.raise_concern(
        actor=support.supporter,
        relationship=support.ana_rel,
        kind="crisis",
        answers=[("Is the participant safe right now?", "Yes")],
        notes="Talked about a hard week.",
    )


def make_supporter_a_supervisor(support: Any) -> None:
    """Priya (who raises the concern) also holds the supervisor role in the program."""
    Membership.objects.filter(program=support.program, user=support.supporter).update(is_supervisor=True)


def test_the_supporter_who_raised_it_cannot_record_the_follow_up(support: Any) -> None:
    make_supporter_a_supervisor(support)
    concern = raise_crisis(support)
    concerns.acknowledge_concern(actor=support.supervisor, concern=concern)
    response = support.client_for(support.supporter).post(
        reverse("support:concern_follow_up", args=["riverside", concern.pk]), FOLLOW_UP
    )
    assert response.status_code == 403
    concern.refresh_from_db()
    assert concern.state == ConcernState.ACKNOWLEDGED and concern.follow_up == ""
    # Her own concern page shows her no handling form.
    page = support.client_for(support.supporter).get(reverse("support:concern", args=["riverside", concern.pk]))
    assert "Record the follow-up" not in page.content.decode()


def test_nobody_handles_their_own_concern_even_while_covering_for_their_supervisor(support: Any) -> None:
    make_supporter_a_supervisor(support)
    today = timezone.localdate()
    cover.name_backup(
        actor=support.supervisor, program=support.program, backup=support.supporter, starts_on=today, ends_on=today
    )
    concern = raise_crisis(support)
    client = support.client_for(support.supporter)
    response = client.post(reverse("support:concern_acknowledge", args=["riverside", concern.pk]))
    assert response.status_code == 403
    concern.refresh_from_db()
    assert concern.state == ConcernState.OPEN
    with pytest.raises(PermissionDenied):
        concerns.acknowledge_concern(actor=support.supporter, concern=concern)


def test_a_supervisor_not_overseeing_cannot_record_the_follow_up(support: Any) -> None:
    stranger = MembershipFactory(program=support.program, is_supervisor=True, user__full_name="Stan Stranger").user
    concern = raise_crisis(support)
    concerns.acknowledge_concern(actor=support.supervisor, concern=concern)
    response = support.client_for(stranger).post(
        reverse("support:concern_follow_up", args=["riverside", concern.pk]), FOLLOW_UP
    )
    assert response.status_code == 404  # a concern the supervisor does not oversee is not theirs to see
    # The service holds the same rule for any caller, not only the page.
    with pytest.raises(PermissionDenied):
        concerns.record_follow_up(actor=stranger, concern=concern, **FOLLOW_UP)
    with pytest.raises(PermissionDenied):
        concerns.record_follow_up(actor=support.supporter, concern=concern, **FOLLOW_UP)
    concern.refresh_from_db()
    assert concern.state == ConcernState.ACKNOWLEDGED and concern.follow_up == ""


def test_the_overseeing_supervisor_and_the_coordinator_may_handle(support: Any) -> None:
    concern = raise_crisis(support)
    client = support.client_for(support.supervisor)
    assert client.post(reverse("support:concern_acknowledge", args=["riverside", concern.pk])).status_code == 302
    response = support.client_for(support.coordinator).post(
        reverse("support:concern_follow_up", args=["riverside", concern.pk]), FOLLOW_UP
    )
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.state == ConcernState.RESOLVED and concern.followed_up_by == support.coordinator
