"""State changes in credentials: qualification types, records (with evidence), agreements
signed in the app, expiry reminders. Atomic, validated, audited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from peerpath.certification.rules import add_months
from peerpath.certification.services import check_evidence
from peerpath.core import audit
from peerpath.core.actors import Actor
from peerpath.core.models import User
from peerpath.credentials import queries
from peerpath.credentials.lifecycle import EXTERNAL_TRAINING
from peerpath.credentials.models import (
    CredentialSettings,
    ExamResult,
    ExternalStatus,
    ExternalTraining,
    Qualification,
    QualificationKind,
    QualificationOutcome,
    QualificationReminder,
    QualificationType,
    TrainingDomain,
)
from peerpath.credentials.progress import get_settings
from peerpath.credentials.status import REMINDER_DAYS
from peerpath.notifications.reminders import send_expiry_reminder
from peerpath.programs.models import Program
from peerpath.recruitment.models import Supporter

TYPE_FIELDS = [
    "name",
    "kind",
    "description",
    "valid_months",
    "references_needed",
    "agreement_text",
    "for_new_matches",
    "for_facilitating",
    "for_training_others",
    "missing_holds_back",
    "is_active",
]


def save_type(
    *, actor: Actor, program: Program, qtype: QualificationType | None, data: dict[str, Any]
) -> QualificationType:
    """Add or change a qualification type. Rules: a name unique in the program; an agreement has
    its text. Changing an agreement's text starts a new version: signatures keep the exact text
    and version they signed, and the supporter signs the new one."""
    name = (data.get("name") or "").strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("Name the qualification.")
    others = QualificationType.objects.filter(program=program, name__iexact=name)
    if qtype is not None:
        others = others.exclude(pk=qtype.pk)
    if name and others.exists():
        errors["name"] = _("The program already has a qualification by that name.")
    if data.get("kind") == QualificationKind.AGREEMENT and not (data.get("agreement_text") or "").strip():
        errors["agreement_text"] = _("Write the text the supporter signs.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        instance = qtype or QualificationType(
            program=program, position=QualificationType.objects.filter(program=program).count()
        )
        text_changed = qtype is not None and (data.get("agreement_text") or "").strip() != qtype.agreement_text.strip()
        if text_changed:
            instance.agreement_version += 1
        return audit.save_audited(
            actor=actor,
            program=program,
            instance=instance,
            fields=TYPE_FIELDS,
            data={**data, "name": name, "agreement_text": (data.get("agreement_text") or "").strip()},
            action="credentials.qualification_type",
        )


def expiry_for(qtype: QualificationType, obtained_on: dt.date) -> dt.date | None:
    """The type's validity from the date obtained (none: it does not expire)."""
    return add_months(obtained_on, qtype.valid_months) if qtype.valid_months else None


