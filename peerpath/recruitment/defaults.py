"""The screening questions and red flags a new program starts with (seed 004, DOMAIN.md)."""

from __future__ import annotations

from typing import Any

from peerpath.programs.models import Program
from peerpath.recruitment.models import RedFlag, ScreeningFactor, ScreeningQuestion

SCREENING_QUESTIONS = [
    (ScreeningFactor.MOTIVATION, "Why do you want to become a peer supporter?"),
    (ScreeningFactor.PERSONALITY, "If I asked your best friend to describe you, what might they say?"),
    (ScreeningFactor.EXPERIENCE, "Have you supported others as a peer before? Tell me about it."),
    (
        ScreeningFactor.READINESS,
        "How does being a peer supporter fit into your life now? Do you have time for this with everything "
        "else you are doing?",
    ),
    (ScreeningFactor.READINESS, "What might be challenging for you as a peer supporter?"),
    (
        ScreeningFactor.VALUES,
        "Our program believes in recovery, mutual respect and partnership. What do these mean to you?",
    ),
]

# Written for PeerPath: signs that a person is not suitable for the role at this time.
RED_FLAGS = [
    "Currently in crisis, or too early in their own recovery to hold others' stories",
    "Wants mainly to fix, rescue or convert the people they support",
    "Seeks the role chiefly to meet their own need for support",
    "Unwilling to keep confidentiality or to respect role boundaries",
    "Judgmental or stigmatising language about the people the program serves",
    "Cannot commit the time that training and ongoing supervision need",
    "Dismisses professional help or the program's values",
]


def seed_screening(program: Program, **kwargs: Any) -> None:
    if not ScreeningQuestion.objects.filter(program=program).exists():
        ScreeningQuestion.objects.bulk_create(
            ScreeningQuestion(program=program, factor=factor, text=text, position=i)
            for i, (factor, text) in enumerate(SCREENING_QUESTIONS, start=1)
        )
    if not RedFlag.objects.filter(program=program).exists():
        RedFlag.objects.bulk_create(
            RedFlag(program=program, text=text, position=i) for i, text in enumerate(RED_FLAGS, start=1)
        )
