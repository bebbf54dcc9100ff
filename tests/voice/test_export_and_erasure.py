"""Every voice record that names a participant follows them: into their own export, and away with
them when they are erased (on request, or by the retention period)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from peerpath.support.services import matches, participants
from peerpath.voice.models import AnswerLink, FeedbackAnswer, OutcomeResponse, PeerInterest, ShareConsent
from peerpath.voice.services import former
from tests.voice.helpers import VOICE_SECRETS, fill_voice_secrets

pytestmark = pytest.mark.django_db

VOICE_MODELS = (AnswerLink, FeedbackAnswer, OutcomeResponse, ShareConsent, PeerInterest)


def every_record(support: Any) -> None:
    """Ana's feedback through a link with its outcome measure, a consent to share, and, at a
    'goals met' closing, her yes to hearing about becoming a supporter."""
    fill_voice_secrets(support, support.ana_rel)
    matches.close_relationship(actor=support.supporter, relationship=support.ana_rel, close_reason="goals_met")
    support.ana_rel.refresh_from_db()
    former.record_interest(actor=support.supporter, relationship=support.ana_rel, consented=True)
    assert all(model.objects.filter(participant=support.ana).exists() for model in VOICE_MODELS)


def test_the_participants_export_holds_every_voice_record(support: Any) -> None:
    every_record(support)
    response = support.client_for(support.coordinator).get(
        f"/p/riverside/support/participants/{support.ana.pk}/export/"
    )
    assert response.status_code == 200
    data = json.loads(b"".join(response.streaming_content) if response.streaming else response.content)
    voice = data["voice"]
    [answer] = voice["feedback"]
    assert (answer["felt_heard"], answer["good_fit"], answer["message"]) == (
        "not_really",
        "not_sure",
        VOICE_SECRETS["feedback_message"],
    )
    [measure] = voice["outcome_measures"]
    assert measure["answers"] == {"1": 3, "2": 3, "3": 3, "4": 3, "5": 1} and measure["scores"]
    [consent] = voice["consents_to_share"]
    assert consent["recipient"] == VOICE_SECRETS["share_recipient"] and consent["scope"] == ["outcomes"]
    [interest] = voice["becoming_a_supporter"]
    assert interest["consented"] is True


@pytest.mark.parametrize("how", ["request", "retention"])
def test_erasure_takes_every_voice_record_with_the_participant(support: Any, how: str) -> None:
    every_record(support)
    pk = support.ana.pk
    support.ana.refresh_from_db()
    if how == "request":
        participants.erase_participant(actor=support.coordinator, participant=support.ana, reason="Asked by phone")
    else:
        erased = participants.erase_closed_participants(
            actor=support.coordinator, program=support.program, participant_ids=[support.ana.pk]
        )
        assert erased == 1
    assert [model.__name__ for model in VOICE_MODELS if model.objects.filter(participant_id=pk).exists()] == []
