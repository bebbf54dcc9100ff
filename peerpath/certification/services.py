"""State changes in certification: settings, assessments and outcomes, certificates (issue,
renew, revoke), continuing-education activities and reminders. Atomic, validated, audited."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from peerpath.certification import requirements, rules
from peerpath.certification.lifecycle import ASSESSMENT, CE_ACTIVITY
from peerpath.certification.models import (
    Assessment,
    AssessmentKind,
    AssessmentStatus,
    CEActivity,
    CEActivityChange,
    Certificate,
    CertificateChange,
    CertificateEvent,
    CertificationSettings,
    CERule,
    CERuleMinimum,
    CEStatus,
    CompetencyRating,
    DeliveryMode,
    ExpiryReminder,
    Level,
    NextStep,
    Outcome,
)
from peerpath.core import audit
from peerpath.core.actors import SYSTEM, Actor
from peerpath.core.models import User
from peerpath.core.permissions import Role
from peerpath.core.program_settings import ProgramSettings
from peerpath.core.uploads import check_upload
from peerpath.notifications.reminders import send_expiry_reminder
from peerpath.notifications.services import tell
from peerpath.programs.models import Competency, Membership, Program
from peerpath.recruitment.models import Stage, Supporter
from peerpath.recruitment.pathway import move_to_stage
from peerpath.training.models import CECategory, CESubject, Cohort, Enrolment, EnrolmentStatus
from peerpath.training.queries import attendance_rates
from peerpath.training.services import ce_subject_keys, change_enrolment, ensure_ce_subjects

SETTINGS_FIELDS = [
    "credential_name",
    "min_attendance_percent",
    "allow_provisional",
    "max_developing_for_provisional",
    "reassessment_days",
]
OUTCOME_STAGE = {
    Outcome.CERTIFIED: Stage.CERTIFIED,
    Outcome.PROVISIONAL: Stage.PROVISIONAL,
    Outcome.NOT_GRADUATED: Stage.NOT_GRADUATED,
}
EVIDENCE_EXTENSIONS = {".pdf", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".heic", ".txt", ".doc", ".docx", ".odt"}
EVIDENCE_MAX_MEGABYTES = 10


# Read on home pages and most certification pages.
_SETTINGS = ProgramSettings(CertificationSettings)


def get_settings(program: Program) -> CertificationSettings:
    """The program's certification rules, created with the defaults on first use."""
    return _SETTINGS.get(program)


def update_settings(*, actor: Actor, program: Program, data: dict[str, Any]) -> CertificationSettings:
    """Change the program's outcome rules. Rule: values within their bounds (the form checks
    them). The continuing-education rule has its own versions (`save_ce_rule`)."""
    if not (data.get("credential_name") or "").strip():
        raise ValidationError({"credential_name": _("Name the credential.")})
    current = get_settings(program)
    with transaction.atomic():
        return audit.save_audited(
            actor=actor,
            program=program,
            instance=current,
            fields=SETTINGS_FIELDS,
            data=data,
            action="certification.settings",
        )


# --- Assessment ------------------------------------------------------------------------------


def _check_assessor(actor: User, cohort: Cohort, supporter: Supporter) -> None:
    if supporter.user_id is not None and supporter.user_id == actor.pk:
        raise ValidationError(_("Nobody can assess themselves."))
    is_trainer = Membership.objects.filter(program=cohort.program, user=actor).with_role(Role.TRAINER).exists()
    if not is_trainer or not cohort.trainers.filter(pk=actor.pk).exists():
        raise ValidationError(_("Only a trainer of this cohort can assess its trainees."))


def assessable(*, actor: User, cohort: Cohort, supporter: Supporter) -> Assessment:
    """The trainee's assessment in progress, or an unsaved new one, after checking the rules.

    Rules: the assessor is a trainer of the cohort and not the trainee; the trainee is on the
    cohort's course and 'in training' (an end-of-training assessment) or 'provisionally
    certified' (a reassessment); one assessment in progress at a time.
    """
    _check_assessor(actor, cohort, supporter)
    enrolment = (
        Enrolment.objects.filter(cohort=cohort, supporter=supporter).exclude(status=EnrolmentStatus.WITHDRAWN).first()
    )
    if enrolment is None:
        raise ValidationError(f"{supporter.full_name} is not on this cohort's course.")
    if supporter.stage == Stage.IN_TRAINING:
        kind = AssessmentKind.INITIAL
    elif supporter.stage == Stage.PROVISIONAL:
        kind = AssessmentKind.REASSESSMENT
    else:
        raise ValidationError(
            f"{supporter.full_name} is '{supporter.get_stage_display()}': only people in training, or provisionally "
            "certified and due for reassessment, are assessed."
        )
    draft = Assessment.objects.filter(supporter=supporter, status=AssessmentStatus.DRAFT).first()
    if draft is not None:
        if draft.cohort_id != cohort.pk:
            raise ValidationError(f"{supporter.full_name} has an assessment in progress in another cohort.")
        return draft
    return Assessment(
        program=cohort.program, supporter=supporter, cohort=cohort, enrolment=enrolment, kind=kind, assessor=actor
    )


