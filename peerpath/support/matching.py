"""Scoring supporters for participants, and the optimal batch assignment.

Pure functions on plain data (no database), so the pages, the batch match and the benchmark
all run the same code. Scores are whole numbers: each criterion gives up to ``weight * 10``
points, in proportion to how well the pair fits (shared lived-experience areas out of those
the participant asked for, overlapping times out of theirs, free places out of capacity...).
The participant's must-haves are hard constraints: a pair failing one is not a candidate.

`score_matrix` computes every pair at once with numpy for the batch match, part by part against
the supporters' few distinct values and then gathered out to every pair (`_Scorer`: about 9 s of
CPU for 100,000 x 10,000); `explain` recomputes one pair's points criterion by criterion with the
same integer formulas, for the coordinator to read (and ranks the supporters for one
participant). `assign` finds the best assignment under `OBJECTIVE` (stated once, below) within
every supporter's free places, as one minimum-cost flow solved by OR-tools (exact, not greedy).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from django.db import models
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _

from peerpath.support.models import Availability, Criterion, Mode, Urgency

CRITERIA = [c.value for c in Criterion]
WEIGHT_KEYS = ["focus_area", "language", "mode", "area", "availability", "preferences", "free_places"]
CHUNK = 1000  # participants scored at once: bounds memory for large waiting lists
CHUNK_CELLS = 1_000_000  # and at most about this many pairs at once, so each step's arrays stay in the cache
# Above this many candidate pairs `assign` starts from a few pairs per person and adds the rest only
# where they could improve the result (see `assign`); below it, one solve on every pair is quicker.
DIRECT_PAIRS = 250_000
SEED_PER_PARTICIPANT = 25  # each participant's best-fitting supporters in the starting set
SEED_PER_PLACE = 4  # and each supporter's best participants, this many per free place
PRICING_MARGIN = 10  # pairs within this many points of improving it join too: fewer solves, same answer
PRICED_SHARE = 0.5  # and only when the starting set is under this share of the pairs (else one solve)
# The pruning rule for very large networks (`score_matrix`'s ``keep``): above this many possible
# pairs, each participant is weighed against their KEEP_BEST best-fitting supporters only (and each
# supporter against their best SEED_PER_PLACE participants per free place), to bound memory and time.
PRUNE_ABOVE = 100_000_000
KEEP_BEST = 30
MAX_WEIGHT = 10  # a setting's weight is 0 to 10 (support.services.common.update_settings)
MAX_SCORE = MAX_WEIGHT * 10 * len(WEIGHT_KEYS)  # the best fit a pair can score: 700

# --- The objective, in one place ------------------------------------------------------------

OBJECTIVE = [
    _("Serve as many waiting participants as possible."),
    _(
        "Among those assignments, serve the more urgent first (urgent, then soon, then routine, as the "
        "coordinator set it on each participant)."
    ),
    _("Then serve those who have waited longer (in whole weeks, counted up to 52)."),
    _("Then the best fit: the highest total score."),
]
"""Each level takes strict precedence over the next: no gain at a later level makes up for a
loss at an earlier one. Shown as is on the Matching page."""

URGENCY_RANK = {Urgency.ROUTINE.value: 0, Urgency.SOON.value: 1, Urgency.URGENT.value: 2}
MAX_WEEKS = 52
WEEK_SPAN = MAX_WEEKS + 1


def priority(urgency: int, weeks: int) -> int:
    """One participant's place in the queue as one number: urgency first, then whole weeks waited.

    ``urgency * 53 + weeks`` (weeks capped at 52) orders participants exactly as (urgency,
    weeks) does, and differs for every different (urgency, weeks).
    """
    return urgency * WEEK_SPAN + min(max(weeks, 0), MAX_WEEKS)


MAX_PRIORITY = priority(max(URGENCY_RANK.values()), MAX_WEEKS)


@dataclass(frozen=True)
class Needs:
    """What one participant asked for, in comparable form."""

    id: int
    focus_areas: frozenset[int] = frozenset()
    languages: frozenset[str] = frozenset()
    modes: frozenset[str] = frozenset()
    area: str = ""
    availability: frozenset[str] = frozenset()
    gender: str = ""
    age_bands: frozenset[str] = frozenset()
    communities: frozenset[str] = frozenset()
    must_haves: frozenset[str] = frozenset()
    urgency: int = 0  # URGENCY_RANK: 0 routine, 1 soon, 2 urgent
    weeks: int = 0  # whole weeks on the waiting list, capped at MAX_WEEKS

    @property
    def priority(self) -> int:
        return priority(self.urgency, self.weeks)


@dataclass(frozen=True)
class Offer:
    """What one eligible supporter offers, and how many places they have free."""

    id: int
    name: str = ""
    focus_areas: frozenset[int] = frozenset()
    languages: frozenset[str] = frozenset()
    modes: frozenset[str] = frozenset()
    area: str = ""
    availability: frozenset[str] = frozenset()
    gender: str = ""
    age_band: str = ""
    communities: frozenset[str] = frozenset()
    capacity: int = 3
    load: int = 0
    limit: int | None = None  # new matches allowed for now, when held back to a few (support.availability)

    @property
    def free(self) -> int:
        room = max(self.capacity - self.load, 0)
        return room if self.limit is None else min(room, max(self.limit, 0))


def norm(value: str) -> str:
    return " ".join(value.split()).casefold()


def norm_set(values: Iterable[str]) -> frozenset[str]:
    return frozenset(norm(v) for v in values if v and v.strip())


# --- One pair, criterion by criterion -----------------------------------------------------


@dataclass
class Part:
    criterion: str
    label: str
    points: int
    detail: str


@dataclass
class Explanation:
    score: int
    parts: list[Part] = field(default_factory=list)
    summary: str = ""


def _pref_counts(needs: Needs, offer: Offer) -> tuple[int, int]:
    stated = int(bool(needs.gender)) + int(bool(needs.age_bands)) + int(bool(needs.communities))
    met = (
        int(bool(needs.gender) and offer.gender == needs.gender)
        + int(bool(needs.age_bands) and offer.age_band in needs.age_bands)
        + int(bool(needs.communities & offer.communities))
    )
    return stated, met


def must_have_failures(needs: Needs, offer: Offer) -> list[str]:
    """The participant's must-haves this supporter does not meet (empty: a candidate)."""
    checks = {
        Criterion.FOCUS_AREA: not needs.focus_areas or bool(needs.focus_areas & offer.focus_areas),
        Criterion.LANGUAGE: not needs.languages or bool(needs.languages & offer.languages),
        Criterion.MODE: not needs.modes or bool(needs.modes & offer.modes),
        Criterion.AREA: not needs.area or norm(needs.area) == norm(offer.area),
        Criterion.AVAILABILITY: not needs.availability or bool(needs.availability & offer.availability),
        Criterion.GENDER: not needs.gender or offer.gender == needs.gender,
        Criterion.AGE: not needs.age_bands or offer.age_band in needs.age_bands,
        Criterion.COMMUNITY: not needs.communities or bool(needs.communities & offer.communities),
    }
    return [c for c in CRITERIA if c in needs.must_haves and not checks[Criterion(c)]]


