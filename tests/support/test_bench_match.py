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
        "problems": [],
    }
    assert bench.failures(passing, max_seconds=15) == []
    assert bench.failures({**passing, "maximum": 8}) == ["matched 7, below the independent maximum 8"]
    worse = {**passing, "independent_levels": {**passing["independent_levels"], "weeks": 21}}
    assert bench.failures(worse) == ["level weeks: 20, the independent optimum is 21"]
    assert bench.failures(passing, max_seconds=1) == ["took 2.0 s end to end, over 1 s"]
    assert bench.failures({**passing, "problems": ["a participant was matched twice"]})
