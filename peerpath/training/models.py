"""Initial training: the curriculum, cohorts and their sessions, attendance, evidence of
practice (role plays, shadowing), trainees' feedback, refresher events and calendar feeds."""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerpath.programs.models import Competency, Program
from peerpath.recruitment.models import Supporter


class Module(models.Model):
    """A part of the curriculum (e.g. 'Crisis intervention'), made of topics."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="training_modules")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["program", "title"], name="unique_module_title")]

    def __str__(self) -> str:
        return self.title


class Topic(models.Model):
    """One thing the course teaches, mapped to the competencies it builds."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="training_topics")
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="topics")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    competencies = models.ManyToManyField(Competency, blank=True, related_name="training_topics")

    class Meta:
        ordering = ["module__position", "module_id", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["module", "title"], name="unique_topic_title_in_module")]

    def __str__(self) -> str:
        return self.title


class Cohort(models.Model):
    """A group of trainees taking the initial course together, taught by one or more trainers."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="cohorts")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField()
    default_location = models.CharField(max_length=200, blank=True)
    trainers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="cohorts_taught")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [models.UniqueConstraint(fields=["program", "name"], name="unique_cohort_name")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("training:cohort", args=[self.program.slug, self.pk])


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("Enrolled")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    COMPLETED = "completed", _("Completed")


class Enrolment(models.Model):
    """A trainee's place in a cohort. Allowed moves: `training.lifecycle.ENROLMENT_TRANSITIONS`."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="enrolments")
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="enrolments")
    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="enrolments")
    status = models.CharField(max_length=12, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ENROLLED)
    enrolled_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["supporter__full_name"]
        constraints = [models.UniqueConstraint(fields=["cohort", "supporter"], name="one_enrolment_per_cohort")]

    def __str__(self) -> str:
        return f"{self.supporter} in {self.cohort}"


class EnrolmentChange(models.Model):
    """One change of an enrolment's status: who, when, why."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="changes")
    from_status = models.CharField(max_length=12, choices=EnrolmentStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=EnrolmentStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.from_status or 'new'} -> {self.to_status}"


class SessionKind(models.TextChoices):
    REGULAR = "regular", _("Course session")
    MAKE_UP = "make_up", _("Make-up session")
    REFRESHER = "refresher", _("Refresher event")


class CECategory(models.TextChoices):
    """Kinds of continuing-education hours; the renewal rule asks for a minimum of ethics."""

    ETHICS = "ethics", _("Ethics")
    PEER_SPECIFIC = "peer-specific", _("Peer-specific")
    GENERAL = "general", _("General")
    CULTURAL = "cultural-competence", _("Cultural competence")
    SUPERVISION = "supervision", _("Supervision")


class CESubject(models.Model):
    """A subject category the program counts continuing-education hours in (ethics,
    confidentiality, cultural competence...). The program edits the list; the renewal rule
    (certification) asks for minimums in any of them. A new program starts with `CECategory`."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="ce_subjects")
    key = models.SlugField(_("Short key"), max_length=30, help_text=_("Letters, digits and hyphens; never changes."))
    name = models.CharField(_("Name"), max_length=100)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["program", "key"], name="one_ce_subject_per_key")]

    def __str__(self) -> str:
        return self.name


class TrainingSession(models.Model):
    """A scheduled session: part of a cohort's course, a make-up for a missed one, or a refresher
    event open to certified supporters (no cohort; attended hours count as continuing education)."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="training_sessions")
    cohort = models.ForeignKey(Cohort, null=True, blank=True, on_delete=models.CASCADE, related_name="sessions")
    kind = models.CharField(max_length=10, choices=SessionKind.choices, default=SessionKind.REGULAR)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    location = models.CharField(max_length=200, blank=True, help_text=_("A room and address, or 'online'."))
    online_url = models.URLField(blank=True, help_text=_("Video or phone-conference link, if any."))
    topics = models.ManyToManyField(Topic, blank=True, related_name="sessions")
    makeup_for = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="makeups",
        help_text=_("The missed session."),
    )
    credited_hours = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))]
    )
    ce_category = models.CharField(max_length=30, default=CECategory.PEER_SPECIFIC)
    is_cancelled = models.BooleanField(default=False)
    cancel_reason = models.CharField(max_length=300, blank=True)
    sequence = models.PositiveIntegerField(default=0, help_text=_("iCalendar SEQUENCE: bumped on every change."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    # Not stored: the roster with each person's mark, as the API shows it (api.training).
    attendance_rows: list[dict[str, Any]]

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            # Schedules and feeds: one cohort's sessions in time order; refresher events by program.
            models.Index(fields=["cohort", "starts_at"]),
            models.Index(fields=["program", "kind", "starts_at"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("training:session", args=[self.program.slug, self.pk])

    def get_ce_category_display(self) -> str:
        """The name of the subject a refresher's hours are credited in (lists annotate it)."""
        name = getattr(self, "ce_subject_name", None)
        if name is None:
            name = (
                CESubject.objects.filter(program_id=self.program_id, key=self.ce_category)
                .values_list("name", flat=True)
                .first()
            )
        return str(name or self.ce_category)

    @property
    def duration_hours(self) -> Decimal:
        return (Decimal((self.ends_at - self.starts_at).total_seconds()) / Decimal(3600)).quantize(Decimal("0.01"))

    @property
    def has_started(self) -> bool:
        return self.starts_at <= timezone.now()


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    LATE = "late", _("Late")
    EXCUSED = "excused", _("Excused")
    ABSENT = "absent", _("Absent")


