"""Scoring supporters for participants, and the optimal batch assignment.

Pure functions on plain data (no database), so the pages, the batch match and the benchmark
all run the same code. Scores are whole numbers: each criterion gives up to ``weight * 10``
points, in proportion to how well the pair fits (shared lived-experience areas out of those
the participant asked for, overlapping times out of theirs, free places out of capacity...).
The participant's must-haves are hard constraints: a pair failing one is not a candidate.

`score_matrix` computes every pair at once with numpy (the batch match and the ranking for
one participant both use it); `explain` recomputes one pair's points criterion by criterion
with the same integer formulas, for the coordinator to read. `assign` finds the assignment
with the highest total score that keeps every supporter within their free places, as a
minimum-cost flow solved by OR-tools (exact, not greedy).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from peerpath.support.models import Availability, Criterion, Mode

CRITERIA = [c.value for c in Criterion]
WEIGHT_KEYS = ["focus_area", "language", "mode", "area", "availability", "preferences", "free_places"]
CHUNK = 1000  # participants scored at once: bounds memory for large waiting lists


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

    @property
    def free(self) -> int:
        return max(self.capacity - self.load, 0)


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


def _label(choices: type, value: str) -> str:
    try:
        return str(choices(value).label).lower()
    except ValueError:
        return value


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
    shared_modes = [m for m in Mode.values if m in needs.modes & offer.modes]
    mode = w["mode"] * 10 if shared_modes else 0
    parts.append(Part("mode", "Way of meeting", mode, ", ".join(_label(Mode, m) for m in shared_modes) or "none"))
    same_area = bool(needs.area) and norm(needs.area) == norm(offer.area)
    parts.append(Part("area", "Area", w["area"] * 10 if same_area else 0, offer.area if same_area else "different"))
    shared_times = [a for a in Availability.values if a in needs.availability & offer.availability]
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


def _indicator(rows: Sequence[frozenset], vocab: dict) -> np.ndarray:
    matrix = np.zeros((len(rows), max(len(vocab), 1)), dtype=np.float32)
    for i, values in enumerate(rows):
        for v in values:
            j = vocab.get(v)
            if j is not None:
                matrix[i, j] = 1.0
    return matrix


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


def score_matrix(
    needs: Sequence[Needs],
    offers: Sequence[Offer],
    weights: dict[str, int],
    conflicts: set[tuple[int, int]] | frozenset = frozenset(),
) -> Candidates:
    """Score every (participant, supporter) pair; keep those that pass every hard constraint.

    Hard constraints: the supporter has a free place, no declared conflict between the two,
    and every must-have of the participant is met.
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
        return Candidates(empty, empty, empty, per_participant, {i: {} for i in range(len(needs))})

    vocab = {
        "focus": _vocab([n.focus_areas for n in needs], [o.focus_areas for o in offers]),
        "lang": _vocab([n.languages for n in needs], [o.languages for o in offers]),
        "mode": _vocab([n.modes for n in needs], [o.modes for o in offers]),
        "time": _vocab([n.availability for n in needs], [o.availability for o in offers]),
        "comm": _vocab([n.communities for n in needs], [o.communities for o in offers]),
    }
    s_sets = {
        "focus": _indicator([o.focus_areas for o in offers], vocab["focus"]).T,
        "lang": _indicator([o.languages for o in offers], vocab["lang"]).T,
        "mode": _indicator([o.modes for o in offers], vocab["mode"]).T,
        "time": _indicator([o.availability for o in offers], vocab["time"]).T,
        "comm": _indicator([o.communities for o in offers], vocab["comm"]).T,
    }
    area_vocab = _vocab([{norm(n.area)} for n in needs if n.area], [{norm(o.area)} for o in offers if o.area])
    s_area = np.array([area_vocab.get(norm(o.area), -1) if o.area else -2 for o in offers], dtype=np.int64)
    s_gender = np.array([o.gender for o in offers], dtype=object)
    s_age = np.array([o.age_band for o in offers], dtype=object)
    capacity = np.array([o.capacity for o in offers], dtype=np.int64)
    free = np.array([o.free for o in offers], dtype=np.int64)
    free_points = np.where(capacity > 0, (w["free_places"] * 10 * free) // np.maximum(capacity, 1), 0)
    has_room = free > 0
    offer_pos = {o.id: j for j, o in enumerate(offers)}
    conflicted: dict[int, list[int]] = {}
    for supporter_id, participant_id in conflicts:
        if supporter_id in offer_pos:
            conflicted.setdefault(participant_id, []).append(offer_pos[supporter_id])

    for start in range(0, len(needs), CHUNK):
        chunk = needs[start : start + CHUNK]
        rows = len(chunk)
        shared = {
            key: (_indicator([getattr(n, attr) for n in chunk], vocab[key]) @ s_sets[key]).astype(np.int64)
            for key, attr in [
                ("focus", "focus_areas"),
                ("lang", "languages"),
                ("mode", "modes"),
                ("time", "availability"),
                ("comm", "communities"),
            ]
        }
        n_focus = np.array([len(n.focus_areas) for n in chunk], dtype=np.int64)[:, None]
        n_time = np.array([len(n.availability) for n in chunk], dtype=np.int64)[:, None]
        p_area = np.array([area_vocab.get(norm(n.area), -3) if n.area else -4 for n in chunk], dtype=np.int64)
        same_area = p_area[:, None] == s_area[None, :]
        p_gender = np.array([n.gender for n in chunk], dtype=object)
        gender_ok = (p_gender[:, None] == s_gender[None, :]) & (p_gender[:, None] != "")
        age_ok = np.zeros((rows, n_s), dtype=bool)
        for i, n in enumerate(chunk):
            if n.age_bands:
                age_ok[i] = np.isin(s_age, list(n.age_bands))
        comm_ok = shared["comm"] > 0
        stated = np.array(
            [int(bool(n.gender)) + int(bool(n.age_bands)) + int(bool(n.communities)) for n in chunk], dtype=np.int64
        )[:, None]
        met = gender_ok.astype(np.int64) + age_ok + comm_ok

        score = (w["focus_area"] * 10 * shared["focus"]) // np.maximum(n_focus, 1)
        score += w["language"] * 10 * (shared["lang"] > 0)
        score += w["mode"] * 10 * (shared["mode"] > 0)
        score += w["area"] * 10 * same_area
        score += (w["availability"] * 10 * shared["time"]) // np.maximum(n_time, 1)
        score += np.where(stated > 0, (w["preferences"] * 10 * met) // np.maximum(stated, 1), 0)
        score += free_points[None, :]

        base = np.broadcast_to(has_room[None, :], (rows, n_s)).copy()
        for i, n in enumerate(chunk):
            base[i, conflicted.get(n.id, [])] = False
        ok_by = {
            Criterion.FOCUS_AREA: (shared["focus"] > 0) | (n_focus == 0),
            Criterion.LANGUAGE: (shared["lang"] > 0) | (np.array([not n.languages for n in chunk])[:, None]),
            Criterion.MODE: (shared["mode"] > 0) | (np.array([not n.modes for n in chunk])[:, None]),
            Criterion.AREA: same_area | (p_area[:, None] == -4),
            Criterion.AVAILABILITY: (shared["time"] > 0) | (n_time == 0),
            Criterion.GENDER: gender_ok | (p_gender[:, None] == ""),
            Criterion.AGE: age_ok | np.array([not n.age_bands for n in chunk])[:, None],
            Criterion.COMMUNITY: comm_ok | np.array([not n.communities for n in chunk])[:, None],
        }
        allowed = base.copy()
        for criterion, ok in ok_by.items():
            required = np.array([criterion in n.must_haves for n in chunk])[:, None]
            allowed &= ok | ~required
        counts = allowed.sum(axis=1)
        per_participant[start : start + rows] = counts
        for i in np.nonzero(counts == 0)[0]:
            n = chunk[i]
            blocked[start + int(i)] = {
                c: int((ok_by[Criterion(c)][i] & base[i]).sum()) for c in CRITERIA if c in n.must_haves
            } | {"_room": int(base[i].sum())}
        p_idx, s_idx = np.nonzero(allowed)
        out_p.append(p_idx.astype(np.int64) + start)
        out_s.append(s_idx.astype(np.int64))
        out_w.append(score[p_idx, s_idx].astype(np.int64))
    return Candidates(np.concatenate(out_p), np.concatenate(out_s), np.concatenate(out_w), per_participant, blocked)


# --- The optimal assignment ---------------------------------------------------------------


def assign(n_participants: int, free: Sequence[int], candidates: Candidates) -> dict[int, int]:
    """The assignment {participant index: supporter index} with the highest total score.

    Every supporter gets at most their free places; a participant may stay unmatched. Solved
    exactly as a minimum-cost flow: source → participant (1) → supporter (score) → sink
    (free places), with a zero-cost bypass from each participant to the sink.
    """
    from ortools.graph.python import min_cost_flow

    n_edges = len(candidates.score)
    if n_participants == 0 or n_edges == 0:
        return {}
    n_s = len(free)
    source, sink = n_participants + n_s, n_participants + n_s + 1
    flow = min_cost_flow.SimpleMinCostFlow()
    ones_p = np.ones(n_participants, dtype=np.int64)
    zeros_p = np.zeros(n_participants, dtype=np.int64)
    participants = np.arange(n_participants, dtype=np.int64)
    flow.add_arcs_with_capacity_and_unit_cost(np.full(n_participants, source), participants, ones_p, zeros_p)
    pair_arcs = flow.add_arcs_with_capacity_and_unit_cost(
        candidates.participant_index,
        n_participants + candidates.supporter_index,
        np.ones(n_edges, dtype=np.int64),
        -candidates.score,
    )
    flow.add_arcs_with_capacity_and_unit_cost(participants, np.full(n_participants, sink), ones_p, zeros_p)
    flow.add_arcs_with_capacity_and_unit_cost(
        n_participants + np.arange(n_s, dtype=np.int64),
        np.full(n_s, sink),
        np.asarray(free, dtype=np.int64),
        np.zeros(n_s, dtype=np.int64),
    )
    flow.set_nodes_supplies(np.array([source, sink]), np.array([n_participants, -n_participants]))
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"The matching solver did not find an optimum (status {status}).")
    used = np.nonzero(flow.flows(pair_arcs) > 0)[0]
    return {int(candidates.participant_index[k]): int(candidates.supporter_index[k]) for k in used}


def total_score(assignment: dict[int, int], candidates: Candidates) -> int:
    lookup = {
        (int(p), int(s)): int(w)
        for p, s, w in zip(candidates.participant_index, candidates.supporter_index, candidates.score, strict=True)
    }
    return sum(lookup[(p, s)] for p, s in assignment.items())


def unmatched_reason(index: int, needs: Needs, candidates: Candidates) -> str:
    """Why a participant was left without a supporter, in words a coordinator can act on."""
    count = int(candidates.candidates_per_participant[index])
    if count:
        return (
            f"{count} supporter{'s' if count != 1 else ''} fit, but their places went to matches that scored higher "
            "in this round."
        )
    blocked = candidates.blocked.get(index, {})
    room = blocked.get("_room", 0)
    if room == 0:
        return "No eligible supporter has a free place (or every one with room has a declared conflict)."
    parts = [
        f"{Criterion(c).label.lower()}: {n} of {room}"
        for c, n in blocked.items()
        if c != "_room" and c in Criterion.values
    ]
    return "No supporter with room meets every must-have together (" + "; ".join(parts) + ")."
