"""Scoring a questionnaire: reverse-scored items, subscale sums or means, score bands.

Works on plain data (`Form`), so the rules can be tested without a database and the same
code scores a stored questionnaire and validates an import file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class Band:
    label: str
    min_score: Decimal
    meaning: str = ""
    concern: bool = False


@dataclass(frozen=True)
class ScaleOption:
    value: int
    label: str


@dataclass(frozen=True)
class SubscaleSpec:
    key: str
    name: str
    scoring: str = "sum"  # or "mean"
    description: str = ""
    bands: tuple[Band, ...] = ()


@dataclass(frozen=True)
class ItemSpec:
    number: int
    text: str
    subscale: str | None  # key, or None for an item that is not scored
    reverse: bool = False


@dataclass(frozen=True)
class Form:
    """A questionnaire's structure."""

    name: str
    scale: tuple[ScaleOption, ...]
    subscales: tuple[SubscaleSpec, ...]
    items: tuple[ItemSpec, ...]
    instructions: str = ""
    credit: str = ""

    @property
    def low(self) -> int:
        return min(o.value for o in self.scale)

    @property
    def high(self) -> int:
        return max(o.value for o in self.scale)

    def items_of(self, key: str) -> list[ItemSpec]:
        return [item for item in self.items if item.subscale == key]

    def score_range(self, subscale: SubscaleSpec) -> tuple[Decimal, Decimal]:
        """The lowest and highest score the subscale can take."""
        n = len(self.items_of(subscale.key))
        if subscale.scoring == "mean":
            return Decimal(self.low), Decimal(self.high)
        return Decimal(n * self.low), Decimal(n * self.high)


@dataclass
class SubscaleScore:
    key: str
    name: str
    score: Decimal
    band: Band | None
    concern: bool

    def as_json(self) -> dict:
        return {
            "name": self.name,
            "score": format_score(self.score),
            "band": self.band.label if self.band else "",
            "meaning": self.band.meaning if self.band else "",
            "concern": self.concern,
        }


@dataclass
class Result:
    subscales: list[SubscaleScore] = field(default_factory=list)

    @property
    def concern(self) -> bool:
        return any(s.concern for s in self.subscales)


def format_score(value: Decimal) -> str:
    """'12' for whole numbers, '2.75' otherwise (never '1E+1')."""
    if value == value.to_integral_value():
        return str(int(value))
    return str(value.quantize(Decimal("0.01")))


def scored_value(value: int, *, reverse: bool, low: int, high: int) -> int:
    """A reverse-scored item counts as `low + high - value` (on 1-5: 1 is 5, 2 is 4...)."""
    return low + high - value if reverse else value


def band_for(score: Decimal, bands: tuple[Band, ...] | list[Band]) -> Band | None:
    """The band whose minimum is the highest one at or below the score (edges belong above)."""
    chosen = None
    for band in sorted(bands, key=lambda b: b.min_score):
        if score >= band.min_score:
            chosen = band
    return chosen


def score(form: Form, answers: dict[int, int]) -> Result:
    """Score answers ({item number: value on the scale}) into subscale scores and bands.

    Rules: every scored item must be answered with a value on the scale; reverse-scored
    items are flipped on the scale; a subscale is the sum (or the mean, to two decimals) of
    its items; a score in a band marked as highest concern flags the result.
    """
    allowed = {o.value for o in form.scale}
    unknown = sorted(set(answers) - {item.number for item in form.items})
    if unknown:
        raise ValueError(f"Item {unknown[0]} is not in this questionnaire.")
    for item in form.items:
        if item.number not in answers:
            raise ValueError(f"Item {item.number} is not answered.")
        if answers[item.number] not in allowed:
            raise ValueError(f"Item {item.number}: {answers[item.number]!r} is not on the response scale.")
    result = Result()
    for subscale in form.subscales:
        values = [
            scored_value(answers[item.number], reverse=item.reverse, low=form.low, high=form.high)
            for item in form.items_of(subscale.key)
        ]
        total = Decimal(sum(values))
        if subscale.scoring == "mean":
            total = (total / len(values)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if values else Decimal(0)
        band = band_for(total, subscale.bands)
        result.subscales.append(SubscaleScore(subscale.key, subscale.name, total, band, bool(band and band.concern)))
    return result
