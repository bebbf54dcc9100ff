"""Demo participants: a waiting list, relationships with Priya and Uma (supervised by Sam),
contacts, one participant who cannot be reached, one open concern. Idempotent."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from peerpath.core.actors import Actor
from peerpath.notifications.models import Channel, Delivery, DeliveryStatus
from peerpath.programs.models import FocusArea, Program
from peerpath.recruitment.services import assign_supervisor
from peerpath.support.models import ContactKind, Participant, SupportRelationship
from peerpath.support.services import common as support_common
from peerpath.support.services import concerns, contacts, matches, participants, profiles, texts

AREAS = "North Riverside\nDowntown\nEast Valley"

# name, phone, languages, areas (names), modes, area, times, must-haves
WAITING = [
    ("Marisol Vega", "555-0201", ["Spanish", "English"], ["Grief and loss"], ["phone", "in_person"], "Downtown"),
    ("Tom Becker", "555-0202", ["English"], ["Substance use recovery"], ["phone", "video"], "East Valley"),
    ("Aisha Bello", "555-0203", ["English"], ["Depression and anxiety"], ["text", "phone"], "North Riverside"),
    ("Kwame Asante", "555-0204", ["English", "Twi"], ["Chronic illness"], ["in_person"], "Downtown"),
    ("Lucía Torres", "555-0205", ["Spanish"], ["Caring for a family member"], ["phone"], "East Valley"),
]
PRIYA = [
    ("Helen Ward", "555-0301", ["English"], ["Grief and loss"], ["phone"], "Downtown"),
    ("Ravi Menon", "555-0302", ["English", "Gujarati"], ["Depression and anxiety"], ["in_person", "phone"], "Downtown"),
    ("Dana Frost", "555-0303", ["English"], ["Depression and anxiety"], ["phone", "text"], "North Riverside"),
]
UMA = [
    ("Grace Obi", "555-0401", ["English"], ["Chronic illness"], ["video", "phone"], "East Valley"),
    ("Sofia Rossi", "555-0402", ["English"], ["Depression and anxiety"], ["phone"], "North Riverside"),
]
OFFER_TO_PRIYA = ("Noah Klein", "555-0501", ["English"], ["Grief and loss"], ["phone"], "Downtown")


def _participant(program: Program, coordinator: Any, areas: dict[str, FocusArea], row: tuple) -> Participant:
    name, phone, languages, area_names, modes, area = row
    local = name.split()[0].lower()
    return participants.save_participant(
        actor=coordinator,
        program=program,
        participant=None,
        data={
            "full_name": name,
            "email": f"{local}@participants.example.org",
            "phone": phone,
            "preferred_contact": "phone",
            "languages": languages,
            "focus_areas": [areas[a] for a in area_names if a in areas],
            "modes": modes,
            "area": area,
            "availability": ["weekday_evening", "weekend_day"],
            "preferred_gender": "",
            "preferred_age_bands": [],
            "preferred_communities": [],
            "must_haves": ["language"],
            "consent_given": True,
            "consent_scope": "To be contacted by a peer supporter by phone, and that the program keeps these details.",
            "intake_notes": "Referred by their clinic; would like someone who has been through it.",
        },
    )


def _matched(coordinator: Any, participant: Participant, supporter: Any, days_ago: int) -> SupportRelationship:
    # History: matched weeks ago, so today's hold-backs (Priya's overdue supervision) do not apply.
    relationship = matches.propose_match(actor=coordinator, participant=participant, supporter=supporter, earlier=True)
    matches.respond_to_offer(actor=supporter.user, relationship=relationship, accept=True)
    started = timezone.now() - dt.timedelta(days=days_ago)
    SupportRelationship.objects.filter(pk=relationship.pk).update(proposed_at=started, activated_at=started)
    relationship.refresh_from_db()
    return relationship


def _contact(actor: Actor, relationship: SupportRelationship, days_ago: int, reached: bool, **extra: Any) -> None:
    today = timezone.localdate()
    contacts.log_contact(
        actor=actor,
        relationship=relationship,
        data={
            "contacted_on": today - dt.timedelta(days=days_ago),
            "channel": extra.pop("channel", "phone"),
            "reached": reached,
            "duration_minutes": 30 if reached else None,
            "tasks": extra.pop("tasks", ["rapport", "emotional"] if reached else []),
            "kind": extra.pop("kind", ContactKind.CHECK_IN),
            "notes": extra.pop("notes", "Talked about the week; felt a bit lighter by the end." if reached else ""),
            "next_follow_up": extra.pop("next_follow_up", None),
        },
    )


def load(program: Program, people: dict[str, Any]) -> None:
    _load(program, people)
    _failed_text(program, people["coordinator"], people["supporters"]["supporter"])


def _failed_text(program: Program, coordinator: Any, priya: Any) -> None:
    """A participant who agreed to texts (Priya's first), and a follow-up reminder the provider
    could not deliver, so the failed-messages page has something to send again (idempotent)."""
    helen = Participant.objects.filter(program=program, relationships__supporter=priya).order_by("pk").first()
    if helen is None or Delivery.objects.filter(key=f"recipient:demo-failed:{helen.pk}").exists():
        return
    recipient = texts.record_text_consent(
        actor=coordinator, participant=helen, phone="+1 202 555 0143", agreed=True, source="told Priya on the phone"
    )
    Delivery.objects.create(
        recipient=recipient,
        program=program,
        kind="support.participant_follow_up",
        channel=Channel.SMS,
        key=f"recipient:demo-failed:{helen.pk}",
        body=f"{program.name}: Priya, your peer supporter, plans to be in touch today. Reply STOP to stop these texts.",
        status=DeliveryStatus.FAILED,
        attempts=3,
        last_error="The provider reported undelivered (error 30003)",
        created_at=timezone.now() - dt.timedelta(days=1),
    )


def _load(program: Program, people: dict[str, Any]) -> None:
    if Participant.objects.filter(program=program).exists():
        return
    coordinator = people["coordinator"]
    supervisor = people["logins"]["supervisor"]
    priya, uma = people["supporters"]["supporter"], people["supporters"]["uma"]
    for supporter in (priya, uma):
        if supporter.supervisor_id != supervisor.pk:
            assign_supervisor(actor=coordinator, supporter=supporter, supervisor=supervisor)
    support_common.update_settings(actor=coordinator, program=program, data={"areas": AREAS, "requests_open": True})
    areas = {a.name: a for a in FocusArea.objects.filter(program=program)}
    for supporter, area, capacity in ((priya, "Downtown", 4), (uma, "North Riverside", 3)):
        profiles.save_matching_profile(
            actor=coordinator,
            supporter=supporter,
            data={
                "modes": ["phone", "in_person", "video"],
                "area": area,
                "availability": ["weekday_evening", "weekend_day"],
                "capacity": capacity,
                "accepting_new": True,
                "communities": [],
            },
        )
    today = timezone.localdate()
    for row in WAITING:
        _participant(program, coordinator, areas, row)

    helen, ravi, dana = (_participant(program, coordinator, areas, row) for row in PRIYA)
    helen_rel = _matched(coordinator, helen, priya, 40)
    _contact(priya.user, helen_rel, 38, True, kind=ContactKind.FIRST, tasks=["rapport", "lived_experience"])
    _contact(priya.user, helen_rel, 20, True, tasks=["emotional", "practical"])
    _contact(priya.user, helen_rel, 6, True, next_follow_up=today)  # due today
    ravi_rel = _matched(coordinator, ravi, priya, 25)
    _contact(priya.user, ravi_rel, 24, True, kind=ContactKind.FIRST)
    _contact(priya.user, ravi_rel, 12, True, next_follow_up=today - dt.timedelta(days=4))  # overdue
    dana_rel = _matched(coordinator, dana, priya, 30)
    _contact(priya.user, dana_rel, 29, True, kind=ContactKind.FIRST)
    for days in (10, 6, 2):  # cannot be reached: three tries in the last fortnight
        _contact(priya.user, dana_rel, days, False, channel="phone" if days != 6 else "text")

    grace, sofia = (_participant(program, coordinator, areas, row) for row in UMA)
    grace_rel = _matched(coordinator, grace, uma, 50)
    _contact(uma.user, grace_rel, 49, True, kind=ContactKind.FIRST, channel="video")
    _contact(uma.user, grace_rel, 9, True, next_follow_up=today + dt.timedelta(days=5))
    sofia_rel = _matched(coordinator, sofia, uma, 15)
    _contact(uma.user, sofia_rel, 14, True, kind=ContactKind.FIRST)
    _contact(uma.user, sofia_rel, 3, True, notes="Sounded low; said she had stopped going out.")
    concerns.raise_concern(
        actor=uma.user,
        relationship=sofia_rel,
        kind="concern",
        answers=[("Is the participant safe right now?", "I think so, but I am not sure.")],
        notes="Sofia has not answered since our last call, when she sounded very low.",
    )
    noah = _participant(program, coordinator, areas, OFFER_TO_PRIYA)
    matches.propose_match(actor=coordinator, participant=noah, supporter=priya, earlier=True)  # offered last week
