"""From participant to supporter: asked at a 'goals met' closing, invited to apply with consent,
the application form set to "I was a participant in the program"."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from peerpath.core.models import AuditEntry, OutgoingEmail
from peerpath.recruitment.models import Source
from peerpath.support.services import matches
from peerpath.voice.models import PeerInterest

pytestmark = pytest.mark.django_db


def close(support: Any, reason: str = "goals_met") -> None:
    matches.close_relationship(actor=support.supporter, relationship=support.ana_rel, close_reason=reason)


def test_the_supporter_asks_and_the_coordinator_invites(support: Any) -> None:
    close(support)
    supporter = support.client_for(support.supporter)
    page = supporter.get(f"/p/riverside/support/relationships/{support.ana_rel.pk}/")
    assert b"Would they like to hear about becoming a peer supporter later?" in page.content
    url = f"/p/riverside/voice/relationships/{support.ana_rel.pk}/becoming-a-supporter/"
    assert supporter.post(url, {"consented": "yes"}).status_code == 302
    assert supporter.post(url, {"consented": "no"}).status_code == 302  # asked once: the first answer stands
    interest = PeerInterest.objects.get()
    assert interest.consented and interest.asked_by == support.supporter

    coordinator = support.client_for(support.coordinator)
    listing = coordinator.get("/p/riverside/voice/former-participants/")
    assert listing.status_code == 200 and b"Ana Lopez" in listing.content
    mail.outbox.clear()
    response = coordinator.post(f"/p/riverside/voice/former-participants/{interest.pk}/invite/")
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["ana.lopez@example.net"]
    assert OutgoingEmail.objects.get(link_kind="voice_invitation").to == []  # no address rests in the outbox
    link = re.search(r"http://testserver(/\S+)", message.body)
    assert link and link.group(1).endswith(f"?source={Source.FORMER_PARTICIPANT}")
    form = Client().get(link.group(1))
    assert form.status_code == 200
    assert re.search(rb'value="former_participant"[^>]*checked|checked[^>]*value="former_participant"', form.content)
    interest.refresh_from_db()
    assert interest.invited_at is not None
    assert AuditEntry.objects.filter(action="voice.peer_interest.invite").count() == 1
    coordinator.post(f"/p/riverside/voice/former-participants/{interest.pk}/invite/")
    assert len(mail.outbox) == 1  # once


def test_no_is_recorded_and_never_invited(support: Any) -> None:
    close(support)
    support.client_for(support.supporter).post(
        f"/p/riverside/voice/relationships/{support.ana_rel.pk}/becoming-a-supporter/", {"consented": "no"}
    )
    interest = PeerInterest.objects.get()
    assert not interest.consented
    listing = support.client_for(support.coordinator).get("/p/riverside/voice/former-participants/")
    assert b"Ana Lopez" not in listing.content
    support.client_for(support.coordinator).post(f"/p/riverside/voice/former-participants/{interest.pk}/invite/")
    assert mail.outbox == [] or all("become a peer supporter" not in m.subject for m in mail.outbox)


def test_only_a_goals_met_closing_asks(support: Any) -> None:
    close(support, "participant_ended")
    supporter = support.client_for(support.supporter)
    page = supporter.get(f"/p/riverside/support/relationships/{support.ana_rel.pk}/")
    assert b"becoming a peer supporter" not in page.content
    supporter.post(f"/p/riverside/voice/relationships/{support.ana_rel.pk}/becoming-a-supporter/", {"consented": "yes"})
    assert not PeerInterest.objects.exists()
    # Another supporter cannot answer for someone else's participant.
    other = support.client_for(support.uma_user)
    response = other.post(
        f"/p/riverside/voice/relationships/{support.ana_rel.pk}/becoming-a-supporter/", {"consented": "yes"}
    )
    assert response.status_code == 404
