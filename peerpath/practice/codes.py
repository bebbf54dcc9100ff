"""The ten codes the practice lab gives a trainee's reply, in the program's words.

A reply may carry more than one code ("You've done so much this week. What helped?" is an
affirmation and an open question). The short keys are the ones the labelled set uses
(``labelled/*.txt``); the guide to applying them is docs/practice-lab.md#labelling-guide.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Code(models.TextChoices):
    OPEN_QUESTION = "oq", _("Open question")
    CLOSED_QUESTION = "cq", _("Closed question")
    SIMPLE_REFLECTION = "sr", _("Simple reflection")
    COMPLEX_REFLECTION = "cr", _("Complex reflection")
    AFFIRMATION = "af", _("Affirmation")
    ADVICE_WITH_PERMISSION = "ap", _("Advice with permission")
    ADVICE_WITHOUT_PERMISSION = "an", _("Advice without permission")
    SELF_DISCLOSURE = "sd", _("Sharing your own experience")
    JUDGING = "jm", _("Judging or minimising")
    SAFETY_CHECK = "sc", _("Safety check")


ALL_CODES: tuple[str, ...] = tuple(c.value for c in Code)
QUESTIONS = frozenset({Code.OPEN_QUESTION, Code.CLOSED_QUESTION})
REFLECTIONS = frozenset({Code.SIMPLE_REFLECTION, Code.COMPLEX_REFLECTION})
# What opens the person up in a scenario, and what makes them close down.
OPENING = frozenset({Code.OPEN_QUESTION, Code.SIMPLE_REFLECTION, Code.COMPLEX_REFLECTION, Code.AFFIRMATION})
CLOSING = frozenset({Code.ADVICE_WITHOUT_PERMISSION, Code.JUDGING})


def label(code: str) -> str:
    return str(Code(code).label)
