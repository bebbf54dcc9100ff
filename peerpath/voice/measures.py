"""The outcome measure the demo uses: written for PeerPath, not a published instrument.

Stored in the questionnaire import format (docs/questionnaires.md), so a program can export it,
change it and import its own version; a program may instead import any instrument it holds a
licence for. Nothing licensed is bundled.
"""

from __future__ import annotations

from typing import Any

from peerpath.care import scoring
from peerpath.care.instruments import from_data

NAME = "PeerPath brief well-being (participants)"

BRIEF_WELLBEING: dict[str, Any] = {
    "format": "peerpath-questionnaire/1",
    "name": NAME,
    "instructions": "Thinking about the last two weeks, how much of the time was each of these true for you?",
    "credit": "Written for PeerPath by its contributors; free to use and adapt. It is a conversation starter, "
    "not a clinical measure.",
    "scale": [
        {"value": 0, "label": "None of the time"},
        {"value": 1, "label": "Rarely"},
        {"value": 2, "label": "Some of the time"},
        {"value": 3, "label": "Often"},
        {"value": 4, "label": "All of the time"},
    ],
    "subscales": [
        {
            "key": "wellbeing",
            "name": "Well-being",
            "scoring": "sum",
            "description": "How the person is getting on, from 0 to 20. Higher is better.",
            "bands": [
                {"from": 0, "label": "Struggling", "meaning": "Things are hard at the moment.", "concern": True},
                {"from": 8, "label": "Getting by", "meaning": "Managing, with some hard days.", "concern": False},
                {"from": 15, "label": "Doing well", "meaning": "Mostly coping and hopeful.", "concern": False},
            ],
        }
    ],
    "items": [
        {"number": 1, "text": "I felt able to manage day-to-day things.", "subscale": "wellbeing"},
        {"number": 2, "text": "I had someone to talk to when I needed it.", "subscale": "wellbeing"},
        {"number": 3, "text": "I felt hopeful about what comes next.", "subscale": "wellbeing"},
        {"number": 4, "text": "I did things that matter to me.", "subscale": "wellbeing"},
        {"number": 5, "text": "I felt on my own with my troubles.", "subscale": "wellbeing", "reverse": True},
    ],
}


def brief_wellbeing_form() -> scoring.Form:
    return from_data(BRIEF_WELLBEING)
