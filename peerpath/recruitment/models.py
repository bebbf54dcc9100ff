"""People on the pathway to peer supporter: their applications, screening and history.

What an applicant writes in their own words (motivation, availability, where they heard of the
program, the referring clinician) and what is written at screening (answers, red-flag notes,
the interviewer's notes, the decision's note and decline reason) is an `EncryptedTextField`.
"""

from __future__ import annotations

from typing import NamedTuple

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerpath.core.encryption import EncryptedTextField
from peerpath.programs.models import FocusArea, Program


class Stage(models.TextChoices):
    """The supporter lifecycle. Allowed moves are in `recruitment.pathway.TRANSITIONS`."""

    APPLICANT = "applicant", _("Applicant")
    SCREENING = "screening", _("Screening")
    COACHING = "coaching", _("Not yet: more coaching")
    DECLINED = "declined", _("Declined")
    REDIRECTED = "redirected", _("Redirected to another role")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    ACCEPTED = "accepted", _("Accepted")
    IN_TRAINING = "in_training", _("In training")
    ASSESSED = "assessed", _("Assessed")
    CERTIFIED = "certified", _("Certified")
    PROVISIONAL = "provisional", _("Provisionally certified")
    NOT_GRADUATED = "not_graduated", _("Not graduated")
    SHADOWING = "shadowing", _("Shadowing")
    ACTIVE = "active", _("Active")
    ON_BREAK = "on_break", _("On break")
    INACTIVE = "inactive", _("Inactive")
    ALUMNI = "alumni", _("Alumni")


RECRUITMENT_STAGES = [
    Stage.APPLICANT,
    Stage.SCREENING,
    Stage.COACHING,
    Stage.ACCEPTED,
    Stage.DECLINED,
    Stage.REDIRECTED,
    Stage.WITHDRAWN,
]


class Source(models.TextChoices):
    FLYER = "flyer", _("Flyer or pamphlet")
    FORMER_PARTICIPANT = "former_participant", _("I was a participant in the program")
    CLINICIAN = "clinician", _("Referred by a clinician")
    OTHER = "other", _("Other")


class ContactPreference(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone call")
    TEXT = "text", _("Text message")


class Supporter(models.Model):
    """One person on the program's pathway, from first application to alumni.

    The same e-mail applying twice to the same program is the same person: applications
    link to it. `user` is set once they are accepted and invited to log in.
    """

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="supporters")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="supporter_records"
    )
    full_name = models.CharField(max_length=200)
    email = models.EmailField()
    phone = models.CharField(max_length=40, blank=True)
    preferred_contact = models.CharField(
        max_length=10, choices=ContactPreference.choices, default=ContactPreference.EMAIL
    )
    languages = models.JSONField(default=list, blank=True)
    focus_areas = models.ManyToManyField(FocusArea, blank=True, related_name="supporters")
    source = models.CharField(max_length=30, choices=Source.choices, default=Source.OTHER)
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.APPLICANT, db_index=True)
    stage_changed_at = models.DateTimeField(default=timezone.now)
    revisit_on = models.DateField(null=True, blank=True, help_text=_("When to revisit someone not yet ready."))
    may_reapply_after = models.DateField(null=True, blank=True)
    redirected_to = models.CharField(max_length=200, blank=True)
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supervisees",
        help_text=_("The supervisor who supports this person once they are in training or active."),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["full_name"]
        constraints = [
            models.UniqueConstraint(fields=["program", "email"], name="one_supporter_per_email"),
        ]
        indexes = [
            # The recruitment board filters one program by stage and source.
            models.Index(fields=["program", "stage", "source"]),
        ]

    def __str__(self) -> str:
        return self.full_name


