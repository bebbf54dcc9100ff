"""The participant's side of a relationship: goals in their own words with steps and progress,
plan reviews, the needs checklist, the program's resource directory and referrals to it.

Everything that says something about a participant (a goal, a step, a progress note, a review
note, a need's note, a referral's and a warm handoff's notes) is an `EncryptedTextField`: a dump
of the database shows only ciphertext. `__str__` names a record by its number and the
participant's reference only, so audit labels never carry what was written. These records hang
off the relationship (or the participant) with CASCADE, so erasing a participant erases them.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerpath.core.encryption import EncryptedTextField
from peerpath.programs.models import Program
from peerpath.support.models import Concern, Contact, Participant, SupportRelationship

# The needs checklist a new program starts with (the program edits it in the plan settings).
DEFAULT_NEED_AREAS = (
    "Housing",
    "Food",
    "Transport",
    "Income and benefits",
    "Employment",
    "Legal",
    "Treatment access",
    "Physical health",
    "Childcare",
    "Safety",
)


def lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class PlanSettings(models.Model):
    """How one program works on plans and needs. One row per program (`defaults.get_settings`)."""

    program = models.OneToOneField(Program, on_delete=models.CASCADE, related_name="plan_settings")
    review_every_weeks = models.PositiveSmallIntegerField(
        _("Review the plan every (weeks)"),
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(52)],
        help_text=_("A plan review is due this many weeks after the match started or the last review."),
    )
    need_areas = models.TextField(
        _("Needs checklist"),
        default="\n".join(DEFAULT_NEED_AREAS),
        help_text=_("One need per line, as your program names them; the checklist and the directory use them."),
    )

    class Meta:
        verbose_name_plural = _("plan settings")

    def __str__(self) -> str:
        return f"Plan settings of {self.program}"

    def need_list(self) -> list[str]:
        return lines(self.need_areas)


class GoalStatus(models.TextChoices):
    """Allowed moves are in `plans.lifecycle.GOAL`."""

    OPEN = "open", _("Working on it")
    MET = "met", _("Met")
    SET_ASIDE = "set_aside", _("Set aside")


class Goal(models.Model):
    """What the participant wants from the relationship, in their own words."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    relationship = models.ForeignKey(SupportRelationship, on_delete=models.CASCADE, related_name="goals")
    text = EncryptedTextField(help_text=_("The goal in the participant's own words."))
    target_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=GoalStatus.choices, default=GoalStatus.OPEN)
    met_on = models.DateField(null=True, blank=True)
    met_at_close = models.BooleanField(
        default=False, help_text=_("Recorded as met when the relationship closed with 'goals met'.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    # Not stored: set on the goals a page shows (plans.queries).
    step_rows: list[GoalStep]
    progress_rows: list[GoalProgress]

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["relationship", "status"])]

    def __str__(self) -> str:
        return f"Goal {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status == GoalStatus.OPEN


class StepOwner(models.TextChoices):
    PARTICIPANT = "participant", _("The participant")
    SUPPORTER = "supporter", _("The supporter")
    TOGETHER = "together", _("Together")
    SOMEONE_ELSE = "someone_else", _("Someone else")


class GoalStep(models.Model):
    """One step towards a goal: what, who takes it, by when, and whether it is done."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="steps")
    text = EncryptedTextField()
    owner = models.CharField(max_length=12, choices=StepOwner.choices, default=StepOwner.TOGETHER)
    target_on = models.DateField(null=True, blank=True)
    done_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Step {self.pk} of goal {self.goal_id}"


class GoalProgress(models.Model):
    """A goal worked on: in a contact (the contact form records it) or noted on its own."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="progress")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    noted_on = models.DateField()
    note = EncryptedTextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-noted_on", "-id"]
        verbose_name_plural = _("goal progress")

    def __str__(self) -> str:
        return f"Progress on goal {self.goal_id}"