def open_assessment(*, actor: User, cohort: Cohort, supporter: Supporter) -> Assessment:
    """The trainee's assessment in progress, started (saved) if there is none; rules as in
    `assessable`."""
    with transaction.atomic():
        assessment = assessable(actor=actor, cohort=cohort, supporter=supporter)
        if assessment.pk is not None:
            return assessment
        try:
            with transaction.atomic():
                assessment.save()
        except IntegrityError:
            return Assessment.objects.get(supporter=supporter, status=AssessmentStatus.DRAFT)
        audit.record(actor=actor, program=cohort.program, action="certification.assessment.start", target=assessment)
    return assessment


def save_ratings(*, actor: User, assessment: Assessment, ratings: dict[int, tuple[str, str]]) -> Assessment:
    """Save the rubric ratings {competency id: (level, evidence notes)} of an assessment in
    progress. Rules: only a trainer of the cohort who is not the trainee; competencies are the
    program's active ones; levels are not yet / developing / competent / strong. Saving again
    replaces the earlier ratings of those competencies."""
    if assessment.status != AssessmentStatus.DRAFT:
        raise ValidationError(_("This assessment has been decided and can no longer change."))
    _check_assessor(actor, assessment.cohort, assessment.supporter)
    competencies = {
        c.pk: c for c in Competency.objects.filter(program=assessment.program, is_active=True, pk__in=ratings.keys())
    }
    if set(ratings) - set(competencies):
        raise ValidationError(_("Rate this program's competencies only."))
    if any(level not in Level.values for level, _notes in ratings.values()):
        raise ValidationError(_("Choose a level from the rubric for each competency."))
    with transaction.atomic():
        existing = {r.competency_id: r for r in CompetencyRating.objects.filter(assessment=assessment)}
        changes: dict[str, list[Any]] = {}
        for competency_id, (level, notes) in ratings.items():
            row = existing.get(competency_id)
            if row is None:
                CompetencyRating.objects.create(
                    assessment=assessment, competency=competencies[competency_id], level=level, evidence_notes=notes
                )
                changes[str(competencies[competency_id])] = [None, level]
            elif row.level != level or row.evidence_notes != notes:
                changes[str(competencies[competency_id])] = [row.level, level]
                row.level, row.evidence_notes = level, notes
                row.save(update_fields=["level", "evidence_notes"])
        assessment.assessor = actor
        assessment.save(update_fields=["assessor"])
        if changes:
            audit.record(
                actor=actor,
                program=assessment.program,
                action="certification.assessment.rate",
                target=assessment,
                changes=changes,
            )
    return assessment


def preview_outcome(assessment: Assessment) -> tuple[rules.OutcomeResult, list[Competency]]:
    """What the rules give for the ratings so far, and the active competencies not yet rated."""
    active = list(Competency.objects.filter(program=assessment.program, is_active=True).order_by("number"))
    levels = (
        dict(CompetencyRating.objects.filter(assessment=assessment).values_list("competency_id", "level"))
        if assessment.pk
        else {}
    )
    rate = attendance_rates(assessment.cohort, [assessment.supporter_id])[assessment.supporter_id]
    result = rules.compute_outcome(
        [levels[c.pk] for c in active if c.pk in levels],
        attended=rate.attended,
        held=rate.held,
        rules=get_settings(assessment.program),
        provisional_possible=assessment.kind == AssessmentKind.INITIAL,
        unmet=requirements.unmet(assessment.supporter),
    )
    return result, [c for c in active if c.pk not in levels]


