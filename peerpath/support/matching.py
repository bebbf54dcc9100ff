"""Scoring supporters for participants, and the optimal batch assignment.

Pure functions on plain data (no database), so the pages, the batch match and the benchmark
all run the same code. Scores are whole numbers: each criterion gives up to ``weight * 10``
points, in proportion to how well the pair fits (shared lived-experience areas out of those
the participant asked for, overlapping times out of theirs, free places out of capacity...).
The participant's must-haves are hard constraints: a pair failing one is not a candidate.

`score_matrix` computes every pair at once with numpy (the batch match and the ranking for
one participant both use it); `explain` recomputes one pair's points criterion by criterion
with the same integer formulas, for the coordinator to read. `assign` finds the best
assignment under `OBJECTIVE` (stated once, below) within every supporter's free places, as
one minimum-cost flow solved by OR-tools (exact, not greedy).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
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


_LABELS: dict[type, dict[str, str]] = {
    choices: {str(value): str(label).lower() for value, label in choices.choices} for choices in (Mode, Availability)
}
MODE_ORDER = [str(m) for m in Mode.values]
TIME_ORDER = [str(a) for a in Availability.values]


def _label(choices: type, value: str) -> str:
    return _LABELS.get(choices, {}).get(value, value)


def explain(needs: Needs, offer: Offer, weights: dict[str, int], area_names: dict[int, str]) -> Explanation:
    """One pair's score, criterion by criterion, with the same integer formulas as `score_matrix`."""
    w = {k: int(weights.get(k, 0)) for k in WEIGHT_KEYS}
    parts: list[Part] = []
    shared_areas = sorted(area_names.get(a, str(a)) for a in needs.focus_areas & offer.focus_areas)
    focus = (w["focus_area"] * 10 * len(shared_areas)) // len(needs.focus_areas) if needs.focus_areas else 0
    parts.append(Part("focus_area", "Lived experience", focus, ", ".join(shared_areas) or "none shared"))
    shared_langs = sorted(needs.languages & offer.languages)
    language = w["language"] * 10 if shared_langs else 0
    parts.append(Part("language", "Language", language, ", ".join(s.title() for s in shared_langs) or "none shared"))
    shared_modes = [m for m in MODE_ORDER if m in needs.modes & offer.modes]
    mode = w["mode"] * 10 if shared_modes else 0
    parts.append(Part("mode", "Way of meeting", mode, ", ".join(_label(Mode, m) for m in shared_modes) or "none"))
    same_area = bool(needs.area) and norm(needs.area) == norm(offer.area)
    parts.append(Part("area", "Area", w["area"] * 10 if same_area else 0, offer.area if same_area else "different"))
    shared_times = [a for a in TIME_ORDER if a in needs.availability & offer.availability]
    times = (w["availability"] * 10 * len(shared_times)) // len(needs.availability) if needs.availability else 0
    parts.append(
        Part("availability", "Times", times, ", ".join(_label(Availability, a) for a in shared_times) or "none")
    )
    stated, met = _pref_counts(needs, offer)
    prefs = (w["preferences"] * 10 * met) // stated if stated else 0
    parts.append(Part("preferences", "Preferences", prefs, f"{met} of {stated} met" if stated else "none stated"))
    free = (w["free_places"] * 10 * offer.free) // offer.capacity if offer.capacity else 0
    parts.append(Part("free_places", "Free places", free, f"{offer.free} of {offer.capacity} places free"))
    shares = [*shared_areas, *(s.title() for s in shared_langs)]
    summary = "; ".join(
        bit
        for bit in [
            f"shares: {', '.join(shares)}" if shares else "",
            ", ".join(_label(Mode, m) for m in shared_modes),
            f"same area ({offer.area})" if same_area else "",
            ", ".join(_label(Availability, a) for a in shared_times),
            f"{met} of {stated} preferences met" if stated else "",
            f"{offer.free} of {offer.capacity} places free",
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


def score_matrix(
    needs: Sequence[Needs],
    offers: Sequence[Offer],
    weights: dict[str, int],
    conflicts: set[tuple[int, int]] | frozenset = frozenset(),
    keep: int | None = None,
) -> Candidates:
    """Score every (participant, supporter) pair; keep those that pass every hard constraint.

    Hard constraints: the supporter has a free place, no declared conflict between the two,
    and every must-have of the participant is met. Same integer formulas as `explain`.

    ``keep`` (for very large networks; None keeps every candidate) is the pruning rule: each
    participant keeps their ``keep`` best-fitting candidate supporters, and each supporter keeps
    their best ``SEED_PER_PLACE`` candidates per free place, best meaning the more urgent, then
    the longer waiting, then the better fit (`seed_pairs`). ``candidates_per_participant`` and
    ``blocked`` still count every candidate; ``pruned`` says how many pairs were left out.
    The pairs `assign` starts from (``seed``) are chosen by the same rule with
    ``SEED_PER_PARTICIPANT``.
    """
    w = {k: int(weights.get(k, 0)) for k in WEIGHT_KEYS}
    n_s = len(offers)
    out_p: list[np.ndarray] = []
    out_s: list[np.ndarray] = []
    out_w: list[np.ndarray] = []
    per_participant = np.zeros(len(needs), dtype=np.int64)
    blocked: dict[int, dict[str, int]] = {}
    if not needs or not offers:
        empty = np.zeros(0, dtype=np.int64)
        return Candidates(empty, empty, empty, per_participant, {i: {} for i in range(len(needs))}, seed=empty)

    keys = [
        ("focus", "focus_areas"),
        ("lang", "languages"),
        ("mode", "modes"),
        ("time", "availability"),
        ("comm", "communities"),
    ]
    vocab = {key: _vocab([getattr(n, attr) for n in needs], [getattr(o, attr) for o in offers]) for key, attr in keys}
    s_sets = {key: _bits([getattr(o, attr) for o in offers], vocab[key]) for key, attr in keys}
    age_vocab = _vocab([n.age_bands for n in needs], [{o.age_band} for o in offers if o.age_band])
    s_sets["age"] = _bits([frozenset({o.age_band}) if o.age_band else frozenset() for o in offers], age_vocab)
    area_vocab = _vocab([{norm(n.area)} for n in needs if n.area], [{norm(o.area)} for o in offers if o.area])
    s_area = np.array([area_vocab.get(norm(o.area), -1) if o.area else -2 for o in offers], dtype=np.int64)
    gender_vocab = {g: i for i, g in enumerate(sorted({o.gender for o in offers} | {n.gender for n in needs}))}
    s_gender = np.array([gender_vocab[o.gender] if o.gender else -1 for o in offers], dtype=np.int64)
    capacity = np.array([o.capacity for o in offers], dtype=np.int64)
    free = np.array([o.free for o in offers], dtype=np.int64)
    free_points = np.where(capacity > 0, (w["free_places"] * 10 * free) // np.maximum(capacity, 1), 0)
    has_room = free > 0
    offer_pos = {o.id: j for j, o in enumerate(offers)}
    conflicted: dict[int, list[int]] = {}
    for supporter_id, participant_id in conflicts:
        if supporter_id in offer_pos:
            conflicted.setdefault(participant_id, []).append(offer_pos[supporter_id])
    # Each participant's must-haves as a column of booleans, per criterion.
    must = {c: np.array([c in n.must_haves for n in needs]) for c in CRITERIA}
    priorities = np.array([n.priority for n in needs], dtype=np.int64)
    per_place = SeedBySupporter(free)
    seed_p: list[np.ndarray] = []
    seed_s: list[np.ndarray] = []
    pruned = 0

    chunk_rows = max(1, min(CHUNK, CHUNK_CELLS // max(n_s, 1)))
    for start in range(0, len(needs), chunk_rows):
        chunk = needs[start : start + chunk_rows]
        rows = len(chunk)
        shared = {key: _shared(_bits([getattr(n, attr) for n in chunk], vocab[key]), s_sets[key]) for key, attr in keys}
        age_ok = _shared(_bits([n.age_bands for n in chunk], age_vocab), s_sets["age"]) > 0
        asked = {key: np.array([len(getattr(n, attr)) for n in chunk], dtype=np.float32)[:, None] for key, attr in keys}
        asked_age = np.array([bool(n.age_bands) for n in chunk])[:, None]
        p_area = np.array([area_vocab.get(norm(n.area), -3) if n.area else -4 for n in chunk], dtype=np.int64)
        same_area = p_area[:, None] == s_area[None, :]
        p_gender = np.array([gender_vocab[n.gender] if n.gender else -2 for n in chunk], dtype=np.int64)
        gender_ok = p_gender[:, None] == s_gender[None, :]
        comm_ok = shared["comm"] > 0
        stated = (p_gender >= 0)[:, None].astype(np.float32) + asked_age + (asked["comm"] > 0)
        met = gender_ok.astype(np.float32) + age_ok + comm_ok

        score = _floor_share(w["focus_area"], shared["focus"], asked["focus"])
        score += (w["language"] * 10) * (shared["lang"] > 0)
        score += (w["mode"] * 10) * (shared["mode"] > 0)
        score += (w["area"] * 10) * same_area
        score += _floor_share(w["availability"], shared["time"], asked["time"])
        score += _floor_share(w["preferences"], met, stated)
        score += free_points[None, :].astype(np.float32)

        base = np.broadcast_to(has_room[None, :], (rows, n_s)).copy()
        for i, n in enumerate(chunk):
            base[i, conflicted.get(n.id, [])] = False
        ok_by = {
            Criterion.FOCUS_AREA: (shared["focus"] > 0) | (asked["focus"] == 0),
            Criterion.LANGUAGE: (shared["lang"] > 0) | (asked["lang"] == 0),
            Criterion.MODE: (shared["mode"] > 0) | (asked["mode"] == 0),
            Criterion.AREA: same_area | (p_area[:, None] == -4),
            Criterion.AVAILABILITY: (shared["time"] > 0) | (asked["time"] == 0),
            Criterion.GENDER: gender_ok | (p_gender[:, None] == -2),
            Criterion.AGE: age_ok | ~asked_age,
            Criterion.COMMUNITY: comm_ok | (asked["comm"] == 0),
        }
        allowed = base.copy()
        for criterion, ok in ok_by.items():
            required = must[criterion.value][start : start + rows]
            if required.any():
                allowed &= ok | ~required[:, None]
        counts = allowed.sum(axis=1)
        per_participant[start : start + rows] = counts
        for i in np.nonzero(counts == 0)[0]:
            n = chunk[i]
            blocked[start + int(i)] = {
                c: int((ok_by[Criterion(c)][i] & base[i]).sum()) for c in CRITERIA if c in n.must_haves
            } | {"_room": int(base[i].sum())}
        masked = np.where(allowed, score, -1.0)
        if keep is not None:
            kept = _best_in_rows(masked, keep)
            # The starting set within what is kept: the best few of each participant's kept pairs.
            rows_best = _best_in_rows(np.where(kept, masked, -1.0), min(SEED_PER_PARTICIPANT, keep))
        else:
            rows_best = _best_in_rows(masked, SEED_PER_PARTICIPANT)
        seed_rows, seed_cols = np.nonzero(rows_best)
        seed_p.append(seed_rows + start)
        seed_s.append(seed_cols)
        per_place.add(
            start,
            np.where(allowed, (priorities[start : start + rows, None] * SCORE_SPAN).astype(np.float32) + score, -1.0),
        )
        if keep is not None:
            pruned += int(counts.sum() - kept.sum())
            allowed = kept
        p_idx, s_idx = np.nonzero(allowed)
        out_p.append(p_idx.astype(np.int64) + start)
        out_s.append(s_idx.astype(np.int64))
        out_w.append(score[p_idx, s_idx].astype(np.int64))
    p_all, s_all, w_all = np.concatenate(out_p), np.concatenate(out_s), np.concatenate(out_w)
    place_p, place_s, place_key = per_place.pairs()
    if keep is not None:
        # A supporter's best participants stay candidates even where they are not among those
        # participants' own best: in order, without duplicates (pair keys are p * n_s + s).
        extra = np.setdiff1d(place_p * n_s + place_s, p_all * n_s + s_all)
        if len(extra):
            pruned -= len(extra)
            order = np.argsort(np.concatenate([p_all * n_s + s_all, extra]), kind="stable")
            extra_score = dict(zip((place_p * n_s + place_s).tolist(), (place_key % SCORE_SPAN).tolist(), strict=True))
            p_all = np.concatenate([p_all, extra // n_s])[order]
            s_all = np.concatenate([s_all, extra % n_s])[order]
            w_all = np.concatenate([w_all, [extra_score[int(k)] for k in extra]]).astype(np.int64)[order]
    keys = p_all * n_s + s_all
    seed_keys = np.unique(np.concatenate([*seed_p, place_p]) * n_s + np.concatenate([*seed_s, place_s]))
    seed = np.searchsorted(keys, seed_keys)
    if len(seed_keys) and not np.array_equal(keys[np.minimum(seed, len(keys) - 1)], seed_keys):
        raise RuntimeError("A starting pair is not a candidate.")  # cannot happen: both come from `allowed`
    return Candidates(p_all, s_all, w_all, per_participant, blocked, seed=seed, pruned=pruned)


SCORE_SPAN = 1 << 12  # above every score: priority * SCORE_SPAN + score orders by priority, then fit


def _best_in_rows(masked: np.ndarray, k: int) -> np.ndarray:
    """Each row's ``k`` highest entries that are not negative (negative: not a candidate), as a mask."""
    if masked.shape[1] <= k:
        return masked >= 0
    top = np.argpartition(-masked, k - 1, axis=1)[:, :k]
    mask = np.zeros(masked.shape, dtype=bool)
    np.put_along_axis(mask, top, True, axis=1)
    return mask & (masked >= 0)


class SeedBySupporter:
    """Each supporter's best candidates, ``SEED_PER_PLACE`` per free place, kept as the chunks
    of participants go by: the highest ``priority * SCORE_SPAN + score`` (more urgent, longer
    waiting, better fit), in a (supporters, depth) table merged with each chunk's best."""

    def __init__(self, free: np.ndarray) -> None:
        self.quota = SEED_PER_PLACE * np.maximum(free, 0)
        depth = max(int(self.quota.max(initial=0)), 1)
        self.key = np.full((len(free), depth), -1.0, dtype=np.float32)
        self.row = np.zeros((len(free), depth), dtype=np.int64)

    def add(self, start: int, key: np.ndarray) -> None:
        """Merge a chunk's keys (participants x supporters; negative: not a candidate)."""
        depth = self.key.shape[1]
        key = np.ascontiguousarray(key.T, dtype=np.float32)  # a row per supporter: partitioned along rows
        if key.shape[1] > depth:
            top = np.argpartition(-key, depth - 1, axis=1)[:, :depth]
            key, rows = np.take_along_axis(key, top, axis=1), top + start
        else:
            rows = np.broadcast_to(np.arange(key.shape[1])[None, :] + start, key.shape)
        both_key = np.concatenate([self.key, key], axis=1)
        both_row = np.concatenate([self.row, rows], axis=1)
        top = np.argpartition(-both_key, depth - 1, axis=1)[:, :depth]
        self.key = np.take_along_axis(both_key, top, axis=1)
        self.row = np.take_along_axis(both_row, top, axis=1)

    def pairs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(participant, supporter, key) of each supporter's best, within their quota."""
        order = np.argsort(-self.key, axis=1, kind="stable")
        key = np.take_along_axis(self.key, order, axis=1)
        row = np.take_along_axis(self.row, order, axis=1)
        rank = np.arange(key.shape[1])[None, :]
        chosen = (key >= 0) & (rank < self.quota[:, None])
        supporter = np.broadcast_to(np.arange(key.shape[0])[:, None], key.shape)
        return row[chosen], supporter[chosen].astype(np.int64), key[chosen].astype(np.int64)


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
    supporter's best ``SEED_PER_PLACE`` participants per free place), then priced against every
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
    if n_edges <= DIRECT_PAIRS:
        chosen = np.arange(n_edges)
        used = chosen[_solve_flow(n_participants, free_arr, p_all, s_all, value)]
    else:
        chosen = (
            np.asarray(candidates.seed, dtype=np.int64)
            if candidates.seed is not None
            else _starting_set(n_participants, free_arr, p_all, s_all, candidates.score, value)
        )
        while True:
            flows = _solve_flow(n_participants, free_arr, p_all[chosen], s_all[chosen], value[chosen])
            potential = _potentials(n_participants, free_arr, p_all[chosen], s_all[chosen], value[chosen], flows)
            reduced = potential[p_all] - potential[n_participants + s_all] - value
            left_out = np.ones(n_edges, dtype=bool)
            left_out[chosen] = False
            if not ((reduced < 0) & left_out).any():
                used = chosen[flows]
                break
            # Those that could improve it, and those close to it (PRICING_MARGIN): fewer rounds.
            chosen = np.union1d(chosen, np.nonzero((reduced < PRICING_MARGIN) & left_out)[0])
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
        return (
            f"{count} supporter{'s' if count != 1 else ''} fit, but every one of their free places is needed by "
            "others: serving them instead would serve fewer people, or someone more urgent or waiting longer."
        )
    if kind == NO_ROOM:
        return "No eligible supporter has a free place (or every one with room has a declared conflict)."
    blocked = candidates.blocked.get(index, {})
    room = blocked.get("_room", 0)
    parts = [
        f"{Criterion(c).label.lower()}: {n} of {room}"
        for c, n in blocked.items()
        if c != "_room" and c in Criterion.values
    ]
    return "No supporter with room meets every must-have together (" + "; ".join(parts) + ")."


KIND_TEXT = {
    NO_FIT: "{n} fit no supporter with a free place (no one with room meets all their must-haves)",
    NO_ROOM: "{n} found no eligible supporter with a free place at all",
    PLACES_TAKEN: "{n} had supporters who fit, but their places were all needed to serve as many people as "
    "possible, the more urgent and the longer waiting first",
}


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
    text = f"{matched} of {considered} matched"
    if left <= 0:
        return text + "; everyone who could be offered was served."
    bits = [KIND_TEXT[k].format(n=kinds[k]) for k in (NO_FIT, NO_ROOM, PLACES_TAKEN) if kinds.get(k)]
    if no_consent:
        bits.append(f"{no_consent} have no recorded consent")
    return text + f"; the {left} left: " + "; ".join(bits) + "."
