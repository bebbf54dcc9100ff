"""Helpers for support tests (and any test that needs a participant or a match): intake data, a
participant made through the service, a matching profile, a certificate and an accepted match.
The `support` personas built from them are a fixture in tests/fixtures.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from peerpath.certification.services import current_certificate, issue_certificate
from peerpath.core.models import User
from peerpath.recruitment.models import Stage, Supporter
from peerpath.support.models import Participant, SupportRelationship
from peerpath.support.services import matches, participants, profiles


def participant_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "full_name": "Ana Lopez",
        "email": "ana.lopez@example.net",
        "phone": "555-0142",
        "preferred_contact": "phone",
        "languages": ["Spanish", "English"],
        "focus_areas": [],
        "modes": ["phone"],
        "area": "",
        "availability": ["weekday_evening"],
        "preferred_gender": "",
        "preferred_age_bands": [],
        "preferred_communities": [],
        "must_haves": ["language"],
        "consent_given": True,
        "consent_scope": "To be called by a peer supporter.",
        "intake_notes": "",
    }
    data.update(overrides)
    return data


def make_participant(world: Any, **overrides: Any) -> Participant:
    return participants.save_participant(
        actor=world.coordinator, program=world.program, participant=None, data=participant_data(**overrides)
    )


def profile(world: Any, supporter: Supporter, **overrides: Any) -> None:
    data = {
        "languages": supporter.languages or ["English", "Spanish"],
        "focus_areas": list(supporter.focus_areas.all()),
        "modes": ["phone", "in_person"],
        "area": "",
        "availability": ["weekday_evening"],
        "capacity": 3,
        "gender": "",
        "age_band": "",
        "communities": [],
        "accepting_new": True,
    }
    data.update(overrides)
    profiles.save_matching_profile(actor=world.coordinator, supporter=supporter, data=data)
    certify(world, supporter)


def certify(world: Any, supporter: Supporter) -> None:
    """Matching takes certified supporters only."""
    if supporter.stage == Stage.ACTIVE and current_certificate(supporter) is None:
        issue_certificate(actor=world.coordinator, supporter=supporter)


def match(world: Any, participant: Participant, supporter: Supporter, user: User) -> SupportRelationship:
    relationship = matches.propose_match(actor=world.coordinator, participant=participant, supporter=supporter)
    matches.respond_to_offer(actor=user, relationship=relationship, accept=True)
    SupportRelationship.objects.filter(pk=relationship.pk).update(activated_at=timezone.now() - dt.timedelta(days=30))
    relationship.refresh_from_db()
    return relationship
