"""\"Is this a good fit?\": the supporter is asked after the first contact (or N days); "not a
good fit" offers the coordinator a rematch that excludes the pair, keeps the participant's
place in the queue and records why (`matches.rematch_for_poor_fit`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from peerpath.core.models import AuditEntry
from peerpath.support import eligibility
from peerpath.support.models import (
    CloseReason,
    FitAnswer,
    Participant,
    ParticipantStatus,
    RelationshipState,
    SupportRelationship,
)
from peerpath.support.services import matches


def page(support: Any, user: Any, relationship: SupportRelationship) -> str:
    url = reverse("support:relationship", args=[support.program.slug, relationship.pk])
    return support.client_for(user).get(url).content.decode()


def test_the_supporter_is_asked_after_the_first_contact_or_n_days(support: Any) -> None:
    rel = support.ana_rel  # active for 30 days (helpers.match): past the 14-day default
    assert matches.fit_question_due(rel)
    assert "Is this a good fit?" in page(support, support.supporter, rel)
    SupportRelationship.objects.filter(pk=rel.pk).update(activated_at=timezone.now(), first_contact_on=None)
    rel.refresh_from_db()
    assert not matches.fit_question_due(rel)  # new, no contact yet
    assert matches.fit_question_due(rel, timezone.localdate() + dt.timedelta(days=14))
    SupportRelationship.objects.filter(pk=rel.pk).update(first_contact_on=timezone.localdate())
    rel.refresh_from_db()
    assert matches.fit_question_due(rel)  # the first contact happened


def test_still_deciding_asks_again_and_a_good_fit_stops_asking(support: Any) -> None:
    client = support.client_for(support.supporter)
    url = reverse("support:relationship_fit", args=[support.program.slug, support.ana_rel.pk])
    client.post(url, {"answer": "deciding"})
    assert matches.fit_question_due(support.ana_rel)
    client.post(url, {"answer": "good"})
    assert not matches.fit_question_due(support.ana_rel)
    assert list(FitAnswer.objects.values_list("answer", flat=True)) == ["good", "deciding"]
    assert client.post(url, {"answer": "maybe"}).status_code == 400
    # Only the supporter in the relationship answers.
    with pytest.raises(ValidationError):
        matches.answer_fit(actor=support.uma_user, relationship=support.ana_rel, answer="poor")


def test_the_home_page_asks_until_the_supporter_answers(support: Any) -> None:
    """The supporter need not open the relationship to be asked: their home page links to the
    question while it is due, and stops once they answer "a good fit"."""
    home = reverse("programs:home", args=[support.program.slug])
    client = support.client_for(support.supporter)
    link = reverse("support:relationship", args=[support.program.slug, support.ana_rel.pk]) + "#fit-h"
    assert link in client.get(home).content.decode()
    both = [support.ana_rel, support.ben_rel]
    assert matches.fit_questions_due(support.program, both) >= {support.ana_rel.pk}
    # The answers given (as the home page reads them with the caseload) decide the same way.
    assert support.ana_rel.pk not in matches.fit_questions_due(
        support.program, both, answers={support.ana_rel.pk: "good"}
    )
    assert support.ana_rel.pk in matches.fit_questions_due(
        support.program, both, answers={support.ana_rel.pk: "deciding"}
    )
    matches.answer_fit(actor=support.supporter, relationship=support.ana_rel, answer="good")
    assert link not in client.get(home).content.decode()
    assert support.ana_rel.pk not in matches.fit_questions_due(support.program, both)


def test_not_a_good_fit_offers_a_rematch_that_keeps_the_place_and_excludes_the_pair(support: Any) -> None:
    rel, ana = support.ana_rel, support.ana
    queued = timezone.now() - dt.timedelta(days=90)
    Participant.objects.filter(pk=ana.pk).update(waiting_since=queued)
    support.client_for(support.supporter).post(
        reverse("support:relationship_fit", args=[support.program.slug, rel.pk]),
        {"answer": "poor", "note": "We never found things to talk about."},
    )
    coordinator_page = page(support, support.coordinator, rel)
    assert "Not a good fit" in coordinator_page and "Rematch, keeping their place in the queue" in coordinator_page
    client = support.client_for(support.coordinator)
    rematch = reverse("support:relationship_fit_rematch", args=[support.program.slug, rel.pk])
    assert client.post(rematch, {"reason": "", "raised_by": "supporter"}).status_code == 400  # why is required
    response = client.post(rematch, {"reason": "Not a good fit: no common ground", "raised_by": "supporter"})
    assert response.status_code == 302
    rel.refresh_from_db()
    ana.refresh_from_db()
    assert rel.state == RelationshipState.CLOSED and rel.close_reason == CloseReason.REMATCHED
    assert "no common ground" in rel.close_note  # why, kept (encrypted) with the relationship
    assert ana.status == ParticipantStatus.WAITING and ana.waiting_since == queued  # her place in the queue
    assert AuditEntry.objects.filter(action="relationship.fit_rematch", target_id=str(rel.pk)).exists()
    # Never the same pair again: not in a batch match, not by hand.
    result = matches.compute_batch(support.program)
    assert (ana.pk, support.priya.pk) not in {(p, s) for p, s, *_ in result.pairs}
    assert (support.priya.pk, ana.pk) in eligibility.excluded_pairs(support.program)
    with pytest.raises(ValidationError, match=r"declined them before|conflict"):
        matches.propose_match(actor=support.coordinator, participant=ana, supporter=support.priya)


def test_the_participants_answer_can_ask_for_the_rematch_too(support: Any) -> None:
    person = matches.rematch_for_poor_fit(
        actor=support.coordinator,
        relationship=support.ben_rel,
        reason="Ben asked for someone else",
        raised_by="participant",
    )
    assert person.status == ParticipantStatus.WAITING
    support.ben_rel.refresh_from_db()
    assert "raised by the participant" in support.ben_rel.close_note
    with pytest.raises(ValidationError):  # closed already
        matches.rematch_for_poor_fit(actor=support.coordinator, relationship=support.ben_rel, reason="again")
    with pytest.raises(ValidationError):
        matches.rematch_for_poor_fit(
            actor=support.coordinator, relationship=support.ana_rel, reason="x", raised_by="someone"
        )
