"""`make bench`'s verdict (bench/web.py `missed_targets`): it must be able to fail, on a missed
target and on a run that measured nothing. The measuring itself (gunicorn, wrk, a large
PostgreSQL network) runs in `make bench`, not here."""

from __future__ import annotations

from typing import Any

from bench import web

EXPLAINED = {"explained": 12, "seq_scans": []}
COLD = {"views": 5, "median_ms": 240.0, "each_ms": [250.0, 240.0, 230.0, 245.0, 235.0]}


def page(rps: float, ratio: float, p95: float = 20.0) -> dict[str, float]:
    return {"rps": rps, "ratio": ratio, "p95_ms": p95}


def served(requests: int = 1000, errors: int = 0) -> dict[str, Any]:
    return {"requests": requests, "errors": errors}


def test_a_run_meeting_every_target_passes() -> None:
    report = {"trivial": page(1000, 1.0), "dashboard": page(300, 0.3), "supporter_home": page(60, 0.06)}
    measured = {name: served() for name in report}
    assert web.missed_targets(report, measured, EXPLAINED, COLD) == []


def test_a_slow_or_missing_cold_dashboard_fails() -> None:
    report = {"trivial": page(1000, 1.0), "dashboard": page(300, 0.3)}
    measured = {name: served() for name in report}
    slow = {"views": 5, "median_ms": 300.0, "each_ms": [857.0, 300.0, 290.0, 310.0, 280.0]}
    assert web.missed_targets(report, measured, EXPLAINED, slow) == ["cold dashboard: median 300.0 ms, not under 300"]
    assert web.missed_targets(report, measured, EXPLAINED, None) == ["cold dashboard: not measured"]
    assert web.missed_targets(report, measured, EXPLAINED, {"views": 0}) == ["cold dashboard: not measured"]


def test_a_run_that_measured_nothing_fails() -> None:
    failed = web.missed_targets({}, {}, {"explained": 0, "seq_scans": []})
    assert "the trivial view was not measured, so no ratio means anything" in failed
    assert "no page was measured beside the trivial view" in failed
    assert "EXPLAIN: no query was explained" in failed


def test_a_page_that_served_nothing_or_timed_out_fails() -> None:
    report = {"trivial": page(1000, 1.0), "care_list": page(0, 0.0), "cohort": page(90, 0.09)}
    measured = {"trivial": served(), "care_list": served(0), "cohort": served(errors=3)}
    failed = web.missed_targets(report, measured, EXPLAINED)
    assert "care_list: no request was served" in failed
    assert any(f.startswith("cohort: 3 requests failed") for f in failed)


def test_a_slow_page_or_a_low_ratio_or_a_full_scan_fails() -> None:
    report = {"trivial": page(1000, 1.0), "dashboard": page(200, 0.2), "relationship": page(40, 0.04, p95=300.0)}
    measured = {name: served() for name in report}
    scan = {"page": "dashboard", "table": "support_supportrelationship", "rows": 89873, "sql": "SELECT ..."}
    failed = web.missed_targets(report, measured, {"explained": 5, "seq_scans": [scan]})
    assert "dashboard: ratio 0.2, under 0.25" in failed
    assert "relationship: ratio 0.04, under 0.05" in failed
    assert "relationship: p95 300.0 ms, not under 300" in failed
    assert any(f.startswith("EXPLAIN: dashboard reads all of support_supportrelationship") for f in failed)
