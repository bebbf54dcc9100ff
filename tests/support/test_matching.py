"""Scoring and the batch assignment, checked against brute force on small cases."""

from __future__ import annotations

import itertools
import random

import pytest

from peerpath.support.matching import Needs, Offer, assign, explain, score_matrix, total_score, unmatched_reason

WEIGHTS = {
    "focus_area": 5,
    "language": 4,
    "mode": 3,
    "area": 2,
    "availability": 3,
    "preferences": 2,
    "free_places": 1,
}
MODES = ["in_person", "phone", "video", "text"]
TIMES = ["weekday_morning", "weekday_evening", "weekend_day"]
LANGS = ["english", "spanish", "tamil"]
AREAS = ["north", "south", ""]


def random_needs(rng: random.Random, i: int) -> Needs:
    return Needs(
        id=i,
        focus_areas=frozenset(rng.sample(range(1, 5), rng.randint(0, 2))),
        languages=frozenset(rng.sample(LANGS, rng.randint(1, 2))),
        modes=frozenset(rng.sample(MODES, rng.randint(0, 2))),
        area=rng.choice(AREAS),
        availability=frozenset(rng.sample(TIMES, rng.randint(0, 2))),
        gender=rng.choice(["", "woman", "man"]),
        age_bands=frozenset(rng.sample(["18_29", "30_44", "45_64"], rng.randint(0, 2))),
        communities=frozenset(rng.sample(["veterans", "lgbtq+"], rng.randint(0, 1))),
        must_haves=frozenset(rng.sample(["language", "focus_area", "mode", "area", "gender"], rng.randint(0, 2))),
    )


def random_offer(rng: random.Random, j: int) -> Offer:
    capacity = rng.randint(1, 3)
    return Offer(
        id=100 + j,
        focus_areas=frozenset(rng.sample(range(1, 5), rng.randint(1, 3))),
        languages=frozenset(rng.sample(LANGS, rng.randint(1, 2))),
        modes=frozenset(rng.sample(MODES, rng.randint(1, 3))),
        area=rng.choice(AREAS[:2]),
        availability=frozenset(rng.sample(TIMES, rng.randint(1, 2))),
        gender=rng.choice(["woman", "man", ""]),
        age_band=rng.choice(["18_29", "30_44", "45_64", ""]),
        communities=frozenset(rng.sample(["veterans", "lgbtq+"], rng.randint(0, 1))),
        capacity=capacity,
        load=rng.randint(0, capacity),
    )


def brute_force(n: int, free: list[int], edges: dict[tuple[int, int], int]) -> int:
    """The best total over every way to give each participant one supporter or none."""
    options = [[None] + [s for (p, s) in edges if p == i] for i in range(n)]
    best = 0
    for choice in itertools.product(*options):
        used = [0] * len(free)
        total = 0
        for p, s in enumerate(choice):
            if s is None:
                continue
            used[s] += 1
            total += edges[(p, s)]
        if all(u <= f for u, f in zip(used, free, strict=True)):
            best = max(best, total)
    return best


@pytest.mark.parametrize("seed", range(40))
def test_batch_assignment_equals_brute_force(seed: int) -> None:
    rng = random.Random(seed)
    needs = [random_needs(rng, i) for i in range(rng.randint(1, 6))]
    offers = [random_offer(rng, j) for j in range(rng.randint(1, 3))]
    conflicts = {(offers[0].id, needs[0].id)} if seed % 3 == 0 else set()
    candidates = score_matrix(needs, offers, WEIGHTS, conflicts)
    free = [o.free for o in offers]
    assignment = assign(len(needs), free, candidates)
    edges = {
        (int(p), int(s)): int(w)
        for p, s, w in zip(candidates.participant_index, candidates.supporter_index, candidates.score, strict=True)
    }
    # Every chosen pair is allowed, and no supporter is over their free places.
    assert all((p, s) in edges for p, s in assignment.items())
    for s, places in enumerate(free):
        assert sum(1 for v in assignment.values() if v == s) <= places
    assert total_score(assignment, candidates) == brute_force(len(needs), free, edges)
    if seed % 3 == 0 and offers[0].free:
        assert (0, 0) not in edges  # the declared conflict excludes the pair


def test_optimal_beats_greedy() -> None:
    """A greedy pass would give the only supporter who fits B to A; the optimum does not."""
    offers = [
        Offer(id=1, focus_areas=frozenset({1, 2}), capacity=1),
        Offer(id=2, focus_areas=frozenset({1}), capacity=1),
    ]
    needs = [
        Needs(id=10, focus_areas=frozenset({1, 2}), must_haves=frozenset({"focus_area"})),
        Needs(id=11, focus_areas=frozenset({2}), must_haves=frozenset({"focus_area"})),
    ]
    candidates = score_matrix(needs, offers, WEIGHTS)
    assignment = assign(2, [1, 1], candidates)
    assert assignment == {0: 1, 1: 0}


@pytest.mark.parametrize("seed", range(15))
def test_explanation_adds_up_to_the_matrix_score(seed: int) -> None:
    rng = random.Random(1000 + seed)
    needs = [random_needs(rng, i) for i in range(5)]
    offers = [random_offer(rng, j) for j in range(4)]
    candidates = score_matrix(needs, offers, WEIGHTS)
    for p, s, w in zip(candidates.participant_index, candidates.supporter_index, candidates.score, strict=True):
        assert explain(needs[p], offers[s], WEIGHTS, {}).score == w


def test_must_haves_are_hard_constraints_and_explained() -> None:
    offers = [Offer(id=1, languages=frozenset({"english"}), modes=frozenset({"phone"}), capacity=2)]
    needs = [
        Needs(id=1, languages=frozenset({"spanish"}), must_haves=frozenset({"language"})),
        Needs(id=2, languages=frozenset({"spanish"})),  # not a must-have: still a candidate
    ]
    candidates = score_matrix(needs, offers, WEIGHTS)
    assert list(candidates.participant_index) == [1]
    reason = unmatched_reason(0, needs[0], candidates)
    assert "speaks the language: 0 of 1" in reason


def test_explanation_reads_like_a_coordinator_would_say_it() -> None:
    needs = Needs(
        id=1,
        focus_areas=frozenset({7}),
        languages=frozenset({"spanish"}),
        modes=frozenset({"phone", "in_person"}),
    )
    offer = Offer(
        id=2,
        focus_areas=frozenset({7}),
        languages=frozenset({"spanish"}),
        modes=frozenset({"phone"}),
        capacity=4,
        load=2,
    )
    text = explain(needs, offer, WEIGHTS, {7: "grief"}).summary
    assert text == "shares: grief, Spanish; phone; 2 of 4 places free"