def decide_assessment(
    *,
    actor: User,
    assessment: Assessment,
    outcome: str = "",
    override_reason: str = "",
    plan_what: str = "",
    plan_who: str = "",
    reassessment_due: dt.date | None = None,
    next_step: str = "",
    next_step_note: str = "",
) -> Assessment:
    """Record the outcome of an assessment and move the trainee along the pathway.

    Rules: only a trainer of the cohort who is not the trainee; every active competency is
    rated. The outcome is the one the program's rules compute (see `rules.compute_outcome`);
    the trainer may choose another only with a written reason, and the override is audited.
    Provisionally certified needs a development plan (what, who helps) and a reassessment
    deadline in the future; not graduated says what comes next (repeat the course, another
    role). A reassessment ends certified or not graduated. The person moves in training ->
    assessed -> outcome (or provisional -> outcome); the enrolment is completed; certified
    issues the certificate. The trainee is told by e-mail.
    """
    ASSESSMENT.check(assessment, AssessmentStatus.DECIDED)
    _check_assessor(actor, assessment.cohort, assessment.supporter)
    result, unrated = preview_outcome(assessment)
    if unrated:
        raise ValidationError(f"Rate every competency first ({len(unrated)} still unrated).")
    chosen = outcome or result.outcome
    errors: dict[str, str] = {}
    allowed = (
        set(Outcome.values) if assessment.kind == AssessmentKind.INITIAL else {Outcome.CERTIFIED, Outcome.NOT_GRADUATED}
    )
    if chosen not in allowed:
        errors["outcome"] = (
            "A reassessment ends certified or not graduated." if chosen in Outcome.values else ("Choose an outcome.")
        )
    if chosen != result.outcome and len(override_reason.strip()) < 10:
        errors["override_reason"] = (
            f"The rules give '{Outcome(result.outcome).label}'. To record another outcome, write the reason."
        )
    today = timezone.localdate()
    if chosen == Outcome.PROVISIONAL:
        if not plan_what.strip():
            errors["plan_what"] = "Describe the development plan: what they will work on."
        if not plan_who.strip():
            errors["plan_who"] = "Say who will help them."
        if reassessment_due is None or reassessment_due <= today:
            errors["reassessment_due"] = "Set a reassessment deadline in the future."
        elif reassessment_due > today + dt.timedelta(days=366):
            errors["reassessment_due"] = "Set a reassessment deadline within a year."
    if chosen == Outcome.NOT_GRADUATED:
        if next_step not in NextStep.values:
            errors["next_step"] = "Say what comes next: repeat the course, another role, or something else."
        elif next_step == NextStep.OTHER and not next_step_note.strip():
            errors["next_step_note"] = "Describe what comes next."
    if errors:
        raise ValidationError(errors)
    supporter = assessment.supporter
    rate = attendance_rates(assessment.cohort, [supporter.pk])[supporter.pk]
    with transaction.atomic():
        is_provisional = chosen == Outcome.PROVISIONAL
        ASSESSMENT.move(
            actor=actor,
            obj=assessment,
            to=AssessmentStatus.DECIDED,
            note=" ".join(result.reasons),
            changes={
                "computed_outcome": result.outcome,
                "outcome": chosen,
                "override_reason": override_reason.strip() if chosen != result.outcome else "",
                "attendance_attended": rate.attended,
                "attendance_held": rate.held,
                "plan_what": plan_what.strip() if is_provisional else "",
                "plan_who": plan_who.strip() if is_provisional else "",
                "reassessment_due": reassessment_due if is_provisional else None,
                "next_step": next_step if chosen == Outcome.NOT_GRADUATED else "",
                "next_step_note": next_step_note.strip() if chosen == Outcome.NOT_GRADUATED else "",
                "assessor": actor,
                "decided_at": timezone.now(),
            },
            audit_action="certification.assessment.decide",
            audit_changes={"outcome": [None, chosen]},
        )
        if assessment.is_override:
            audit.record(
                actor=actor,
                program=assessment.program,
                action="certification.assessment.override",
                target=assessment,
                changes={"outcome": [result.outcome, chosen]},
                note=assessment.override_reason,
            )
        reason = f"Assessment by {actor}: {Outcome(chosen).label}" + (" (override)" if assessment.is_override else "")
        if supporter.stage == Stage.IN_TRAINING:
            move_to_stage(actor=actor, supporter=supporter, to_stage=Stage.ASSESSED, reason="Assessed by a trainer")
        move_to_stage(actor=actor, supporter=supporter, to_stage=OUTCOME_STAGE[Outcome(chosen)], reason=reason)
        enrolment = assessment.enrolment
        if enrolment.status == EnrolmentStatus.ENROLLED:
            change_enrolment(actor=actor, enrolment=enrolment, to_status=EnrolmentStatus.COMPLETED, reason=reason)
        certificate = None
        if chosen == Outcome.CERTIFIED:
            certificate = issue_certificate(actor=actor, supporter=supporter, assessment=assessment)
        tell(
            kind="certification.outcome",
            person=supporter,
            program=assessment.program,
            context={"assessment": assessment, "supporter": supporter, "certificate": certificate},
            url=reverse("training:my_training", args=[assessment.program.slug]),
            key=f"certification.outcome:{assessment.pk}",
            reply_to=assessment.program.contact_email,
        )
    return assessment


# --- Certificates ----------------------------------------------------------------------------


def current_certificate(supporter: Supporter) -> Certificate | None:
    return Certificate.objects.filter(supporter=supporter, revoked_at__isnull=True).order_by("-expires_on").first()


def issue_certificate(
    *, actor: Actor, supporter: Supporter, assessment: Assessment | None = None, issued_on: dt.date | None = None
) -> Certificate:
    """Issue a certificate: a unique number, issued today, valid for one renewal cycle.

    Rule: a person holds at most one certificate that is not revoked and has not lapsed."""
    settings = get_settings(supporter.program)
    rule = current_rule(supporter.program)
    issued_on = issued_on or timezone.localdate()
    existing = current_certificate(supporter)
    if existing is not None and issued_on <= existing.expires_on + dt.timedelta(days=rule_for(existing).grace_days):
        raise ValidationError(f"{supporter.full_name} already holds certificate {existing.identifier}.")
    with transaction.atomic():
        certificate = Certificate.objects.create(
            program=supporter.program,
            supporter=supporter,
            assessment=assessment,
            credential_name=settings.credential_name,
            holder_name=supporter.full_name,
            issued_on=issued_on,
            cycle_started_on=issued_on,
            expires_on=rules.first_expiry(issued_on, rule_spec(rule)),
            ce_rule=rule,
            issued_by=_user(actor),
        )
        CertificateChange.objects.create(
            certificate=certificate,
            event=CertificateEvent.ISSUED,
            new_expires_on=certificate.expires_on,
            actor=_user(actor),
        )
        audit.record(
            actor=actor,
            program=supporter.program,
            action="certification.certificate.issue",
            target=certificate,
            changes={"expires_on": [None, certificate.expires_on]},
        )
    return certificate


