"""Declared conflicts and supporters' matching profiles."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peerpath.core import audit
from peerpath.core.actors import Actor
from peerpath.recruitment.models import Supporter
from peerpath.support import eligibility
from peerpath.support.lifecycle import move_relationship
from peerpath.support.models import (
    CloseReason,
    Conflict,
    MatchingProfile,
    Participant,
    RelationshipState,
    SupportRelationship,
)
from peerpath.support.services.common import acting_user, snapshot_fields


def declare_conflict(*, actor: Actor, supporter: Supporter, participant: Participant, reason: str = "") -> Conflict:
    """Record that a supporter knows a participant: the pair is never matched.

    Rule: same program. An open proposal between the two is withdrawn.
    """
    if supporter.program_id != participant.program_id:
        raise ValidationError(_("The supporter and the participant must be in the same program."))
    with transaction.atomic():
        conflict, created = Conflict.objects.get_or_create(
            supporter=supporter,
            participant=participant,
            defaults={"program_id": supporter.program_id, "reason": reason, "declared_by": acting_user(actor)},
        )
        if created:
            audit.record(actor=actor, program=supporter.program, action="conflict.declare", target=conflict)
        for proposal in SupportRelationship.objects.filter(
            supporter=supporter, participant=participant, state=RelationshipState.PROPOSED
        ):
            move_relationship(
                actor=actor,
                relationship=proposal,
                to_state=RelationshipState.CLOSED,
                close_reason=CloseReason.DECLINED,
                reason=_("Conflict declared"),
            )
    return conflict


PROFILE_FIELDS = ["modes", "area", "availability", "capacity", "gender", "age_band", "communities", "accepting_new"]


def save_matching_profile(*, actor: Actor, supporter: Supporter, data: dict[str, Any]) -> MatchingProfile:
    """Save what a supporter offers for matching, with their languages and lived-experience areas.

    Rules: capacity from 1 to 20; areas from this program. Lowering capacity below the
    current caseload is allowed (no new matches until it drops) but never ends a relationship.
    """
    capacity = data.get("capacity", 1)
    if capacity is None or not 1 <= capacity <= 20:
        raise ValidationError({"capacity": _("Capacity is between 1 and 20 participants.")})
    areas = list(data.get("focus_areas") or [])
    if any(a.program_id != supporter.program_id for a in areas):
        raise ValidationError({"focus_areas": _("Choose from this program's areas.")})
    with transaction.atomic():
        profile = eligibility.profile_of(supporter)
        before = {**snapshot_fields(profile, PROFILE_FIELDS), **audit.snapshot(supporter, ["languages", "focus_areas"])}
        for name in PROFILE_FIELDS:
            if name in data:
                setattr(profile, name, data[name])
        profile.updated_at = timezone.now()
        profile.save()
        if "languages" in data:
            supporter.languages = data["languages"]
            supporter.save(update_fields=["languages"])
        if "focus_areas" in data:
            supporter.focus_areas.set(areas)
        after = {**audit.snapshot(profile, PROFILE_FIELDS), **audit.snapshot(supporter, ["languages", "focus_areas"])}
        changes = audit.diff(before, after)
        if changes:
            audit.record(
                actor=actor,
                program=supporter.program,
                action="matching_profile.update",
                target=profile,
                changes=changes,
            )
    return profile