_LABELS: tuple[type[models.TextChoices], ...] = (Mode, Availability)
MODE_ORDER = [str(m) for m in Mode.values]
TIME_ORDER = [str(a) for a in Availability.values]


_LABEL_CACHE: dict[tuple[type[models.TextChoices], str | None], dict[str, str]] = {}


def _label(choices: type[models.TextChoices], value: str) -> str:
    # In the reader's language: the labels are kept per language (a batch explains thousands of pairs).
    key = (choices, get_language())
    labels = _LABEL_CACHE.get(key)
    if labels is None:
        labels = {str(v): str(label).lower() for v, label in choices.choices} if choices in _LABELS else {}
        _LABEL_CACHE[key] = labels
    return labels.get(value, value)


def explain(needs: Needs, offer: Offer, weights: dict[str, int], area_names: dict[int, str]) -> Explanation:
    """One pair's score, criterion by criterion, with the same integer formulas as `score_matrix`."""
    w = {k: int(weights.get(k, 0)) for k in WEIGHT_KEYS}
    parts: list[Part] = []
    shared_areas = sorted(area_names.get(a, str(a)) for a in needs.focus_areas & offer.focus_areas)
    focus = (w["focus_area"] * 10 * len(shared_areas)) // len(needs.focus_areas) if needs.focus_areas else 0
    parts.append(
        Part("focus_area", gettext("Lived experience"), focus, ", ".join(shared_areas) or gettext("none shared"))
    )
    shared_langs = sorted(needs.languages & offer.languages)
    language = w["language"] * 10 if shared_langs else 0
    parts.append(
        Part(
            "language",
            gettext("Language"),
            language,
            ", ".join(s.title() for s in shared_langs) or gettext("none shared"),
        )
    )
    shared_modes = [m for m in MODE_ORDER if m in needs.modes & offer.modes]
    mode = w["mode"] * 10 if shared_modes else 0
    parts.append(
        Part(
            "mode", gettext("Way of meeting"), mode, ", ".join(_label(Mode, m) for m in shared_modes) or gettext("none")
        )
    )
    same_area = bool(needs.area) and norm(needs.area) == norm(offer.area)
    parts.append(
        Part(
            "area",
            gettext("Area"),
            w["area"] * 10 if same_area else 0,
            offer.area if same_area else gettext("different"),
        )
    )
    shared_times = [a for a in TIME_ORDER if a in needs.availability & offer.availability]
    times = (w["availability"] * 10 * len(shared_times)) // len(needs.availability) if needs.availability else 0
    parts.append(
        Part(
            "availability",
            gettext("Times"),
            times,
            ", ".join(_label(Availability, a) for a in shared_times) or gettext("none"),
        )
    )
    stated, met = _pref_counts(needs, offer)
    prefs = (w["preferences"] * 10 * met) // stated if stated else 0
    met_text = gettext("%(met)s of %(stated)s met") % {"met": met, "stated": stated}
    parts.append(Part("preferences", gettext("Preferences"), prefs, met_text if stated else gettext("none stated")))
    free = (w["free_places"] * 10 * offer.free) // offer.capacity if offer.capacity else 0
    free_text = gettext("%(free)s of %(capacity)s places free") % {"free": offer.free, "capacity": offer.capacity}
    parts.append(Part("free_places", gettext("Free places"), free, free_text))
    shares = [*shared_areas, *(s.title() for s in shared_langs)]
    summary = "; ".join(
        bit
        for bit in [
            gettext("shares: %(shared)s") % {"shared": ", ".join(shares)} if shares else "",
            ", ".join(_label(Mode, m) for m in shared_modes),
            gettext("same area (%(area)s)") % {"area": offer.area} if same_area else "",
            ", ".join(_label(Availability, a) for a in shared_times),
            gettext("%(met)s of %(stated)s preferences met") % {"met": met, "stated": stated} if stated else "",
            free_text,
        ]
        if bit
    )
    return Explanation(score=sum(p.points for p in parts), parts=parts, summary=summary)


# --- Every pair at once -------------------------------------------------------------------


