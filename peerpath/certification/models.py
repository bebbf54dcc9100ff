"""Certification: trainers' competency assessments and outcomes, certificates anyone can verify,
continuing education and renewal."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerpath.programs.models import Competency, Program
from peerpath.recruitment.models import Supporter
from peerpath.training.models import CESubject, Cohort, Enrolment


class CertificationSettings(models.Model):
    """A program's outcome and renewal rules (one row per program, see `get_settings`)."""

    program = models.OneToOneField(Program, on_delete=models.CASCADE, related_name="certification_settings")
    credential_name = models.CharField(
        max_length=200, default="Certified Peer Supporter", help_text=_("The credential's name on certificates.")
    )
    min_attendance_percent = models.PositiveSmallIntegerField(
        _("Attendance needed to certify (%)"),
        default=80,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Certified needs at least this attendance (exactly this much is enough)."),
    )
    allow_provisional = models.BooleanField(
        _("Allow provisional certification"),
        default=True,
        help_text=_("Provisionally certified: no competency 'not yet' and only a few 'developing'."),
    )
    max_developing_for_provisional = models.PositiveSmallIntegerField(
        _("Most 'developing' ratings for provisional"),
        default=2,
        validators=[MinValueValidator(0), MaxValueValidator(50)],
    )
    reassessment_days = models.PositiveSmallIntegerField(
        _("Usual time to reassessment (days)"),
        default=90,
        validators=[MinValueValidator(7), MaxValueValidator(365)],
        help_text=_("Suggested deadline for reassessing someone provisionally certified."),
    )

    class Meta:
        verbose_name_plural = "certification settings"

    def __str__(self) -> str:
        return f"Certification settings of {self.program}"


class Level(models.TextChoices):
    """The four-level rubric, lowest first."""

    NOT_YET = "not_yet", _("Not yet")
    DEVELOPING = "developing", _("Developing")
    COMPETENT = "competent", _("Competent")
    STRONG = "strong", _("Strong")


LEVEL_RANK = {Level.NOT_YET: 0, Level.DEVELOPING: 1, Level.COMPETENT: 2, Level.STRONG: 3}


class Outcome(models.TextChoices):
    CERTIFIED = "certified", _("Certified")
    PROVISIONAL = "provisional", _("Provisionally certified")
    NOT_GRADUATED = "not_graduated", _("Not graduated")


class NextStep(models.TextChoices):
    REPEAT_COURSE = "repeat_course", _("Repeat the course")
    ANOTHER_ROLE = "another_role", _("Another volunteering role")
    OTHER = "other", _("Something else (described)")


class AssessmentKind(models.TextChoices):
    INITIAL = "initial", _("End of training")
    REASSESSMENT = "reassessment", _("Reassessment (provisional)")


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("In progress")
    DECIDED = "decided", _("Decided")


