"""Who can take a new match: stage, certification (once that app exists), breaks (care), capacity."""

from __future__ import annotations

import sys
import types
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from peerpath.recruitment.models import Stage
from peerpath.support import eligibility
from peerpath.support.defaults import get_settings
from peerpath.support.services import matches


def pool_ids(support: Any) -> set[int]:
    return {o.id for o in eligibility.supporter_pool(support.program).offers}


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch) -> dict[str, types.ModuleType]:
    """Pretend the certification and care apps are installed, with queries the test controls."""
    modules: dict[str, types.ModuleType] = {}
    for app in ("certification", "care"):
        package = types.ModuleType(f"peerpath.{app}")
        queries = types.ModuleType(f"peerpath.{app}.queries")
        package.queries = queries  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, f"peerpath.{app}", package)
        monkeypatch.setitem(sys.modules, f"peerpath.{app}.queries", queries)
        modules[app] = queries
    modules["certification"].credential_standing = lambda program, ids: {}  # type: ignore[attr-defined]
    modules["care"].supporters_on_break = lambda program, on_date: set()  # type: ignore[attr-defined]
    real = eligibility.apps.is_installed
    monkeypatch.setattr(
        eligibility.apps, "is_installed", lambda name: name in {"peerpath.certification", "peerpath.care"} or real(name)
    )
    return modules


def test_active_stage_alone_until_certification_exists(support: Any) -> None:
    assert pool_ids(support) == {support.priya.pk, support.uma.pk}
    support.uma.stage = Stage.ON_BREAK
    support.uma.save()
    assert pool_ids(support) == {support.priya.pk}


def test_certification_standing_decides_once_installed(support: Any, installed: dict) -> None:
    installed["certification"].credential_standing = lambda program, ids: {
        support.priya.pk: "certified",
        support.uma.pk: "provisional",
    }
    assert pool_ids(support) == {support.priya.pk}
    row = get_settings(support.program)
    row.allow_provisional = True
    row.save()
    assert pool_ids(support) == {support.priya.pk, support.uma.pk}
    installed["certification"].credential_standing = lambda program, ids: {support.priya.pk: "expired"}
    reasons = {s.pk: r for s, r in eligibility.supporter_pool(support.program).excluded}
    assert reasons[support.priya.pk] == "credential not current (expired)"


def test_supporters_on_a_break_are_not_matched(support: Any, installed: dict) -> None:
    installed["certification"].credential_standing = lambda program, ids: dict.fromkeys(ids, "certified")
    installed["care"].supporters_on_break = lambda program, on_date: {support.uma.pk}
    assert pool_ids(support) == {support.priya.pk}
    with pytest.raises(ValidationError, match="on a break"):
        matches.propose_match(actor=support.coordinator, participant=support.waiting, supporter=support.uma)


def test_capacity_counts_proposed_and_active(support: Any) -> None:
    profile = eligibility.profile_of(support.priya)
    profile.capacity = 2
    profile.save()
    matches.propose_match(actor=support.coordinator, participant=support.waiting, supporter=support.priya)
    assert support.priya.pk not in pool_ids(support)
    reasons = {s.pk: r for s, r in eligibility.supporter_pool(support.program).excluded}
    assert reasons[support.priya.pk] == "at capacity (2 of 2)"


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
