"""The matching benchmark at a small size (1,000 waiting, 200 supporters), and its failure
conditions: it must be able to fail (`make bench-match` runs the full size)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import linprog
from scipy.sparse import csr_matrix, vstack

from bench import match as bench
from peerpath.programs.models import Program
from peerpath.support import matching
from peerpath.support.services.matches import compute_batch

pytestmark = pytest.mark.django_db


def successive_levels(n: int, free: list[int], candidates: matching.Candidates, priorities: list[int]) -> list[int]:
    """Each level's optimum by successive linear programs (HiGHS), each fixing the previous
    level's optimum as a constraint: a third method, sharing nothing with the flow's weights.
    (The b-matching polytope is integral, and so is each optimal face, so the LP optima are
    the integer ones.)"""
    m = len(candidates.score)
    cols = np.arange(m)
    capacity = vstack(
        [
            csr_matrix((np.ones(m), (candidates.participant_index, cols)), shape=(n, m)),
            csr_matrix((np.ones(m), (candidates.supporter_index, cols)), shape=(len(free), m)),
        ]
    ).tocsr()
    limits = np.concatenate([np.ones(n), np.asarray(free, dtype=float)])
    prio = np.asarray(priorities)[candidates.participant_index]
    objectives = [
        np.ones(m),
        (prio // matching.WEEK_SPAN).astype(float),
        (prio % matching.WEEK_SPAN).astype(float),
        candidates.score.astype(float),
    ]
    fixed_rows: list[np.ndarray] = []
    fixed_values: list[float] = []
    optima = []
    for objective in objectives:
        answer = linprog(
            -objective,
            A_ub=capacity,
            b_ub=limits,
            A_eq=np.vstack(fixed_rows) if fixed_rows else None,
            b_eq=fixed_values or None,
            bounds=(0, 1),
            method="highs",
        )
        assert answer.status == 0
        optimum = round(-answer.fun)
        optima.append(optimum)
        fixed_rows.append(objective)
        fixed_values.append(optimum)
    return optima


def test_the_small_benchmark_matches_the_independent_optima() -> None:
    report = bench.measure(1_000, 200, seed=3)
    assert bench.failures(report) == []
    assert report["participants_with_a_candidate"] * 2 >= 1_000
    assert report["matched"] == report["maximum"] > 0
    # The urgency and waiting levels are exercised: the data varies both.
    assert report["levels"]["urgency"] > 0 and report["levels"]["weeks"] > 0
    program = Program.objects.get(slug="bench-3-1000")
    result = compute_batch(program)
    assert result.candidates is not None
    assert successive_levels(result.considered, result.free, result.candidates, result.priorities) == list(
        report["levels"].values()
    )


def test_an_empty_pool_fails_the_benchmark() -> None:
    """Supporters without a certificate cannot be matched: nothing to measure, so it fails."""
    report = bench.measure(60, 12, seed=5, certified=False)
    assert report["candidate_pairs"] == 0 and report["matched"] == 0 == report["maximum"]
    assert any("fewer than half" in line for line in bench.failures(report))


def test_each_failure_condition_is_reported() -> None:
    passing = {
        "participants": 10,
        "participants_with_a_candidate": 8,
        "matched": 7,
        "maximum": 7,
        "levels": {"matched": 7, "urgency": 3, "weeks": 20, "fit": 300},
        "independent_levels": {"matched": 7, "urgency": 3, "weeks": 20, "fit": 300},
        "seconds": 2.0,
        "cpu_seconds": 1.5,
        "load_average": [3.0, 4.0],
        "peak_memory_mb": 900,
        "problems": [],
    }
    assert bench.failures(passing, max_seconds=15, max_memory_mb=8192) == []
    assert bench.failures({**passing, "maximum": 8}) == ["matched 7, below the independent maximum 8"]
    worse = {**passing, "independent_levels": {**passing["independent_levels"], "weeks": 21}}
    assert bench.failures(worse) == ["level weeks: 20, the independent optimum is 21"]
    assert bench.failures(passing, max_seconds=1) == [
        "took 2.0 s end to end (1.5 s of CPU, load average 3.0), over 1 s"
    ]
    assert bench.failures(passing, max_memory_mb=512) == ["the process grew to 900 MB, over 512 MB"]
    nobody = {**passing, "matched": 0, "maximum": 0, "levels": {**passing["levels"], "matched": 0}}
    nobody["independent_levels"] = nobody["levels"]
    assert bench.failures(nobody) == ["nobody was matched: there is nothing to measure"]
    assert bench.failures({**passing, "problems": ["a participant was matched twice"]})


def test_the_priced_solve_matches_the_independent_optima(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same small network solved from a starting set and priced (as large ones are): the
    independent solvers and the successive linear programs agree with it level by level."""
    monkeypatch.setattr(matching, "DIRECT_PAIRS", 0)
    monkeypatch.setattr(matching, "SEED_PER_PARTICIPANT", 3)
    report = bench.measure(400, 80, seed=4)
    assert bench.failures(report) == []
    result = compute_batch(Program.objects.get(slug="bench-4-400"))
    assert result.candidates is not None and result.candidates.seed is not None
    assert len(result.candidates.seed) < len(result.candidates.score)  # it did start from fewer pairs
    assert successive_levels(result.considered, result.free, result.candidates, result.priorities) == list(
        report["levels"].values()
    )


def test_the_pruned_benchmark_checks_the_same_candidates(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pruning rule (as `make bench-match-large` applies it) at a small size: the pairs set
    aside are counted, the result says so, and the independent checks pass on what was kept."""
    report = bench.measure(400, 80, seed=6, keep=4)
    assert bench.failures(report) == []
    assert report["pruning_keep"] == 4 and report["pruned_pairs"] > 0
    program = Program.objects.get(slug="bench-6-400")
    every = compute_batch(program)
    assert every.keep is None and every.pruned == 0  # below PRUNE_ABOVE: every pair is weighed
    assert every.candidates is not None
    assert report["candidate_pairs"] + report["pruned_pairs"] == len(every.candidates.score)
    assert "best-fitting supporters" in report["summary"] and "best-fitting" not in every.summary
    # Above PRUNE_ABOVE possible pairs, the rule applies by itself, with KEEP_BEST.
    monkeypatch.setattr(matching, "PRUNE_ABOVE", 1000)
    monkeypatch.setattr(matching, "KEEP_BEST", 3)
    large = compute_batch(program)
    assert large.keep == 3 and large.pruned > report["pruned_pairs"]
    assert "3 best-fitting supporters" in large.summary
