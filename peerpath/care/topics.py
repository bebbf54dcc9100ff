"""Grouping and ranking the topics supporters ask to have covered.

Grouping is deliberately simple and predictable (no language model, no fuzzy matching):
a topic's key is its words, lower-cased, with punctuation removed, a short list of filler
words dropped ("how to", "more about", "dealing with"...), simple plurals made singular
("boundaries" -> "boundary", "calls" -> "call") and the remaining words sorted. So
"Boundaries with family", "family boundaries" and "Boundaries with families!" are one
topic. Topics are ranked by how many different supporters raised them, then by how recently.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

FILLER = frozenset(
    """a an the and or of to in on for with about at by from into as is are be been being
    i me my we our you your they their them it its this that these those some any more most
    how what when why who which learn learning know knowing cover covering covered
    would like want wish need needs talk talking discuss discussing dealing deal handle handling
    managing manage tips help helping better around re regarding especially also please
    session sessions refresher training""".split()  # noqa: SIM905 (a readable word list)
)
_NON_WORD = re.compile(r"[^0-9a-z]+")
_SPLIT_LIST = re.compile(r"[\n;,]+")
_SPLIT_SENTENCES = re.compile(r"[\n;]+")


def singular(word: str) -> str:
    """Simple English plurals: 'stories' -> 'story', 'classes' -> 'class', 'calls' -> 'call'."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "shes", "ches", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def key_of(text: str) -> str:
    """The grouping key of one topic ('' when nothing but filler words remain)."""
    words = _NON_WORD.sub(" ", text.lower().replace("&", " and ")).split()
    kept = {singular(w) for w in words if w not in FILLER and len(w) > 1}
    return " ".join(sorted(kept))


def split_list(text: str) -> list[str]:
    """Topics written as a list: one per line, or separated by commas or semicolons."""
    return [part.strip(" .-*•\t") for part in _SPLIT_LIST.split(text or "") if part.strip(" .-*•\t")]


def split_sentences(text: str) -> list[str]:
    """Free-text answers: one topic per line or per semicolon (commas stay inside a topic)."""
    return [part.strip(" .-*•\t") for part in _SPLIT_SENTENCES.split(text or "") if part.strip(" .-*•\t")]


@dataclass(frozen=True)
class Mention:
    text: str
    person: str  # who raised it ('user:12' or 'supporter:7'): counted once per topic
    at: dt.datetime
    source: str  # 'debrief' or 'training feedback'


@dataclass
class Suggestion:
    key: str
    label: str
    supporters: int
    mentions: int
    last_mentioned: dt.datetime
    sources: list[str]
    phrasings: list[str] = field(default_factory=list)


def rank(mentions: Iterable[Mention], covered: dict[str, dt.datetime] | None = None) -> list[Suggestion]:
    """Group mentions by key and rank: most supporters first, then most recent, then most mentions.

    Mentions made before a topic was last turned into a refresher (``covered``: key -> when)
    count as covered and are left out.
    """
    covered = covered or {}
    groups: dict[str, list[Mention]] = {}
    for mention in mentions:
        key = key_of(mention.text)
        if not key:
            continue
        if key in covered and mention.at <= covered[key]:
            continue
        groups.setdefault(key, []).append(mention)
    suggestions = []
    for key, group in groups.items():
        phrasing_counts = Counter(_tidy(m.text) for m in group)
        latest_by_phrase: dict[str, dt.datetime] = {}
        for m in group:
            phrase = _tidy(m.text)
            latest_by_phrase[phrase] = max(latest_by_phrase.get(phrase, m.at), m.at)
        # The label is the most common wording; among equals the shortest, then the latest.
        phrasings = sorted(
            phrasing_counts, key=lambda p: (-phrasing_counts[p], len(p), -latest_by_phrase[p].timestamp(), p)
        )
        suggestions.append(
            Suggestion(
                key=key,
                label=phrasings[0],
                supporters=len({m.person for m in group}),
                mentions=len(group),
                last_mentioned=max(m.at for m in group),
                sources=sorted({m.source for m in group}),
                phrasings=phrasings[:5],
            )
        )
    suggestions.sort(key=lambda s: (-s.supporters, -s.last_mentioned.timestamp(), -s.mentions, s.label.lower()))
    return suggestions


def _tidy(text: str) -> str:
    text = " ".join(text.split())
    return text[:1].upper() + text[1:]
