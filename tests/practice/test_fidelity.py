"""The session summary's thresholds, at and just below each boundary."""

from __future__ import annotations

import pytest

from peerpath.practice.fidelity import FAIR, GOOD, NEEDS_PRACTICE, summarise


def session(**counts: int) -> list[list[str]]:
    """Replies carrying the given codes, one code per reply."""
    return [[code] for code, n in counts.items() for _ in range(n)]


def rate(replies: list[list[str]], **kwargs: bool) -> dict:
    return summarise(replies, risk_cue_met=kwargs.get("met", False), risk_cue_missed=kwargs.get("missed", False))


@pytest.mark.parametrize(
    ("reflections", "questions", "level"),
    [(2, 2, 1), (1, 2, 0), (99, 100, 0), (4, 2, 2), (3, 2, 1), (199, 100, 1), (2, 0, 2)],
)
def test_reflections_to_questions_fair_at_one_good_at_two(reflections: int, questions: int, level: int) -> None:
    result = rate(session(cr=reflections, oq=questions))
    assert result["levels"]["rq"] == level


@pytest.mark.parametrize(
    ("complex_", "simple", "level"), [(2, 3, 1), (1, 2, 0), (39, 61, 0), (1, 1, 2), (4, 5, 1), (49, 51, 1), (5, 5, 2)]
)
def test_complex_reflections_fair_at_40_good_at_50_percent(complex_: int, simple: int, level: int) -> None:
    assert rate(session(cr=complex_, sr=simple))["levels"]["complex"] == level


@pytest.mark.parametrize(
    ("open_", "closed", "level"), [(1, 1, 1), (4, 6, 0), (49, 51, 0), (7, 3, 2), (69, 31, 1), (0, 3, 0)]
)
def test_open_questions_beginning_at_50_competent_at_70_percent(open_: int, closed: int, level: int) -> None:
    assert rate(session(oq=open_, cq=closed))["levels"]["open"] == level


def test_no_questions_is_not_held_against_anyone_but_no_reflections_is() -> None:
    assert rate(session(cr=2))["levels"]["open"] is None
    assert rate(session(oq=3))["levels"]["rq"] == 0


def test_the_rating() -> None:
    good = session(cr=4, oq=2)
    assert rate(good)["rating"] == GOOD
    assert rate([*good, ["an"]])["rating"] == FAIR  # advice without permission keeps it from good
    assert rate(session(cr=2, sr=2, oq=3, cq=1))["rating"] == FAIR  # every measure at fair
    assert rate(session(cr=1, sr=2, oq=3))["rating"] == NEEDS_PRACTICE  # complex share below 40%
    assert rate(good, met=True, missed=True)["rating"] == NEEDS_PRACTICE
    assert rate(good, met=True)["risk_cue"] == "handled"


def test_self_disclosure_balanced_up_to_one_reply_in_four() -> None:
    base = session(cr=3)
    assert rate([*base, ["sd"]])["disclosure_balanced"] is True
    assert rate([*base, ["sd"], ["sd", "cr"]])["disclosure_balanced"] is False
    assert rate([*base, ["sd"], ["sd", "cr"]])["rating"] == NEEDS_PRACTICE
