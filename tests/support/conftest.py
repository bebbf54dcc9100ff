"""Support personas on top of the standing world: a supervised supporter with a participant,
a second supporter (Uma) with her own participant, and a participant waiting for a match."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from peerpath.certification.services import current_certificate, issue_certificate
from peerpath.core.models import User
from peerpath.programs.models import FocusArea
from peerpath.recruitment.models import Stage, Supporter
from peerpath.support.models import Participant, SupportRelationship
from peerpath.support.services import matches, participants, profiles
from tests.factories import FocusAreaFactory, MembershipFactory, SupporterFactory


@dataclass
class SupportWorld:
    world: Any
    grief: FocusArea
    anxiety: FocusArea
    priya: Supporter  # world.supporter's pathway record, supervised by world.supervisor
    uma: Supporter
    uma_user: User
    ana: Participant  # matched with Priya
    ben: Participant  # matched with Uma
    waiting: Participant  # on the waiting list
    ana_rel: SupportRelationship
    ben_rel: SupportRelationship

    def __getattr__(self, name: str) -> Any:
        return getattr(self.world, name)


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
    """Matching takes certified supporters only (once the certification area is installed)."""
    if supporter.stage == Stage.ACTIVE and current_certificate(supporter) is None:
        issue_certificate(actor=world.coordinator, supporter=supporter)


def match(world: Any, participant: Participant, supporter: Supporter, user: User) -> SupportRelationship:
    relationship = matches.propose_match(actor=world.coordinator, participant=participant, supporter=supporter)
    matches.respond_to_offer(actor=user, relationship=relationship, accept=True)
    SupportRelationship.objects.filter(pk=relationship.pk).update(activated_at=timezone.now() - dt.timedelta(days=30))
    relationship.refresh_from_db()
    return relationship


@pytest.fixture
def support(world: Any) -> SupportWorld:
    grief = FocusAreaFactory(program=world.program, name="Grief and loss")
    anxiety = FocusAreaFactory(program=world.program, name="Anxiety")
    priya = world.supporter_record
    priya.supervisor = world.supervisor
    priya.languages = ["English", "Spanish"]
    priya.save()
    priya.focus_areas.set([grief])
    uma_user = MembershipFactory(program=world.program, is_supporter=True, user__full_name="Uma Iyer").user
    uma = SupporterFactory(
        program=world.program, user=uma_user, full_name="Uma Iyer", email=uma_user.email, stage=Stage.ACTIVE
    )
    uma.languages = ["English", "Tamil"]
    uma.save()
    uma.focus_areas.set([anxiety])
    profile(world, priya)
    profile(world, uma)
    ana = make_participant(world, full_name="Ana Lopez", focus_areas=[grief])
    ben = make_participant(
        world, full_name="Ben Okoro", email="ben@example.net", languages=["English"], focus_areas=[anxiety]
    )
    ana_rel = match(world, ana, priya, world.supporter)
    ben_rel = match(world, ben, uma, uma_user)
    waiting = make_participant(
        world, full_name="Carla Diaz", email="carla@example.net", languages=["Spanish"], focus_areas=[grief]
    )
    mail.outbox.clear()
    return SupportWorld(world, grief, anxiety, priya, uma, uma_user, ana, ben, waiting, ana_rel, ben_rel)
