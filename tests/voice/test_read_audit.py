"""Every page of the participant's side that shows a participant's record writes a read of it to
the audit log: the plan, its goals, steps, needs and referrals (plans), and the feedback answers,
outcome measures, summaries, consents and former participants (voice)."""

from __future__ import annotations

from typing import Any

import pytest

from peerpath.core.models import AuditEntry
from peerpath.plans import services as plans
from peerpath.support.services import matches
from peerpath.voice.models import FeedbackAnswer, PeerInterest
from peerpath.voice.services import former
from tests.plans.helpers import goal
from tests.voice.helpers import fill_voice_secrets

pytestmark = pytest.mark.django_db


def reads_of(participant_id: int) -> int:
    """Audit entries recording that the participant was read, alone or in a list."""
    alone = AuditEntry.objects.filter(action="participant.view", target_id=str(participant_id)).count()
    listed = sum(
        participant_id in (entry.changes or {}).get("shown", [])
        for entry in AuditEntry.objects.filter(action="participant.list")
    )
    return alone + listed


def test_each_page_that_shows_a_participant_records_the_read(support: Any) -> None:
    ana, rel = support.ana, support.ana_rel
    made = goal(support)
    step = plans.save_step(
        actor=support.supporter, goal=made, step=None, data={"text": "Buy shoes", "owner": "participant"}
    )
    plans.save_needs(actor=support.supporter, participant=ana, rows={"Food": ("open", "")}, relationship=rel)
    referral = plans.save_referral(
        actor=support.supporter, relationship=rel, referral=None, data={"resource_name": "Food bank", "need": "Food"}
    )
    fill_voice_secrets(support, rel)
    answer = FeedbackAnswer.objects.get()
    measure_pk = int(answer.link.measures[0]) if answer.link else 0
    p, v = "/p/riverside/plans", "/p/riverside/voice"
    pages = {
        support.supporter: [
            f"{p}/relationships/{rel.pk}/",
            f"{p}/relationships/{rel.pk}/goals/new/",
            f"{p}/goals/{made.pk}/",
            f"{p}/steps/{step.pk}/",
            f"{p}/participants/{ana.pk}/needs/",
            f"{p}/relationships/{rel.pk}/referrals/new/",
            f"{p}/referrals/{referral.pk}/",
            f"{v}/relationships/{rel.pk}/measures/{measure_pk}/",
        ],
        support.supervisor: [f"{p}/progress/"],
        support.coordinator: [
            f"{v}/feedback/",
            f"{v}/feedback/{answer.pk}/",
            f"{v}/participants/{ana.pk}/summary/",
            f"{v}/participants/{ana.pk}/consents/",
        ],
    }
    unrecorded = []
    for user, paths in pages.items():
        client = support.client_for(user)
        for path in paths:
            before = reads_of(ana.pk)
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            if reads_of(ana.pk) == before:
                unrecorded.append(path)
    # The former participants' list, once the relationship closed with its goals met.
    matches.close_relationship(actor=support.supporter, relationship=rel, close_reason="goals_met")
    rel.refresh_from_db()
    former.record_interest(actor=support.supporter, relationship=rel, consented=True)
    assert PeerInterest.objects.exists()
    before = reads_of(ana.pk)
    assert support.client_for(support.coordinator).get(f"{v}/former-participants/").status_code == 200
    if reads_of(ana.pk) == before:
        unrecorded.append(f"{v}/former-participants/")
    assert unrecorded == []
