"""A concern or crisis about a group member who has no support relationship: raised by the
facilitator from the session page, it follows the same path as one raised in a relationship
(the person on call, the on-call chain and its escalation, acknowledgement and follow-up, the
audit log), and only those who read concerns see it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from peerpath.core.models import AuditEntry
from peerpath.notifications.models import Notice as Notification
from peerpath.support.models import Concern, ConcernState
from peerpath.support.services import concerns
from tests.groups.helpers import colleague, member, past_session, weekly_group

pytestmark = pytest.mark.django_db


def group_with_member(support: Any) -> tuple[Any, Any, Any]:
    """Priya (supervised by the world's supervisor) leads a group; Mia, a member, has no supporter."""
    group = weekly_group(support.world)
    mia = member(support.world, group, "Mia Member", phone="555-0101")
    return group, mia, past_session(group)


def test_the_facilitator_raises_a_crisis_about_a_member_without_a_relationship(support: Any) -> None:
    _group, mia, session = group_with_member(support)
    client = support.client_for(support.supporter)
    page = client.get(f"/p/riverside/groups/sessions/{session.pk}/").content.decode()
    url = f"/p/riverside/groups/sessions/{session.pk}/concern/"
    assert f"{url}?kind=crisis" in page
    form = client.get(f"{url}?kind=crisis").content.decode()
    assert "Mia Member" in form and "Tell the person on call now" in form
    assert client.post(url, {"kind": "crisis"}).status_code == 400  # which member?
    response = client.post(url, {"kind": "crisis", "member": mia.pk})
    concern = Concern.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/p/riverside/support/concerns/{concern.pk}/"
    assert concern.relationship is None and concern.participant_id == mia.participant_id
    assert concern.supporter == support.priya and "Tuesday group" in concern.setting
    # The on-call chain starts with Priya's supervisor, alerted urgently, with a deadline.
    assert concern.alerted[0]["user"] == support.supervisor.pk and concern.acknowledge_by is not None
    alert = Notification.objects.get(user=support.supervisor, about=f"support.concern:{concern.pk}")
    assert alert.is_urgent and "CRISIS" in alert.text and "Mia" not in alert.text
    assert AuditEntry.objects.filter(action="concern.raise_crisis", target_id=str(concern.pk)).exists()
    # Nobody acknowledges: the chain goes on to the next step, as for any crisis.
    later = concern.acknowledge_by + dt.timedelta(minutes=1)
    assert concerns.escalate_if_due(concern_id=concern.pk, noticed_by="test", now=later) is True
    concern.refresh_from_db()
    assert len(concern.alerted) == 2 and concern.escalated_at is not None

    # The raiser adds details; the supervisor reads the member's name and number, acknowledges
    # and records the follow-up.
    page = client.get(f"/p/riverside/support/concerns/{concern.pk}/").content.decode()
    assert "Mia Member" in page and "Raised outside a support relationship" in page
    details = client.post(f"/p/riverside/support/concerns/{concern.pk}/details/", {"notes": "Said she has a plan"})
    assert details.status_code == 302
    supervisor = support.client_for(support.supervisor)
    handled = supervisor.get(f"/p/riverside/support/concerns/{concern.pk}/").content.decode()
    assert "Mia Member" in handled
    supervisor.post(f"/p/riverside/support/concerns/{concern.pk}/acknowledge/")
    supervisor.post(f"/p/riverside/support/concerns/{concern.pk}/follow-up/", {"follow_up": "Called her, safe now"})
    concern.refresh_from_db()
    assert concern.state == ConcernState.RESOLVED and concern.follow_up == "Called her, safe now"
    # Someone who neither raised nor handles it: not found.
    assert support.client_for(support.uma_user).get(f"/p/riverside/support/concerns/{concern.pk}/").status_code == 404


def test_a_concern_about_a_member_needs_a_description_and_reaches_the_coordinators_list(support: Any) -> None:
    _group, mia, session = group_with_member(support)
    client = support.client_for(support.supporter)
    url = f"/p/riverside/groups/sessions/{session.pk}/concern/"
    assert client.post(url, {"kind": "concern", "member": mia.pk, "notes": ""}).status_code == 400
    assert client.post(url, {"kind": "concern", "member": mia.pk, "notes": "Seemed withdrawn"}).status_code == 302
    concern = Concern.objects.get()
    assert concern.kind == "concern" and concern.notes == "Seemed withdrawn" and concern.acknowledge_by is None
    assert Notification.objects.filter(
        user=support.supervisor, about=f"support.concern:{concern.pk}", is_urgent=False
    ).exists()
    listed = support.client_for(support.coordinator).get("/p/riverside/support/concerns/").content.decode()
    assert f"/p/riverside/support/concerns/{concern.pk}/" in listed and "Mia Member" in listed
    # The member's own page lists it among their concerns.
    record = support.client_for(support.coordinator).get(f"/p/riverside/support/participants/{mia.participant_id}/")
    assert f"/p/riverside/support/concerns/{concern.pk}/" in record.content.decode()


def test_only_a_facilitator_of_the_members_group_raises_one(support: Any) -> None:
    group, mia, session = group_with_member(support)
    other = colleague(support.world)
    # Not their group: the session is not found, and the service refuses whoever calls it.
    assert support.client_for(other.user).get(f"/p/riverside/groups/sessions/{session.pk}/concern/").status_code == 404
    with pytest.raises(PermissionDenied):
        concerns.raise_concern_outside_relationship(
            actor=other.user, participant=mia.participant, supporter=other, kind="concern", answers=[], notes="x"
        )
    # A participant who is not in Priya's group: refused too.
    with pytest.raises(PermissionDenied):
        concerns.raise_concern_outside_relationship(
            actor=support.supporter,
            participant=support.waiting,
            supporter=support.priya,
            kind="concern",
            answers=[],
            notes="x",
        )
    # A co-facilitator may.
    group.co_facilitators.add(other)
    raised = concerns.raise_concern_outside_relationship(
        actor=other.user, participant=mia.participant, supporter=other, kind="concern", answers=[], notes="Worried"
    )
    assert raised.relationship is None
    # A member who has left the group is no longer grounds.
    from peerpath.groups import services as groups

    groups.leave_group(actor=support.coordinator, member=mia)
    with pytest.raises(PermissionDenied):
        concerns.raise_concern_outside_relationship(
            actor=other.user, participant=mia.participant, supporter=other, kind="concern", answers=[], notes="x"
        )
