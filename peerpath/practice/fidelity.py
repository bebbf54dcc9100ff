"""A session's summary against motivational-interviewing fidelity thresholds.

The published thresholds (MITI 4 for reflections, MITI 3.1.1 for open questions):

- reflections to questions: fair at 1:1, good at 2:1;
- complex reflections as a share of all reflections: fair at 40%, good at 50%;
- open questions as a share of all questions: beginning proficiency at 50%, competent at 70%.

The program's own rules beside them: advice without permission is counted (none is the aim);
sharing one's own experience is balanced when at most one reply in four shares it; a risk cue in
the scenario must be met with a safety check. A threshold is met AT its value (1:1 is fair).

The session's rating: "good" when every measure is at its upper level, there was no advice
without permission and no missed risk cue; "fair" when every measure reaches its lower level and
no risk cue was missed; otherwise "needs practice". This is practice feedback, not a clinical
rating of anyone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction
from typing import Any

from django.utils.translation import gettext_lazy as _

from peerpath.practice.codes import Code

RQ_FAIR, RQ_GOOD = Fraction(1), Fraction(2)
COMPLEX_FAIR, COMPLEX_GOOD = Fraction(40, 100), Fraction(50, 100)
OPEN_BEGINNING, OPEN_COMPETENT = Fraction(50, 100), Fraction(70, 100)
DISCLOSURE_MAX_SHARE = Fraction(1, 4)

GOOD, FAIR, NEEDS_PRACTICE = "good", "fair", "needs_practice"
RATING_LABELS = {GOOD: _("Good"), FAIR: _("Fair"), NEEDS_PRACTICE: _("Needs practice")}
FAIR_OR_BETTER = frozenset({GOOD, FAIR})


def _level(value: Fraction | None, lower: Fraction, upper: Fraction) -> int | None:
    """2 at or above the upper threshold, 1 at or above the lower, 0 below; None: nothing to measure."""
    if value is None:
        return None
    return 2 if value >= upper else 1 if value >= lower else 0


def summarise(replies: Sequence[Iterable[str]], *, risk_cue_met: bool, risk_cue_missed: bool) -> dict[str, Any]:
    """The fidelity measures of one session from each reply's codes (JSON-ready)."""
    counts = {code.value: 0 for code in Code}
    disclosing = 0
    for codes in replies:
        found = set(codes)
        for code in found:
            counts[code] += 1
        disclosing += Code.SELF_DISCLOSURE in found
    questions = counts[Code.OPEN_QUESTION] + counts[Code.CLOSED_QUESTION]
    reflections = counts[Code.SIMPLE_REFLECTION] + counts[Code.COMPLEX_REFLECTION]
    rq = Fraction(reflections, questions) if questions else (Fraction(reflections) if reflections else None)
    complex_share = Fraction(counts[Code.COMPLEX_REFLECTION], reflections) if reflections else None
    open_share = Fraction(counts[Code.OPEN_QUESTION], questions) if questions else None
    disclosure_share = Fraction(disclosing, len(replies)) if replies else Fraction(0)
    levels = {
        "rq": _level(rq, RQ_FAIR, RQ_GOOD),
        "complex": _level(complex_share, COMPLEX_FAIR, COMPLEX_GOOD),
        "open": _level(open_share, OPEN_BEGINNING, OPEN_COMPETENT),
    }
    # Nothing to measure (no reflections at all) counts as below: a session of questions only is
    # not fair listening. No questions at all is not held against anyone.
    if levels["rq"] is None:
        levels["rq"] = 0
    if levels["complex"] is None:
        levels["complex"] = 0
    measured = [v for v in levels.values() if v is not None]
    balanced = disclosure_share <= DISCLOSURE_MAX_SHARE
    advice = counts[Code.ADVICE_WITHOUT_PERMISSION]
    if risk_cue_missed or min(measured) == 0 or not balanced:
        rating = NEEDS_PRACTICE
    elif min(measured) == 2 and advice == 0:
        rating = GOOD
    else:
        rating = FAIR
    return {
        "replies": len(replies),
        "counts": counts,
        "questions": questions,
        "reflections": reflections,
        "rq": None if rq is None else round(float(rq), 2),
        "complex_share": None if complex_share is None else round(float(complex_share), 2),
        "open_share": None if open_share is None else round(float(open_share), 2),
        "disclosure_share": round(float(disclosure_share), 2),
        "disclosure_balanced": balanced,
        "advice_without_permission": advice,
        "risk_cue": "missed" if risk_cue_missed else "handled" if risk_cue_met else "none",
        "levels": levels,
        "rating": rating,
    }


RQ_LEVELS = {0: _("below fair"), 1: _("fair"), 2: _("good")}
COMPLEX_LEVELS = RQ_LEVELS
OPEN_LEVELS = {0: _("below beginning"), 1: _("beginning"), 2: _("competent")}


def level_label(measure: str, level: int | None) -> str:
    if level is None:
        return str(_("nothing to measure"))
    return str((OPEN_LEVELS if measure == "open" else RQ_LEVELS)[level])