ATTENDED = frozenset({AttendanceStatus.PRESENT, AttendanceStatus.LATE})


class Attendance(models.Model):
    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="attendance")
    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="attendance")
    status = models.CharField(max_length=10, choices=AttendanceStatus.choices)
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["session__starts_at", "supporter__full_name"]
        constraints = [models.UniqueConstraint(fields=["session", "supporter"], name="one_attendance_per_session")]

    def __str__(self) -> str:
        return f"{self.supporter} {self.status} at {self.session}"

    @property
    def attended(self) -> bool:
        return self.status in ATTENDED


class RolePlay(models.Model):
    """A practised conversation: the trainee plays the supporter; an observer notes what they showed."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="role_plays")
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="role_plays")
    session = models.ForeignKey(
        TrainingSession, null=True, blank=True, on_delete=models.SET_NULL, related_name="role_plays"
    )
    trainee = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="role_plays")
    held_on = models.DateField()
    scenario = models.TextField()
    participant_played_by = models.CharField(max_length=200, help_text=_("Who played the participant."))
    observer_notes = models.TextField(blank=True)
    competencies = models.ManyToManyField(Competency, blank=True, related_name="role_plays")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"Role play by {self.trainee} on {self.held_on}"


class Shadowing(models.Model):
    """Time a trainee spent alongside an experienced supporter, with both sides' words."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="shadowings")
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="shadowings")
    trainee = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="shadowings")
    experienced_supporter = models.ForeignKey(Supporter, on_delete=models.PROTECT, related_name="shadowed_by")
    shadowed_on = models.DateField()
    hours = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.25")), MaxValueValidator(Decimal("24"))],
    )
    reflection = models.TextField(blank=True, help_text=_("The trainee's reflection."))
    supporter_comment = models.TextField(blank=True, help_text=_("The experienced supporter's comment."))
    commented_at = models.DateTimeField(null=True, blank=True)
    competencies = models.ManyToManyField(Competency, blank=True, related_name="shadowings")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-shadowed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.trainee} shadowing {self.experienced_supporter} on {self.shadowed_on}"


class FeedbackKind(models.TextChoices):
    SESSION = "session", _("After a session")
    COURSE = "course", _("End of course")


class Feedback(models.Model):
    """A trainee's answer to the short survey after a session or at the end of the course."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="training_feedback")
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="feedback")
    session = models.ForeignKey(
        TrainingSession, null=True, blank=True, on_delete=models.CASCADE, related_name="feedback"
    )
    kind = models.CharField(max_length=10, choices=FeedbackKind.choices)
    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="training_feedback")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="training_feedback"
    )
    helpful = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    learn_more = models.TextField(blank=True)
    comments = models.TextField(blank=True)
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-answered_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["supporter", "session"],
                condition=models.Q(kind="session"),
                name="one_feedback_per_session",
            ),
            models.UniqueConstraint(
                fields=["supporter", "cohort"],
                condition=models.Q(kind="course"),
                name="one_course_feedback_per_cohort",
            ),
        ]
        indexes = [models.Index(fields=["program", "answered_at"])]

    def __str__(self) -> str:
        return f"Feedback from {self.supporter} ({self.kind})"


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A secret subscription address for one person's calendar: their own schedule (no cohort)
    or one cohort's. Calendar apps cannot log in, so the token is the key; revoking it (and
    getting a new one) locks out whoever had the old address."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="calendar_feeds")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds")
    cohort = models.ForeignKey(Cohort, null=True, blank=True, on_delete=models.CASCADE, related_name="feeds")
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "owner", "cohort"],
                condition=models.Q(revoked_at__isnull=True, cohort__isnull=False),
                name="one_live_cohort_feed_per_person",
            ),
            models.UniqueConstraint(
                fields=["program", "owner"],
                condition=models.Q(revoked_at__isnull=True, cohort__isnull=True),
                name="one_live_personal_feed_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"Calendar of {self.owner}" + (f" for {self.cohort}" if self.cohort_id else "")

    def get_absolute_url(self) -> str:
        return reverse("training:feed", args=[self.token])
