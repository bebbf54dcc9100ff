"""Credentials: qualifications that gate work (background checks, references, agreements signed
in the app, first aid...), (see `progress`) the initial credential a supporter works toward, and
self-paced learning (modules of materials with a short quiz, whose completion counts as training
hours toward the credential and as self-paced continuing education).

This app sits after care and hours in the dependency order, so it may read supervision meetings
and the service-hours ledger; it gates work in the apps below through their registries
(``support.availability`` for new matches, ``groups.facilitation`` for facilitating groups)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import PurePath

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerpath.core.encryption import EncryptedTextField
from peerpath.programs.models import Competency, Program
from peerpath.recruitment.models import Supporter


class QualificationKind(models.TextChoices):
    CHECK = "check", _("A check (e.g. background check)")
    REFERENCES = "references", _("References")
    AGREEMENT = "agreement", _("An agreement signed in the app")
    TRAINING = "training", _("A training or certificate")
    DOCUMENT = "document", _("A document")


class QualificationType(models.Model):
    """A qualification the program asks of its supporters, and what it is required for."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="qualification_types")
    name = models.CharField(_("Name"), max_length=200)
    kind = models.CharField(_("Kind"), max_length=12, choices=QualificationKind.choices)
    description = models.TextField(_("Description"), blank=True)
    valid_months = models.PositiveSmallIntegerField(
        _("Valid for (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_("Empty: it does not expire."),
    )
    references_needed = models.PositiveSmallIntegerField(
        _("References needed"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("For references: how many with a satisfactory outcome."),
    )
    agreement_text = models.TextField(
        _("Text of the agreement"), blank=True, help_text=_("For agreements: what the supporter signs.")
    )
    agreement_version = models.PositiveIntegerField(default=1)
    for_new_matches = models.BooleanField(_("Required for new matches"), default=False)
    for_facilitating = models.BooleanField(_("Required for facilitating groups"), default=False)
    for_training_others = models.BooleanField(_("Required for training others"), default=False)
    missing_holds_back = models.BooleanField(
        _("Also hold back people who have none on file"),
        default=False,
        help_text=_("Otherwise only an expired or unsatisfactory one holds a supporter back."),
    )
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(_("In use"), default=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["program", "name"], name="one_qualification_type_per_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def required_for(self) -> list[str]:
        return [
            str(label)
            for flag, label in (
                (self.for_new_matches, _("new matches")),
                (self.for_facilitating, _("facilitating groups")),
                (self.for_training_others, _("training others")),
            )
            if flag
        ]


class QualificationOutcome(models.TextChoices):
    SATISFACTORY = "satisfactory", _("Satisfactory")
    CONCERNS = "concerns", _("Concerns raised")
    NOT_SATISFACTORY = "not_satisfactory", _("Not satisfactory")


def evidence_path(instance: Qualification, filename: str) -> str:
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"qualification-evidence/{instance.program_id}/{uuid.uuid4().hex}{suffix}"


class Qualification(models.Model):
    """One piece of a supporter's qualification: a check's result, one reference, a signature,
    a course certificate. Valid from `obtained_on` through `expires_on` (none: for good)."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="qualifications")
    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="qualifications")
    qtype = models.ForeignKey(QualificationType, on_delete=models.PROTECT, related_name="records")
    obtained_on = models.DateField(_("Date"))
    expires_on = models.DateField(_("Expires on"), null=True, blank=True)
    outcome = models.CharField(
        _("Outcome"), max_length=20, choices=QualificationOutcome.choices, default=QualificationOutcome.SATISFACTORY
    )
    detail = EncryptedTextField(
        _("Detail"), blank=True, help_text=_("Who gave the reference, the check's reference number...")
    )
    evidence = models.FileField(upload_to=evidence_path, blank=True)
    evidence_name = models.CharField(max_length=200, blank=True)
    signed_name = models.CharField(_("Typed name"), max_length=200, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    agreement_version = models.PositiveIntegerField(null=True, blank=True)
    agreement_text = models.TextField(blank=True, help_text="The exact text signed.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-obtained_on", "-id"]
        indexes = [models.Index(fields=["program", "qtype", "supporter"])]

    def __str__(self) -> str:
        return f"{self.qtype} of {self.supporter} ({self.obtained_on})"

    @property
    def is_satisfactory(self) -> bool:
        return self.outcome == QualificationOutcome.SATISFACTORY


class QualificationReminder(models.Model):
    """A reminder sent N days before a qualification expires: once per record, threshold and date."""

    qualification = models.ForeignKey(Qualification, on_delete=models.CASCADE, related_name="reminders")
    days_before = models.PositiveSmallIntegerField()
    expires_on = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["qualification", "days_before", "expires_on"], name="one_qualification_reminder_each"
            )
        ]

    def __str__(self) -> str:
        return f"{self.days_before}-day reminder for {self.qualification}"


# --- The initial credential ------------------------------------------------------------------


class CredentialSettings(models.Model):
    """The initial credential a supporter works toward, as the credentialing body defines it
    (one row per program): supervised and experience hours, documents, an exam. Training hours
    by domain are `TrainingDomain` rows."""

    program = models.OneToOneField(Program, on_delete=models.CASCADE, related_name="credential_settings")
    name = models.CharField(_("Credential"), max_length=200, default="Certified Peer Recovery Specialist")
    body = models.CharField(_("Credentialing body"), max_length=200, blank=True)
    supervised_hours_required = models.DecimalField(
        _("Supervised hours required"),
        max_digits=6,
        decimal_places=1,
        default=25,
        validators=[MinValueValidator(0), MaxValueValidator(5000)],
    )
    experience_hours_required = models.DecimalField(
        _("Experience hours required"),
        max_digits=6,
        decimal_places=1,
        default=500,
        validators=[MinValueValidator(0), MaxValueValidator(10000)],
        help_text=_("Service hours from the ledger (supervision received not included)."),
    )
    documents = models.ManyToManyField(
        QualificationType,
        blank=True,
        related_name="+",
        verbose_name=_("Documents required"),
        help_text=_("Qualifications that must be current, e.g. the code of ethics signed."),
    )
    exam_required = models.BooleanField(_("An exam is required"), default=True)
    exam_pass_score = models.PositiveSmallIntegerField(
        _("Pass mark (%)"), default=70, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    # Set on the learning library page (self-paced learning), kept here with the program's
    # other credential settings.
    self_paced_makes_up_sessions = models.BooleanField(
        _("A self-paced module can make up a missed course session"),
        default=False,
        help_text=_(
            "A trainee who missed a course session and afterwards completes published modules on "
            "every one of its topics has it counted as made up (shown as made up by the module, "
            "not as attended)."
        ),
    )

    class Meta:
        verbose_name_plural = "credential settings"

    def __str__(self) -> str:
        return f"Credential settings of {self.program}"


class TrainingDomain(models.Model):
    """A domain of training the credential asks hours in ("Ethical responsibility: 16 h"), and
    the course topics that count toward it (each topic in at most one domain)."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="training_domains")
    name = models.CharField(_("Domain"), max_length=200)
    hours_required = models.DecimalField(
        _("Hours required"), max_digits=5, decimal_places=1, validators=[MinValueValidator(0)]
    )
    topics = models.ManyToManyField(
        "training.Topic", blank=True, related_name="credential_domains", verbose_name=_("Course topics")
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["program", "name"], name="one_training_domain_per_name")]

    def __str__(self) -> str:
        return self.name


class ExternalStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting approval")
    APPROVED = "approved", _("Approved")


class ExternalTraining(models.Model):
    """A training taken outside the program's course, counted toward a domain once approved."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="external_trainings")
    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="external_trainings")
    domain = models.ForeignKey(TrainingDomain, on_delete=models.PROTECT, related_name="external_trainings")
    title = models.CharField(_("Title"), max_length=200)
    provider = models.CharField(_("Provider"), max_length=200, blank=True)
    taken_on = models.DateField(_("Date"))
    hours = models.DecimalField(
        _("Hours"), max_digits=5, decimal_places=2, validators=[MinValueValidator(0.25), MaxValueValidator(200)]
    )
    status = models.CharField(max_length=10, choices=ExternalStatus.choices, default=ExternalStatus.SUBMITTED)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-taken_on", "-id"]

    def __str__(self) -> str:
        return f"{self.title} ({self.hours} h)"


class ExamResult(models.Model):
    """A sitting of the credential's exam."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="exam_results")
    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="exam_results")
    taken_on = models.DateField(_("Date"))
    score = models.PositiveSmallIntegerField(_("Score (%)"), validators=[MaxValueValidator(100)])
    passed = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-taken_on", "-id"]

    def __str__(self) -> str:
        return f"Exam {self.score}% ({self.taken_on})"


# --- Self-paced learning ---------------------------------------------------------------------


class LearningModule(models.Model):
    """A self-paced module: materials to read, watch or open, and a short quiz with a pass mark.
    Completing it (passing the quiz, or marking it done when it has none) can count toward the
    initial credential's training hours (through its topic's domain) and, for certified
    supporters, as self-paced continuing education in its subject."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="learning_modules")
    title = models.CharField(_("Title"), max_length=200)
    summary = models.TextField(_("What it covers"), blank=True)
    topic = models.ForeignKey(
        "training.Topic",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="learning_modules",
        verbose_name=_("Course topic"),
        help_text=_("The topic of the course it belongs to, if any."),
    )
    competencies = models.ManyToManyField(
        Competency, blank=True, related_name="learning_modules", verbose_name=_("Competencies it builds")
    )
    hours = models.DecimalField(
        _("Hours credited"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.25")), MaxValueValidator(Decimal("20"))],
        help_text=_("How long it takes, as counted on completion."),
    )
    ce_subject = models.CharField(
        _("Continuing-education subject"),
        max_length=30,
        blank=True,
        help_text=_("Empty: it does not count as continuing education."),
    )
    counts_for_training = models.BooleanField(
        _("Counts toward training hours"),
        default=True,
        help_text=_("Toward the initial credential, in the domain its topic belongs to."),
    )
    pass_mark = models.PositiveSmallIntegerField(
        _("Pass mark (%)"), default=80, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    max_attempts = models.PositiveSmallIntegerField(
        _("Attempts allowed"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_("Empty: as many as they need."),
    )
    is_published = models.BooleanField(
        _("Published"), default=False, help_text=_("Trainees and supporters see published modules only.")
    )
    position = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["program", "title"], name="one_learning_module_per_title")]

    def __str__(self) -> str:
        return self.title


class MaterialKind(models.TextChoices):
    TEXT = "text", _("Reading, written here")
    DOCUMENT = "document", _("Document, uploaded")
    LINK = "link", _("Link to a page")
    VIDEO = "video", _("Video, by link")


def material_path(instance: LearningMaterial, filename: str) -> str:
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"learning-materials/{instance.module.program_id}/{uuid.uuid4().hex}{suffix}"


class LearningMaterial(models.Model):
    """One item of a module: a reading written in the page, an uploaded document, a link or a
    video by link."""

    module = models.ForeignKey(LearningModule, on_delete=models.CASCADE, related_name="materials")
    kind = models.CharField(_("Kind"), max_length=10, choices=MaterialKind.choices, default=MaterialKind.TEXT)
    title = models.CharField(_("Title"), max_length=200)
    body = models.TextField(_("Text"), blank=True)
    url = models.URLField(_("Address (link or video)"), blank=True)
    file = models.FileField(upload_to=material_path, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class QuizQuestion(models.Model):
    """A multiple-choice question of a module's quiz: one right answer among its choices."""

    module = models.ForeignKey(LearningModule, on_delete=models.CASCADE, related_name="questions")
    text = models.TextField(_("Question"))
    explanation = models.TextField(_("Explanation"), blank=True, help_text=_("Shown after each attempt."))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class QuizChoice(models.Model):
    question = models.ForeignKey(QuizQuestion, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(_("Answer"), max_length=300)
    is_correct = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text


class QuizAttempt(models.Model):
    """One attempt at a module's quiz, scored when submitted. `answers` maps each question's id
    to the chosen answer's id (as text), as they were at the time."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="quiz_attempts")
    module = models.ForeignKey(LearningModule, on_delete=models.CASCADE, related_name="attempts")
    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="quiz_attempts")
    answers = models.JSONField(default=dict)
    correct = models.PositiveSmallIntegerField()
    total = models.PositiveSmallIntegerField()
    score = models.PositiveSmallIntegerField(validators=[MaxValueValidator(100)])
    passed = models.BooleanField(default=False)
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["module", "supporter"])]

    def __str__(self) -> str:
        return f"{self.module} by {self.supporter}: {self.score}%"


class LearningCompletion(models.Model):
    """A module completed by a supporter (once each): the hours credited and, when it counted as
    continuing education, the key of the automatic CE credit in certification."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="learning_completions")
    module = models.ForeignKey(LearningModule, on_delete=models.CASCADE, related_name="completions")
    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="learning_completions")
    completed_on = models.DateField()
    hours = models.DecimalField(max_digits=4, decimal_places=2)
    attempt = models.OneToOneField(
        QuizAttempt, null=True, blank=True, on_delete=models.SET_NULL, related_name="completion"
    )
    ce_source_key = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-completed_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["module", "supporter"], name="one_learning_completion_each")]

    def __str__(self) -> str:
        return f"{self.module} completed by {self.supporter}"