def record_qualification(
    *,
    actor: Actor,
    supporter: Supporter,
    qtype: QualificationType,
    obtained_on: dt.date,
    expires_on: dt.date | None = None,
    outcome: str = QualificationOutcome.SATISFACTORY,
    detail: str = "",
    evidence: Any = None,
) -> Qualification:
    """A coordinator records a qualification (a check's result, a reference, a course).

    Rules: the type is the supporter's program's; the date is not in the future; the expiry, when
    given, is after the date (otherwise the type's validity sets it); a known outcome; evidence a
    document or image of at most 10 MB. A renewal is simply a newer record: it clears a hold-back."""
    errors: dict[str, str] = {}
    if qtype.program_id != supporter.program_id:
        raise ValidationError(_("This qualification is not the supporter's program's."))
    if obtained_on > timezone.localdate():
        errors["obtained_on"] = _("The date cannot be in the future.")
    if expires_on is not None and expires_on <= obtained_on:
        errors["expires_on"] = _("The expiry must be after the date.")
    if outcome not in QualificationOutcome.values:
        errors["outcome"] = _("Choose an outcome.")
    try:
        check_evidence(evidence)
    except ValidationError as error:
        errors.update({k: v[0] for k, v in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        record = Qualification(
            program=supporter.program,
            supporter=supporter,
            qtype=qtype,
            obtained_on=obtained_on,
            expires_on=expires_on or expiry_for(qtype, obtained_on),
            outcome=outcome,
            detail=detail.strip(),
            recorded_by=_user(actor),
        )
        if evidence is not None:
            record.evidence_name = evidence.name[:200]
            record.evidence.save(evidence.name, evidence, save=False)
        record.save()
        audit.record(
            actor=actor,
            program=supporter.program,
            action="credentials.qualification.record",
            target=record,
            changes={"expires_on": [None, record.expires_on], "outcome": [None, record.outcome]},
        )
    return record


def sign_agreement(*, actor: User, supporter: Supporter, qtype: QualificationType, typed_name: str) -> Qualification:
    """The supporter signs an agreement in the app: their typed name, today's date, and the exact
    text and version they saw are kept. Rules: the signer is the supporter; the type is an
    agreement in use; the typed name is the supporter's name (case and spacing aside)."""
    if supporter.user_id != actor.pk:
        raise ValidationError(_("Only the supporter signs their own agreements."))
    if qtype.kind != QualificationKind.AGREEMENT or not qtype.is_active or qtype.program_id != supporter.program_id:
        raise ValidationError(_("This is not an agreement to sign."))
    typed = " ".join(typed_name.split())
    if typed.casefold() != " ".join(supporter.full_name.split()).casefold():
        raise ValidationError(
            {"typed_name": _("Type your name as it is on your record: %(name)s.") % {"name": supporter.full_name}}
        )
    today = timezone.localdate()
    with transaction.atomic():
        record = Qualification.objects.create(
            program=supporter.program,
            supporter=supporter,
            qtype=qtype,
            obtained_on=today,
            expires_on=expiry_for(qtype, today),
            signed_name=typed,
            signed_at=timezone.now(),
            agreement_version=qtype.agreement_version,
            agreement_text=qtype.agreement_text,
            recorded_by=actor,
        )
        audit.record(
            actor=actor,
            program=supporter.program,
            action="credentials.agreement.sign",
            target=record,
            changes={"agreement_version": [None, qtype.agreement_version]},
        )
    return record


def send_qualification_reminders(*, program: Program, today: dt.date | None = None) -> list[QualificationReminder]:
    """Remind supporters whose qualification expires within 60, 30 or 7 days and has not been
    renewed, in their language: once per threshold and expiry date (a missed run sends the
    nearest one; `peerpath.notifications.reminders.send_expiry_reminder`)."""
    today = today or timezone.localdate()
    sent = []
    for record in queries.expiring_records(program, today, REMINDER_DAYS[0]):
        assert record.expires_on is not None  # expiring_records keeps only dated ones
        reminder = send_expiry_reminder(
            kind="credentials.qualification_reminder",
            person=record.supporter,
            program=program,
            expires_on=record.expires_on,
            today=today,
            thresholds=REMINDER_DAYS,
            reminders=QualificationReminder,
            about={"qualification": record},
            context={"record": record},
            url=reverse("credentials:mine", args=[program.slug]),
            reply_to=program.contact_email,
        )
        if reminder is not None:
            sent.append(reminder)
    return sent


# --- The initial credential ------------------------------------------------------------------

SETTINGS_FIELDS = [
    "name",
    "body",
    "supervised_hours_required",
    "experience_hours_required",
    "exam_required",
    "exam_pass_score",
]


def save_credential_settings(*, actor: Actor, program: Program, data: dict[str, Any]) -> CredentialSettings:
    """Change the initial credential. Rules: a name; documents are the program's qualifications."""
    errors: dict[str, str] = {}
    if not (data.get("name") or "").strip():
        errors["name"] = _("Name the credential.")
    if any(d.program_id != program.pk for d in data.get("documents") or []):
        errors["documents"] = _("Choose the program's own qualifications.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        saved = audit.save_audited(
            actor=actor,
            program=program,
            instance=get_settings(program),
            fields=SETTINGS_FIELDS,
            data=data,
            action="credentials.settings",
        )
        _set_many(actor, program, saved, "documents", list(data.get("documents") or []), "credentials.settings")
        return saved


def _set_many(actor: Actor, program: Program, instance: Any, name: str, values: list[Any], action: str) -> None:
    """Set a many-to-many field and audit the change (save_audited sets plain fields only)."""
    before = audit.snapshot(instance, [name])
    getattr(instance, name).set(values)
    changes = audit.diff(before, audit.snapshot(instance, [name]))
    if changes:
        audit.record(actor=actor, program=program, action=f"{action}.update", target=instance, changes=changes)


def save_domain(
    *, actor: Actor, program: Program, domain: TrainingDomain | None, data: dict[str, Any]
) -> TrainingDomain:
    """Add or change a training domain. Rules: a name unique in the program; 0 or more hours;
    its topics are the program's and in no other domain (a session's hours count once)."""
    name = (data.get("name") or "").strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("Name the domain.")
    others = TrainingDomain.objects.filter(program=program)
    if domain is not None:
        others = others.exclude(pk=domain.pk)
    if name and others.filter(name__iexact=name).exists():
        errors["name"] = _("The program already has a domain by that name.")
    topics = list(data.get("topics") or [])
    if any(t.program_id != program.pk for t in topics):
        errors["topics"] = _("Choose the program's own topics.")
    taken = others.filter(topics__in=topics).values_list("topics__title", flat=True).distinct()
    if taken:
        errors["topics"] = _("Already in another domain: %(topics)s.") % {"topics": ", ".join(sorted(taken))}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        instance = domain or TrainingDomain(program=program, position=others.count())
        saved = audit.save_audited(
            actor=actor,
            program=program,
            instance=instance,
            fields=["name", "hours_required"],
            data={**data, "name": name},
            action="credentials.domain",
        )
        _set_many(actor, program, saved, "topics", topics, "credentials.domain")
        return saved


def log_external_training(
    *,
    actor: Actor,
    supporter: Supporter,
    domain: TrainingDomain,
    title: str,
    provider: str,
    taken_on: dt.date,
    hours: Any,
) -> ExternalTraining:
    """Log a training taken outside the course. Rules: the domain is the supporter's program's;
    a title; not in the future; 0.25 to 200 hours. Logged by a coordinator it is approved at
    once; logged by the supporter it waits for a coordinator's approval."""
    errors: dict[str, str] = {}
    if domain.program_id != supporter.program_id:
        raise ValidationError({"domain": _("Choose one of the program's domains.")})
    if not title.strip():
        errors["title"] = _("Give the training's title.")
    if taken_on > timezone.localdate():
        errors["taken_on"] = _("The date cannot be in the future.")
    try:
        amount = Decimal(str(hours)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        amount = Decimal("-1")
    if not Decimal("0.25") <= amount <= Decimal("200"):
        errors["hours"] = _("Give between 0.25 and 200 hours.")
    if errors:
        raise ValidationError(errors)
    by_supporter = isinstance(actor, User) and supporter.user_id == actor.pk
    with transaction.atomic():
        external = ExternalTraining.objects.create(
            program=supporter.program,
            supporter=supporter,
            domain=domain,
            title=title.strip(),
            provider=provider.strip(),
            taken_on=taken_on,
            hours=amount,
            status=ExternalStatus.SUBMITTED if by_supporter else ExternalStatus.APPROVED,
            reviewed_by=None if by_supporter else _user(actor),
        )
        audit.record(actor=actor, program=supporter.program, action="credentials.external.log", target=external)
    return external


def approve_external_training(*, actor: User, external: ExternalTraining) -> ExternalTraining:
    """A coordinator approves an external training the supporter logged. Rules: it awaits
    approval (the move goes through `lifecycle.EXTERNAL_TRAINING`); nobody approves their own."""
    EXTERNAL_TRAINING.check(external, ExternalStatus.APPROVED)
    if external.supporter.user_id == actor.pk:
        raise ValidationError(_("Nobody approves their own training."))
    with transaction.atomic():
        EXTERNAL_TRAINING.move(actor=actor, obj=external, to=ExternalStatus.APPROVED, changes={"reviewed_by": actor})
    return external


def record_exam(*, actor: Actor, supporter: Supporter, taken_on: dt.date, score: int) -> ExamResult:
    """Record an exam result. Rules: not in the future; a score of 0 to 100; passed when it
    reaches the program's pass mark (exactly the mark passes)."""
    errors: dict[str, str] = {}
    if taken_on > timezone.localdate():
        errors["taken_on"] = _("The date cannot be in the future.")
    if not 0 <= int(score) <= 100:
        errors["score"] = _("Give a score from 0 to 100.")
    if errors:
        raise ValidationError(errors)
    mark = get_settings(supporter.program).exam_pass_score
    with transaction.atomic():
        result = ExamResult.objects.create(
            program=supporter.program,
            supporter=supporter,
            taken_on=taken_on,
            score=int(score),
            passed=int(score) >= mark,
            recorded_by=_user(actor),
        )
        audit.record(
            actor=actor,
            program=supporter.program,
            action="credentials.exam.record",
            target=result,
            changes={"score": [None, result.score], "passed": [None, result.passed]},
        )
    return result


def _user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) else None
