"""Benchmark the batch match: `make bench-match`.

Builds a program in a throw-away SQLite database with 10,000 participants on the waiting
list (urgency and waiting time varied) and 2,000 active supporters who can take matches
exactly as the pages require (a login, a current certificate, a matching profile with room),
runs PeerPath's batch match as the Matching page does (`support.services.matches.compute_batch`:
load, score, assign), then checks it against independent solvers on the same candidates:

- the maximum number of participants that can be matched at all: SciPy's Hopcroft-Karp
  (`maximum_bipartite_matching`) on capacity-expanded slots, which ignores every weight;
- the value at each level of the objective: SciPy's sparse LAPJV assignment
  (`min_weight_full_bipartite_matching`) on the same slots.

Writes bench/results/match.json (or --out) and exits non-zero when the match serves fewer than
the independent maximum, when any level differs from the independent optimum, when fewer than
half the participants have a candidate supporter (a pool that cannot be matched measures
nothing), when it matches nobody, or, with --max-seconds / --max-memory-mb, when the match took
longer end to end or the process grew larger.

A network with more possible pairs than `matching.PRUNE_ABOVE` (`make bench-match-large`:
100,000 x 10,000) is matched under the pruning rule, as the Matching page would match it
(`matching.score_matrix`'s ``keep``); the independent solvers then check the same pruned
candidates, and the report says how many pairs the rule set aside.

Options: --participants N --supporters N --seed N (defaults 10000, 2000, 7), --keep K (apply the
pruning rule at any size), --max-seconds S, --max-memory-mb M, --out FILE.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LANGUAGES = ["English", "Spanish", "Vietnamese", "Tagalog", "Arabic", "Tamil", "Somali", "French"]
LANGUAGE_WEIGHTS = [60, 15, 5, 5, 5, 4, 3, 3]
AREAS = ["North", "South", "East", "West", "Downtown", "Harbor"]
FOCUS = ["Grief", "Substance use", "Depression", "Anxiety", "Chronic illness", "Caregiving", "Trauma", "Psychosis"]
MODES = ["in_person", "phone", "video", "text"]
TIMES = ["weekday_morning", "weekday_afternoon", "weekday_evening", "weekend_day", "weekend_evening"]
URGENCIES = ["routine", "soon", "urgent"]
URGENCY_WEIGHTS = [70, 20, 10]


def setup_django(db_dir: str) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{db_dir}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerpath.test_settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build(n_participants: int, n_supporters: int, seed: int, certified: bool = True) -> Any:
    """A program with a waiting list and active supporters; ``certified=False`` leaves the
    supporters without a certificate, so that nobody can be matched (the bench must fail)."""
    from django.db import transaction
    from django.utils import timezone

    from peerpath.certification.models import Certificate
    from peerpath.core.models import User
    from peerpath.programs.models import FocusArea, Program
    from peerpath.recruitment.models import Stage, Supporter
    from peerpath.support.models import MatchingProfile, Participant

    rng = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate()
    with transaction.atomic():
        program = Program.objects.create(name="Bench", slug=f"bench-{seed}-{n_participants}")
        areas = [FocusArea.objects.create(program=program, name=name, position=i) for i, name in enumerate(FOCUS)]
        users = User.objects.bulk_create(
            User(email=f"supporter{i}@{program.slug}.example.org", full_name=f"Supporter {i}")
            for i in range(n_supporters)
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
        if certified:
            Certificate.objects.bulk_create(
                Certificate(
                    program=program,
                    supporter=s,
                    credential_name="Peer supporter",
                    holder_name=s.full_name,
                    issued_on=today - dt.timedelta(days=30),
                    cycle_started_on=today - dt.timedelta(days=30),
                    expires_on=today + dt.timedelta(days=700),
                )
                for s in supporters
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
                urgency=rng.choices(URGENCIES, URGENCY_WEIGHTS)[0],
                waiting_since=now - dt.timedelta(days=rng.randint(0, 500)),
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


def _slots(free: Any, candidates: Any) -> tuple[Any, Any, Any, int]:
    """Every supporter as many slots as free places: (pair of each slot edge, row, column, slots)."""
    import numpy as np

    free_arr = np.asarray(free, dtype=np.int64)
    slot_start = np.concatenate([[0], np.cumsum(free_arr)[:-1]]).astype(np.int64)
    reps = free_arr[candidates.supporter_index]
    edge = np.repeat(np.arange(len(reps)), reps)
    offsets = np.arange(int(reps.sum())) - np.repeat(np.cumsum(reps) - reps, reps)
    cols = slot_start[candidates.supporter_index][edge] + offsets
    return edge, candidates.participant_index[edge], cols, int(free_arr.sum())


def independent_maximum(n_participants: int, free: Any, candidates: Any) -> int:
    """The most participants that can be matched at all, by Hopcroft-Karp (SciPy), ignoring weights."""
    import numpy as np
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import maximum_bipartite_matching

    if n_participants == 0 or len(candidates.score) == 0:
        return 0
    _, rows, cols, n_slots = _slots(free, candidates)
    graph = csr_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(n_participants, n_slots))
    return int((maximum_bipartite_matching(graph, perm_type="column") >= 0).sum())


def independent_levels(n_participants: int, free: Any, candidates: Any, priorities: Any) -> Any:
    """The objective's value at each level, by SciPy's sparse LAPJV on capacity-expanded slots.

    Each participant also has a private "stays waiting" slot, so that a full assignment always
    exists; a real slot is worth the pair's value in the objective plus one, the private slot
    one (SciPy reads a zero as no edge). Every value is a whole number below 2**53, so the
    floating-point solver is exact.
    """
    import numpy as np
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import min_weight_full_bipartite_matching

    from peerpath.support import matching

    if n_participants == 0 or len(candidates.score) == 0:
        return matching.Levels()
    prio = np.asarray(priorities, dtype=np.int64)
    free_arr = np.asarray(free, dtype=np.int64)
    step = matching.level_weights(min(n_participants, int(free_arr.sum())), int(candidates.score.max()))
    value = matching.pair_values(prio, candidates, step)
    assert int(value.max()) * n_participants < 2**53, "too large for an exact floating-point check"
    edge, rows, cols, n_slots = _slots(free, candidates)
    rows = np.concatenate([rows, np.arange(n_participants)])
    cols = np.concatenate([cols, n_slots + np.arange(n_participants)])
    weights = np.concatenate([value[edge] + 1, np.ones(n_participants, dtype=np.int64)]).astype(np.float64)
    matrix = csr_matrix((weights, (rows, cols)), shape=(n_participants, n_slots + n_participants))
    row_ind, col_ind = min_weight_full_bipartite_matching(matrix, maximize=True)
    slot_owner = np.repeat(np.arange(len(free_arr)), free_arr)
    pairs = {int(r): int(slot_owner[c]) for r, c in zip(row_ind, col_ind, strict=True) if c < n_slots}
    return matching.levels_of(pairs, candidates, prio)


def measure(
    n_participants: int, n_supporters: int, seed: int, certified: bool = True, keep: int | None = None
) -> dict[str, Any]:
    """Build the data, run the batch match and the independent checks; the report (see `failures`)."""
    started = time.perf_counter()
    program = build(n_participants, n_supporters, seed, certified=certified)
    took = time.perf_counter() - started
    print(f"Generated {n_participants} participants and {n_supporters} supporters in {took:.1f} s")

    from peerpath.support.services.matches import compute_batch

    load_before = os.getloadavg()[0]
    cpu = time.process_time()
    wall = time.perf_counter()
    result = compute_batch(program, keep=keep)
    seconds, cpu_seconds = time.perf_counter() - wall, time.process_time() - cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # the process so far, build included
    load_after = os.getloadavg()[0]
    candidates = result.candidates
    assert candidates is not None
    levels = result.levels
    print(
        f"PeerPath batch match: {levels.matched} of {result.waiting} matched, {len(candidates.score)} candidate pairs, "
        f"{seconds:.2f} s end to end ({cpu_seconds:.2f} s of CPU)"
    )
    print(f"  {result.summary}")
    print(
        "  phases: "
        + ", ".join(f"{k} {v:.2f} s ({result.cpu_phases[k]:.2f} s of CPU)" for k, v in result.phases.items())
    )
    places = dict(zip(result.supporter_ids, result.free, strict=True))
    used: dict[int, int] = {}
    for _, supporter_id, *_ in result.pairs:
        used[supporter_id] = used.get(supporter_id, 0) + 1
    problems = [f"supporter {s} over their free places" for s, n in used.items() if n > places[s]]
    if len({p for p, *_ in result.pairs}) != len(result.pairs):
        problems.append("a participant was matched twice")

    solver_started = time.perf_counter()
    maximum = independent_maximum(result.considered, result.free, candidates)
    maximum_seconds = time.perf_counter() - solver_started
    solver_started = time.perf_counter()
    independent = independent_levels(result.considered, result.free, candidates, result.priorities)
    levels_seconds = time.perf_counter() - solver_started
    print(f"Independent maximum (SciPy Hopcroft-Karp): {maximum} in {maximum_seconds:.2f} s")
    print(f"Independent levels (SciPy LAPJVsp): {independent} in {levels_seconds:.2f} s")
    with_candidate = int((candidates.candidates_per_participant > 0).sum())
    return {
        "participants": n_participants,
        "supporters": n_supporters,
        "eligible_supporters": len(result.supporter_ids),
        "candidate_pairs": len(candidates.score),
        "participants_with_a_candidate": with_candidate,
        "matched": levels.matched,
        "maximum": maximum,
        "levels": {"matched": levels.matched, "urgency": levels.urgency, "weeks": levels.weeks, "fit": levels.fit},
        "independent_levels": {
            "matched": independent.matched,
            "urgency": independent.urgency,
            "weeks": independent.weeks,
            "fit": independent.fit,
        },
        "summary": result.summary,
        "pruning_keep": result.keep,
        "pruned_pairs": result.pruned,
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu_seconds, 3),
        "phases_seconds": {k: round(v, 3) for k, v in result.phases.items()},
        "phases_cpu_seconds": {k: round(v, 3) for k, v in result.cpu_phases.items()},
        "load_average": [round(load_before, 2), round(load_after, 2)],
        "peak_memory_mb": round(peak_mb),
        "solver_seconds": round(maximum_seconds + levels_seconds, 3),
        "problems": problems,
    }


def failures(report: dict[str, Any], max_seconds: float = 0, max_memory_mb: float = 0) -> list[str]:
    """Why the run fails (empty: it passes)."""
    found = list(report.get("problems", []))
    if report["matched"] == 0:
        found.append("nobody was matched: there is nothing to measure")
    if report["participants_with_a_candidate"] * 2 < report["participants"]:
        found.append(
            f"only {report['participants_with_a_candidate']} of {report['participants']} participants have a candidate "
            "supporter (fewer than half): the pool measures nothing"
        )
    if report["matched"] < report["maximum"]:
        found.append(f"matched {report['matched']}, below the independent maximum {report['maximum']}")
    for level, value in report["levels"].items():
        if value != report["independent_levels"][level]:
            found.append(f"level {level}: {value}, the independent optimum is {report['independent_levels'][level]}")
    if max_seconds and report["seconds"] > max_seconds:
        found.append(
            f"took {report['seconds']} s end to end ({report['cpu_seconds']} s of CPU, load average "
            f"{report['load_average'][0]}), over {max_seconds} s"
        )
    if max_memory_mb and report["peak_memory_mb"] > max_memory_mb:
        found.append(f"the process grew to {report['peak_memory_mb']} MB, over {max_memory_mb} MB")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--supporters", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--max-seconds", type=float, default=0, help="fail when slower end to end (0: no limit)")
    parser.add_argument(
        "--max-memory-mb", type=float, default=0, help="fail when the process grew larger (0: no limit)"
    )
    parser.add_argument("--keep", type=int, default=None, help="apply the pruning rule with this K at any size")
    parser.add_argument("--uncertified", action="store_true", help="supporters without certificates (must fail)")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "match.json"))
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        setup_django(tmp)
        report = measure(args.participants, args.supporters, args.seed, certified=not args.uncertified, keep=args.keep)
    found = failures(report, args.max_seconds, args.max_memory_mb)
    report["ok"] = not found
    report["failures"] = found
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"Wrote {out}")
    for line in found:
        print(f"FAIL: {line}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