class Assessment(models.Model):
    """A trainer's assessment of one trainee: a rating per competency, then an outcome."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="assessments")
    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="assessments")
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="assessments")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="assessments")
    kind = models.CharField(max_length=15, choices=AssessmentKind.choices, default=AssessmentKind.INITIAL)
    status = models.CharField(max_length=10, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT)
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    attendance_attended = models.PositiveSmallIntegerField(null=True, blank=True)
    attendance_held = models.PositiveSmallIntegerField(null=True, blank=True)
    computed_outcome = models.CharField(max_length=15, choices=Outcome.choices, blank=True)
    outcome = models.CharField(max_length=15, choices=Outcome.choices, blank=True)
    override_reason = models.TextField(blank=True)
    plan_what = models.TextField(_("Development plan: what"), blank=True)
    plan_who = models.CharField(_("Development plan: who helps"), max_length=300, blank=True)
    reassessment_due = models.DateField(null=True, blank=True)
    next_step = models.CharField(max_length=15, choices=NextStep.choices, blank=True)
    next_step_note = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["supporter"], condition=models.Q(status="draft"), name="one_open_assessment_per_person"
            )
        ]
        indexes = [
            # credential_standing and the coordinator's overview: latest decided per person.
            models.Index(fields=["program", "status", "outcome", "reassessment_due"]),
            models.Index(fields=["supporter", "status", "-decided_at"]),
        ]

    def __str__(self) -> str:
        return f"Assessment of {self.supporter} ({self.get_status_display()})"

    @property
    def is_override(self) -> bool:
        return bool(self.outcome and self.computed_outcome and self.outcome != self.computed_outcome)

    @property
    def attendance_percent(self) -> Decimal | None:
        if not self.attendance_held:
            return None
        return (Decimal(self.attendance_attended or 0) * 100 / Decimal(self.attendance_held)).quantize(Decimal("0.1"))


class CompetencyRating(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="ratings")
    competency = models.ForeignKey(Competency, on_delete=models.PROTECT, related_name="ratings")
    level = models.CharField(max_length=12, choices=Level.choices)
    evidence_notes = models.TextField(blank=True)

    class Meta:
        ordering = ["competency__number"]
        constraints = [models.UniqueConstraint(fields=["assessment", "competency"], name="one_rating_per_competency")]

    def __str__(self) -> str:
        return f"{self.competency}: {self.get_level_display()}"


ID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U


def new_identifier() -> str:
    """An unguessable, easy-to-read certificate number: 16 characters (80 bits) in four groups."""
    raw = "".join(secrets.choice(ID_ALPHABET) for _i in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


class Certificate(models.Model):
    """A credential issued on certification. Valid through `expires_on`; renewal moves the expiry
    on by a cycle; revocation is final."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="certificates")
    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="certificates")
    assessment = models.ForeignKey(
        Assessment, null=True, blank=True, on_delete=models.SET_NULL, related_name="certificates"
    )
    identifier = models.CharField(max_length=24, unique=True, default=new_identifier)
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    credential_name = models.CharField(max_length=200)
    holder_name = models.CharField(max_length=200, help_text=_("The name printed on the certificate."))
    issued_on = models.DateField()
    cycle_started_on = models.DateField()
    expires_on = models.DateField()
    ce_rule = models.ForeignKey(
        "CERule",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates",
        help_text=_("The continuing-education rule the current cycle runs under (a newer one applies from the next)."),
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revocation_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    # Not stored: the continuing-education standing, as the API shows it (api.certification).
    standing: dict[str, Any] | None

    class Meta:
        ordering = ["-issued_on", "-id"]
        indexes = [models.Index(fields=["program", "revoked_at", "expires_on"])]

    def __str__(self) -> str:
        return f"{self.credential_name} {self.identifier} ({self.holder_name})"

    def get_absolute_url(self) -> str:
        return reverse("certification:certificate", args=[self.program.slug, self.pk])

    def status_on(self, day: dt.date) -> str:
        if self.revoked_at is not None:
            return CertificateStatus.REVOKED
        if self.expires_on < day:
            return CertificateStatus.EXPIRED
        return CertificateStatus.VALID

    @property
    def status(self) -> str:
        return self.status_on(timezone.localdate())

    def get_status_display(self) -> str:
        return str(CertificateStatus(self.status).label)

    def verification_path(self) -> str:
        return reverse("certification:verify", args=[self.identifier])


class CertificateEvent(models.TextChoices):
    ISSUED = "issued", _("Issued")
    RENEWED = "renewed", _("Renewed")
    REVOKED = "revoked", _("Revoked")


class CertificateChange(models.Model):
    """One event in a certificate's life: issued, renewed (with the old and new expiry), revoked."""

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="changes")
    event = models.CharField(max_length=10, choices=CertificateEvent.choices)
    old_expires_on = models.DateField(null=True, blank=True)
    new_expires_on = models.DateField(null=True, blank=True)
    hours_counted = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    ethics_hours_counted = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    ce_rule = models.ForeignKey(
        "CERule",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("For a renewal: the rule the cycle it closed ran under."),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.certificate.identifier} {self.event}"


class ExpiryReminder(models.Model):
    """A reminder sent N days before a certificate's expiry, so it is sent once per expiry date."""

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="reminders")
    days_before = models.PositiveSmallIntegerField()
    expires_on = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["certificate", "days_before", "expires_on"], name="one_reminder_each")
        ]

    def __str__(self) -> str:
        return f"{self.days_before}-day reminder for {self.certificate.identifier}"


class DeliveryMode(models.TextChoices):
    LIVE = "live", _("Live")
    SELF_PACED = "self_paced", _("Self-paced")


