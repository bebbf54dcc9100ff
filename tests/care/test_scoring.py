"""The questionnaire engine: reverse-scored items, sums and means, score bands and their edges."""

from __future__ import annotations

from decimal import Decimal

import pytest

from peerpath.care import scoring
from peerpath.care.defaults import brief_checkin_form
from peerpath.care.scoring import Band, Form, ItemSpec, ScaleOption, SubscaleSpec

BANDS = (
    Band("Low", Decimal(0), "fine"),
    Band("Moderate", Decimal(6), "watch"),
    Band("High", Decimal(9), "act", concern=True),
)


def form(scoring_kind: str = "sum") -> Form:
    return Form(
        name="Test",
        scale=tuple(ScaleOption(v, str(v)) for v in range(1, 6)),
        subscales=(SubscaleSpec("s", "Stress", scoring_kind, bands=BANDS),),
        items=(
            ItemSpec(1, "a", "s"),
            ItemSpec(2, "b", "s", reverse=True),
            ItemSpec(3, "unscored", None),
        ),
    )


def test_reverse_scored_items_are_flipped_on_the_scale() -> None:
    assert scoring.scored_value(1, reverse=True, low=1, high=5) == 5
    assert scoring.scored_value(2, reverse=True, low=1, high=5) == 4
    assert scoring.scored_value(3, reverse=True, low=1, high=5) == 3
    assert scoring.scored_value(2, reverse=False, low=1, high=5) == 2
    assert scoring.scored_value(0, reverse=True, low=0, high=4) == 4


def test_sum_uses_reversed_values_and_ignores_unscored_items() -> None:
    result = scoring.score(form(), {1: 4, 2: 2, 3: 5})  # 4 + (6 - 2) = 8
    assert result.subscales[0].score == Decimal(8)
    assert result.subscales[0].band.label == "Moderate"
    assert not result.concern


@pytest.mark.parametrize(
    ("answers", "total", "band", "concern"),
    [
        ({1: 1, 2: 5}, 2, "Low", False),  # the lowest possible score
        ({1: 4, 2: 5}, 5, "Low", False),  # just below the moderate edge
        ({1: 5, 2: 5}, 6, "Moderate", False),  # exactly on the edge belongs to the band above
        ({1: 4, 2: 2}, 8, "Moderate", False),  # just below the high edge
        ({1: 5, 2: 2}, 9, "High", True),  # exactly on the highest-concern edge
        ({1: 5, 2: 1}, 10, "High", True),  # the highest possible score
    ],
)
def test_band_edges(answers: dict[int, int], total: int, band: str, concern: bool) -> None:
    result = scoring.score(form(), {**answers, 3: 1})
    subscale = result.subscales[0]
    assert (subscale.score, subscale.band.label, subscale.concern, result.concern) == (total, band, concern, concern)


def test_mean_scoring_rounds_to_two_decimals() -> None:
    bands = (Band("Low", Decimal(1)), Band("High", Decimal("3.5"), concern=True))
    spec = Form(
        name="Mean",
        scale=tuple(ScaleOption(v, str(v)) for v in range(1, 6)),
        subscales=(SubscaleSpec("m", "Mean", "mean", bands=bands),),
        items=(ItemSpec(1, "a", "m"), ItemSpec(2, "b", "m"), ItemSpec(3, "c", "m", reverse=True)),
    )
    low = scoring.score(spec, {1: 3, 2: 3, 3: 2})  # (3 + 3 + 4) / 3 = 3.33
    assert low.subscales[0].score == Decimal("3.33") and low.subscales[0].band.label == "Low"
    high = scoring.score(spec, {1: 4, 2: 3, 3: 2})  # (4 + 3 + 4) / 3 = 3.67
    assert high.subscales[0].score == Decimal("3.67") and high.concern
    assert high.subscales[0].as_json()["score"] == "3.67"


def test_unanswered_or_off_scale_answers_are_refused() -> None:
    with pytest.raises(ValueError, match="Item 2 is not answered"):
        scoring.score(form(), {1: 3, 3: 1})
    with pytest.raises(ValueError, match="not on the response scale"):
        scoring.score(form(), {1: 3, 2: 6, 3: 1})
    with pytest.raises(ValueError, match="Item 9 is not in this questionnaire"):
        scoring.score(form(), {1: 3, 2: 3, 3: 1, 9: 2})


def test_a_score_below_every_band_has_no_band() -> None:
    assert scoring.band_for(Decimal(-1), BANDS) is None
    assert scoring.band_for(Decimal(0), BANDS).label == "Low"


def test_the_brief_checkin_scores_as_documented() -> None:
    brief = brief_checkin_form()
    calm = scoring.score(brief, {1: 0, 2: 0, 3: 0, 4: 0, 5: 4, 6: 4, 7: 4, 8: 4, 9: 4, 10: 0})
    assert [(s.key, s.score, s.band.label) for s in calm.subscales] == [
        ("strain", 0, "Low strain"),
        ("support", 16, "Well supported"),
    ]
    # Strain 16 is the first score in the highest-concern band; 15 is not.
    edge = scoring.score(brief, {1: 4, 2: 4, 3: 4, 4: 4, 5: 4, 6: 4, 7: 4, 8: 4, 9: 4, 10: 0})
    assert edge.subscales[0].score == 16 and edge.subscales[0].concern
    below = scoring.score(brief, {1: 4, 2: 4, 3: 4, 4: 3, 5: 4, 6: 4, 7: 4, 8: 4, 9: 4, 10: 0})
    assert below.subscales[0].score == 15 and not below.concern
    # Feeling supported: a low score is the concern (item 10 reverse-scored).
    alone = scoring.score(brief, {1: 0, 2: 0, 3: 0, 4: 0, 5: 4, 6: 4, 7: 0, 8: 1, 9: 1, 10: 4})
    assert alone.subscales[1].score == 2 and alone.subscales[1].band.label == "Little support" and alone.concern
