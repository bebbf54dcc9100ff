"""The continuing-education presets shipped as data are the rule sets the boundary tests judge,
and the third one (a yearly cycle with a subject minimum and a live minimum) is tested at every
boundary too: its total, its subject minimum, its live minimum, the cycle's first day, the end
of its own grace, the same course once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from peerpath.certification import rules, services
from tests.certification.test_ce_rules import ICRC, TWO, Row

D = dt.date
H = Decimal


def spec_of(preset: dict[str, Any]) -> rules.RuleSpec:
    return rules.RuleSpec(
        total_hours=H(preset["total_hours"]),
        cycle_months=preset["cycle_months"],
        grace_days=preset["grace_days"],
        minimums=tuple(rules.Minimum(m["subject"], m["name"], H(m["hours"])) for m in preset["minimums"]),
        live_minimum_hours=H(preset["live_minimum_hours"]),
        live_cap_hours=None if preset["live_cap_hours"] is None else H(preset["live_cap_hours"]),
        self_paced_cap_hours=None if preset["self_paced_cap_hours"] is None else H(preset["self_paced_cap_hours"]),
        same_course_once=preset["same_course_once"],
    )


PRESETS = {p["key"]: spec_of(p) for p in services.ce_presets()}
ANNUAL = PRESETS["annual-12"]
START, EXPIRY = D(2025, 1, 1), D(2026, 1, 1)  # a twelve-month cycle
IN_CYCLE = D(2025, 6, 1)
TODAY = D(2025, 10, 1)


def judge(rows: list[Row], today: dt.date = TODAY) -> rules.StandingResult:
    return rules.standing(rows, cycle_start=START, expires_on=EXPIRY, today=today, rule=ANNUAL)


def enough() -> list[Row]:
    """Exactly the yearly rule: 2 cultural competence live, 4 more live, 6 self-paced."""
    return [
        Row("2", "cultural-competence", day=IN_CYCLE),
        Row("4", day=IN_CYCLE),
        Row("6", delivery="self_paced", day=IN_CYCLE),
    ]


def test_the_shipped_presets_are_the_rule_sets_the_boundary_tests_judge() -> None:
    assert PRESETS["icrc-20-6"] == ICRC
    assert PRESETS["two-minimums-30"] == TWO
    expected = rules.RuleSpec(
        total_hours=H("12"),
        cycle_months=12,
        grace_days=30,
        minimums=(rules.Minimum("cultural-competence", "Cultural competence", H("2")),),
        live_minimum_hours=H("6"),
    )
    assert expected == ANNUAL


def test_annual_met_exactly_and_shown_line_by_line() -> None:
    result = judge(enough())
    assert result.met and result.missing == []
    assert [(line.label, line.counted, line.required) for line in result.lines] == [
        ("Total", H("12"), H("12")),
        ("Cultural competence", H("2"), H("2")),
        ("Live", H("6"), H("6")),
    ]


def test_annual_total_boundary() -> None:
    rows = enough()
    rows[2].hours = H("5.75")
    assert judge(rows).missing == ["0.25 h in any subject"]


def test_annual_subject_minimum_boundary() -> None:
    rows = enough()
    rows[0].hours, rows[1].hours = H("1.75"), H("4.25")  # still 6 live and 12 in all
    assert judge(rows).missing == ["0.25 h cultural competence"]


def test_annual_live_minimum_boundary() -> None:
    rows = enough()
    rows[1].hours = H("3.75")
    rows.append(Row("0.25", delivery="self_paced", day=IN_CYCLE))  # 12 in all, 5.75 live
    assert judge(rows).missing == ["0.25 h live"]


def test_annual_cycle_edges_and_its_own_grace() -> None:
    rows = enough()
    rows[0].date = START - dt.timedelta(days=1)  # the day before the cycle does not count
    assert judge(rows).missing == ["2 h cultural competence", "2 h live"]
    rows[0].date = START
    assert judge(rows).met
    rows[0].date = EXPIRY + dt.timedelta(days=30)  # the last day of grace still counts
    assert judge(rows, today=EXPIRY + dt.timedelta(days=30)).met
    rows[0].date = EXPIRY + dt.timedelta(days=31)
    assert not judge(rows, today=EXPIRY + dt.timedelta(days=31)).met
    assert judge([], today=EXPIRY + dt.timedelta(days=30)).standing == rules.Standing.AT_RISK
    assert judge([], today=EXPIRY + dt.timedelta(days=31)).standing == rules.Standing.LAPSED


def test_annual_same_course_counts_once() -> None:
    rows = [*enough(), Row("2", "cultural-competence", day=IN_CYCLE, title="Culture and care!")]
    rows[0].title = "culture and care"
    rows[0].hours = H("2")
    result = judge(rows)
    assert len(result.tally.repeats) == 1 and result.tally.total == H("12")
