"""Scoring and the batch assignment, checked against brute force on small cases."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest

from peerpath.support import matching
from peerpath.support.matching import (
    MAX_PRIORITY,
    MAX_SCORE,
    Candidates,
    Levels,
    Needs,
    Offer,
    assign,
    explain,
    levels_of,
    priority,
    score_matrix,
    unmatched_reason,
)

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


def brute_force(n: int, free: list[int], edges: dict[tuple[int, int], int], prio: list[int]) -> tuple[int, ...]:
    """The best (matched, urgency, weeks, fit) over every way to give each participant one
    supporter or none, compared as tuples: each level strictly before the next."""
    options = [[None] + [s for (p, s) in edges if p == i] for i in range(n)]
    best = (0, 0, 0, 0)
    for choice in itertools.product(*options):
        used = [0] * len(free)
        value = [0, 0, 0, 0]
        for p, s in enumerate(choice):
            if s is None:
                continue
            used[s] += 1
            value = [
                value[0] + 1,
                value[1] + prio[p] // matching.WEEK_SPAN,
                value[2] + prio[p] % matching.WEEK_SPAN,
                value[3] + edges[(p, s)],
            ]
        if all(u <= f for u, f in zip(used, free, strict=True)):
            best = max(best, tuple(value))  # type: ignore[assignment]
    return best


@pytest.mark.parametrize("seed", range(60))
def test_batch_assignment_equals_brute_force_level_by_level(seed: int) -> None:
    rng = random.Random(seed)
    needs = [random_needs(rng, i) for i in range(rng.randint(1, 6))]
    offers = [random_offer(rng, j) for j in range(rng.randint(1, 3))]
    conflicts = {(offers[0].id, needs[0].id)} if seed % 3 == 0 else set()
    candidates = score_matrix(needs, offers, WEIGHTS, conflicts)
    free = [o.free for o in offers]
    # Few distinct priorities on half the cases, so that the levels tie and the next one decides.
    prio = [priority(rng.randint(0, 2), rng.choice([0, 52] if seed % 2 else range(53))) for _ in needs]
    result = assign(len(needs), free, candidates, prio)
    edges = {
        (int(p), int(s)): int(w)
        for p, s, w in zip(candidates.participant_index, candidates.supporter_index, candidates.score, strict=True)
    }
    # Every chosen pair is allowed, and no supporter is over their free places.
    assert all((p, s) in edges for p, s in result.pairs.items())
    for s, places in enumerate(free):
        assert sum(1 for v in result.pairs.values() if v == s) <= places
    assert result.levels == levels_of(result.pairs, candidates, prio)
    assert result.levels.as_tuple() == brute_force(len(needs), free, edges, prio)
    if seed % 3 == 0 and offers[0].free:
        assert (0, 0) not in edges  # the declared conflict excludes the pair


def edges_of(pairs: list[tuple[int, int, int]]) -> Candidates:
    """Candidates given directly as (participant, supporter, score)."""
    p, s, w = (np.array(column, dtype=np.int64) for column in zip(*pairs, strict=True))
    n = int(p.max()) + 1
    return Candidates(p, s, w, np.bincount(p, minlength=n), {})


def test_the_issue_example_serves_everyone() -> None:
    """A and B have one place each; X fits A (100) and B (10), Y fits only A (60).

    The highest total score alone would give X→A and leave Y waiting; serving the most people
    first gives X→B and Y→A."""
    x, y, a, b = 0, 1, 0, 1
    result = assign(2, [1, 1], edges_of([(x, a, 100), (x, b, 10), (y, a, 60)]))
    assert result.pairs == {x: b, y: a}
    assert result.levels == Levels(matched=2, urgency=0, weeks=0, fit=70)


def test_the_more_urgent_then_the_longer_waiting_take_the_only_place() -> None:
    # One place, three who fit it; the better fit is the routine one.
    edges = edges_of([(0, 0, 700), (1, 0, 0), (2, 0, 0)])
    soon_a_year, urgent_today = priority(1, 52), priority(2, 0)
    assert assign(3, [1], edges, [priority(0, 52), soon_a_year, urgent_today]).pairs == {2: 0}
    assert assign(3, [1], edges, [priority(0, 52), soon_a_year, priority(1, 51)]).pairs == {1: 0}
    assert assign(3, [1], edges, [priority(0, 3), priority(0, 2), priority(0, 3)]).pairs == {0: 0}
    # Weeks are counted up to 52: two years is a year.
    assert priority(0, 104) == priority(0, 52)


def test_each_level_dominates_the_next_at_the_largest_values() -> None:
    """Worst cases for each level, with the best score a pair can have (700) on the losing side.

    Level 1 over the rest: serving one more participant beats making the served the most
    urgent, longest waiting and best fitting. Level 2 over 3: one urgent served beats a year of
    waiting on everyone else. Level 3 over 4: a week more waiting beats the whole fit.
    """
    # 1 > 2, 3, 4: X (urgent, a year, fit 700 at A or 0 at B); Y routine today fits only A.
    one_more = assign(2, [1, 1], edges_of([(0, 0, MAX_SCORE), (0, 1, 0), (1, 0, 0)]), [MAX_PRIORITY, 0])
    assert one_more.pairs == {0: 1, 1: 0}
    # 2 > 3, 4: fifty routine who waited a year, each fitting at 700, against one "soon" who
    # came today and fits at 0: the only place goes to the more urgent.
    k = 50
    pairs = [(i, 0, MAX_SCORE) for i in range(k)] + [(k, 0, 0)]
    prio = [priority(0, 52)] * k + [priority(1, 0)]
    assert assign(k + 1, [1], edges_of(pairs), prio).pairs == {k: 0}
    # 3 > 4: over many places, one week more beats 700 points on every other pair.
    n = 40
    pairs = [(i, 0, MAX_SCORE) for i in range(n)] + [(n, 0, 0)]
    prio = [priority(2, 10)] * n + [priority(2, 11)]
    result = assign(n + 1, [n], edges_of(pairs), prio)
    assert n in result.pairs and len(result.pairs) == n


def test_the_weights_stay_within_the_solvers_integers_at_the_largest_sizes() -> None:
    """100,000 waiting (the large network) and the best score a pair can have: the biggest
    number the solver meets fits in 64 bits with room to spare; beyond it, `assign` refuses
    rather than overflow."""
    bound = matching.cost_bound(100_000, 10_000, 100_000, MAX_SCORE)
    assert bound < matching.COST_LIMIT // 1000
    step = matching.level_weights(100_000, MAX_SCORE)
    assert step > 100_000 * MAX_SCORE  # one unit of priority outweighs any total fit
    assert (MAX_PRIORITY + 1) * step + MAX_SCORE < 2**35
    huge = Candidates(np.array([0]), np.array([0]), np.array([2**56]), np.array([1]), {})  # a score no setting allows
    with pytest.raises(OverflowError):
        assign(1, [10**9], huge)


def test_the_result_reads_as_a_sentence() -> None:
    kinds = {matching.NO_FIT: 11, matching.PLACES_TAKEN: 7}
    text = matching.result_sentence(412, 430, kinds)
    assert text.startswith("412 of 430 matched; the 18 left: 11 fit no supporter with a free place")
    assert "7 had supporters who fit" in text
    assert matching.result_sentence(3, 3, {}) == "3 of 3 matched; everyone who could be offered was served."


@pytest.mark.parametrize("seed", range(15))
def test_explanation_adds_up_to_the_matrix_score(seed: int) -> None:
    rng = random.Random(1000 + seed)
    needs = [random_needs(rng, i) for i in range(5)]
    offers = [random_offer(rng, j) for j in range(4)]
    candidates = score_matrix(needs, offers, WEIGHTS)
    for p, s, w in zip(candidates.participant_index, candidates.supporter_index, candidates.score, strict=True):
        assert explain(needs[p], offers[s], WEIGHTS, {}).score == w


@pytest.mark.parametrize("seed", range(6))
def test_every_pair_scores_and_is_blocked_as_explained(seed: int) -> None:
    """Pair by pair against `explain` and `must_have_failures`, with random weights, declared
    conflicts and supporters without room, on a network large enough for the scorer to table
    several parts together; and each participant nobody fits is counted criterion by criterion."""
    rng = random.Random(2000 + seed)
    needs = [random_needs(rng, i) for i in range(40)]
    # Some ask for what nobody offers, so that the counts of who meets each must-have are read.
    needs += [
        Needs(id=40 + i, languages=frozenset({"klingon"}), modes=frozenset({mode}), must_haves=frozenset(musts))
        for i, (mode, musts) in enumerate(
            [("phone", {"language"}), ("phone", {"language", "mode"}), ("telepathy", {"mode"})]
        )
    ]
    offers = [random_offer(rng, j) for j in range(60)]
    weights = {key: rng.randint(0, matching.MAX_WEIGHT) for key in WEIGHTS}
    conflicts = {(o.id, n.id) for o in offers for n in needs if rng.random() < 0.05}
    candidates = score_matrix(needs, offers, weights, conflicts)
    scorer = matching._Scorer(needs, offers, weights, np.flatnonzero([o.free > 0 for o in offers]))
    assert any(len(group.parts) > 1 for group in scorer.groups)
    pairs = {
        (int(p), int(s)): int(w)
        for p, s, w in zip(candidates.participant_index, candidates.supporter_index, candidates.score, strict=True)
    }
    for i, n in enumerate(needs):
        for j, o in enumerate(offers):
            fits = o.free > 0 and (o.id, n.id) not in conflicts and not matching.must_have_failures(n, o)
            assert ((i, j) in pairs) == fits
            if fits:
                assert pairs[(i, j)] == explain(n, o, weights, {}).score
        assert candidates.candidates_per_participant[i] == sum(1 for p, _ in pairs if p == i)
        if not candidates.candidates_per_participant[i]:
            room = [o for o in offers if o.free > 0 and (o.id, n.id) not in conflicts]
            expected = {
                c: sum(1 for o in room if c not in matching.must_have_failures(n, o))
                for c in matching.CRITERIA
                if c in n.must_haves
            }
            assert candidates.blocked[i] == expected | {"_room": len(room)}
    assert len(candidates.blocked) >= 3


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
