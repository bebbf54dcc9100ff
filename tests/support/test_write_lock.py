"""Erasing a participant and publishing a batch match hold the write lock briefly (issue 12,
item 5), checked on the statements each transaction block runs (`tests/write_blocks.py`).

An erasure is all or nothing, so it is one transaction, but what it counts into the anonymous
tally is read before it. Publishing need not be all or nothing: the run is claimed in one short
transaction, then the offers are made `PUBLISH_CHUNK` per transaction.
"""

from __future__ import annotations

from typing import Any

import pytest

from peerpath.support.models import MatchRun, Participant, SupportRelationship
from peerpath.support.services import matches, participants
from tests.support.helpers import make_participant, profile
from tests.write_blocks import blocks_writing, reads, statements_by_block

pytestmark = pytest.mark.django_db


def test_an_erasure_counts_before_it_takes_the_write_lock(support: Any) -> None:
    person = make_participant(support.world, full_name="Wren Eraseme", email="wren@example.net")
    with statements_by_block() as blocks:
        participants.erase_participant(actor=support.coordinator, participant=person, reason="Asked by phone")
    assert not Participant.objects.filter(pk=person.pk).exists()
    (block,) = blocks_writing(blocks, "support_participant", "DELETE FROM")
    counted = [s for s in blocks.get(None, []) if "COUNT(" in s]
    assert any('"support_contact"' in s for s in counted) and any('"support_concern"' in s for s in counted)
    assert not [s for s in block if "COUNT(" in s], "the tally is read inside the write transaction"


def test_publishing_claims_the_run_then_offers_a_chunk_per_transaction(support: Any, monkeypatch: Any) -> None:
    for name in ["Ada First", "Ben Second", "Cy Third"]:
        make_participant(support.world, full_name=name, email=f"{name.split()[0].lower()}@example.net")
    for record in [support.priya, support.uma]:
        profile(support.world, record, capacity=5)
    run = matches.run_batch_match(actor=support.coordinator, program=support.program)
    proposals = run.proposals.count()
    assert proposals >= 3, proposals
    monkeypatch.setattr(matches, "PUBLISH_CHUNK", 2)
    with statements_by_block() as blocks:
        made, skipped = matches.publish_match_run(actor=support.coordinator, run=run)
    assert len(made) == proposals and not skipped
    offering = blocks_writing(blocks, "support_supportrelationship")
    per_block = [sum('INSERT INTO "support_supportrelationship"' in s for s in block) for block in offering]
    assert per_block == [2] * (proposals // 2) + ([1] if proposals % 2 else []), per_block
    # The claim is its own short transaction, before any offer and with none in it.
    (claim,) = blocks_writing(blocks, "support_matchrun", "UPDATE")
    assert claim not in offering and len(reads(claim)) <= 5, reads(claim)
    assert MatchRun.objects.get(pk=run.pk).state == "published"
    assert SupportRelationship.objects.filter(match_run=run).count() == proposals
