"""The curriculum a new program starts with (from the seeds, gathered in DOMAIN.md); the
program edits it afterwards. Topics map to the general core competencies by number."""

from __future__ import annotations

from typing import Any

from peerpath.programs.models import Competency, Program
from peerpath.training.models import Module, Topic
from peerpath.training.services import ensure_ce_subjects

# module title, description, [(topic title, competency numbers)]
CURRICULUM: list[tuple[str, str, list[tuple[str, list[int]]]]] = [
    (
        "Foundations of peer support",
        "The initial training areas: what peer support is, the supporter's role, and the core skills.",
        [
            ("The concept and methods of peer support, its benefits and limits", [1, 10]),
            ("The peer supporter's role and the participant's role", [1, 3]),
            ("Setting and keeping boundaries", [1, 2]),
            ("Starting and ending a support relationship", [2]),
            ("Core communication skills: active listening, empathy, open-ended questions", [4, 5]),
            ("When and how to share lived experience", [6]),
            ("Navigating challenging conversations with an open mind", [5, 8]),
        ],
    ),
    (
        "Crisis intervention",
        "Signs of crisis, safe de-escalation, and when to refer to professional help.",
        [
            ("Recognising the signs of crisis", [9]),
            ("Safe de-escalation", [4, 9]),
            ("When and how to refer to professional help", [1, 9]),
        ],
    ),
    (
        "Ethics and confidentiality",
        "Ethical guidelines, privacy, and dual relationships in small communities.",
        [
            ("Privacy and confidentiality", [1]),
            ("Dual relationships in small communities", [1, 2]),
            ("Ethical guidelines for peer supporters", [1, 8]),
        ],
    ),
    (
        "Self-care and resilience",
        "Recognising when self-care is needed, seeking support, supervision and continuing education.",
        [
            ("Recognising when self-care is needed and how to seek support", [1]),
            ("Using supervision and continuing education", [1, 7]),
        ],
    ),
    (
        "Cultural competence",
        "Working respectfully with people of every background.",
        [("Cultural humility and working across differences", [8, 10])],
    ),
    (
        "Recovery principles",
        "Recovery-oriented principles, stages of change, mental health and substance use.",
        [
            ("Recovery-oriented principles and the stages of change", [3, 10]),
            ("Mental health, substance use and co-occurring conditions", [3]),
        ],
    ),
    (
        "Motivational interviewing",
        "Conversations that help a person find their own reasons for change.",
        [
            ("Motivational interviewing: open questions, affirmations, reflections, summaries", [4, 5]),
            ("Giving constructive and affirming feedback", [7, 8]),
        ],
    ),
    (
        "Navigating systems",
        "Understanding the service system, advocacy and community outreach.",
        [
            ("Navigating the service system", [3, 10]),
            ("Advocacy and community outreach", [10]),
        ],
    ),
]


def seed_curriculum(program: Program, **kwargs: Any) -> None:
    """Give a new program the default curriculum (idempotent: existing modules and topics are kept,
    with their own wording, order and competencies). Written as a few bulk inserts, not a query
    per row: every new program (and every test world) pays for it."""
    competencies = {c.number: c for c in Competency.objects.filter(program=program)}
    modules = {m.title: m for m in Module.objects.filter(program=program)}
    created = Module.objects.bulk_create(
        Module(program=program, title=title, description=description, position=position)
        for position, (title, description, _topics) in enumerate(CURRICULUM, start=1)
        if title not in modules
    )
    modules.update((module.title, module) for module in created)
    existing = set(Topic.objects.filter(program=program).values_list("module_id", "title"))
    new_topics: list[tuple[Topic, list[int]]] = []
    for title, _description, topics in CURRICULUM:
        module = modules[title]
        for topic_position, (topic_title, numbers) in enumerate(topics, start=1):
            if (module.pk, topic_title) not in existing:
                new_topics.append(
                    (Topic(program=program, module=module, title=topic_title, position=topic_position), numbers)
                )
    Topic.objects.bulk_create(topic for topic, _numbers in new_topics)
    Link = Topic.competencies.through
    Link.objects.bulk_create(
        Link(topic_id=topic.pk, competency_id=competencies[number].pk)
        for topic, numbers in new_topics
        for number in numbers
        if number in competencies
    )


def seed_ce_subjects(program: Program, **kwargs: Any) -> None:
    """Give a new program the usual continuing-education subjects (program_created)."""
    ensure_ce_subjects(program)