class CERule(models.Model):
    """One version of the program's continuing-education renewal rule.

    A saved version is never edited: a change is a new version, which the program's certificates
    take from their next cycle on, so each cycle is judged by the rule it ran under."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="ce_rules")
    name = models.CharField(_("Name of the rule"), max_length=200)
    cycle_months = models.PositiveSmallIntegerField(
        _("Renewal cycle (months)"), default=24, validators=[MinValueValidator(6), MaxValueValidator(60)]
    )
    total_hours = models.DecimalField(
        _("Continuing-education hours per cycle"),
        max_digits=5,
        decimal_places=1,
        default=Decimal("20"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("200"))],
    )
    live_minimum_hours = models.DecimalField(
        _("Live hours, at least"),
        max_digits=5,
        decimal_places=1,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("200"))],
    )
    self_paced_cap_hours = models.DecimalField(
        _("Self-paced hours counted, at most"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("200"))],
        help_text=_("Leave empty for no cap. Self-paced hours beyond it do not count (earliest first)."),
    )
    live_cap_hours = models.DecimalField(
        _("Live hours counted, at most"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("200"))],
        help_text=_("Leave empty for no cap."),
    )
    same_course_once = models.BooleanField(
        _("The same course counts once per cycle"),
        default=True,
        help_text=_("Same title and provider, ignoring case and punctuation."),
    )
    grace_days = models.PositiveSmallIntegerField(
        _("Grace period after expiry (days)"),
        default=90,
        validators=[MinValueValidator(0), MaxValueValidator(365)],
        help_text=_("After expiry the certificate can still be renewed for this long; then it has lapsed."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        get_latest_by = ["created_at", "id"]

    def __str__(self) -> str:
        return self.name


class CERuleMinimum(models.Model):
    """At least this many hours in one subject, within the rule's total."""

    rule = models.ForeignKey(CERule, on_delete=models.CASCADE, related_name="minimums")
    subject = models.ForeignKey(CESubject, on_delete=models.PROTECT, related_name="+")
    hours = models.DecimalField(
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("200"))],
    )

    class Meta:
        ordering = ["subject__position", "subject_id"]
        constraints = [models.UniqueConstraint(fields=["rule", "subject"], name="one_minimum_per_subject")]

    def __str__(self) -> str:
        return f"{self.hours} h {self.subject}"


class CEStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")


def evidence_path(instance: CEActivity, filename: str) -> str:
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"ce-evidence/{instance.program_id}/{uuid.uuid4().hex}{suffix}"


class CEActivity(models.Model):
    """A continuing-education activity a supporter logged (or that was credited automatically)."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="ce_activities")
    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="ce_activities")
    date = models.DateField()
    title = models.CharField(max_length=200)
    provider = models.CharField(max_length=200, blank=True)
    hours = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.25")), MaxValueValidator(Decimal("100"))],
    )
    category = models.CharField(max_length=30, help_text=_("The key of one of the program's CE subjects."))
    delivery = models.CharField(
        _("How it was delivered"), max_length=12, choices=DeliveryMode.choices, default=DeliveryMode.LIVE
    )
    evidence = models.FileField(upload_to=evidence_path, blank=True)
    evidence_name = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=CEStatus.choices, default=CEStatus.SUBMITTED)
    source_key = models.CharField(
        max_length=120, blank=True, help_text=_("For automatic credits: what they came from (unique per program).")
    )
    review_comment = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    renewal = models.ForeignKey(
        CertificateChange,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
        help_text=_("The renewal these hours were used for (they count for no later cycle)."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name_plural = "CE activities"
        constraints = [
            models.UniqueConstraint(
                fields=["program", "source_key"], condition=~models.Q(source_key=""), name="one_ce_per_source"
            )
        ]
        indexes = [
            models.Index(fields=["program", "status", "created_at"]),
            models.Index(fields=["supporter", "status", "date"]),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.hours} h, {self.date})"

    @property
    def is_automatic(self) -> bool:
        return bool(self.source_key)

    def get_category_display(self) -> str:
        """The subject's name (lists set ``subject_name`` with `queries.name_subjects`)."""
        name = getattr(self, "subject_name", None)
        if name is None:
            name = (
                CESubject.objects.filter(program_id=self.program_id, key=self.category)
                .values_list("name", flat=True)
                .first()
            )
        return str(name or self.category)


class CEActivityChange(models.Model):
    """One step in a CE activity's review: submitted, approved, returned (with comment)."""

    activity = models.ForeignKey(CEActivity, on_delete=models.CASCADE, related_name="changes")
    from_status = models.CharField(max_length=10, choices=CEStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=CEStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.from_status or 'new'} -> {self.to_status}"
