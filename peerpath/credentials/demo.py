"""Demo qualifications: Priya has everything on file (first aid expiring within the month, so a
reminder is due); Uma too; Quinn's background check expired twelve days ago and one of her two
references raised concerns, so she is held back from new matches and from facilitating, with the
reason on the coordinator's pages and her own. Idempotent: nothing is added once records exist."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from peerpath.credentials import defaults, services
from peerpath.credentials.models import Qualification, QualificationOutcome, QualificationType
from peerpath.programs.models import Program
from peerpath.recruitment.models import Supporter


def load(program: Program, people: dict[str, Any]) -> None:
    defaults.seed_qualifications(program)
    if Qualification.objects.filter(program=program).exists():
        return
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
        record(person, "Background check", 400, detail="County check, reference DBS-2291")
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
