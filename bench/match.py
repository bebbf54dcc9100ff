"""Benchmark the batch match: `make bench-match`.

Builds a program in a throw-away SQLite database with 10,000 participants on the waiting
list and 2,000 active supporters with capacities, runs PeerPath's batch match exactly as
the Matching page does (`support.services.matches.compute_batch`: load, score, assign), then solves
the same score matrix with an independent solver (SciPy's sparse LAPJV assignment on
capacity-expanded slots) and checks the two totals are equal. Writes bench/results/match.json.

Options: --participants N --supporters N --seed N (defaults 10000, 2000, 7).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LANGUAGES = ["English", "Spanish", "Vietnamese", "Tagalog", "Arabic", "Tamil", "Somali", "French"]
LANGUAGE_WEIGHTS = [60, 15, 5, 5, 5, 4, 3, 3]
AREAS = ["North", "South", "East", "West", "Downtown", "Harbor"]
FOCUS = ["Grief", "Substance use", "Depression", "Anxiety", "Chronic illness", "Caregiving", "Trauma", "Psychosis"]
MODES = ["in_person", "phone", "video", "text"]
TIMES = ["weekday_morning", "weekday_afternoon", "weekday_evening", "weekend_day", "weekend_evening"]


def setup_django(db_dir: str) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{db_dir}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerpath.test_settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build(n_participants: int, n_supporters: int, seed: int) -> object:
    from django.db import transaction

    from peerpath.core.models import User
    from peerpath.programs.models import FocusArea, Program
    from peerpath.recruitment.models import Stage, Supporter
    from peerpath.support.models import MatchingProfile, Participant

    rng = random.Random(seed)
    with transaction.atomic():
        program = Program.objects.create(name="Bench", slug="bench")
        areas = [FocusArea.objects.create(program=program, name=name, position=i) for i, name in enumerate(FOCUS)]
        users = User.objects.bulk_create(
            User(email=f"supporter{i}@bench.example.org", full_name=f"Supporter {i}") for i in range(n_supporters)
        )
        supporters = Supporter.objects.bulk_create(
            Supporter(
                program=program,
                user=user,
                full_name=user.full_name,
                email=user.email,
                stage=Stage.ACTIVE,
                languages=sorted({"English", *rng.choices(LANGUAGES, LANGUAGE_WEIGHTS, k=rng.randint(0, 2))}),
            )
            for user in users
        )
        Supporter.focus_areas.through.objects.bulk_create(
            Supporter.focus_areas.through(supporter_id=s.pk, focusarea_id=a.pk)
            for s in supporters
            for a in rng.sample(areas, rng.randint(1, 3))
        )
        MatchingProfile.objects.bulk_create(
            MatchingProfile(
                supporter=s,
                modes=rng.sample(MODES, rng.randint(1, 3)),
                area=rng.choice(AREAS),
                availability=rng.sample(TIMES, rng.randint(1, 3)),
                capacity=rng.randint(1, 6),
                gender=rng.choice(["", "woman", "man", "nonbinary"]),
                age_band=rng.choice(["", "18_29", "30_44", "45_64", "65_plus"]),
                communities=rng.sample(["veterans", "lgbtq+", "parents", "students"], rng.randint(0, 1)),
            )
            for s in supporters
        )
        participants = Participant.objects.bulk_create(
            Participant(
                program=program,
                full_name=f"Participant {i}",
                phone=f"555-{i:06d}",
                languages=[rng.choices(LANGUAGES, LANGUAGE_WEIGHTS)[0]],
                modes=(modes := rng.sample(MODES, rng.randint(1, 2))),
                area=rng.choice(AREAS),
                availability=rng.sample(TIMES, rng.randint(1, 2)),
                preferred_gender=rng.choice(["", "", "", "woman", "man"]),
                preferred_age_bands=rng.sample(["18_29", "30_44", "45_64", "65_plus"], rng.choice([0, 0, 1, 2])),
                preferred_communities=rng.sample(["veterans", "lgbtq+", "parents"], rng.choice([0, 0, 0, 1])),
                must_haves=[
                    c
                    for c, p in [("language", 0.9), ("focus_area", 0.5), ("mode", 0.4), ("gender", 0.1)]
                    if rng.random() < p
                ]
                + (["area"] if "in_person" in modes and rng.random() < 0.7 else []),
                consent_given=True,
            )
            for i in range(n_participants)
        )
        Participant.focus_areas.through.objects.bulk_create(
            Participant.focus_areas.through(participant_id=p.pk, focusarea_id=a.pk)
            for p in participants
            for a in rng.sample(areas, rng.randint(1, 2))
        )
    return program


def independent_optimum(n_participants: int, free: list[int], candidates: object) -> tuple[int, float]:
    """The best total on the same score matrix, by SciPy's sparse assignment (LAPJVsp).

    Each supporter becomes as many slots as they have free places; each participant also
    gets a private "stay unmatched" slot, so a full matching always exists. Every real edge
    weighs score + B and every private slot B, so maximising the total weight maximises
    the total score.
    """
    import numpy as np
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import min_weight_full_bipartite_matching

    started = time.perf_counter()
    p_idx = candidates.participant_index
    s_idx = candidates.supporter_index
    score = candidates.score
    free_arr = np.asarray(free, dtype=np.int64)
    slot_start = np.concatenate([[0], np.cumsum(free_arr)[:-1]])
    n_slots = int(free_arr.sum())
    reps = free_arr[s_idx]
    rows = np.repeat(p_idx, reps)
    offsets = np.arange(int(reps.sum())) - np.repeat(np.cumsum(reps) - reps, reps)
    cols = np.repeat(slot_start[s_idx], reps) + offsets
    bonus = int(score.max(initial=0)) + 1
    weights = np.repeat(score, reps) + bonus
    rows = np.concatenate([rows, np.arange(n_participants)])
    cols = np.concatenate([cols, n_slots + np.arange(n_participants)])
    weights = np.concatenate([weights, np.full(n_participants, bonus)])
    matrix = csr_matrix((weights.astype(np.float64), (rows, cols)), shape=(n_participants, n_slots + n_participants))
    row_ind, col_ind = min_weight_full_bipartite_matching(matrix, maximize=True)
    total = round(float(np.asarray(matrix[row_ind, col_ind]).sum())) - bonus * n_participants
    return total, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--supporters", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "match.json"))
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        setup_django(tmp)
        program = build(args.participants, args.supporters, args.seed)
        print(
            f"Generated {args.participants} participants and {args.supporters} supporters "
            f"in {time.perf_counter() - started:.1f} s"
        )

        from peerpath.support.services.matches import compute_batch

        result = compute_batch(program)
        candidates = result.candidates
        print(
            f"PeerPath batch match: {len(result.pairs)} matched, {len(result.left_over)} left unmatched, "
            f"total score {result.total_score}, {len(candidates.score)} candidate pairs, {result.seconds:.2f} s"
        )
        places = dict(zip(result.supporter_ids, result.free, strict=True))
        used: dict[int, int] = {}
        for _, supporter_id, *_ in result.pairs:
            used[supporter_id] = used.get(supporter_id, 0) + 1
        over = [s for s, n in used.items() if n > places[s]]
        assert not over, f"Supporters over capacity: {over}"
        assert len({p for p, *_ in result.pairs}) == len(result.pairs), "A participant was matched twice"

        optimum, solver_seconds = independent_optimum(result.waiting, result.free, candidates)
        optimal = optimum == result.total_score
        ratio = result.seconds / solver_seconds if solver_seconds else float("inf")
        print(f"Independent solver (SciPy LAPJVsp on capacity-expanded slots): total {optimum}, {solver_seconds:.2f} s")
        print(f"Optimal: {optimal}. Matching time / raw solver time = {ratio:.2f}")

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "participants": args.participants,
                "supporters": args.supporters,
                "optimal": optimal,
                "seconds": round(result.seconds, 3),
                "solver_seconds": round(solver_seconds, 3),
                "ratio": round(ratio, 3),
            },
            indent=2,
        )
        + "\n"
    )
    print(f"Wrote {out}")
    if not optimal:
        sys.exit(1)


if __name__ == "__main__":
    main()