class PlanReview(models.Model):
    """The supporter and participant looked at the plan together; the next is due N weeks on."""

    relationship = models.ForeignKey(SupportRelationship, on_delete=models.CASCADE, related_name="plan_reviews")
    reviewed_on = models.DateField()
    note = EncryptedTextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-reviewed_on", "-id"]
        indexes = [models.Index(fields=["relationship", "reviewed_on"])]

    def __str__(self) -> str:
        return f"Plan review {self.pk}"


# --- Needs, the resource directory and referrals ------------------------------------------------


class NeedStatus(models.TextChoices):
    """Allowed moves are in `plans.lifecycle.NEED`."""

    OPEN = "open", _("Open")
    WORKING = "working", _("Being worked on")
    MET = "met", _("Met")
    NOT_NEEDED = "not_needed", _("No longer needed")


class Need(models.Model):
    """One need of the program's checklist that a participant has, from intake on."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="needs")
    area = models.CharField(max_length=60, help_text=_("The need, as the program's checklist names it."))
    status = models.CharField(max_length=12, choices=NeedStatus.choices, default=NeedStatus.OPEN)
    note = EncryptedTextField(blank=True)
    met_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["participant", "area"], name="one_need_per_area")]
        indexes = [models.Index(fields=["program", "status"])]

    def __str__(self) -> str:
        return f"Need {self.pk}: {self.area}"


class Resource(models.Model):
    """An organisation or service in the program's directory. Names nobody: not encrypted."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="resources")
    name = models.CharField(_("Name"), max_length=200)
    organisation = models.CharField(_("Organisation"), max_length=200, blank=True)
    offers = models.TextField(_("What they offer"), blank=True)
    needs = models.JSONField(_("Needs it meets"), default=list, blank=True)
    eligibility = models.TextField(_("Who can use it"), blank=True)
    languages = models.JSONField(_("Languages"), default=list, blank=True)
    hours = models.CharField(_("Opening hours"), max_length=200, blank=True)
    area = models.CharField(_("Area served"), max_length=200, blank=True)
    phone = models.CharField(_("Phone"), max_length=60, blank=True)
    email = models.EmailField(_("E-mail"), blank=True)
    website = models.URLField(_("Website"), blank=True)
    address = models.CharField(_("Address"), max_length=300, blank=True)
    is_active = models.BooleanField(
        _("Listed"), default=True, help_text=_("Unlisted resources are kept for referrals already made.")
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["program", "name"], name="one_resource_per_name")]

    def __str__(self) -> str:
        return self.name


class ReferralState(models.TextChoices):
    """Allowed moves are in `plans.lifecycle.REFERRAL`."""

    SUGGESTED = "suggested", _("Suggested")
    MADE = "made", _("Made")
    CONNECTED = "connected", _("Connected")
    NOT_CONNECTED = "not_connected", _("Did not connect")


OPEN_REFERRAL_STATES = (ReferralState.SUGGESTED, ReferralState.MADE)


class Referral(models.Model):
    """A participant pointed to a resource, from a relationship (or a concern in it)."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    relationship = models.ForeignKey(SupportRelationship, on_delete=models.CASCADE, related_name="referrals")
    concern = models.ForeignKey(Concern, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    resource = models.ForeignKey(Resource, null=True, blank=True, on_delete=models.SET_NULL, related_name="referrals")
    resource_name = models.CharField(
        max_length=200, help_text=_("The resource as referred to (kept if it leaves the directory).")
    )
    need = models.CharField(max_length=60, blank=True, help_text=_("The need of the checklist it answers."))
    state = models.CharField(max_length=14, choices=ReferralState.choices, default=ReferralState.SUGGESTED)
    follow_up_on = models.DateField(null=True, blank=True)
    handoff_notes = EncryptedTextField(blank=True, help_text=_("Warm handoff: who was spoken to, what was agreed."))
    outcome_note = EncryptedTextField(blank=True)
    suggested_on = models.DateField(default=timezone.localdate)
    made_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-suggested_on", "-id"]
        indexes = [
            models.Index(fields=["relationship", "state"]),
            models.Index(fields=["program", "state"]),
        ]

    def __str__(self) -> str:
        return f"Referral {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_REFERRAL_STATES
