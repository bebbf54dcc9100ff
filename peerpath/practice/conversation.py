"""How a scripted conversation moves on, and the feedback beside each reply.

The rule the person follows (deterministic, so every branch can be walked in a test):

1. at a step with a risk cue, a reply that checks safety opens them up (``on_open``); any other
   reply escalates (``on_missed_risk``);
2. advice without permission or judging closes them down (``on_close``);
3. an open question, a reflection or an affirmation opens them up (``on_open``);
4. anything else goes ``on_other``.

A missing branch falls back to ``on_other``, then ``on_open``; a step with no branch at all is
an ending.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peerpath.practice.codes import CLOSING, OPENING, Code
from peerpath.practice.models import Step

OPEN, CLOSE, OTHER, MISSED_RISK = "open", "close", "other", "missed_risk"


def reaction(step: Step, codes: Iterable[str]) -> str:
    """Which way the person goes after this reply (the branch names above)."""
    found = set(codes)
    if step.risk_cue:
        return OPEN if Code.SAFETY_CHECK in found else MISSED_RISK
    if found & CLOSING:
        return CLOSE
    if found & OPENING:
        return OPEN
    return OTHER


def next_step_id(step: Step, branch: str) -> int | None:
    chosen = {
        OPEN: step.on_open_id,
        CLOSE: step.on_close_id,
        OTHER: step.on_other_id,
        MISSED_RISK: step.on_missed_risk_id or step.on_close_id,
    }[branch]
    return chosen or step.on_other_id or step.on_open_id


@dataclass(frozen=True)
class Note:
    tone: str  # "good", "try" or "warn"
    text: str
    alternative: str = ""


GENERIC_ALTERNATIVES = {
    Code.ADVICE_WITHOUT_PERMISSION: gettext_lazy("Would it help to talk about what has worked for others?"),
    Code.JUDGING: gettext_lazy("It sounds like this has been really hard for you."),
    Code.CLOSED_QUESTION: gettext_lazy("What has that been like for you?"),
    Code.SIMPLE_REFLECTION: gettext_lazy(
        "It sounds like part of you wants things to change, and part of you is worn out."
    ),
    Code.SELF_DISCLOSURE: gettext_lazy("What has it been like for you?"),
}


def feedback(step: Step | None, codes: Iterable[str]) -> list[Note]:
    """Plain-words feedback on one reply, with a concrete alternative where one would help."""
    found = set(codes)
    good_reply = step.good_reply if step is not None else ""
    notes: list[Note] = []
    if step is not None and step.risk_cue:
        if Code.SAFETY_CHECK in found:
            notes.append(Note("good", _("You asked directly about safety after a risk cue. That is exactly right.")))
        else:
            notes.append(
                Note(
                    "warn",
                    _(
                        "What they said may be a sign they are thinking of suicide or harm. "
                        "Ask directly and calmly; asking does not put the idea in their head."
                    ),
                    _("When you say that, are you thinking about ending your life?"),
                )
            )
    elif Code.SAFETY_CHECK in found:
        notes.append(Note("good", _("You checked on their safety. Asking plainly shows you can hear the answer.")))
    if Code.ADVICE_WITHOUT_PERMISSION in found:
        notes.append(
            Note(
                "try",
                _("You gave advice before asking. Ask first, so they stay in charge of their choices."),
                good_reply or str(GENERIC_ALTERNATIVES[Code.ADVICE_WITHOUT_PERMISSION]),
            )
        )
    if Code.JUDGING in found:
        notes.append(
            Note(
                "try",
                _("That can sound like judging or playing down how they feel. Reflect the feeling instead."),
                good_reply or str(GENERIC_ALTERNATIVES[Code.JUDGING]),
            )
        )
    if Code.ADVICE_WITH_PERMISSION in found:
        notes.append(Note("good", _("You asked before offering ideas. That keeps the choice with them.")))
    if Code.OPEN_QUESTION in found:
        notes.append(Note("good", _("An open question: it invites them to say more in their own words.")))
    if Code.CLOSED_QUESTION in found:
        notes.append(
            Note(
                "try",
                _("A closed question gets a short answer. Fine for a fact; to hear more, open it up."),
                str(GENERIC_ALTERNATIVES[Code.CLOSED_QUESTION]),
            )
        )
    if Code.COMPLEX_REFLECTION in found:
        notes.append(Note("good", _("A complex reflection: you named what lies under their words.")))
    if Code.SIMPLE_REFLECTION in found:
        notes.append(
            Note(
                "good",
                _(
                    "A simple reflection shows you heard. Next time try going one step "
                    "further, to what it means to them."
                ),
                str(GENERIC_ALTERNATIVES[Code.SIMPLE_REFLECTION]),
            )
        )
    if Code.AFFIRMATION in found:
        notes.append(Note("good", _("An affirmation: you named a real strength or effort of theirs.")))
    if Code.SELF_DISCLOSURE in found:
        notes.append(
            Note(
                "try",
                _("You shared your own experience. Keep it short and hand the conversation back to them."),
                str(GENERIC_ALTERNATIVES[Code.SELF_DISCLOSURE]),
            )
        )
    if not notes:
        notes.append(
            Note(
                "try",
                _("This reply did not ask, reflect or affirm. Try reflecting what you heard."),
                good_reply or str(GENERIC_ALTERNATIVES[Code.JUDGING]),
            )
        )
    return notes