def revoke_certificate(*, actor: Actor, certificate: Certificate, reason: str) -> Certificate:
    """Revoke a certificate. Rules: a written reason; revocation is final. Verification then
    says 'revoked'."""
    if certificate.revoked_at is not None:
        raise ValidationError(_("This certificate is already revoked."))
    if len(reason.strip()) < 5:
        raise ValidationError({"reason": _("Write the reason for revoking.")})
    with transaction.atomic():
        # Locked and checked again: two revocations at once would write two history rows.
        if Certificate.objects.select_for_update().values_list("revoked_at", flat=True).get(pk=certificate.pk):
            raise ValidationError(_("This certificate is already revoked."))
        certificate.revoked_at = timezone.now()
        certificate.revoked_by = _user(actor)
        certificate.revocation_reason = reason.strip()
        certificate.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
        CertificateChange.objects.create(
            certificate=certificate, event=CertificateEvent.REVOKED, actor=_user(actor), reason=reason.strip()
        )
        audit.record(
            actor=actor,
            program=certificate.program,
            action="certification.certificate.revoke",
            target=certificate,
            changes={"status": ["valid", "revoked"]},
            note=reason.strip(),
        )
    return certificate


def certificate_standing(certificate: Certificate, today: dt.date | None = None) -> rules.StandingResult:
    activities = CEActivity.objects.filter(supporter=certificate.supporter, status=CEStatus.APPROVED)
    return rules.standing(
        activities,
        cycle_start=certificate.cycle_started_on,
        expires_on=certificate.expires_on,
        today=today or timezone.localdate(),
        rule=rule_spec(rule_for(certificate)),
    )


def renew_certificate(
    *, actor: Actor, certificate: Certificate, today: dt.date | None = None, automatic: bool = False
) -> Certificate:
    """Renew a certificate for another cycle: the new expiry is the old one plus the cycle, the
    next cycle starts the day after the old expiry, and the hours counted are marked as used.

    Rules: not revoked; the cycle's requirements are met under the rule it ran under (total
    hours, every subject minimum, the live minimum and caps); not lapsed. The next cycle runs
    under the program's rule of the day (a rule change applies from the next cycle).
    Automatic renewal waits for the renewal window (90 days
    before expiry) so that 'requirements met' is visible until then; a coordinator may renew
    any time the requirements are met.
    """
    today = today or timezone.localdate()
    if certificate.revoked_at is not None:
        raise ValidationError(_("A revoked certificate cannot be renewed."))
    result = certificate_standing(certificate, today)
    if not result.met:
        raise ValidationError(_("Requirements not met: still missing %(missing)s.") % {"missing": result.missing_text})
    if automatic and not result.renewable:
        raise ValidationError(_("Not yet in the renewal window."))
    next_rule = current_rule(certificate.program)
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        old_expiry, old_rule = locked.expires_on, rule_for(locked)
        locked.cycle_started_on = old_expiry + dt.timedelta(days=1)
        locked.expires_on = rules.add_months(old_expiry, next_rule.cycle_months)
        locked.ce_rule = next_rule
        locked.save(update_fields=["cycle_started_on", "expires_on", "ce_rule"])
        change = CertificateChange.objects.create(
            certificate=locked,
            event=CertificateEvent.RENEWED,
            old_expires_on=old_expiry,
            new_expires_on=locked.expires_on,
            hours_counted=result.tally.total,
            ethics_hours_counted=result.tally.ethics,
            ce_rule=old_rule,
            actor=_user(actor),
            reason="Renewed automatically: requirements met" if automatic else "Renewed by a coordinator",
        )
        CEActivity.objects.filter(pk__in=[a.pk for a in result.tally.counted]).update(renewal=change)
        audit.record(
            actor=actor,
            program=locked.program,
            action="certification.certificate.renew",
            target=locked,
            changes={"expires_on": [old_expiry, locked.expires_on]},
            note=f"{result.tally.total} hours counted under {old_rule.name}",
        )
        tell(
            kind="certification.renewed",
            person=locked.supporter,
            program=locked.program,
            context={"certificate": locked, "old_expiry": old_expiry},
            url=reverse("certification:my_ce", args=[locked.program.slug]),
            key=f"certification.renewed:{change.pk}",
            reply_to=locked.program.contact_email,
        )
    certificate.refresh_from_db()
    return certificate


def renew_if_due(*, actor: Actor, supporter: Supporter, today: dt.date | None = None) -> Certificate | None:
    """Renew the supporter's certificate automatically when its requirements are met and it is
    in the renewal window; returns it when renewed."""
    certificate = current_certificate(supporter)
    if certificate is None:
        return None
    result = certificate_standing(certificate, today)
    if result.renewable:
        return renew_certificate(actor=actor, certificate=certificate, today=today, automatic=True)
    return None


