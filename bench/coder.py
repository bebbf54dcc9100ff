"""Measure the practice lab's reply coder on the held-out split: `make bench-coder`.

Trains the coder exactly as the app does (``peerpath.practice.coder.Coder`` on
``labelled/train.txt``), codes every reply of ``labelled/heldout.txt`` (which was committed
before the coder existed and is never used to train or tune it; its SHA-256 is checked against
the one pinned below and recorded), and writes bench/results/coder.json: the number of examples,
per-code precision, recall and F1, macro-F1, and milliseconds per reply (mean and worst of the
coding alone, after training; one process on one core).

Exits non-zero below target: macro-F1 < 0.75, safety-check or advice-without-permission recall
< 0.85, mean time per reply >= 50 ms; also when the held-out file changed or a code has fewer
than 30 held-out replies (a measurement with nothing to measure must fail).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The held-out split as first committed (e3d673c). Changing the file fails the benchmark.
HELD_OUT_SHA256 = "b866a701c17f22b3fdf7439d792a703692b97ae47ff24b0546ec685dac584a7c"
TARGETS = {"macro_f1": 0.75, "recall_sc": 0.85, "recall_an": 0.85, "ms_per_reply": 50.0, "min_per_code": 30}


def missed_targets(per_code: dict[str, dict[str, Any]], macro_f1: float, ms_per_reply: float) -> list[str]:
    """The targets a measurement misses (none: it passes). ``per_code`` maps each code to its
    ``held_out_replies`` and ``recall``; a code with too few held-out replies fails it, as does a
    measurement of nothing (no codes, or no time measured)."""
    problems = [
        f"only {row['held_out_replies']} held-out replies carry {c}"
        for c, row in per_code.items()
        if row["held_out_replies"] < TARGETS["min_per_code"]
    ]
    if not per_code:
        problems.append("no code was measured")
    if macro_f1 < TARGETS["macro_f1"]:
        problems.append(f"macro-F1 {macro_f1:.3f} < {TARGETS['macro_f1']}")
    for c in ("sc", "an"):
        recall = per_code.get(c, {}).get("recall", 0.0)
        if recall < TARGETS[f"recall_{c}"]:
            problems.append(f"{c} recall {recall} < {TARGETS[f'recall_{c}']}")
    if not ms_per_reply < TARGETS["ms_per_reply"]:  # also NaN, and inf when nothing was timed
        problems.append(f"{ms_per_reply:.1f} ms per reply >= {TARGETS['ms_per_reply']}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "coder.json"))
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerpath.settings")
    os.environ.setdefault("PEERPATH_DEBUG", "1")
    import django

    django.setup()
    from peerpath.practice import coder as coder_module
    from peerpath.practice.codes import ALL_CODES, Code

    problems: list[str] = []
    held_out_hash = coder_module.file_sha256(coder_module.HELD_OUT_FILE)
    if held_out_hash != HELD_OUT_SHA256:
        problems.append(f"the held-out split changed: sha256 {held_out_hash}, pinned {HELD_OUT_SHA256}")
    training = coder_module.load_examples(coder_module.TRAINING_FILE)
    held_out = coder_module.load_examples(coder_module.HELD_OUT_FILE)
    overlap = {e.text.lower() for e in training} & {e.text.lower() for e in held_out}
    if overlap:
        problems.append(f"{len(overlap)} held-out replies are also in the training split")

    started = time.perf_counter()
    coder = coder_module.Coder(training)
    training_seconds = time.perf_counter() - started

    counts = {c: {"tp": 0, "fp": 0, "fn": 0, "support": 0} for c in ALL_CODES}
    timings = []
    mistakes = []
    for example in held_out:
        started = time.perf_counter()
        got = coder.code(example.text)
        timings.append((time.perf_counter() - started) * 1000)
        for c in ALL_CODES:
            counts[c]["support"] += c in example.codes
            if c in got and c in example.codes:
                counts[c]["tp"] += 1
            elif c in got:
                counts[c]["fp"] += 1
            elif c in example.codes:
                counts[c]["fn"] += 1
        if got != set(example.codes):
            mistakes.append({"reply": example.text, "labelled": sorted(example.codes), "coded": sorted(got)})

    per_code: dict[str, dict[str, Any]] = {}
    for c in ALL_CODES:
        n = counts[c]
        precision = n["tp"] / (n["tp"] + n["fp"]) if n["tp"] + n["fp"] else 0.0
        recall = n["tp"] / (n["tp"] + n["fn"]) if n["tp"] + n["fn"] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_code[c] = {
            "name": str(Code(c).label),
            "held_out_replies": n["support"],
            "precision": round(precision, 3),
            "recall": round(recall, 3),
            "f1": round(f1, 3),
        }
    macro_f1 = sum(v["f1"] for v in per_code.values()) / len(per_code)
    ms_per_reply = sum(timings) / len(timings) if timings else float("inf")
    problems += missed_targets(per_code, macro_f1, ms_per_reply)

    result = {
        "examples": {"training": len(training), "held_out": len(held_out), "total": len(training) + len(held_out)},
        "held_out_sha256": held_out_hash,
        "per_code": per_code,
        "macro_f1": round(macro_f1, 3),
        "exact_match": round(1 - len(mistakes) / len(held_out), 3) if held_out else 0.0,
        "ms_per_reply": round(ms_per_reply, 2),
        "ms_per_reply_worst": round(max(timings), 2) if timings else None,
        "training_seconds": round(training_seconds, 2),
        "targets": TARGETS,
        "passed": not problems,
        "problems": problems,
        "mistakes": mistakes,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(
        f"coder: macro-F1 {macro_f1:.3f}, safety recall {per_code['sc']['recall']}, advice-without-permission "
        f"recall {per_code['an']['recall']}, {ms_per_reply:.1f} ms/reply on {len(held_out)} held-out replies "
        f"-> {args.out}"
    )
    for problem in problems:
        print(f"FAIL: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
