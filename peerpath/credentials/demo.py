"""Demo qualifications: Priya has everything on file (first aid expiring within the month, so a
reminder is due); Uma too; Quinn's background check expired twelve days ago and one of her two
references raised concerns, so she is held back from new matches and from facilitating, with the
reason on the coordinator's pages and her own. Self-paced learning (`_learning`): three published
modules and a draft; Priya completed the confidentiality module (1.5 h of self-paced ethics CE),
Nadia, in training, passed the listening module on her second try and is part-way through the
confidentiality one; Quinn has none, so his hand-counted progress stays as it is. Idempotent:
nothing is added once records exist."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from peerpath.credentials import defaults, services
from peerpath.credentials.models import Qualification, QualificationOutcome, QualificationType
from peerpath.programs.models import Program
from peerpath.recruitment.models import Supporter


def load(program: Program, people: dict[str, Any]) -> None:
    defaults.seed_qualifications(program)
    _learning(program, people)
    if Qualification.objects.filter(program=program).exists():
        return
    _credential(program, people)
    coordinator = people["coordinator"]
    supporters: dict[str, Supporter] = people["supporters"]
    today = timezone.localdate()
    kinds = {t.name: t for t in QualificationType.objects.filter(program=program)}

    def record(person: Supporter, name: str, days_ago: int, **extra: Any) -> None:
        services.record_qualification(
            actor=coordinator,
            supporter=person,
            qtype=kinds[name],
            obtained_on=today - dt.timedelta(days=days_ago),
            **extra,
        )

    def signed(person: Supporter, name: str, days_ago: int) -> None:
        qtype = kinds[name]
        on = today - dt.timedelta(days=days_ago)
        Qualification.objects.create(
            program=program,
            supporter=person,
            qtype=qtype,
            obtained_on=on,
            expires_on=services.expiry_for(qtype, on),
            signed_name=person.full_name,
            signed_at=timezone.now() - dt.timedelta(days=days_ago),
            agreement_version=qtype.agreement_version,
            agreement_text=qtype.agreement_text,
            recorded_by=person.user,
        )

    for key in ("supporter", "uma"):
        person = supporters[key]
        # The check's letter is kept as evidence (only coordinators may download it).
        letter = ContentFile(
            f"County background check for {person.full_name}: no record found. Reference DBS-2291.\n".encode(),
            name="background-check-letter.txt",
        )
        record(person, "Background check", 400, detail="County check, reference DBS-2291", evidence=letter)
        record(person, "References", 420, detail="Former employer: positive")
        record(person, "References", 418, detail="Community group leader: positive")
        signed(person, "Confidentiality agreement", 300)
        signed(person, "Code of ethics", 380)
        record(person, "Mandated reporter training", 200)
    # Priya's first aid expires within the month: the 30-day reminder is due.
    record(supporters["supporter"], "First aid", 700, expires_on=today + dt.timedelta(days=25))
    quinn = supporters["quinn"]
    record(quinn, "Background check", 1107, expires_on=today - dt.timedelta(days=12))
    record(quinn, "References", 200, detail="Former teacher: positive")
    record(quinn, "References", 198, outcome=QualificationOutcome.CONCERNS, detail="Former landlord: would not comment")
    signed(quinn, "Code of ethics", 150)


# The credential Quinn works toward, with domains mapped to the course's modules. His figures
# are counted by hand in tests/credentials/test_progress.py.
DOMAINS = [
    ("Recovery and wellness support", "20", ["Foundations of peer support", "Recovery principles"]),
    ("Ethical responsibility", "10", ["Ethics and confidentiality"]),
    ("Crisis and safety", "6", ["Crisis intervention"]),
    ("Mentoring and education", "6", []),
]


def _credential(program: Program, people: dict[str, Any]) -> None:
    from peerpath.credentials.progress import get_settings
    from peerpath.training.models import Topic

    coordinator = people["coordinator"]
    supporters: dict[str, Supporter] = people["supporters"]
    today = timezone.localdate()
    settings = get_settings(program)
    services.save_credential_settings(
        actor=coordinator,
        program=program,
        data={
            "name": "Certified Peer Recovery Specialist",
            "body": "State Certification Board",
            "supervised_hours_required": 25,
            "experience_hours_required": 500,
            "documents": list(QualificationType.objects.filter(program=program, name="Code of ethics")),
            "exam_required": True,
            "exam_pass_score": settings.exam_pass_score,
        },
    )
    domains = {}
    for name, hours, modules in DOMAINS:
        domains[name] = services.save_domain(
            actor=coordinator,
            program=program,
            domain=None,
            data={
                "name": name,
                "hours_required": hours,
                "topics": list(Topic.objects.filter(program=program, module__title__in=modules)),
            },
        )
    quinn = supporters["quinn"]
    services.log_external_training(
        actor=coordinator,
        supporter=quinn,
        domain=domains["Mentoring and education"],
        title="Mentoring new volunteers",
        provider="State Peer Network",
        taken_on=today - dt.timedelta(days=90),
        hours="4",
    )
    assert quinn.user is not None  # demo supporters have accounts
    services.log_external_training(  # logged by Quinn, waiting for approval: not counted yet
        actor=quinn.user,
        supporter=quinn,
        domain=domains["Ethical responsibility"],
        title="Ethics webinar",
        provider="Peer Workforce Alliance",
        taken_on=today - dt.timedelta(days=20),
        hours="2",
    )
    services.record_exam(actor=coordinator, supporter=quinn, taken_on=today - dt.timedelta(days=60), score=64)
    services.record_exam(actor=coordinator, supporter=quinn, taken_on=today - dt.timedelta(days=30), score=82)


# --- Self-paced learning -----------------------------------------------------------------------

LISTENING_TEXT = (
    "When someone tells you about a hard week, the urge to fix it comes fast. Peer support starts "
    "somewhere else: with listening until the person feels heard.\n\n"
    "Reflect what you hear in your own words, ask open questions (what, how, tell me more), and let "
    "silences be. Share your own story only when it serves theirs, briefly, and hand the "
    "conversation back."
)
CONFIDENTIALITY_TEXT = (
    "What a participant tells you stays between you, your supervisor and the program, with three "
    "exceptions you explain at the first meeting: a risk of serious harm to themselves or others, "
    "a child or vulnerable adult at risk, and a court order.\n\n"
    "In a small community confidentiality is also about the little things: not greeting someone "
    "in the street as 'my participant', not confirming to a neighbour that you know them."
)
SELF_CARE_TEXT = (
    "After a hard conversation, take ten minutes before the next thing. Notice what you feel, "
    "write down anything you need to pass on, and talk it through with your supervisor or buddy "
    "within the week. Asking for a debrief is part of the work, not a sign you cannot do it."
)
QUIZZES: dict[str, list[tuple[str, list[str], int, str]]] = {
    "Listening without fixing": [
        (
            "Someone says their week was awful. What do you do first?",
            [
                "Suggest what might help",
                "Reflect back what you heard and ask an open question",
                "Share your own worst week",
            ],
            2,
            "Reflecting first shows you heard them; advice can wait, and may not be needed.",
        ),
        (
            "Which is an open question?",
            ["Did you sleep well?", "Are you taking your medication?", "How has this week been for you?"],
            3,
            "",
        ),
        (
            "When does sharing your own experience help?",
            ["Whenever there is a silence", "When it serves the other person's story, briefly", "Never"],
            2,
            "",
        ),
        (
            "A silence falls. What now?",
            ["Fill it quickly", "Let it be for a moment", "Change the subject"],
            2,
            "Silence gives the person room to go on.",
        ),
    ],
    "Confidentiality in everyday conversations": [
        (
            "Who may you talk to about what a participant tells you?",
            ["Your family, if you leave out names", "Your supervisor and the program", "Other participants"],
            2,
            "",
        ),
        (
            "Which is one of the exceptions you explain at the first meeting?",
            ["A risk of serious harm", "A neighbour asking after them", "A friend who works in health care"],
            1,
            "",
        ),
        (
            "You meet a participant in the supermarket. What do you do?",
            [
                "Introduce them to your friend as your participant",
                "Let them decide whether to greet you",
                "Ask how their goals are going",
            ],
            2,
            "Leave it to them: they choose who knows they are in the program.",
        ),
        (
            "A neighbour asks whether you know someone from your program. You say:",
            ["Yes, I support them", "I cannot say who I work with", "Only their first name"],
            2,
            "",
        ),
    ],
}


def _learning(program: Program, people: dict[str, Any]) -> None:
    """Self-paced modules and a few people's progress on them (see the module docstring)."""
    from peerpath.credentials.models import LearningModule
    from peerpath.credentials.services import learning
    from peerpath.programs.models import Competency
    from peerpath.recruitment.models import Stage
    from peerpath.training.models import Topic

    if LearningModule.objects.filter(program=program).exists():
        return
    trainer = people["logins"].get("trainer") or people["coordinator"]
    topics = {t.title: t for t in Topic.objects.filter(program=program)}
    competencies = {c.number: c for c in Competency.objects.filter(program=program)}

    def module(title: str, topic: str | None, **data: Any) -> Any:
        numbers = data.pop("numbers", [])
        return learning.save_module(
            actor=trainer,
            program=program,
            module=None,
            data={"title": title, "topic": topics.get(topic or ""), "is_published": True, **data},
            competencies=[competencies[n] for n in numbers if n in competencies],
        )

    listening = module(
        "Listening without fixing",
        "Core communication skills: active listening, empathy, open-ended questions",
        summary="Reflecting, open questions and silence: listening until the person feels heard.",
        hours="1",
        ce_subject="peer-specific",
        pass_mark=75,
        max_attempts=3,
        numbers=[4, 5],
    )
    learning.add_material(actor=trainer, module=listening, kind="text", title="Listening first", body=LISTENING_TEXT)
    learning.add_material(
        actor=trainer,
        module=listening,
        kind="video",
        title="Reflective listening in practice (8 minutes)",
        url="https://video.example.org/reflective-listening",
    )
    confidentiality = module(
        "Confidentiality in everyday conversations",
        "Privacy and confidentiality",
        summary="What stays private, its three exceptions, and confidentiality in a small community.",
        hours="1.5",
        ce_subject="ethics",
        pass_mark=75,
        max_attempts=None,
        numbers=[1],
    )
    learning.add_material(
        actor=trainer, module=confidentiality, kind="text", title="What stays private", body=CONFIDENTIALITY_TEXT
    )
    learning.add_material(
        actor=trainer,
        module=confidentiality,
        kind="document",
        title="Confidentiality at a glance (handout)",
        file=ContentFile(
            b"Confidentiality at a glance\n\nStays private: what a participant tells you.\n"
            b"Exceptions: serious harm, a child or vulnerable adult at risk, a court order.\n",
            name="confidentiality-handout.txt",
        ),
    )
    learning.add_material(
        actor=trainer,
        module=confidentiality,
        kind="link",
        title="The program's confidentiality agreement",
        url="https://riverside.example.org/confidentiality",
    )
    self_care = module(
        "Self-care after a hard conversation",
        "Recognising when self-care is needed and how to seek support",
        summary="A short reading; mark it done when you have worked through it.",
        hours="0.5",
        ce_subject="",
        pass_mark=0,
        max_attempts=None,
    )
    learning.add_material(
        actor=trainer, module=self_care, kind="text", title="Ten minutes for you", body=SELF_CARE_TEXT
    )
    module(
        "Working with interpreters",
        None,
        summary="Still being written.",
        hours="1",
        ce_subject="cultural-competence",
        pass_mark=80,
        max_attempts=2,
        is_published=False,
    )
    questions: dict[str, list[tuple[int, int, int]]] = {}
    for the_module in (listening, confidentiality):
        questions[the_module.title] = []
        for text, choices, correct, explanation in QUIZZES[the_module.title]:
            question = learning.add_question(
                actor=trainer, module=the_module, text=text, choices=choices, correct=correct, explanation=explanation
            )
            ids = [c.pk for c in question.choices.all()]
            right = ids[correct - 1]
            wrong = next(i for i in ids if i != right)
            questions[the_module.title].append((question.pk, right, wrong))

    def answer(the_module: Any, right: int) -> dict[int, int]:
        return {q: (r if n < right else w) for n, (q, r, w) in enumerate(questions[the_module.title])}

    supporters: dict[str, Supporter] = people["supporters"]
    priya, nadia = supporters["supporter"], supporters["nadia"]
    if priya.user is not None:
        learning.submit_quiz(
            actor=priya.user, supporter=priya, module=confidentiality, answers=answer(confidentiality, 4)
        )
    if nadia.user is not None and nadia.stage == Stage.IN_TRAINING:
        learning.submit_quiz(actor=nadia.user, supporter=nadia, module=listening, answers=answer(listening, 2))  # 50 %
        learning.submit_quiz(actor=nadia.user, supporter=nadia, module=listening, answers=answer(listening, 3))  # 75 %
        learning.submit_quiz(
            actor=nadia.user, supporter=nadia, module=confidentiality, answers=answer(confidentiality, 2)
        )
