"""Demo qualifications: Priya has everything on file (first aid expiring within the month, so a
reminder is due); Uma too; Quinn's background check expired twelve days ago and one of her two
references raised concerns, so she is held back from new matches and from facilitating, with the
reason on the coordinator's pages and her own. Idempotent: nothing is added once records exist."""

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
