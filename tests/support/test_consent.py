"""No offer, batch match or publication for a participant without recorded consent."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from peerpath.support.models import MatchLeftOver, MatchProposal, Participant, SupportRelationship
from peerpath.support.services import matches, participants
from tests.support.helpers import make_participant, participant_data


def url(name: str, *args: Any) -> str:
    return reverse(name, args=["riverside", *args])


def without_consent(support: Any, **overrides: Any) -> Participant:
    return make_participant(
        support.world,
        full_name="Nora Quinn",
        email="nora@example.net",
        languages=["Spanish"],
        focus_areas=[support.grief],
        consent_given=False,
        consent_scope="",
        **overrides,
    )


def test_an_offer_is_refused_without_consent(support: Any) -> None:
    nora = without_consent(support)
    with pytest.raises(ValidationError, match="no recorded consent"):
        matches.propose_match(actor=support.coordinator, participant=nora, supporter=support.priya)
    assert not SupportRelationship.objects.filter(participant=nora).exists()


def test_batch_match_leaves_out_participants_without_consent(support: Any) -> None:
    nora = without_consent(support)
    run = matches.run_batch_match(actor=support.coordinator, program=support.program)
    assert not MatchProposal.objects.filter(run=run, participant=nora).exists()
    assert MatchProposal.objects.filter(run=run, participant=support.waiting).exists()
    left = MatchLeftOver.objects.get(run=run, participant=nora)
    assert "No consent recorded" in left.reason
    assert run.waiting == 2


def test_publication_skips_a_participant_whose_consent_was_withdrawn(support: Any) -> None:
    run = matches.run_batch_match(actor=support.coordinator, program=support.program)
    assert MatchProposal.objects.filter(run=run, participant=support.waiting).exists()
    participants.save_participant(
        actor=support.coordinator,
        program=support.program,
        participant=support.waiting,
        data=participant_data(
            full_name="Carla Diaz",
            email="carla@example.net",
            languages=["Spanish"],
            focus_areas=[support.grief],
            consent_given=False,
            consent_scope="",
        ),
    )
    made, skipped = matches.publish_match_run(actor=support.coordinator, run=run)
    assert made == [] and len(skipped) == 1 and "no recorded consent" in skipped[0]
    assert not SupportRelationship.objects.filter(participant=support.waiting).exists()


def test_an_offer_cannot_be_accepted_once_consent_is_withdrawn(support: Any) -> None:
    relationship = matches.propose_match(
        actor=support.coordinator, participant=support.waiting, supporter=support.priya
    )
    Participant.objects.filter(pk=support.waiting.pk).update(consent_given=False)
    relationship.refresh_from_db()
    with pytest.raises(ValidationError, match="consent is no longer recorded"):
        matches.respond_to_offer(actor=support.supporter, relationship=relationship, accept=True)
    client = support.client_for(support.supporter)
    page = client.get(url("support:offer", relationship.pk)).content.decode()
    assert "the match cannot start" in page
    response = client.post(url("support:offer", relationship.pk), {"decision": "accept"})
    assert response.status_code == 400 and "carla@example.net" not in response.content.decode()
    relationship.refresh_from_db()
    assert relationship.state == "proposed"


def test_pages_do_not_offer_a_match_and_say_what_to_do(support: Any) -> None:
    nora = without_consent(support)
    client = support.client_for(support.coordinator)
    page = client.get(url("support:participant", nora.pk)).content.decode()
    assert "cannot be matched yet" in page and "Find a supporter" not in page
    assert url("support:participant_edit", nora.pk) in page
    match_page = client.get(url("support:participant_match", nora.pk)).content.decode()
    assert "No consent recorded" in match_page and "Offer to" not in match_page
    refused = client.post(url("support:participant_match", nora.pk), {"supporter": support.priya.pk})
    assert refused.status_code == 400 and "no recorded consent" in refused.content.decode()
    assert not SupportRelationship.objects.filter(participant=nora).exists()
