"""Who can take a new match: stage, certification, breaks (care, through support's availability
registry), capacity."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from peerpath.care.models import Break
from peerpath.care.services import breaks
from peerpath.certification import services as certification
from peerpath.certification.models import Level
from peerpath.recruitment.models import Stage
from peerpath.recruitment.pathway import move_to_stage
from peerpath.support import availability, eligibility
from peerpath.support.defaults import get_settings
from peerpath.support.services import matches, profiles
from tests.certification.helpers import rate, ready_trainee


def pool_ids(support: Any, on_date: dt.date | None = None) -> set[int]:
    return {o.id for o in eligibility.supporter_pool(support.program, on_date).offers}


def reasons(support: Any, on_date: dt.date | None = None) -> dict[int, str]:
    return {s.pk: r for s, r in eligibility.supporter_pool(support.program, on_date).excluded}


def test_only_active_supporters_are_in_the_pool(support: Any) -> None:
    assert pool_ids(support) == {support.priya.pk, support.uma.pk}
    support.uma.stage = Stage.ON_BREAK
    support.uma.save()
    assert pool_ids(support) == {support.priya.pk}


def test_a_supporter_without_a_current_certificate_is_not_matched(support: Any) -> None:
    certificate = certification.current_certificate(support.uma)
    certification.revoke_certificate(actor=support.coordinator, certificate=certificate, reason="Stepped back")
    assert pool_ids(support) == {support.priya.pk}
    assert reasons(support)[support.uma.pk] == "credential not current (none)"
    with pytest.raises(ValidationError, match="credential not current"):
        matches.propose_match(actor=support.coordinator, participant=support.waiting, supporter=support.uma)


def test_provisional_certification_counts_only_where_the_program_allows_it(support: Any) -> None:
    the_cohort, pia = ready_trainee(support.world, name="Pia Provisional")
    certification.decide_assessment(
        actor=support.trainer,
        assessment=rate(support.world, the_cohort, pia, [Level.COMPETENT] * 9 + [Level.DEVELOPING]),
        plan_what="Practice reflective listening",
        plan_who="Theo",
        reassessment_due=timezone.localdate() + dt.timedelta(days=30),
    )
    move_to_stage(actor=support.coordinator, supporter=pia, to_stage=Stage.ACTIVE, reason="Working while provisional")
    profiles.save_matching_profile(
        actor=support.coordinator,
        supporter=pia,
        data={
            "languages": ["English"],
            "focus_areas": [],
            "modes": ["phone"],
            "area": "",
            "availability": ["weekday_evening"],
            "capacity": 3,
            "gender": "",
            "age_band": "",
            "communities": [],
            "accepting_new": True,
        },
    )
    assert reasons(support)[pia.pk] == "credential not current (provisional)"
    row = get_settings(support.program)
    row.allow_provisional = True
    row.save()
    assert pool_ids(support) == {support.priya.pk, support.uma.pk, pia.pk}


def test_supporters_on_a_break_are_not_matched(support: Any) -> None:
    today = timezone.localdate()
    brk = breaks.request_break(
        actor=support.coordinator,
        supporter=support.uma,
        starts_on=today + dt.timedelta(days=7),
        ends_on=today + dt.timedelta(days=14),
        by_staff=True,
    )
    assert pool_ids(support) == {support.priya.pk, support.uma.pk}  # not yet
    assert pool_ids(support, today + dt.timedelta(days=10)) == {support.priya.pk}
    assert reasons(support, today + dt.timedelta(days=10))[support.uma.pk] == "on a break"
    # A break that covers today before the periodic job has moved her stage still counts.
    Break.objects.filter(pk=brk.pk).update(starts_on=today - dt.timedelta(days=1))
    support.uma.refresh_from_db()
    assert support.uma.stage == Stage.ACTIVE
    assert pool_ids(support) == {support.priya.pk}
    with pytest.raises(ValidationError, match="on a break"):
        matches.propose_match(actor=support.coordinator, participant=support.waiting, supporter=support.uma)


def test_care_registers_its_checks_with_support() -> None:
    from peerpath.care.holds import HOLDS

    # Then credentials' (after care in the app order): a required qualification not current.
    assert list(availability._CHECKS) == ["on a break", *HOLDS, "qualifications"]


def test_every_registered_check_leaves_its_supporters_out_with_its_reason(
    support: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(availability, "_CHECKS", dict(availability._CHECKS))
    availability.register_unavailable("away on a retreat", lambda program, on_date: [support.priya.pk])
    assert pool_ids(support) == {support.uma.pk}
    assert reasons(support)[support.priya.pk] == "away on a retreat"


def test_capacity_counts_proposed_and_active(support: Any) -> None:
    profile = eligibility.profile_of(support.priya)
    profile.capacity = 2
    profile.save()
    matches.propose_match(actor=support.coordinator, participant=support.waiting, supporter=support.priya)
    assert support.priya.pk not in pool_ids(support)
    assert reasons(support)[support.priya.pk] == "at capacity (2 of 2)"


def test_a_supporter_not_taking_new_matches_is_skipped(support: Any) -> None:
    profile = eligibility.profile_of(support.uma)
    profile.accepting_new = False
    profile.save()
    assert support.uma.pk not in pool_ids(support)


def test_declined_pairs_are_not_proposed_again_by_the_batch(support: Any) -> None:
    relationship = matches.propose_match(
        actor=support.coordinator, participant=support.waiting, supporter=support.priya
    )
    matches.respond_to_offer(actor=support.supporter, relationship=relationship, accept=False, reason="fit")
    result = matches.compute_batch(support.program)
    assert (support.waiting.pk, support.priya.pk) not in {(p, s) for p, s, *_ in result.pairs}


def test_the_waiting_list_reads_as_each_participant_would(support: Any) -> None:
    """`waiting_needs` (plain rows, each distinct list parsed once) says exactly what `needs_for`
    says of each participant record, whatever their lists, urgency and time waiting."""
    from peerpath.support.models import Participant
    from tests.support.helpers import make_participant

    area = support.program.focus_areas.first()
    made = [
        make_participant(support.world, full_name="Lists A", languages=[" Tamil  ", "ENGLISH"], focus_areas=[area]),
        make_participant(
            support.world,
            full_name="Lists B",
            languages=[],
            modes=["phone", "video"],
            area=" North  Side ",
            preferred_gender="woman",
            preferred_age_bands=["30_44", "45_64"],
            preferred_communities=["Veterans "],
            must_haves=["gender", "area", "language"],
        ),
        make_participant(support.world, full_name="Lists C", languages=[" Tamil  ", "ENGLISH"], must_haves=[]),
    ]
    Participant.objects.filter(pk=made[1].pk).update(
        urgency="urgent", waiting_since=timezone.now() - dt.timedelta(days=400)
    )
    Participant.objects.filter(pk=made[2].pk).update(
        urgency="soon", waiting_since=timezone.now() - dt.timedelta(days=20)
    )
    rows = {n.id: n for n in eligibility.waiting_needs(support.program)}
    assert {p.pk for p in made} <= set(rows)
    for record in Participant.objects.filter(pk__in=list(rows)):
        areas = frozenset(record.focus_areas.values_list("pk", flat=True))
        assert rows[record.pk] == eligibility.needs_for(record, areas)
    assert rows[made[1].pk].weeks == 52 and rows[made[1].pk].urgency == 2 and rows[made[2].pk].weeks == 2
    assert rows[made[0].pk].languages == frozenset({"tamil", "english"}) == rows[made[2].pk].languages
