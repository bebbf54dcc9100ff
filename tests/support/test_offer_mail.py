"""A match offer's e-mail says it is an offer awaiting an answer, not a match already made."""

from __future__ import annotations

from typing import Any

from django.core import mail

from peerpath.support.services import matches


def test_offer_email_subject_says_offer(support: Any) -> None:
    matches.propose_match(actor=support.coordinator, participant=support.waiting, supporter=support.priya)
    subjects = [m.subject for m in mail.outbox if support.supporter.email in m.to]
    assert subjects and all("offer" in s.lower() and "matched" not in s.lower() for s in subjects), subjects


def test_participant_list_order_matches_its_caption(support: Any) -> None:
    import datetime as dt

    from django.utils import timezone

    from peerpath.support.models import Participant

    # Ana and Ben (matched) have waited longer than Carla (waiting): Carla still comes first.
    Participant.objects.filter(pk=support.waiting.pk).update(waiting_since=timezone.now())
    Participant.objects.filter(pk=support.ana.pk).update(waiting_since=timezone.now() - dt.timedelta(days=90))
    body = support.client_for(support.coordinator).get("/p/riverside/support/participants/").content.decode()
    assert "those waiting first, longest waiting first" in body
    assert body.index("Carla Diaz") < body.index("Ana Lopez") < body.index("Ben Okoro")
