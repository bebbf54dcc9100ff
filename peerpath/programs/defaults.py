"""Default content a new program starts with; the program edits it afterwards."""

from __future__ import annotations

from typing import Any

from peerpath.programs.models import Competency, Program

# The general core competencies of a peer supporter (seed 004).
CORE_COMPETENCIES = [
    "Describes the peer supporter role and responsibilities, including limits, role boundaries, "
    "privacy and confidentiality",
    "Demonstrates how to initiate and end the support relationship",
    "Describes the role of the program participant",
    "Demonstrates well-developed communication skills: active listening and respectful, empathetic responses",
    "Applies strategies to stimulate open conversation focused on the other person",
    "Uses personal experience to strengthen relationships and stimulate dialogue",
    "Demonstrates ability to provide constructive feedback",
    "Displays non-judgmental attitudes, stays positive and gives affirming responses",
    "Identifies how to manage potential or real emergency and crisis situations",
    "Follows a partnership approach",
]


def seed_competencies(program: Program, **kwargs: Any) -> None:
    """Give a new program the core competencies (idempotent: numbers it already has are kept).
    Two queries whatever the count: a new program is made in tests and pages many times."""
    existing = set(Competency.objects.filter(program=program).values_list("number", flat=True))
    Competency.objects.bulk_create(
        Competency(program=program, number=number, title=title, is_core=True)
        for number, title in enumerate(CORE_COMPETENCIES, start=1)
        if number not in existing
    )
