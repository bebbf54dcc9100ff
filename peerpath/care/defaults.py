"""What a new program starts with: the PeerPath brief well-being check-in.

The check-in below was written for PeerPath (it is not a published instrument and carries
no licence terms beyond the project's own). It is stored in the import-file format, so a
program can export it, change it and import its own version.
"""

from __future__ import annotations

from typing import Any

from peerpath.care.instruments import from_data
from peerpath.care.models import Questionnaire
from peerpath.care.services import checkins
from peerpath.core.actors import SYSTEM, Actor

BRIEF_CHECKIN: dict[str, Any] = {
    "format": "peerpath-questionnaire/1",
    "name": "PeerPath brief check-in",
    "instructions": "Thinking about the last four weeks in your peer support role, how often was each of these "
    "true for you? There are no right answers; this is for you and your supervisor.",
    "credit": "Written for PeerPath by its contributors; free to use and adapt. It is a conversation starter, "
    "not a clinical measure.",
    "scale": [
        {"value": 0, "label": "Never"},
        {"value": 1, "label": "Rarely"},
        {"value": 2, "label": "Sometimes"},
        {"value": 3, "label": "Often"},
        {"value": 4, "label": "Very often"},
    ],
    "subscales": [
        {
            "key": "strain",
            "name": "Strain from the role",
            "scoring": "sum",
            "description": "How much the role is weighing on you. Higher means more strain.",
            "bands": [
                {
                    "from": 0,
                    "label": "Low strain",
                    "meaning": "You seem to be carrying the role well. Keep doing what helps you.",
                    "concern": False,
                },
                {
                    "from": 9,
                    "label": "Some strain",
                    "meaning": "Parts of the role weigh on you. Bring them to your next supervision meeting.",
                    "concern": False,
                },
                {
                    "from": 16,
                    "label": "High strain",
                    "meaning": "The role is weighing on you a lot right now. Your supervisor will get in touch, "
                    "and taking a break is always an option.",
                    "concern": True,
                },
            ],
        },
        {
            "key": "support",
            "name": "Feeling supported",
            "scoring": "sum",
            "description": "How supported and connected you feel in the role. Higher is better.",
            "bands": [
                {
                    "from": 0,
                    "label": "Little support",
                    "meaning": "You may be feeling alone with the role. Your supervisor will get in touch.",
                    "concern": True,
                },
                {
                    "from": 6,
                    "label": "Some support",
                    "meaning": "You have some support. Your buddy and your supervisor are there for more.",
                    "concern": False,
                },
                {
                    "from": 11,
                    "label": "Well supported",
                    "meaning": "You feel supported and find meaning in the role.",
                    "concern": False,
                },
            ],
        },
    ],
    "items": [
        {"number": 1, "text": "I felt drained after contacts with the people I support.", "subscale": "strain"},
        {
            "number": 2,
            "text": "Thoughts about the people I support stayed with me when I wanted to rest.",
            "subscale": "strain",
        },
        {"number": 3, "text": "Supporting someone brought back painful memories of my own.", "subscale": "strain"},
        {"number": 4, "text": "I felt guilty about follow-ups I could not make.", "subscale": "strain"},
        {"number": 5, "text": "I had enough time and energy for my role.", "subscale": "strain", "reverse": True},
        {"number": 6, "text": "I could put the role aside when I needed to.", "subscale": "strain", "reverse": True},
        {"number": 7, "text": "I felt supported by my supervisor and the program.", "subscale": "support"},
        {"number": 8, "text": "I had someone to talk to about what I heard in my role.", "subscale": "support"},
        {"number": 9, "text": "I found meaning in the support I gave.", "subscale": "support"},
        {"number": 10, "text": "I felt alone with the hard parts of the role.", "subscale": "support", "reverse": True},
    ],
}


def brief_checkin_form() -> Any:
    return from_data(BRIEF_CHECKIN)


def seed_checkin(sender: Any, program: Any, actor: Actor = SYSTEM, **kwargs: Any) -> None:
    """Give a new program the brief check-in and use it for check-ins (program_created)."""
    if Questionnaire.objects.filter(program=program, is_builtin=True).exists():
        return
    checkins.install_questionnaire(
        actor=actor, program=program, form=brief_checkin_form(), builtin=True, use_for_checkins=True
    )