def _bits(rows: Sequence[Iterable], vocab: dict) -> np.ndarray:
    """Each row's set as bits: a (rows, words) array of 64-bit words, bit ``vocab[value]`` set."""
    words = max((len(vocab) + 63) // 64, 1)
    out = np.zeros((len(rows), words), dtype=np.uint64)
    for i, values in enumerate(rows):
        for v in values:
            j = vocab.get(v)
            if j is not None:
                out[i, j >> 6] |= np.uint64(1 << (j & 63))
    return out


def _shared(mine: np.ndarray, theirs: np.ndarray) -> np.ndarray:
    """How many values each row of ``mine`` shares with each row of ``theirs`` (bit counts:
    far quicker than a matrix product, and no threads fighting over a busy machine's cores)."""
    total = np.bitwise_count(mine[:, 0, None] & theirs[None, :, 0])
    if mine.shape[1] > 1:
        total = total.astype(np.uint16)  # up to 64 a word: more than one word may pass 255
        for word in range(1, mine.shape[1]):
            total += np.bitwise_count(mine[:, word, None] & theirs[None, :, word])
    return total


def _vocab(*groups: Iterable[Iterable]) -> dict:
    values: set = set()
    for group in groups:
        for item in group:
            values.update(item)
    return {v: i for i, v in enumerate(sorted(values, key=str))}


@dataclass
class Candidates:
    """The allowed pairs of a set of participants and supporters, with their scores.

    ``edges`` are parallel arrays (participant index, supporter index, score). For each
    participant with no candidate, ``blocked`` says how many supporters with room met each
    of their must-haves taken alone (to explain why nobody fits).
    """

    participant_index: np.ndarray
    supporter_index: np.ndarray
    score: np.ndarray
    candidates_per_participant: np.ndarray
    blocked: dict[int, dict[str, int]]
    seed: np.ndarray | None = None  # the pairs `assign` starts from, as indices into the arrays above
    pruned: int = 0  # candidate pairs left out by `score_matrix`'s ``keep`` rule (0: every one kept)


def _floor_share(weight: int, shared: np.ndarray, asked: np.ndarray) -> np.ndarray:
    """``(weight * 10 * shared) // asked`` (0 when nothing was asked), in float32.

    Exact: every value is a small whole number, and a quotient that is not whole is at least
    1/asked away from the next whole number, far more than float32 rounding."""
    return np.floor((weight * 10) * shared.astype(np.float32) / np.maximum(asked, 1))


NEG = -2048  # a part's value where a must-have is not met: below every sum of points (MAX_SCORE 700)
SCORE_SPAN = 1 << 12  # above every score: priority * SCORE_SPAN + score orders by priority, then fit


def _bit_rows(sets: Sequence[frozenset], vocab: dict) -> np.ndarray:
    """`_bits` for many rows sharing few distinct sets: each distinct set turned into bits once."""
    index: dict[frozenset, int] = {}
    ids = np.fromiter((index.setdefault(s, len(index)) for s in sets), dtype=np.int64, count=len(sets))
    return _bits(list(index), vocab)[ids]


def _distinct(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of ``values`` (one per supporter) and each supporter's index among them."""
    values = values.reshape(len(values), -1)
    if values.shape[1] == 1:  # one number each: the quick way
        table, inverse = np.unique(values[:, 0], return_inverse=True)
        return table[:, None], inverse.reshape(-1)
    table, inverse = np.unique(values, axis=0, return_inverse=True)
    return table, inverse.reshape(-1)


@dataclass
class _Part:
    """One part of the score: its criteria, and the supporters' distinct values for it (``kinds``),
    each supporter with room pointing at theirs (``kind``)."""

    name: str
    kinds: np.ndarray
    kind: np.ndarray

    @property
    def count(self) -> int:
        return len(self.kinds)


@dataclass
class _Group:
    """Parts scored together: a table over the distinct combinations of their values among the
    supporters (``combos``: for each combination, each part's kind), then one gather per pair."""

    parts: list[_Part]
    combos: np.ndarray  # (combinations, parts)
    combo: np.ndarray  # each supporter's combination


class _Scorer:
    """Every pair's score with the must-haves folded in, for chunks of participants at a time.

    The score is a sum of parts (lived experience, language, way of meeting, area, times,
    preferences, free places), each depending on one side's few values and the other's. The
    supporters have few distinct values per part (a few dozen sets of areas, not thousands), so
    each part is computed for a chunk of participants against those distinct values only (a
    small table, ``NEG`` where a must-have fails), then the tables are gathered out to every
    supporter and added: a few passes over the pairs instead of dozens. Parts whose distinct
    combinations stay few are tabled together (`_Group`), one gather for several.
    """

    def __init__(self, needs: Sequence[Needs], offers: Sequence[Offer], weights: dict[str, int], columns: np.ndarray):
        self.w = {k: int(weights.get(k, 0)) for k in WEIGHT_KEYS}
        if sum(v * 10 for v in self.w.values()) >= -NEG:
            raise ValueError("Weights are 0 to 10.")
        keys = [
            ("focus", "focus_areas"),
            ("lang", "languages"),
            ("mode", "modes"),
            ("time", "availability"),
            ("comm", "communities"),
        ]
        vocab = {
            key: _vocab([getattr(n, attr) for n in needs], [getattr(o, attr) for o in offers]) for key, attr in keys
        }
        self.p_bits = {key: _bit_rows([getattr(n, attr) for n in needs], vocab[key]) for key, attr in keys}
        self.asked = {key: np.array([len(getattr(n, attr)) for n in needs], dtype=np.float32) for key, attr in keys}
        age_vocab = _vocab([n.age_bands for n in needs], [{o.age_band} for o in offers if o.age_band])
        self.p_bits["age"] = _bit_rows([n.age_bands for n in needs], age_vocab)
        self.asked["age"] = np.array([bool(n.age_bands) for n in needs], dtype=np.float32)
        area_vocab = _vocab([{norm(n.area)} for n in needs if n.area], [{norm(o.area)} for o in offers if o.area])
        self.p_area = np.array([area_vocab.get(norm(n.area), -3) if n.area else -4 for n in needs], dtype=np.int64)
        genders = sorted({o.gender for o in offers} | {n.gender for n in needs})
        gender_vocab = {g: i for i, g in enumerate(genders)}
        self.p_gender = np.array([gender_vocab[n.gender] if n.gender else -2 for n in needs], dtype=np.int64)
        self.must = {c: np.array([c in n.must_haves for n in needs], dtype=bool) for c in CRITERIA}

        chosen = [offers[j] for j in columns]
        s_bits = {key: _bit_rows([getattr(o, attr) for o in chosen], vocab[key]) for key, attr in keys}
        s_bits["age"] = _bit_rows([frozenset({o.age_band}) if o.age_band else frozenset() for o in chosen], age_vocab)
        s_area = np.array([area_vocab.get(norm(o.area), -1) if o.area else -2 for o in chosen], dtype=np.int64)
        s_gender = np.array([gender_vocab[o.gender] if o.gender else -1 for o in chosen], dtype=np.int64)
        capacity = np.array([o.capacity for o in chosen], dtype=np.int64)
        free = np.array([o.free for o in chosen], dtype=np.int64)
        free_points = np.where(capacity > 0, (self.w["free_places"] * 10 * free) // np.maximum(capacity, 1), 0)
        prefs = np.concatenate(
            [(s_gender + 2).astype(np.uint64)[:, None], s_bits["age"], s_bits["comm"]], axis=1
        ).astype(np.uint64)
        self.parts = [
            _Part(name, *_distinct(values))
            for name, values in [
                ("focus", s_bits["focus"]),
                ("lang", s_bits["lang"]),
                ("mode", s_bits["mode"]),
                ("time", s_bits["time"]),
                ("area", s_area),
                ("prefs", prefs),
                ("free", free_points),
            ]
        ]
        self.age_words = s_bits["age"].shape[1]
        self.groups = self._grouped(len(columns))

    def _grouped(self, n_columns: int) -> list[_Group]:
        """Parts tabled together while their combinations stay under a quarter of the supporters
        (building a table costs its rows times its combinations; each group saves a pass over the pairs)."""
        limit = max(n_columns // 4, 1)
        groups: list[_Group] = []
        for part in sorted(self.parts, key=lambda p: p.count):
            if groups:
                last = groups[-1]
                # Each supporter's combination so far and their kind in this part, as one number.
                code, combo = _distinct(last.combo * part.count + part.kind)
                if len(code) <= limit:
                    combos = np.concatenate([last.combos[code[:, 0] // part.count], code % part.count], axis=1)
                    groups[-1] = _Group([*last.parts, part], combos, combo)
                    continue
            groups.append(_Group([part], np.arange(part.count)[:, None], part.kind))
        return groups

    def values(self, part: _Part, rows: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """A part's points for these participants against each of its kinds (float32, whole
        numbers; the same integer formulas as `explain`), and whether each criterion in it is met."""
        w = self.w
        name = part.name
        if name == "free":
            return np.broadcast_to(part.kinds[:, 0].astype(np.float32), (len(rows), part.count)), {}
        if name == "area":
            p_area = self.p_area[rows, None]
            same = p_area == part.kinds[None, :, 0]
            return (w["area"] * 10) * same.astype(np.float32), {Criterion.AREA.value: same | (p_area == -4)}
        if name == "prefs":
            gender_ok = self.p_gender[rows, None] == part.kinds[None, :, 0].astype(np.int64) - 2
            age_words = self.age_words
            age_ok = _shared(self.p_bits["age"][rows], part.kinds[:, 1 : 1 + age_words]) > 0
            comm_ok = _shared(self.p_bits["comm"][rows], part.kinds[:, 1 + age_words :]) > 0
            asked_age = self.asked["age"][rows, None]
            asked_comm = self.asked["comm"][rows, None]
            stated = (self.p_gender[rows] >= 0)[:, None].astype(np.float32) + asked_age + (asked_comm > 0)
            met = gender_ok.astype(np.float32) + age_ok + comm_ok
            return _floor_share(w["preferences"], met, stated), {
                Criterion.GENDER.value: gender_ok | (self.p_gender[rows, None] == -2),
                Criterion.AGE.value: age_ok | (asked_age == 0),
                Criterion.COMMUNITY.value: comm_ok | (asked_comm == 0),
            }
        criterion, weight, share = {
            "focus": (Criterion.FOCUS_AREA, w["focus_area"], True),
            "lang": (Criterion.LANGUAGE, w["language"], False),
            "mode": (Criterion.MODE, w["mode"], False),
            "time": (Criterion.AVAILABILITY, w["availability"], True),
        }[name]
        shared = _shared(self.p_bits[name][rows], part.kinds)
        asked = self.asked[name][rows, None]
        points = _floor_share(weight, shared, asked) if share else (weight * 10) * (shared > 0).astype(np.float32)
        return points, {criterion.value: (shared > 0) | (asked == 0)}

    def table(self, part: _Part, rows: np.ndarray) -> np.ndarray:
        """The part's points against each kind, ``NEG`` where a must-have of the participant fails."""
        points, oks = self.values(part, rows)
        table = points.astype(np.int16)
        for criterion, ok in oks.items():
            must = self.must[criterion][rows]
            if must.any():
                table = np.where(ok | ~must[:, None], table, np.int16(NEG))
        return table

    def total(self, rows: np.ndarray) -> np.ndarray:
        """Every pair's score for these participants (rows) and the supporters with room
        (columns), int16; negative where a must-have fails."""
        total: np.ndarray | None = None
        for group in self.groups:
            tables = [self.table(part, rows) for part in group.parts]
            if len(tables) == 1:
                joint = tables[0]
            else:
                joint = tables[0][:, group.combos[:, 0]]
                for i, table in enumerate(tables[1:], start=1):
                    joint += table[:, group.combos[:, i]]
            gathered = np.take(joint, group.combo, axis=1)
            if total is None:
                total = gathered
            else:
                total += gathered
        assert total is not None
        return total

    def met_counts(self, rows: np.ndarray) -> dict[str, np.ndarray]:
        """For each criterion, how many supporters with room meet it taken alone, per participant."""
        counts: dict[str, np.ndarray] = {}
        for part in self.parts:
            per_kind = np.bincount(part.kind, minlength=part.count)
            for criterion, ok in self.values(part, rows)[1].items():
                counts[criterion] = ok.astype(np.int64) @ per_kind
        return counts

    def met(self, rows: np.ndarray, columns: np.ndarray) -> dict[str, np.ndarray]:
        """For single pairs (rows[i], columns[i]): whether each criterion is met."""
        found: dict[str, np.ndarray] = {}
        for part in self.parts:
            for criterion, ok in self.values(part, rows)[1].items():
                found[criterion] = ok[np.arange(len(rows)), part.kind[columns]]
        return found


def _where(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.nonzero`` of a 2-d mask, ten times quicker (flat positions, then rows and columns)."""
    flat = np.flatnonzero(mask)
    return flat // mask.shape[1], flat % mask.shape[1]


def _count_in_rows(mask: np.ndarray) -> np.ndarray:
    """How many entries of each row of a boolean mask are set."""
    return mask.view(np.int8).sum(axis=1, dtype=np.int64)


def _top_in_rows(total: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each row's ``k`` highest entries that are not negative (negative: not a candidate; ties
    go to the lower column): their rows and columns in row-major order, and each one's rank in
    its row (0 the best)."""
    rows, n = total.shape
    if n > k:
        threshold = np.partition(total, n - k, axis=1)[:, n - k]  # each row's k-th highest
        selected = total >= np.maximum(threshold, 0)[:, None]
    else:
        selected = total >= 0
    r, c = _where(selected)
    value = total[r, c].astype(np.int64)
    order = np.lexsort((c, -value, r))
    first = np.searchsorted(r, np.arange(rows))
    rank = np.empty(len(r), dtype=np.int64)
    rank[order] = np.arange(len(r)) - first[r[order]]
    within = rank < k
    return r[within], c[within], rank[within]


class SeedBySupporter:
    """Each supporter's best candidates, ``SEED_PER_PLACE`` per free place: the highest
    ``priority * SCORE_SPAN + score`` (more urgent, longer waiting, better fit; on a tie, the first
    seen), kept in a (supporters, depth) table sorted best first, as chunks of participants go by.

    The chunks come in order of priority, highest first, so a supporter whose table is full of
    participants more urgent or longer waiting than anyone in the chunk is passed over; in the
    others only the entries above the table's worst are merged in."""

    def __init__(self, free: np.ndarray) -> None:
        self.quota = SEED_PER_PLACE * np.maximum(free, 0)
        depth = max(int(self.quota.max(initial=0)), 1)
        self.key = np.full((len(free), depth), -1, dtype=np.int64)
        self.row = np.full((len(free), depth), -1, dtype=np.int64)
        # Each supporter's worst key still kept (-1 while a place in the table is empty).
        self.floor = np.where(self.quota > 0, -1, np.iinfo(np.int64).max)

    def add(self, rows: np.ndarray, priorities: np.ndarray, total: np.ndarray) -> None:
        """Merge a chunk: participants ``rows`` (with their ``priorities``, none higher than the
        chunks before) against every supporter (``total``: scores, negative if not a candidate)."""
        if not len(rows):
            return
        ceiling = (int(priorities.max()) + 1) * SCORE_SPAN  # every key of this chunk is below it
        open_ = np.flatnonzero(self.floor < ceiling)
        if not len(open_):
            return
        scores = total if len(open_) == total.shape[1] else total[:, open_]
        key = priorities[:, None].astype(np.int32) * SCORE_SPAN + scores
        r, c = _where((scores >= 0) & (key > self.floor[open_][None, :]))
        if not len(r):
            return
        columns = open_[c]
        affected = np.unique(columns)
        depth = self.key.shape[1]
        old_key = self.key[affected].ravel()
        held = old_key >= 0
        column = np.concatenate([np.repeat(affected, depth)[held], columns])
        keys = np.concatenate([old_key[held], key[r, c].astype(np.int64)])
        row = np.concatenate([self.row[affected].ravel()[held], rows[r]])
        order = np.lexsort((-keys, column))  # by supporter, best first; stable: the earlier kept on a tie
        column, keys, row = column[order], keys[order], row[order]
        rank = np.arange(len(column)) - np.searchsorted(column, column)
        kept = rank < self.quota[column]
        self.key[affected] = -1
        self.row[affected] = -1
        self.key[column[kept], rank[kept]] = keys[kept]
        self.row[column[kept], rank[kept]] = row[kept]
        self.floor[affected] = self.key[affected, self.quota[affected] - 1]

    def pairs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(participant, supporter, key) of each supporter's best, within their quota."""
        chosen = self.key >= 0
        supporter = np.broadcast_to(np.arange(self.key.shape[0])[:, None], self.key.shape)
        return self.row[chosen], supporter[chosen].astype(np.int64), self.key[chosen]


def score_matrix(
    needs: Sequence[Needs],
    offers: Sequence[Offer],
    weights: dict[str, int],
    conflicts: set[tuple[int, int]] | frozenset = frozenset(),
    keep: int | None = None,
) -> Candidates:
    """Score every (participant, supporter) pair; keep those that pass every hard constraint.

    Hard constraints: the supporter has a free place, no declared conflict between the two,
    and every must-have of the participant is met. Same integer formulas as `explain`
    (computed part by part against the supporters' distinct values: `_Scorer`).

    ``keep`` (for very large networks; None keeps every candidate) is the pruning rule: each
    participant keeps their ``keep`` best-fitting candidate supporters (ties: the earlier
    supporter), and each supporter keeps their best ``SEED_PER_PLACE`` candidates per free place,
    best meaning the more urgent, then the longer waiting, then the better fit (`SeedBySupporter`).
    ``candidates_per_participant`` and ``blocked`` still count every candidate; ``pruned`` says
    how many pairs were left out. The pairs `assign` starts from (``seed``) are chosen by the
    same rule with ``SEED_PER_PARTICIPANT``.
    """
    n_p, n_s = len(needs), len(offers)
    per_participant = np.zeros(n_p, dtype=np.int64)
    free_all = np.array([o.free for o in offers], dtype=np.int64)
    columns = np.flatnonzero(free_all > 0)  # only a supporter with a free place can be a candidate
    n_c = len(columns)
    empty = np.zeros(0, dtype=np.int64)
    if not n_p or not n_c:
        blocked = {i: {c: 0 for c in CRITERIA if c in n.must_haves} | {"_room": 0} for i, n in enumerate(needs)}
        return Candidates(empty, empty, empty, per_participant, blocked if n_s else {i: {} for i in range(n_p)}, empty)
    scorer = _Scorer(needs, offers, weights, columns)
    priorities = np.array([n.priority for n in needs], dtype=np.int64)
    order = np.lexsort((np.arange(n_p), -priorities))  # the highest priority first (see SeedBySupporter)
    place = np.empty(n_p, dtype=np.int64)
    place[order] = np.arange(n_p)
    # Declared conflicts with supporters who have room, as (place in `order`, column), sorted.
    column_of = np.full(n_s, -1, dtype=np.int64)
    column_of[columns] = np.arange(n_c)
    offer_pos = {o.id: j for j, o in enumerate(offers)}
    need_pos: dict[int, list[int]] = {}
    for i, n in enumerate(needs):
        need_pos.setdefault(n.id, []).append(i)
    pairs = [
        (int(place[i]), int(column_of[offer_pos[s]]))
        for s, p in conflicts
        if s in offer_pos and column_of[offer_pos[s]] >= 0
        for i in need_pos.get(p, [])
    ]
    conflict = np.array(sorted(pairs), dtype=np.int64).reshape(-1, 2)

    per_place = SeedBySupporter(free_all[columns])
    out_p: list[np.ndarray] = []
    out_c: list[np.ndarray] = []
    out_w: list[np.ndarray] = []
    seed_p: list[np.ndarray] = []
    seed_c: list[np.ndarray] = []
    best = SEED_PER_PARTICIPANT if keep is None else min(SEED_PER_PARTICIPANT, keep)
    chunk_rows = max(1, min(CHUNK, CHUNK_CELLS // n_c))
    for start in range(0, n_p, chunk_rows):
        rows = order[start : start + chunk_rows]
        total = scorer.total(rows)
        lo, hi = np.searchsorted(conflict[:, 0], [start, start + len(rows)])
        total[conflict[lo:hi, 0] - start, conflict[lo:hi, 1]] = -1
        allowed = total >= 0
        per_participant[rows] = _count_in_rows(allowed)
        if keep is None:
            r, c = _where(allowed)
            sr, sc, _rank = _top_in_rows(total, best)
        else:
            r, c, rank = _top_in_rows(total, keep)
            sr, sc = r[rank < best], c[rank < best]
        out_p.append(rows[r])
        out_c.append(c)
        out_w.append(total[r, c].astype(np.int64))
        seed_p.append(rows[sr])
        seed_c.append(sc)
        per_place.add(rows, priorities[rows], total)

    p_all, c_all, w_all = np.concatenate(out_p), np.concatenate(out_c), np.concatenate(out_w)
    # Into participant order: each participant's pairs are together, by supporter, in processing
    # order; gathered block by block (each block read in order, so the reads stay in the cache).
    count = np.bincount(p_all, minlength=n_p)
    source = np.empty(n_p, dtype=np.int64)
    source[order] = np.concatenate([[0], np.cumsum(count[order])[:-1]])
    target = np.cumsum(count) - count
    gather = np.repeat(source - target, count) + np.arange(len(p_all))
    p_all = np.repeat(np.arange(n_p, dtype=np.int64), count)
    s_all, w_all = columns[c_all[gather]], w_all[gather]

    pruned = int(per_participant.sum() - len(p_all)) if keep is not None else 0
    place_p, place_c, place_key = per_place.pairs()
    place_s = columns[place_c]
    if keep is not None:
        # A supporter's best participants stay candidates even where they are not among those
        # participants' own best: in order, without duplicates (pair keys are p * n_s + s).
        # (Each supporter's pairs are distinct, and the kept keys sorted.)
        keys = p_all * n_s + s_all
        place_keys = place_p * n_s + place_s
        at = np.searchsorted(keys, place_keys)
        new = keys[np.minimum(at, max(len(keys) - 1, 0))] != place_keys if len(keys) else np.ones(len(at), bool)
        if new.any():
            order_new = np.argsort(place_keys[new])
            extra, extra_score = place_keys[new][order_new], (place_key[new] % SCORE_SPAN)[order_new]
            pruned -= len(extra)
            at = np.searchsorted(keys, extra)
            p_all = np.insert(p_all, at, extra // n_s)
            s_all = np.insert(s_all, at, extra % n_s)
            w_all = np.insert(w_all, at, extra_score)
    keys = p_all * n_s + s_all
    seed_keys = np.concatenate([*seed_p, place_p]) * n_s + columns[np.concatenate([*seed_c, place_c])]
    found = np.searchsorted(keys, seed_keys)
    if len(seed_keys) and not np.array_equal(keys[np.minimum(found, len(keys) - 1)], seed_keys):
        raise RuntimeError("A starting pair is not a candidate.")  # cannot happen: both come from the scores
    in_seed = np.zeros(len(keys), dtype=bool)
    in_seed[found] = True
    seed = np.flatnonzero(in_seed)
    return Candidates(
        p_all, s_all, w_all, per_participant, _blocked(scorer, needs, per_participant, conflict, order), seed, pruned
    )


def _blocked(
    scorer: _Scorer, needs: Sequence[Needs], per_participant: np.ndarray, conflict: np.ndarray, order: np.ndarray
) -> dict[int, dict[str, int]]:
    """For each participant with no candidate: how many supporters with room (and no declared
    conflict with them) meet each of their must-haves taken alone, and how many have room."""
    nobody = np.flatnonzero(per_participant == 0)
    n_c = len(scorer.parts[0].kind)
    blocked: dict[int, dict[str, int]] = {}
    chunk = max(1, CHUNK_CELLS // max(sum(p.count for p in scorer.parts), 1))
    for start in range(0, len(nobody), chunk):
        rows = nobody[start : start + chunk]
        counts = scorer.met_counts(rows)
        for k, i in enumerate(rows.tolist()):
            blocked[i] = {c: int(counts[c][k]) for c in CRITERIA if c in needs[i].must_haves} | {"_room": n_c}
    if len(conflict) and blocked:
        # A declared conflict takes that supporter out of the counts.
        participant = order[conflict[:, 0]]
        mine = np.isin(participant, nobody)
        rows, cols = participant[mine], conflict[mine, 1]
        met = scorer.met(rows, cols)
        for k, (i, _c) in enumerate(zip(rows.tolist(), cols.tolist(), strict=True)):
            blocked[i]["_room"] -= 1
            for criterion in blocked[i]:
                if criterion != "_room" and met[criterion][k]:
                    blocked[i][criterion] -= 1
    return blocked


# --- The optimal assignment ---------------------------------------------------------------


@dataclass(frozen=True)
class Levels:
    """An assignment's value at each level of `OBJECTIVE`, in order."""

    matched: int = 0
    urgency: int = 0  # the matched participants' urgency ranks, added up (urgent 2, soon 1)
    weeks: int = 0  # their whole weeks waited (each capped at 52), added up
    fit: int = 0  # their pairs' scores, added up

    def as_tuple(self) -> tuple[int, int, int, int]:
        return (self.matched, self.urgency, self.weeks, self.fit)


@dataclass
class Assignment:
    """The chosen pairs {participant index: supporter index} and their value at each level."""

    pairs: dict[int, int]
    levels: Levels


# The flow solver works in 64-bit integers and, by cost scaling, multiplies costs by about the
# number of nodes: costs stay below this, and the whole objective too, or `assign` refuses.
COST_LIMIT = 2**62


def level_weights(bound: int, best_score: int) -> int:
    """The multiplier that puts a participant's place in the queue above every fit.

    A pair's value is ``(priority + 1) * step + score``; ``step`` exceeds the most that fit
    can add up to over ``bound`` matched pairs (each scoring 0..best_score), so one more unit
    of ``priority + 1`` outweighs any difference in fit.
    """
    return max(bound, 1) * max(best_score, 0) + 1


def pair_values(priorities: np.ndarray, candidates: Candidates, step: int) -> np.ndarray:
    """Each candidate pair's value in the single objective (see `assign`)."""
    return (priorities[candidates.participant_index] + 1) * step + candidates.score


def cost_bound(n_participants: int, n_supporters: int, bound: int, best_score: int) -> int:
    """The largest number the solver may meet for these sizes: the biggest pair value times
    the nodes (cost scaling), or times the pairs matched (the whole objective)."""
    step = level_weights(bound, best_score)
    biggest = (MAX_PRIORITY + 1) * step + best_score
    return biggest * max(n_participants + n_supporters + 3, bound)


def assign(
    n_participants: int,
    free: Sequence[int],
    candidates: Candidates,
    priorities: Sequence[int] | np.ndarray | None = None,
) -> Assignment:
    """The best assignment under `OBJECTIVE`: every supporter within their free places.

    Exact, as one minimum-cost flow (source → participant (1) → supporter → sink (free
    places), with a zero-cost bypass from each participant to the sink), where a pair is worth
    ``(priority + 1) * step + score`` (`level_weights`). Why the levels come out strictly in order:

    - The sets of participants that can be served together form a matroid (a transversal
      matroid: supporters' places are its slots). With every weight ``priority + 1`` positive,
      a set of greatest total weight is a largest set (any smaller one can be extended), so
      level 1 is served first; among the largest sets, the greatest total ``priority`` is the
      one whose sorted priorities dominate every other's place by place (the greedy basis), and
      as ``priority`` (urgency * 53 + weeks) is one-to-one in (urgency, weeks), that set serves
      the most urgent, then the most soon, and the longest waits: levels 2 and 3.
    - ``step`` exceeds all the fit that could differ, so fit (level 4) only breaks ties.

    With many candidate pairs (over ``DIRECT_PAIRS``) the flow is solved first on a starting
    set (each participant's ``SEED_PER_PARTICIPANT`` best-fitting supporters and each
    supporter's best ``SEED_PER_PLACE`` participants per free place; unless that is over
    ``PRICED_SHARE`` of the pairs, as under the pruning rule, when one solve on every pair is
    quicker), then priced against every
    pair: node potentials from shortest paths in the optimal flow's residual graph (the LP
    duals) give each pair left out a reduced cost; a pair with a negative one could improve the
    result, so those are added and the flow solved again. When no pair left out has a negative
    reduced cost, no improving cycle exists through any of them, so the answer is optimal for
    every candidate pair, exactly as if all had been given to the solver (the last round proves
    it; `tests/support/test_matching.py` compares both ways).

    The numbers stay small (for 100,000 participants and the best score 700: under 2**34 a
    pair), and `cost_bound` is checked before solving: OverflowError rather than a wrong answer.
    """
    n_edges = len(candidates.score)
    if n_participants == 0 or n_edges == 0:
        return Assignment({}, Levels())
    prio = np.zeros(n_participants, dtype=np.int64) if priorities is None else np.asarray(priorities, dtype=np.int64)
    if len(prio) != n_participants or prio.min(initial=0) < 0 or prio.max(initial=0) > MAX_PRIORITY:
        raise ValueError("One priority per participant, from 0 to MAX_PRIORITY.")
    free_arr = np.asarray(free, dtype=np.int64)
    n_s = len(free_arr)
    bound = int(min(n_participants, int(free_arr.sum())))
    best = int(candidates.score.max(initial=0))
    if candidates.score.min(initial=0) < 0:
        raise ValueError("Scores are never negative.")
    if cost_bound(n_participants, n_s, bound, best) >= COST_LIMIT:
        raise OverflowError("Too many participants for the matching solver's integer range.")
    step = level_weights(bound, best)
    p_all = np.asarray(candidates.participant_index, dtype=np.int64)
    s_all = np.asarray(candidates.supporter_index, dtype=np.int64)
    value = pair_values(prio, candidates, step)
    chosen = np.arange(n_edges)
    if n_edges > DIRECT_PAIRS:
        chosen = (
            np.asarray(candidates.seed, dtype=np.int64)
            if candidates.seed is not None
            else _starting_set(n_participants, free_arr, p_all, s_all, candidates.score, value)
        )
    if len(chosen) > PRICED_SHARE * n_edges:
        chosen = np.arange(n_edges)  # the start is most of the pairs: pricing would only add rounds
    if len(chosen) == n_edges:
        used = chosen[_solve_flow(n_participants, free_arr, p_all, s_all, value)]
    else:
        given = np.zeros(n_edges, dtype=bool)
        given[chosen] = True
        while True:
            flows = _solve_flow(n_participants, free_arr, p_all[chosen], s_all[chosen], value[chosen])
            potential = _potentials(n_participants, free_arr, p_all[chosen], s_all[chosen], value[chosen], flows)
            reduced = potential[p_all] - potential[n_participants + s_all] - value
            if not ((reduced < 0) & ~given).any():
                used = chosen[flows]
                break
            # Those that could improve it, and those close to it (PRICING_MARGIN): fewer rounds.
            given |= reduced < PRICING_MARGIN
            chosen = np.flatnonzero(given)
    pairs = dict(zip(p_all[used].tolist(), s_all[used].tolist(), strict=True))
    chosen_p = p_all[used]
    urgency = prio[chosen_p] // WEEK_SPAN
    levels = Levels(
        matched=len(used),
        urgency=int(urgency.sum()),
        weeks=int((prio[chosen_p] - urgency * WEEK_SPAN).sum()),
        fit=int(candidates.score[used].sum()),
    )
    return Assignment(pairs, levels)


def _solve_flow(n_p: int, free: np.ndarray, p_idx: np.ndarray, s_idx: np.ndarray, value: np.ndarray) -> np.ndarray:
    """Which of the given pairs the maximum-value flow uses (a boolean per pair)."""
    from ortools.graph.python import min_cost_flow

    n_s = len(free)
    source, sink = n_p + n_s, n_p + n_s + 1
    flow = min_cost_flow.SimpleMinCostFlow()
    ones_p = np.ones(n_p, dtype=np.int64)
    zeros_p = np.zeros(n_p, dtype=np.int64)
    participants = np.arange(n_p, dtype=np.int64)
    flow.add_arcs_with_capacity_and_unit_cost(np.full(n_p, source), participants, ones_p, zeros_p)
    pair_arcs = flow.add_arcs_with_capacity_and_unit_cost(
        p_idx, n_p + s_idx, np.ones(len(p_idx), dtype=np.int64), -value
    )
    flow.add_arcs_with_capacity_and_unit_cost(participants, np.full(n_p, sink), ones_p, zeros_p)
    flow.add_arcs_with_capacity_and_unit_cost(
        n_p + np.arange(n_s, dtype=np.int64), np.full(n_s, sink), free, np.zeros(n_s, dtype=np.int64)
    )
    flow.set_nodes_supplies(np.array([source, sink]), np.array([n_p, -n_p]))
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"The matching solver did not find an optimum (status {status}).")
    return np.asarray(flow.flows(pair_arcs)) > 0


def _starting_set(
    n_p: int, free: np.ndarray, p_idx: np.ndarray, s_idx: np.ndarray, score: np.ndarray, value: np.ndarray
) -> np.ndarray:
    """The pairs the priced solve starts from: each participant's best-fitting supporters, and
    each supporter's most valuable participants (a few per free place), as sorted pair indices."""
    by_participant = np.lexsort((-score, p_idx))
    rank = np.arange(len(p_idx)) - np.searchsorted(p_idx[by_participant], np.arange(n_p))[p_idx[by_participant]]
    by_supporter = np.lexsort((-value, s_idx))
    s_sorted = s_idx[by_supporter]
    s_rank = np.arange(len(s_idx)) - np.searchsorted(s_sorted, np.arange(len(free)))[s_sorted]
    return np.union1d(
        by_participant[rank < SEED_PER_PARTICIPANT],
        by_supporter[s_rank < SEED_PER_PLACE * np.maximum(free[s_sorted], 1)],
    )


def _potentials(
    n_p: int, free: np.ndarray, p_idx: np.ndarray, s_idx: np.ndarray, value: np.ndarray, used: np.ndarray
) -> np.ndarray:
    """Node potentials proving the flow optimal on its pairs: shortest distances (Bellman-Ford,
    from every node at once) in its residual graph, which has no negative cycle at an optimum.

    Nodes: participants ``0..n_p-1``, supporters ``n_p..n_p+n_s-1``, the sink ``n_p+n_s`` (the
    source has no residual arc out: every participant's unit leaves it). Arcs: an unused pair
    participant → supporter at cost ``-value``, a used one back at ``+value``; a matched
    participant → sink and sink → an unmatched participant (the bypass) at 0; a supporter with a
    free place → sink and sink → a supporter with someone matched at 0.
    """
    n_s = len(free)
    sink = n_p + n_s
    s_node = n_p + s_idx
    matched = np.zeros(n_p, dtype=bool)
    matched[p_idx[used]] = True
    taken = np.bincount(s_idx[used], minlength=n_s)
    supporters = n_p + np.arange(n_s, dtype=np.int64)
    participants = np.arange(n_p, dtype=np.int64)
    tails = np.concatenate(
        [
            np.where(used, s_node, p_idx),
            participants[matched],
            np.full(int((~matched).sum()), sink),
            supporters[taken < free],
            np.full(int((taken > 0).sum()), sink),
        ]
    )
    heads = np.concatenate(
        [
            np.where(used, p_idx, s_node),
            np.full(int(matched.sum()), sink),
            participants[~matched],
            np.full(int((taken < free).sum()), sink),
            supporters[taken > 0],
        ]
    )
    costs = np.concatenate([np.where(used, value, -value), np.zeros(len(tails) - len(value), dtype=np.int64)])
    order = np.argsort(heads, kind="stable")
    tails, heads, costs = tails[order], heads[order], costs[order]
    nodes, first = np.unique(heads, return_index=True)
    distance = np.zeros(sink + 1, dtype=np.int64)
    for _round in range(sink + 2):
        relaxed = np.minimum(distance[nodes], np.minimum.reduceat(distance[tails] + costs, first))
        if np.array_equal(relaxed, distance[nodes]):
            return distance
        distance[nodes] = relaxed
    raise RuntimeError("The matching solver's answer is not optimal (a negative cycle remains).")


def levels_of(pairs: dict[int, int], candidates: Candidates, priorities: Sequence[int] | np.ndarray) -> Levels:
    """Any assignment's value at each level (to compare with another solver's)."""
    lookup = {
        (int(p), int(s)): int(w)
        for p, s, w in zip(candidates.participant_index, candidates.supporter_index, candidates.score, strict=True)
    }
    prio = [int(priorities[p]) for p in pairs]
    return Levels(
        matched=len(pairs),
        urgency=sum(p // WEEK_SPAN for p in prio),
        weeks=sum(p % WEEK_SPAN for p in prio),
        fit=sum(lookup[(p, s)] for p, s in pairs.items()),
    )


# --- Saying why ---------------------------------------------------------------------------

# Why someone was left waiting, in kinds the result sentence counts.
NO_ROOM = "no_room"
NO_FIT = "no_fit"
PLACES_TAKEN = "places_taken"


def unmatched_kind(index: int, candidates: Candidates) -> str:
    if int(candidates.candidates_per_participant[index]):
        return PLACES_TAKEN
    return NO_ROOM if candidates.blocked.get(index, {}).get("_room", 0) == 0 else NO_FIT


def unmatched_reason(index: int, needs: Needs, candidates: Candidates) -> str:
    """Why a participant was left without a supporter, in words a coordinator can act on."""
    kind = unmatched_kind(index, candidates)
    if kind == PLACES_TAKEN:
        count = int(candidates.candidates_per_participant[index])
        return ngettext(
            "%(count)s supporter fits, but every one of their free places is needed by others: serving them "
            "instead would serve fewer people, or someone more urgent or waiting longer.",
            "%(count)s supporters fit, but every one of their free places is needed by others: serving them "
            "instead would serve fewer people, or someone more urgent or waiting longer.",
            count,
        ) % {"count": count}
    if kind == NO_ROOM:
        return gettext("No eligible supporter has a free place (or every one with room has a declared conflict).")
    blocked = candidates.blocked.get(index, {})
    room = blocked.get("_room", 0)
    parts = [
        gettext("%(criterion)s: %(count)s of %(room)s")
        % {"criterion": Criterion(c).label.lower(), "count": n, "room": room}
        for c, n in blocked.items()
        if c != "_room" and c in Criterion.values
    ]
    return gettext("No supporter with room meets every must-have together (%(counts)s).") % {"counts": "; ".join(parts)}


def kind_text(kind: str, n: int) -> str:
    """Why ``n`` participants were left unmatched, for one kind of reason."""
    if kind == NO_FIT:
        text = ngettext(
            "%(n)s fits no supporter with a free place (no one with room meets all their must-haves)",
            "%(n)s fit no supporter with a free place (no one with room meets all their must-haves)",
            n,
        )
    elif kind == NO_ROOM:
        text = ngettext(
            "%(n)s found no eligible supporter with a free place at all",
            "%(n)s found no eligible supporter with a free place at all",
            n,
        )
    else:
        text = ngettext(
            "%(n)s had supporters who fit, but their places were all needed to serve as many people as "
            "possible, the more urgent and the longer waiting first",
            "%(n)s had supporters who fit, but their places were all needed to serve as many people as "
            "possible, the more urgent and the longer waiting first",
            n,
        )
    return text % {"n": n}


def pruning_note(keep: int, pruned: int) -> str:
    """What the pruning rule left out, for the coordinator (after the result sentence)."""
    return str(
        _(
            "So large a network was matched among each participant's %(keep)s best-fitting supporters and each "
            "supporter's best %(per_place)s participants per free place (%(pruned)s weaker pairs set aside)."
        )
        % {"keep": keep, "per_place": SEED_PER_PLACE, "pruned": f"{pruned:,}"}
    )


def result_sentence(matched: int, considered: int, kinds: dict[str, int], no_consent: int = 0) -> str:
    """The result in one sentence: "412 of 430 matched; the 18 left: 11 fit no supporter…"."""
    left = considered - matched
    if left <= 0:
        return gettext("%(matched)s of %(considered)s matched; everyone who could be offered was served.") % {
            "matched": matched,
            "considered": considered,
        }
    bits = [kind_text(k, kinds[k]) for k in (NO_FIT, NO_ROOM, PLACES_TAKEN) if kinds.get(k)]
    if no_consent:
        bits.append(
            ngettext("%(n)s has no recorded consent", "%(n)s have no recorded consent", no_consent) % {"n": no_consent}
        )
    return gettext("%(matched)s of %(considered)s matched; the %(left)s left: %(reasons)s.") % {
        "matched": matched,
        "considered": considered,
        "left": left,
        "reasons": "; ".join(bits),
    }