class Application(models.Model):
    """What an applicant submitted through the public form, as they wrote it.

    The form never writes to a person already on the pathway: a repeat application (the same
    e-mail, in any case) is kept here, linked to the person and marked `needs_review`, until a
    coordinator accepts what differs field by field or dismisses it (recruitment.services).
    """

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="applications")
    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="applications")
    submitted_at = models.DateTimeField(default=timezone.now)
    full_name = models.CharField(max_length=200)
    email = models.EmailField()
    phone = models.CharField(max_length=40, blank=True)
    preferred_contact = models.CharField(max_length=10, choices=ContactPreference.choices)
    focus_areas = models.ManyToManyField(FocusArea, blank=True, related_name="applications")
    motivation = EncryptedTextField()
    availability = EncryptedTextField()
    languages = models.JSONField(default=list, blank=True)
    source = models.CharField(max_length=30, choices=Source.choices)
    clinician_name = EncryptedTextField(max_length=200, blank=True)
    source_detail = EncryptedTextField(max_length=200, blank=True)
    consent_to_contact = models.BooleanField(default=False)
    is_repeat = models.BooleanField(default=False, help_text=_("The person had applied before."))
    needs_review = models.BooleanField(
        default=False, help_text=_("A repeat application whose differences a coordinator has not yet reviewed.")
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at"]
        indexes = [
            # The board's "repeat applications awaiting review", newest first.
            models.Index(fields=["program", "needs_review", "-submitted_at"]),
        ]

    def __str__(self) -> str:
        return f"Application from {self.full_name} ({self.submitted_at:%Y-%m-%d})"

    def differences(self) -> list[Difference]:
        """What this application says that the person's record does not, field by field (the
        fields a coordinator may accept). An empty phone is no difference; areas differ when
        the application names one the record lacks (accepting adds them)."""
        person = self.supporter
        found: list[Difference] = []
        for name, label in REVIEWABLE_FIELDS.items():
            if name == "focus_areas":
                held = list(person.focus_areas.all())
                offered = list(self.focus_areas.all())
                if {a.pk for a in offered} - {a.pk for a in held}:
                    found.append(Difference(name, str(label), _names(held), _names(offered)))
                continue
            mine, theirs = getattr(person, name), getattr(self, name)
            if name == "phone" and not theirs.strip():
                continue
            if mine != theirs:
                if name == "preferred_contact":
                    mine, theirs = ContactPreference(mine).label, ContactPreference(theirs).label
                elif name == "languages":
                    mine, theirs = ", ".join(mine), ", ".join(theirs)
                found.append(Difference(name, str(label), mine or "—", theirs or "—"))
        return found


# The person's fields a repeat application may offer new values for, in the order shown.
REVIEWABLE_FIELDS = {
    "full_name": _("Name"),
    "phone": _("Phone"),
    "preferred_contact": _("Prefers to be contacted by"),
    "languages": _("Languages"),
    "focus_areas": _("Lived experience"),
}


class Difference(NamedTuple):
    name: str
    label: str
    on_record: str
    in_application: str


def _names(areas: list[FocusArea]) -> str:
    return ", ".join(a.name for a in areas) or "—"


class ScreeningFactor(models.TextChoices):
    MOTIVATION = "motivation", _("Motivation")
    PERSONALITY = "personality", _("Personality and skills")
    EXPERIENCE = "experience", _("Experience")
    READINESS = "readiness", _("Readiness")
    VALUES = "values", _("Values and philosophy")


class ScreeningQuestion(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="screening_questions")
    factor = models.CharField(max_length=20, choices=ScreeningFactor.choices)
    text = models.TextField()
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text


class RedFlag(models.Model):
    """A sign that a person is not suitable for the role at this time."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="red_flags")
    text = models.CharField(max_length=300)
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text


class InterviewStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class Decision(models.TextChoices):
    ACCEPT = "accept", _("Accept into training")
    NOT_YET = "not_yet", _("Not yet: more coaching")
    REDIRECT = "redirect", _("Redirect to another volunteering role")
    DECLINE = "decline", _("Decline")


class ScreeningInterview(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="screening_interviews")
    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="interviews")
    scheduled_for = models.DateTimeField()
    location = models.CharField(max_length=200, help_text=_("A place, a phone number or a video link."))
    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=12, choices=InterviewStatus.choices, default=InterviewStatus.SCHEDULED)
    notes = EncryptedTextField(blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    decision = models.CharField(max_length=12, choices=Decision.choices, blank=True)
    decision_note = EncryptedTextField(blank=True)
    revisit_on = models.DateField(null=True, blank=True)
    redirect_role = models.CharField(max_length=200, blank=True)
    decline_reason = EncryptedTextField(blank=True)
    may_reapply_after = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-scheduled_for"]

    def __str__(self) -> str:
        return f"Screening of {self.supporter} on {self.scheduled_for:%Y-%m-%d}"


class ScreeningAnswer(models.Model):
    interview = models.ForeignKey(ScreeningInterview, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(ScreeningQuestion, null=True, on_delete=models.SET_NULL, related_name="+")
    # A copy, so editing the question set later does not rewrite past interviews.
    question_text = models.TextField()
    factor = models.CharField(max_length=20, choices=ScreeningFactor.choices)
    answer = EncryptedTextField(blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.question_text


class RedFlagNote(models.Model):
    interview = models.ForeignKey(ScreeningInterview, on_delete=models.CASCADE, related_name="red_flags")
    red_flag = models.ForeignKey(RedFlag, null=True, on_delete=models.SET_NULL, related_name="+")
    red_flag_text = models.CharField(max_length=300)
    note = EncryptedTextField(blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.red_flag_text


class StageChange(models.Model):
    """One move along the pathway: who, when, why."""

    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=20, choices=Stage.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        # The reports' movements in and out of active supporters over a period (bench EXPLAIN step):
        # by the stage moved to or from, then the date, so PostgreSQL reads only those movements (at
        # full scale the date alone kept half the table, and it read all of it).
        indexes = [
            models.Index(fields=["created_at"]),
            models.Index(fields=["to_stage", "created_at"]),
            models.Index(fields=["from_stage", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.from_stage or 'new'} -> {self.to_stage}"


class Milestone(models.Model):
    """A building block on the way to becoming a supporter, e.g. led an information session."""

    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=200)
    achieved_on = models.DateField()
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-achieved_on", "-id"]

    def __str__(self) -> str:
        return self.title