# --- Continuing education --------------------------------------------------------------------


def _clean_hours(value: Any, field: str = "hours") -> Decimal:
    try:
        hours = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Give the hours as a number.")}) from None
    if not Decimal("0.25") <= hours <= Decimal("100"):
        raise ValidationError({field: _("Give between 0.25 and 100 hours.")})
    return hours


def check_evidence(evidence: Any) -> None:
    """Evidence of hours or of a qualification: a PDF, an image, a text or a word-processor
    document of at most 10 MB."""
    check_upload(
        evidence,
        field="evidence",
        extensions=EVIDENCE_EXTENSIONS,
        max_megabytes=EVIDENCE_MAX_MEGABYTES,
        wrong_kind=_("Upload a PDF, an image, a text or a word-processor document."),
    )


def _ce_errors(
    *, date: dt.date | None, title: str | None, category: str | None, program: Program | None = None
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if date is not None and date > timezone.localdate():
        errors["date"] = "An activity cannot be dated in the future."
    if title is not None and not title.strip():
        errors["title"] = "Give the activity's title."
    if category is not None and category not in (ce_subject_keys(program) if program else CECategory.values):
        errors["category"] = str(_("Choose a category."))
    return errors


def check_ce_activity(data: dict[str, Any], program: Program | None = None) -> Decimal | None:
    """The rules of a continuing-education activity's fields, every broken one at once (by
    field): not dated in the future, a title, one of the program's subjects, a delivery mode,
    0.25 to 100 hours, evidence a
    document or image of at most 10 MB. A field missing from `data` is not checked. Returns the
    hours, rounded. Saves nothing."""
    errors = _ce_errors(date=data.get("date"), title=data.get("title"), category=data.get("category"), program=program)
    if "delivery" in data and data["delivery"] not in DeliveryMode.values:
        errors["delivery"] = str(_("Say whether it was live or self-paced."))
    hours = None
    if "hours" in data:
        try:
            hours = _clean_hours(data["hours"])
        except ValidationError as error:
            errors.update({k: v[0] for k, v in error.message_dict.items()})
    try:
        check_evidence(data.get("evidence"))
    except ValidationError as error:
        errors.update({k: v[0] for k, v in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    return hours


def log_ce_activity(
    *,
    actor: Actor,
    supporter: Supporter,
    date: dt.date,
    title: str,
    provider: str,
    hours: Any,
    category: str,
    evidence: Any = None,
    delivery: str = DeliveryMode.LIVE,
) -> CEActivity:
    """A supporter logs a continuing-education activity for approval.

    Rules: the supporter holds a certificate or is provisionally certified or beyond; the date
    is not in the future; 0.25 to 100 hours; a known category; optional evidence (PDF, image or
    document, at most 10 MB). Coordinators are told there is something to review.
    """
    hours = check_ce_activity(
        {
            "date": date,
            "title": title,
            "category": category,
            "hours": hours,
            "evidence": evidence,
            "delivery": delivery,
        },
        supporter.program,
    )
    with transaction.atomic():
        activity = CEActivity(
            delivery=delivery,
            program=supporter.program,
            supporter=supporter,
            date=date,
            title=title.strip(),
            provider=provider.strip(),
            hours=hours,
            category=category,
            created_by=_user(actor),
        )
        if evidence is not None:
            activity.evidence_name = evidence.name[:200]
            activity.evidence.save(evidence.name, evidence, save=False)
        activity.save()
        CEActivityChange.objects.create(activity=activity, to_status=CEStatus.SUBMITTED, actor=_user(actor))
        audit.record(actor=actor, program=supporter.program, action="certification.ce.submit", target=activity)
    return activity


def resubmit_ce_activity(
    *,
    actor: Actor,
    activity: CEActivity,
    date: dt.date,
    title: str,
    provider: str,
    hours: Any,
    category: str,
    evidence: Any = None,
    delivery: str = DeliveryMode.LIVE,
) -> CEActivity:
    """The supporter corrects an activity that is awaiting approval or was returned, and submits
    it again. Rules as for logging; approved and automatic activities cannot be edited."""
    if activity.is_automatic:
        raise ValidationError(_("Approved activities cannot be changed."))
    CE_ACTIVITY.check(activity, CEStatus.SUBMITTED)
    hours = check_ce_activity(
        {
            "date": date,
            "title": title,
            "category": category,
            "hours": hours,
            "evidence": evidence,
            "delivery": delivery,
        },
        activity.program,
    )
    corrected: dict[str, Any] = {
        "delivery": delivery,
        "date": date,
        "title": title.strip(),
        "provider": provider.strip(),
        "hours": hours,
        "category": category,
    }
    with transaction.atomic():
        if evidence is not None:
            corrected["evidence_name"] = evidence.name[:200]
            activity.evidence.save(evidence.name, evidence, save=False)
            corrected["evidence"] = activity.evidence
        CE_ACTIVITY.move(
            actor=actor,
            obj=activity,
            to=CEStatus.SUBMITTED,
            changes=corrected,
            audit_action="certification.ce.resubmit",
        )
    return activity


def review_ce_activity(*, actor: Actor, activity: CEActivity, approve: bool, comment: str = "") -> CEActivity:
    """A coordinator approves an activity, or returns it with a comment saying what to fix.

    Rules: only activities awaiting approval; returning needs a comment; nobody reviews their
    own activity. Approving may renew the certificate (see `renew_if_due`).
    """
    to_status = CEStatus.APPROVED if approve else CEStatus.RETURNED
    CE_ACTIVITY.check(activity, to_status)
    if activity.supporter.user_id is not None and activity.supporter.user_id == getattr(actor, "pk", None):
        raise ValidationError(_("Nobody reviews their own activities."))
    if not approve and not comment.strip():
        raise ValidationError({"comment": _("Say what needs fixing before it can be approved.")})
    with transaction.atomic():
        CE_ACTIVITY.move(
            actor=actor,
            obj=activity,
            to=to_status,
            note=comment.strip(),
            changes={"review_comment": comment.strip(), "reviewed_by": _user(actor), "reviewed_at": timezone.now()},
            audit_action="certification.ce." + ("approve" if approve else "return"),
            audit_changes={},  # the comment is the entry's note
        )
        if not approve:
            tell(
                kind="certification.ce_returned",
                person=activity.supporter,
                program=activity.program,
                context={"activity": activity},
                url=reverse("certification:my_ce", args=[activity.program.slug]),
                reply_to=activity.program.contact_email,
            )
        if approve:
            renew_if_due(actor=actor, supporter=activity.supporter)
    return activity


def record_automatic_ce(
    *,
    actor: Actor,
    program: Program,
    supporter: Supporter,
    date: dt.date,
    title: str,
    hours: Any,
    category: str,
    source_key: str,
    delivery: str = DeliveryMode.LIVE,
) -> CEActivity:
    """Credit continuing-education hours earned inside the program (a refresher event,
    supervision, a self-paced learning module: ``delivery`` self-paced, which the rule's
    self-paced cap then limits), already approved.

    Rules: idempotent per `source_key` within the program (calling again updates the date,
    title, hours, category and delivery of the same activity instead of adding one); the
    supporter is the program's; a known category; 0.25 to 100 hours. May renew the certificate.
    """
    if supporter.program_id != program.pk:
        raise ValidationError(_("The supporter is not in this program."))
    if not source_key.strip():
        raise ValidationError(_("An automatic credit needs a source key."))
    if category not in ce_subject_keys(program):
        raise ValidationError({"category": _("Unknown continuing-education category.")})
    if delivery not in DeliveryMode.values:
        raise ValidationError({"delivery": _("Say how it was delivered.")})
    hours = _clean_hours(hours)
    with transaction.atomic():
        activity = CEActivity.objects.select_for_update().filter(program=program, source_key=source_key).first()
        if activity is None:
            activity = CEActivity.objects.create(
                program=program,
                supporter=supporter,
                date=date,
                title=title.strip()[:200],
                provider=program.name[:200],
                hours=hours,
                category=category,
                delivery=delivery,
                status=CEStatus.APPROVED,
                source_key=source_key,
                reviewed_at=timezone.now(),
                created_by=_user(actor),
            )
            CEActivityChange.objects.create(
                activity=activity, to_status=CEStatus.APPROVED, actor=_user(actor), comment="Credited automatically"
            )
            audit.record(
                actor=actor, program=program, action="certification.ce.credit", target=activity, note=source_key
            )
        else:
            fields = ["date", "title", "hours", "category", "delivery"]
            before = audit.snapshot(activity, fields)
            activity.date, activity.title, activity.hours, activity.category, activity.delivery = (
                date,
                title.strip()[:200],
                hours,
                category,
                delivery,
            )
            activity.save(update_fields=fields)
            changes = audit.diff(before, audit.snapshot(activity, fields))
            if changes:
                audit.record(
                    actor=actor,
                    program=program,
                    action="certification.ce.credit_update",
                    target=activity,
                    changes=changes,
                    note=source_key,
                )
        renew_if_due(actor=actor, supporter=supporter)
    return activity


def withdraw_automatic_ce(*, actor: Actor, program: Program, source_key: str) -> None:
    """Take back an automatic credit (attendance corrected to absent). Hours already used for a
    renewal stay with that renewal."""
    with transaction.atomic():
        activity = CEActivity.objects.filter(program=program, source_key=source_key, renewal__isnull=True).first()
        if activity is None:
            return
        audit.record(
            actor=actor,
            program=program,
            action="certification.ce.credit_withdraw",
            target=activity,
            changes={"hours": [activity.hours, None]},
            note=source_key,
        )
        activity.delete()


def credit_refresher_attendance(
    sender: Any, *, program: Program, session: Any, supporter: Supporter, attended: bool, actor: Actor, **kwargs: Any
) -> None:
    """Receiver of training's `refresher_attendance_recorded`: attendees of a refresher event
    are credited its hours automatically (and un-credited if the mark changes)."""
    source_key = f"training.refresher:{session.pk}:{supporter.pk}"
    if attended and session.credited_hours and session.credited_hours >= Decimal("0.25"):
        record_automatic_ce(
            actor=actor,
            program=program,
            supporter=supporter,
            date=timezone.localtime(session.starts_at).date(),
            title=f"Refresher: {session.title}",
            hours=session.credited_hours,
            category=session.ce_category,
            source_key=source_key,
        )
    else:
        withdraw_automatic_ce(actor=actor, program=program, source_key=source_key)


# --- Reminders -------------------------------------------------------------------------------


def send_expiry_reminders(*, program: Program, today: dt.date | None = None) -> list[ExpiryReminder]:
    """Remind holders whose certificate expires within 90, 30 or 7 days and whose hours are not
    in yet, in their language: once per threshold and expiry date (a missed run sends the
    nearest one; `peerpath.notifications.reminders.send_expiry_reminder`)."""
    from peerpath.certification.queries import certificates_expiring  # queries imports this module

    today = today or timezone.localdate()
    sent = []
    for certificate, result in certificates_expiring(program, today, within_days=rules.REMINDER_DAYS[0]):
        if result.met:
            continue
        reminder = send_expiry_reminder(
            kind="certification.expiry_reminder",
            person=certificate.supporter,
            program=program,
            expires_on=certificate.expires_on,
            today=today,
            thresholds=rules.REMINDER_DAYS,
            reminders=ExpiryReminder,
            about={"certificate": certificate},
            context={"certificate": certificate, "result": result},
            url=reverse("certification:my_ce", args=[program.slug]),
            reply_to=program.contact_email,
        )
        if reminder is not None:
            sent.append(reminder)
    return sent


# --- The continuing-education rule ----------------------------------------------------------

PRESETS_FILE = Path(__file__).with_name("ce_presets.json")
RULE_FIELDS = [
    "name",
    "cycle_months",
    "total_hours",
    "grace_days",
    "same_course_once",
    "live_minimum_hours",
    "live_cap_hours",
    "self_paced_cap_hours",
]


def ce_presets() -> list[dict[str, Any]]:
    """The well-known rule shapes a program can start from (``ce_presets.json``: data, edited
    like any rule once applied)."""
    presets: list[dict[str, Any]] = json.loads(PRESETS_FILE.read_text(encoding="utf-8"))
    return presets


def current_rule(program: Program) -> CERule:
    """The program's rule in force for cycles starting now: its newest version (the first
    preset when it has none yet)."""
    rule = CERule.objects.filter(program=program).order_by("-created_at", "-id").first()
    if rule is None:
        rule = apply_ce_preset(actor=SYSTEM, program=program, key=ce_presets()[0]["key"])
    return rule


def rule_for(certificate: Certificate) -> CERule:
    """The rule a certificate's current cycle runs under."""
    if certificate.ce_rule_id is not None:
        return certificate.ce_rule  # type: ignore[return-value]
    return current_rule(certificate.program)


def rule_specs(rules_: list[CERule]) -> dict[int, rules.RuleSpec]:
    """Each rule as plain data, with its minimums (one query for all)."""
    minimums: dict[int, list[rules.Minimum]] = {r.pk: [] for r in rules_}
    for m in CERuleMinimum.objects.filter(rule__in=rules_).select_related("subject"):
        minimums[m.rule_id].append(rules.Minimum(m.subject.key, m.subject.name, m.hours))
    return {
        r.pk: rules.RuleSpec(
            total_hours=r.total_hours,
            cycle_months=r.cycle_months,
            grace_days=r.grace_days,
            minimums=tuple(minimums[r.pk]),
            live_minimum_hours=r.live_minimum_hours,
            live_cap_hours=r.live_cap_hours,
            self_paced_cap_hours=r.self_paced_cap_hours,
            same_course_once=r.same_course_once,
            name=r.name,
        )
        for r in rules_
    }


def rule_spec(rule: CERule) -> rules.RuleSpec:
    return rule_specs([rule])[rule.pk]


def _decimal(value: Any, field: str, errors: dict[str, str], *, allow_empty: bool = False) -> Decimal | None:
    if value in (None, "") and allow_empty:
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        errors[field] = str(_("Give the hours as a number."))
        return None
    if not Decimal("0") <= number <= Decimal("200"):
        errors[field] = str(_("Give between 0 and 200 hours."))
        return None
    return number


def save_ce_rule(*, actor: Actor, program: Program, data: dict[str, Any], minimums: dict[str, Any]) -> CERule:
    """Save a new version of the program's continuing-education rule.

    Rules: a name; a cycle of 6 to 60 months; 0 to 365 days' grace; hours 0 to 200; every
    minimum is one of the program's subjects, and the subject minimums together, and the live
    minimum, fit within the total; a self-paced cap leaves room for the total with live hours
    (when live hours are capped too, the two caps reach the total). The version applies to
    certificates issued from now on and to each certificate from its next cycle; cycles already
    running keep the rule they started under. `minimums` maps subject keys to hours (empty or 0:
    no minimum)."""
    errors: dict[str, str] = {}
    name = (data.get("name") or "").strip()
    if not name:
        errors["name"] = str(_("Name the rule."))
    try:
        cycle_months = int(data.get("cycle_months") or 0)
        grace_value = data.get("grace_days")
        grace_days = int(grace_value) if grace_value not in (None, "") else -1
    except (TypeError, ValueError):
        cycle_months, grace_days = 0, -1
    if not 6 <= cycle_months <= 60:
        errors["cycle_months"] = str(_("Give a cycle of 6 to 60 months."))
    if not 0 <= grace_days <= 365:
        errors["grace_days"] = str(_("Give 0 to 365 days of grace."))
    total = _decimal(data.get("total_hours"), "total_hours", errors)
    live_min = _decimal(data.get("live_minimum_hours") or 0, "live_minimum_hours", errors)
    live_cap = _decimal(data.get("live_cap_hours"), "live_cap_hours", errors, allow_empty=True)
    self_cap = _decimal(data.get("self_paced_cap_hours"), "self_paced_cap_hours", errors, allow_empty=True)
    subjects = {s.key: s for s in ensure_ce_subjects(program)}
    wanted: dict[str, Decimal] = {}
    for key, value in minimums.items():
        if key not in subjects:
            errors[f"min_{key}"] = str(_("Unknown subject."))
            continue
        hours = _decimal(value or 0, f"min_{key}", errors)
        if hours:
            wanted[key] = hours
    if total is not None and not errors:
        if sum(wanted.values(), Decimal("0")) > total:
            errors["total_hours"] = str(_("The subject minimums add up to more than the total hours."))
        if live_min is not None and live_min > total:
            errors["live_minimum_hours"] = str(_("The live minimum cannot exceed the total hours."))
        if live_cap is not None and live_min is not None and live_cap < live_min:
            errors["live_cap_hours"] = str(_("The live cap cannot be below the live minimum."))
        if live_cap is not None and self_cap is not None and live_cap + self_cap < total:
            errors["self_paced_cap_hours"] = str(_("With both caps the total can never be reached."))
    if errors or total is None:
        raise ValidationError(errors)
    with transaction.atomic():
        rule = CERule.objects.create(
            program=program,
            name=name[:200],
            cycle_months=cycle_months,
            total_hours=total,
            grace_days=grace_days,
            same_course_once=bool(data.get("same_course_once")),
            live_minimum_hours=live_min or Decimal("0"),
            live_cap_hours=live_cap,
            self_paced_cap_hours=self_cap,
            created_by=_user(actor),
        )
        for key, hours in wanted.items():
            CERuleMinimum.objects.create(rule=rule, subject=subjects[key], hours=hours)
        audit.record(
            actor=actor,
            program=program,
            action="certification.ce_rule.create",
            target=rule,
            changes={
                **{f: [None, audit.snapshot(rule, [f])[f]] for f in RULE_FIELDS},
                "minimums": [None, {k: str(v) for k, v in wanted.items()}],
            },
        )
    return rule


def apply_ce_preset(*, actor: Actor, program: Program, key: str) -> CERule:
    """Start a new rule version from a preset (`ce_presets`), adding the subjects it names that
    the program lacks. Rules as in `save_ce_rule`; it applies from each certificate's next cycle."""
    preset = next((p for p in ce_presets() if p["key"] == key), None)
    if preset is None:
        raise ValidationError({"preset": _("Choose one of the presets.")})
    with transaction.atomic():
        existing = {s.key for s in ensure_ce_subjects(program)}
        for m in preset["minimums"]:
            if m["subject"] not in existing:
                save_ce_subject(actor=actor, program=program, subject=None, key=m["subject"], name=m["name"])
        return save_ce_rule(
            actor=actor,
            program=program,
            data={k: preset[k] for k in RULE_FIELDS},
            minimums={m["subject"]: m["hours"] for m in preset["minimums"]},
        )


def save_ce_subject(
    *, actor: Actor, program: Program, subject: CESubject | None, key: str = "", name: str
) -> CESubject:
    """Add a continuing-education subject, or rename one. Rules: a name, unique in the program;
    a new subject's key is letters, digits and hyphens, unique in the program (it never changes:
    hours logged and rule minimums refer to it)."""
    name = name.strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = str(_("Name the subject."))
    others = CESubject.objects.filter(program=program)
    if subject is not None:
        others = others.exclude(pk=subject.pk)
    if name and others.filter(name__iexact=name).exists():
        errors["name"] = str(_("The program already has a subject by that name."))
    if subject is None:
        key = slugify(key or name)[:30]
        if not key:
            errors["key"] = str(_("Give a short key."))
        elif others.filter(key=key).exists():
            errors["key"] = str(_("The program already has a subject with that key."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        instance = subject or CESubject(program=program, key=key, position=others.count())
        return audit.save_audited(
            actor=actor,
            program=program,
            instance=instance,
            fields=["name"],
            data={"name": name},
            action="certification.ce_subject",
        )


def _user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) else None
