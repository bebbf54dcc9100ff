"""The reply coder: its decisions on a fixed list of replies, the labelled set's shape, and
that it is the same coder everywhere (deterministic)."""

from __future__ import annotations

import pytest

from peerpath.practice import coder
from peerpath.practice.codes import ALL_CODES
from tests.practice.helpers import REPLY_FOR

# Replies written for this test (in neither split), with the codes the coder must give.
DECISIONS = [
    ("What was the hardest part of your week?", {"oq"}),
    ("How did the meeting with your probation officer go?", {"oq"}),
    ("Did you sleep last night?", {"cq"}),
    ("Is your sponsor still in town?", {"cq"}),
    ("Are you thinking about killing yourself?", {"cq", "sc"}),
    ("Do you have a gun in the house?", {"cq", "sc"}),
    ("What would help you stay safe tonight?", {"oq", "sc"}),
    ("You should go back to your doctor tomorrow.", {"an"}),
    ("You need to stop seeing those friends.", {"an"}),
    ("Would it be okay if I shared what helped me with cravings?", {"ap"}),
    ("Would you like to hear about a group for veterans?", {"ap"}),
    ("When I got out of prison, I couldn't find work for a year.", {"sd"}),
    ("At least you still have your job.", {"jm"}),
    ("You're overreacting, it's not a big deal.", {"jm"}),
    ("It took real courage to tell your family.", {"af"}),
    ("You've been feeling tired all week.", {"sr"}),
    ("Part of you wants to go back to school, and part of you is afraid of failing again.", {"cr"}),
    # The replies the scenario tests use to take each branch.
    (REPLY_FOR["open"], {"oq"}),
    (REPLY_FOR["close"], {"an"}),
    (REPLY_FOR["other"], {"cq"}),
    (REPLY_FOR["safety"], {"cq", "sc"}),
]


@pytest.mark.parametrize(("text", "expected"), DECISIONS)
def test_the_coder_decides_the_fixed_replies(text: str, expected: set[str]) -> None:
    assert set(coder.code_reply(text)) == expected


def test_a_safety_question_is_always_a_safety_check_and_permission_turns_advice_around() -> None:
    assert "sc" in coder.apply_rules("Have you thought about ending your life?", set(), {})
    codes = coder.apply_rules("Would it help if I shared an idea?", {"an"}, {"an": 0.9})
    assert "ap" in codes and "an" not in codes


def test_codes_come_in_a_fixed_order() -> None:
    assert coder.code_reply("You've done so much this week. What helped you keep going?") == ["oq", "af"]


def test_the_labelled_set_has_every_code_and_a_held_out_split_of_30_each() -> None:
    training = coder.load_examples(coder.TRAINING_FILE)
    held_out = coder.load_examples(coder.HELD_OUT_FILE)
    assert len(training) + len(held_out) >= 600
    for code in ALL_CODES:
        assert sum(code in e.codes for e in held_out) >= 30, code
        assert sum(code in e.codes for e in training) >= 30, code
    assert not {e.text.lower() for e in training} & {e.text.lower() for e in held_out}


def test_the_held_out_split_is_the_one_first_committed() -> None:
    from bench.coder import HELD_OUT_SHA256

    assert coder.file_sha256(coder.HELD_OUT_FILE) == HELD_OUT_SHA256


def test_a_bad_line_in_the_labelled_set_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown or missing code"):
        coder.parse_examples(["xx|mh|Hello"], source="t")
    with pytest.raises(ValueError, match="expected codes"):
        coder.parse_examples(["oq no bars"], source="t")
    assert coder.parse_examples(["# comment", "", "oq,af|gen|What helped?"])[0].codes == {"oq", "af"}


def test_training_twice_gives_the_same_coder() -> None:
    examples = coder.load_examples(coder.TRAINING_FILE)[::3]
    first, second = coder.Coder(examples), coder.Coder(examples)
    for text, _ in DECISIONS:
        assert first.scores(text) == second.scores(text)


def measured(**changes: float) -> tuple[dict[str, dict[str, float]], float, float]:
    """A measurement just at every target of `make bench-coder`, with ``changes`` applied."""
    per_code = {c: {"held_out_replies": 30, "recall": 0.85} for c in ALL_CODES}
    per_code["sc"]["recall"] = changes.get("recall_sc", 0.85)
    per_code["an"]["recall"] = changes.get("recall_an", 0.85)
    per_code["oq"]["held_out_replies"] = changes.get("oq_replies", 30)
    return per_code, changes.get("macro_f1", 0.75), changes.get("ms", 49.99)


def test_bench_coder_passes_at_each_target_and_fails_just_below_it() -> None:
    from bench.coder import missed_targets

    assert missed_targets(*measured()) == []
    for change, words in [
        ({"macro_f1": 0.749}, "macro-F1"),
        ({"recall_sc": 0.849}, "sc recall"),
        ({"recall_an": 0.849}, "an recall"),
        ({"ms": 50.0}, "ms per reply"),
        ({"ms": float("inf")}, "ms per reply"),  # nothing timed
        ({"oq_replies": 29}, "held-out replies carry oq"),
    ]:
        problems = missed_targets(*measured(**change))
        assert len(problems) == 1 and words in problems[0], (change, problems)
    assert "no code was measured" in missed_targets({}, 0.9, 1.0)
