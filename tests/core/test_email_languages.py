"""Every e-mail PeerPath sends reads in the recipient's language: each e-mail template
(``templates/<app>/email/*.txt``), rendered for a Spanish-speaking recipient, holds no English
sentence.

A sentence is English when the Spanish rendering keeps it word for word from the English one
(the same context renders both, so the values put in are the same in each) and it has English
words in it. Every name the template uses is given a stand-in that answers every lookup, so
every branch and value of the template renders.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.template import TemplateSyntaxError
from django.template.loader import render_to_string
from django.urls import NoReverseMatch
from django.utils import translation

from tests.core.test_catalogues import IN_PROGRESS

PACKAGE = Path(__file__).resolve().parents[2] / "peerpath"
ENGLISH_WORDS = {
    "the", "and", "you", "your", "to", "of", "is", "are", "will", "for", "with", "this", "that",
    "please", "have", "has", "we", "our", "can", "be", "it", "in", "on", "at", "by", "from", "was",
}  # fmt: skip
URL = re.compile(r"https?://\S+|\S+@\S+")


class Anything(int):
    """A value for any name a template looks up: a number (counts, ids, url arguments) whose
    attributes are more of the same, and which loops over one of itself."""

    loops: bool
    dates: frozenset[str]

    def __new__(cls, loops: bool = True, dates: frozenset[str] = frozenset()) -> Anything:
        made = super().__new__(cls, 3)
        made.loops, made.dates = loops, dates
        return made

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        if name in self.dates:  # shown through |date
            return WHEN
        return Anything(self.loops, self.dates)

    def __getitem__(self, key: Any) -> Any:
        return self.__getattr__(str(key))

    def __iter__(self) -> Iterator[Anything]:
        return iter([Anything(self.loops, self.dates)] if self.loops else [])

    def __len__(self) -> int:
        return 1 if self.loops else 0


WHEN = dt.datetime(2026, 12, 7, 18, 30, tzinfo=dt.UTC)
DATED = re.compile(r"(\w+)\|(?:date|time|timesince|timeuntil)\b")
TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
NOT_NAMES = {"True", "False", "None", "forloop", "block"}


def context_for(name: str, loops: bool) -> dict[str, Anything]:
    """Every name the template (and the templates it includes or extends) may look up, as Anything."""
    from django.template.loader import get_template

    source = get_template(name).template.source  # type: ignore[attr-defined]
    names = {word for tag in TAG.findall(source) for word in re.findall(r"[A-Za-z_]\w*", tag)}
    dates = frozenset(DATED.findall(source))
    return {word: WHEN if word in dates else Anything(loops, dates) for word in names - NOT_NAMES}


def email_templates() -> list[str]:
    names = []
    for path in sorted(PACKAGE.glob("*/templates/**/email/*.txt")):
        parts = path.relative_to(PACKAGE).parts
        names.append("/".join(parts[parts.index("templates") + 1 :]))
    return names


def render(name: str, language: str) -> str:
    with translation.override(language):
        for loops in (True, False):
            try:
                return render_to_string(name, context_for(name, loops))
            except (TypeError, ValueError, TemplateSyntaxError, NoReverseMatch):
                if not loops:
                    raise
    raise AssertionError("unreachable")


def sentences(text: str) -> set[str]:
    text = URL.sub(" ", text)
    return {" ".join(part.split()) for part in re.split(r"(?<=[.!?:])\s+|\n+", text) if part.strip()}


def english_sentences(english: str, spanish: str) -> list[str]:
    """The sentences of ``spanish`` that are English: kept word for word from ``english``, with at
    least three words, English ones among them."""
    kept = sentences(english) & sentences(spanish)
    found = []
    for sentence in sorted(kept):
        words = re.findall(r"[A-Za-z]+", sentence)
        if len(words) >= 3 and any(word.lower() in ENGLISH_WORDS for word in words):
            found.append(sentence)
    return found


def test_every_email_template_is_found() -> None:
    assert len(email_templates()) >= 40
    assert "core/email/password_reset_body.txt" in email_templates()


@pytest.mark.parametrize("name", email_templates())
def test_an_email_for_a_spanish_speaker_has_no_english_sentence(name: str) -> None:
    if name.split("/")[0] in IN_PROGRESS:
        pytest.skip(f"{name.split('/')[0]}'s Spanish is being written")
    english, spanish = render(name, "en"), render(name, "es")
    found = english_sentences(english, spanish)
    assert not found, f"{name} in Spanish keeps English sentences:\n" + "\n".join(found)


def test_the_check_tells_english_from_spanish() -> None:
    english = "Hello 3,\n\nYour session is on Monday. Log in: https://x.example/p/3/\n\nRiverside"
    assert english_sentences(english, "Hola, 3:\n\nTu sesión es el lunes. Entra: https://x.example/p/3/") == []
    assert english_sentences(english, "Hola, 3:\n\nYour session is on Monday.") == ["Your session is on Monday."]
