"""Who may take new matches, and the data matching reads (no names: nothing here decrypts).

Eligible for a new match: pathway stage 'active' with a login; certified (or provisionally,
if the program allows); not held back by a check registered in ``peerpath.support.availability``
(care registers its hold-backs: on a break, paused by their supervisor...); open to new
matches; below capacity. Capacity counts proposed and active relationships (a closing one is
winding down and frees its place). A hold-back that still allows a few new matches caps the
supporter's free places instead ("returning from a break: one new match in the first two weeks").
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

from django.db.models import Count, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext

from peerpath.certification.queries import credential_standing
from peerpath.programs.models import Program
from peerpath.recruitment.models import Stage, Supporter
from peerpath.support import availability
from peerpath.support.defaults import get_settings
from peerpath.support.matching import MAX_WEEKS, URGENCY_RANK, Needs, Offer, norm, norm_set
from peerpath.support.models import (
    OPEN_STATES,
    CloseReason,
    Conflict,
    MatchingProfile,
    Participant,
    ParticipantStatus,
    RelationshipState,
    SupportRelationship,
    SupportWanted,
)

LOAD_STATES = (RelationshipState.PROPOSED, RelationshipState.ACTIVE)


@dataclass
class Pool:
    """The supporters who can take a new participant, and those who cannot (with why)."""

    offers: list[Offer] = field(default_factory=list)
    supporters: dict[int, Supporter] = field(default_factory=dict)
    excluded: list[tuple[Supporter, str]] = field(default_factory=list)
    limited: list[tuple[Supporter, str]] = field(default_factory=list)  # in the pool, with fewer places


def loads(program: Program) -> dict[int, int]:
    """Proposed and active relationships per supporter."""
    return dict(
        SupportRelationship.objects.filter(program=program, state__in=LOAD_STATES)
        .values_list("supporter_id")
        .annotate(n=Count("id"))
        .values_list("supporter_id", "n")
    )


def profile_of(supporter: Supporter) -> MatchingProfile:
    try:
        return supporter.matching_profile
    except MatchingProfile.DoesNotExist:
        return MatchingProfile(supporter=supporter)


def active_supporters(program: Program) -> QuerySet[Supporter]:
    return (
        Supporter.objects.filter(program=program, stage=Stage.ACTIVE)
        .select_related("matching_profile", "user", "supervisor")
        .prefetch_related("focus_areas")
        .order_by("full_name")
    )


def supporter_pool(program: Program, on_date: dt.date | None = None, holds: bool = True) -> Pool:
    """Split the program's active supporters into those who can take a new match and those who cannot.

    ``holds=False`` leaves out the registered hold-backs (a match recorded as made earlier)."""
    settings_row = get_settings(program)
    on_date = on_date or timezone.localdate()
    supporters = list(active_supporters(program))
    load = loads(program)
    standing = credential_standing(program, [s.pk for s in supporters]) if supporters else {}
    allowed_standing = {"certified"} | ({"provisional"} if settings_row.allow_provisional else set())
    held = availability.hold_backs(program, on_date) if holds else {}
    pool = Pool()
    for supporter in supporters:
        profile = profile_of(supporter)
        current = load.get(supporter.pk, 0)
        reason = ""
        if supporter.user_id is None:
            reason = gettext("has no login yet")
        elif standing.get(supporter.pk) not in allowed_standing:
            reason = gettext("credential not current (%(standing)s)") % {
                "standing": standing.get(supporter.pk) or gettext("none")
            }
        elif away := [h.reason for h in held.get(supporter.pk, []) if h.new_places <= 0]:
            reason = "; ".join(away)
        elif not profile.accepting_new:
            reason = gettext("not taking new matches")
        elif current >= profile.capacity:
            reason = gettext("at capacity (%(current)s of %(capacity)s)") % {
                "current": current,
                "capacity": profile.capacity,
            }
        if reason:
            pool.excluded.append((supporter, reason))
            continue
        pool.supporters[supporter.pk] = supporter
        offer = offer_for(supporter, profile, current)
        if limits := held.get(supporter.pk):
            offer = replace(offer, limit=min(h.new_places for h in limits))
            pool.limited.append((supporter, "; ".join(h.reason for h in limits)))
        pool.offers.append(offer)
    return pool


def offer_for(supporter: Supporter, profile: MatchingProfile, load: int) -> Offer:
    return Offer(
        id=supporter.pk,
        name=supporter.full_name,
        focus_areas=frozenset(a.pk for a in supporter.focus_areas.all()),
        languages=norm_set(supporter.languages or []),
        modes=frozenset(profile.modes or []),
        area=profile.area,
        availability=frozenset(profile.availability or []),
        gender=profile.gender,
        age_band=profile.age_band,
        communities=norm_set(profile.communities or []),
        capacity=profile.capacity,
        load=load,
    )


def weeks_waiting(participant: Any, on_date: dt.date, zone: dt.tzinfo | None = None) -> int:
    """Whole weeks on the waiting list by ``on_date``, capped at `matching.MAX_WEEKS` (``zone``:
    the current time zone, looked up once by a caller reading many)."""
    if not participant.waiting_since:
        return 0
    since = participant.waiting_since.astimezone(zone or timezone.get_current_timezone()).date()
    return min(max((on_date - since).days // 7, 0), MAX_WEEKS)


def needs_for(
    participant: Any, focus_area_ids: frozenset[int], on_date: dt.date | None = None, zone: dt.tzinfo | None = None
) -> Needs:
    """What ``participant`` (a record, or a row with the same fields) asked for, comparable."""
    on_date = on_date or timezone.localdate()
    return Needs(
        id=participant.id,
        focus_areas=focus_area_ids,
        languages=norm_set(participant.languages or []),
        modes=frozenset(participant.modes or []),
        area=norm(participant.area or ""),
        availability=frozenset(participant.availability or []),
        gender=participant.preferred_gender or "",
        age_bands=frozenset(participant.preferred_age_bands or []),
        communities=norm_set(participant.preferred_communities or []),
        must_haves=frozenset(participant.must_haves or []),
        urgency=URGENCY_RANK.get(participant.urgency, 0),
        weeks=weeks_waiting(participant, on_date, zone),
    )


def waiting_list(program: Program) -> QuerySet[Participant]:
    """Participants waiting for a supporter and not already offered to one (those who asked only
    for a group are not waiting for a supporter)."""
    return (
        Participant.objects.filter(program=program, status=ParticipantStatus.WAITING)
        .exclude(support_wanted=SupportWanted.GROUP)
        .exclude(relationships__state__in=OPEN_STATES)
        .order_by("waiting_since", "id")
    )


# The list fields of a participant the match reads, and whether their values are compared normalised.
LIST_FIELDS = {
    "languages": True,
    "modes": False,
    "availability": False,
    "preferred_age_bands": False,
    "preferred_communities": True,
    "must_haves": False,
}


def waiting_needs(program: Program, on_date: dt.date | None = None) -> list[Needs]:
    """The needs of everyone on the waiting list, longest waiting first, in two queries.

    The same as `needs_for` on each participant, read as plain rows (not model instances: the
    batch match reads the whole waiting list) with each list field as its stored JSON text: a
    long waiting list repeats a few hundred distinct lists, so each is parsed once."""
    on_date = on_date or timezone.localdate()
    zone = timezone.get_current_timezone()
    texts = {f"{name}_text": Cast(name, TextField()) for name in LIST_FIELDS}
    rows = (
        waiting_list(program)
        .annotate(**texts)
        .values_list("id", "area", "preferred_gender", "urgency", "waiting_since", *texts)
    )
    areas: dict[int, set[int]] = defaultdict(set)
    through = (
        Participant.focus_areas.through.objects.filter(
            participant__program=program, participant__status=ParticipantStatus.WAITING
        )
        .exclude(participant__support_wanted=SupportWanted.GROUP)
        .values_list("participant_id", "focusarea_id")
    )
    for participant_id, area_id in through:
        areas[participant_id].add(area_id)
    parsed: dict[tuple[bool, str | None], frozenset[str]] = {}

    def as_set(normalised: bool, text: str | None) -> frozenset[str]:
        found = parsed.get((normalised, text))
        if found is None:
            values = (json.loads(text) if text else None) or []
            found = norm_set(values) if normalised else frozenset(values)
            parsed[(normalised, text)] = found
        return found

    flags = list(LIST_FIELDS.values())
    needs = []
    for pk, area, gender, urgency, since, *lists in rows:
        languages, modes, times, ages, communities, musts = (
            as_set(flag, text) for flag, text in zip(flags, lists, strict=True)
        )
        weeks = min(max((on_date - since.astimezone(zone).date()).days // 7, 0), MAX_WEEKS) if since else 0
        needs.append(
            Needs(
                id=pk,
                focus_areas=frozenset(areas.get(pk, ())),
                languages=languages,
                modes=modes,
                area=norm(area or ""),
                availability=times,
                gender=gender or "",
                age_bands=ages,
                communities=communities,
                must_haves=musts,
                urgency=URGENCY_RANK.get(urgency, 0),
                weeks=weeks,
            )
        )
    return needs


def excluded_pairs(program: Program) -> set[tuple[int, int]]:
    """(supporter, participant) pairs never proposed: declared conflicts, and earlier matches of
    the same pair that the supporter declined or that ended in a rematch."""
    pairs = set(Conflict.objects.filter(program=program).values_list("supporter_id", "participant_id"))
    pairs |= set(
        SupportRelationship.objects.filter(
            program=program,
            state=RelationshipState.CLOSED,
            close_reason__in=[CloseReason.DECLINED, CloseReason.REMATCHED],
        ).values_list("supporter_id", "participant_id")
    )
    return pairs
