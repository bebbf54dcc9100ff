"""The priced solve (a starting set of pairs, then every pair left out priced against the
flow's potentials) gives exactly the direct solve's answer; the pruning rule for very large
networks keeps what it says it keeps, at its boundaries."""

from __future__ import annotations

import random

import numpy as np
import pytest

from peerpath.support import matching
from peerpath.support.matching import Candidates, Offer, assign, priority, score_matrix
from tests.support.test_matching import WEIGHTS, edges_of, random_needs, random_offer


def network(seed: int, n: int, m: int) -> tuple[list, list[Offer], list[int]]:
    rng = random.Random(seed)
    needs = [random_needs(rng, i) for i in range(n)]
    needs = [
        matching.Needs(**{**n.__dict__, "urgency": rng.randint(0, 2), "weeks": rng.choice([0, 3, 52])}) for n in needs
    ]
    offers = [random_offer(rng, j) for j in range(m)]
    return needs, offers, [n.priority for n in needs]


@pytest.fixture
def priced(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every solve priced from a small starting set; records the pairs given to each solve."""
    monkeypatch.setattr(matching, "DIRECT_PAIRS", 0)
    monkeypatch.setattr(matching, "PRICED_SHARE", 1.0)
    monkeypatch.setattr(matching, "SEED_PER_PARTICIPANT", 1)
    monkeypatch.setattr(matching, "SEED_PER_PLACE", 1)
    sizes: list[int] = []
    solve = matching._solve_flow

    def counting(n_p: int, free: np.ndarray, p: np.ndarray, s: np.ndarray, value: np.ndarray) -> np.ndarray:
        sizes.append(len(p))
        return solve(n_p, free, p, s, value)

    monkeypatch.setattr(matching, "_solve_flow", counting)
    return sizes


@pytest.mark.parametrize("seed", range(12))
def test_the_priced_solve_equals_the_direct_solve(seed: int, priced: list[int]) -> None:
    needs, offers, prio = network(seed, 80, 12)
    free = [o.free for o in offers]
    # The direct solve: every candidate pair given to the flow at once.
    candidates = score_matrix(needs, offers, WEIGHTS)
    direct_value = matching._solve_flow(
        len(needs),
        np.asarray(free, dtype=np.int64),
        candidates.participant_index,
        candidates.supporter_index,
        matching.pair_values(
            np.asarray(prio, dtype=np.int64),
            candidates,
            matching.level_weights(min(len(needs), sum(free)), int(candidates.score.max())),
        ),
    )
    direct = matching.levels_of(
        {
            int(p): int(s)
            for p, s in zip(
                candidates.participant_index[direct_value], candidates.supporter_index[direct_value], strict=True
            )
        },
        candidates,
        prio,
    )
    priced.clear()
    from_scoring = assign(len(needs), free, candidates, prio)
    assert from_scoring.levels == direct
    assert len(priced) >= 2 and priced[0] < len(candidates.score)  # it started small and had to add pairs
    # Without a starting set from the scoring (hand-made candidates), the solver picks its own.
    bare = Candidates(
        candidates.participant_index,
        candidates.supporter_index,
        candidates.score,
        candidates.candidates_per_participant,
        {},
    )
    assert assign(len(needs), free, bare, prio).levels == direct


def test_a_pair_left_out_of_the_start_that_serves_one_more_is_found(priced: list[int]) -> None:
    """X fits A (100) and B (10), Y fits only A (60): starting from each one's best pair (both
    want A), the pricing must bring in X-B so that both are served."""
    candidates = edges_of([(0, 0, 100), (0, 1, 10), (1, 0, 60)])
    candidates.seed = np.array([0, 2])
    result = assign(2, [1, 1], candidates)
    assert result.pairs == {0: 1, 1: 0}
    assert priced == [2, 3]


def test_the_large_numbers_stay_exact_through_the_pricing(priced: list[int]) -> None:
    """The most urgent participant waiting a year, at the largest score, against one place."""
    edges = edges_of([(0, 0, matching.MAX_SCORE), (1, 0, 0), (1, 1, 0), (2, 1, matching.MAX_SCORE)])
    edges.seed = np.array([0])
    prio = [priority(2, 52), priority(2, 52), 0]
    result = assign(3, [1, 1], edges, prio)
    assert result.pairs == {0: 0, 1: 1}


def test_top_in_rows_at_its_boundaries() -> None:
    total = np.array([[5, -1, 7, 7], [-1, -1, -1, 0]], dtype=np.int16)

    def top(k: int) -> list[tuple[int, int, int]]:
        r, c, rank = matching._top_in_rows(total, k)
        return list(zip(r.tolist(), c.tolist(), rank.tolist(), strict=True))

    # k at or above the number of columns keeps every candidate (not a negative one), ranked.
    assert top(4) == [(0, 0, 2), (0, 2, 0), (0, 3, 1), (1, 3, 0)]
    assert top(9) == top(4)
    # k = 1: the best only, a tie going to the lower column; a row whose only candidate scores 0
    # keeps it; a negative is never kept, even where the row has fewer than k candidates.
    assert top(1) == [(0, 2, 0), (1, 3, 0)]
    assert top(2) == [(0, 2, 0), (0, 3, 1), (1, 3, 0)]


def test_where_and_counts_agree_with_numpy() -> None:
    mask = np.random.default_rng(3).random((7, 11)) < 0.3
    r, c = matching._where(mask)
    assert [r.tolist(), c.tolist()] == [a.tolist() for a in np.nonzero(mask)]
    assert matching._count_in_rows(mask).tolist() == mask.sum(axis=1).tolist()


@pytest.mark.parametrize("keep", [1, 3, 12])
def test_the_pruning_rule_keeps_each_ones_best(keep: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(matching, "CHUNK", 7)  # several chunks: the supporters' best are merged across them
    needs, offers, prio = network(5, 60, 12)
    every = score_matrix(needs, offers, WEIGHTS)
    kept = score_matrix(needs, offers, WEIGHTS, keep=keep)
    all_pairs = {
        (int(p), int(s)): int(w)
        for p, s, w in zip(every.participant_index, every.supporter_index, every.score, strict=True)
    }
    kept_pairs = {
        (int(p), int(s)): int(w)
        for p, s, w in zip(kept.participant_index, kept.supporter_index, kept.score, strict=True)
    }
    assert kept_pairs.items() <= all_pairs.items()  # the same pairs with the same scores, never new ones
    assert kept.pruned == len(all_pairs) - len(kept_pairs)
    assert np.array_equal(kept.candidates_per_participant, every.candidates_per_participant)
    keys = (kept.participant_index * len(offers) + kept.supporter_index).tolist()
    assert keys == sorted(set(keys))  # in order, each pair once
    for i in range(len(needs)):
        mine = sorted((w for (p, _s), w in all_pairs.items() if p == i), reverse=True)
        kept_mine = [w for (p, _s), w in kept_pairs.items() if p == i]
        # Each participant keeps at least their `keep` best (ties either way) ...
        assert len(kept_mine) >= min(keep, len(mine))
        if len(mine) > keep:
            assert sorted(kept_mine, reverse=True)[:keep] == mine[:keep]
    for j, offer in enumerate(offers):
        theirs = sorted(
            ((prio[p] * matching.SCORE_SPAN + w, p) for (p, s), w in all_pairs.items() if s == j), reverse=True
        )
        quota = matching.SEED_PER_PLACE * offer.free
        best_keys = [k for k, _ in theirs[:quota]]
        kept_keys = sorted(
            (prio[p] * matching.SCORE_SPAN + w for (p, s), w in kept_pairs.items() if s == j), reverse=True
        )
        # ... and each supporter their best participants, SEED_PER_PLACE per free place.
        assert kept_keys[: len(best_keys)] == best_keys
    # The starting set is made of kept pairs.
    assert kept.seed is not None and len(kept.seed) and kept.seed.max() < len(kept.score)


def test_no_pruning_keeps_every_pair() -> None:
    needs, offers, _ = network(3, 30, 6)
    every = score_matrix(needs, offers, WEIGHTS)
    assert every.pruned == 0
    assert int(every.candidates_per_participant.sum()) == len(every.score)


def test_sets_wider_than_one_word_score_as_explained() -> None:
    """Over 64 languages in the network: the bit sets take more than one 64-bit word, and the
    scores and must-haves still agree with `explain` and `must_have_failures`."""
    rng = random.Random(11)
    languages = [f"language {i}" for i in range(150)]
    needs = [
        matching.Needs(
            id=i,
            languages=frozenset(rng.sample(languages, 2)),
            focus_areas=frozenset(rng.sample(range(100), 3)),
            must_haves=frozenset(["language"] if i % 2 else []),
        )
        for i in range(40)
    ]
    offers = [
        Offer(id=j, languages=frozenset(rng.sample(languages, 40)), focus_areas=frozenset(rng.sample(range(100), 50)))
        for j in range(30)
    ]
    candidates = score_matrix(needs, offers, WEIGHTS)
    pairs = {
        (int(p), int(s)): int(w)
        for p, s, w in zip(candidates.participant_index, candidates.supporter_index, candidates.score, strict=True)
    }
    for i, n in enumerate(needs):
        for j, o in enumerate(offers):
            if matching.must_have_failures(n, o):
                assert (i, j) not in pairs
            else:
                assert pairs[(i, j)] == matching.explain(n, o, WEIGHTS, {}).score
    assert any(i % 2 for i, _ in pairs) and len(pairs) < len(needs) * len(offers)
