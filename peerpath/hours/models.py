"""The service-hours ledger's own records: each program's hours settings, and the "other duties"
a supporter logs for approval.

Everything else in a supporter's ledger is not stored here: it is read from the records the
other apps keep (contacts, supervision meetings, training sessions taught, group sessions), see
`peerpath.hours.ledger`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerpath.programs.models import Program
from peerpath.recruitment.models import Supporter


class Kind(models.TextChoices):
    """The kinds of service a ledger shows, in the order its tables list them."""

    ONE_TO_ONE = "one_to_one", _("One-to-one support")
    GROUP = "group", _("Group sessions facilitated")
    OUTREACH = "outreach", _("Information sessions and outreach")
    TRAINING = "training", _("Training delivered")
    SUPERVISION = "supervision", _("Supervision received")
    OTHER = "other", _("Other duties")


# The kinds a supporter may log by hand: what no other area records for them.
LOGGABLE_KINDS = [Kind.OUTREACH, Kind.TRAINING, Kind.OTHER]


def default_outreach_kinds() -> list[str]:
    """The kinds of group a new program has (peerpath.groups) that are information and outreach."""
    return ["Information session", "Outreach event"]


class HoursSettings(models.Model):
    """How one program counts service hours. One row per program (`services.get_settings`)."""

    program = models.OneToOneField(Program, on_delete=models.CASCADE, related_name="hours_settings")
    yearly_goal_hours = models.PositiveIntegerField(
        _("Hours goal per supporter per year"),
        default=0,
        validators=[MaxValueValidator(5000)],
        help_text=_("Shown to each supporter beside their hours this year; 0 sets no goal."),
    )
    group_preparation_minutes = models.PositiveIntegerField(
        _("Preparation time added to each group session facilitated (minutes)"),
        default=30,
        validators=[MaxValueValidator(480)],
    )
    outreach_kinds = models.JSONField(
        _("Kinds of group counted as information sessions and outreach"),
        default=default_outreach_kinds,
        blank=True,
        help_text=_("Sessions of these kinds count as outreach given; sessions of the others as group sessions."),
    )
    unit_minutes = models.PositiveIntegerField(
        _("One unit of service is (minutes)"),
        default=60,
        validators=[MinValueValidator(5), MaxValueValidator(480)],
        help_text=_("The funder report counts units of this length; 60 counts hours, 15 quarter-hours."),
    )
    hour_milestones = models.CharField(
        _("Hours milestones"),
        max_length=200,
        default="50,100,250,500,1000",
        help_text=_("Hours of service to recognise, separated by commas (shown under Recognition)."),
    )

    class Meta:
        verbose_name_plural = _("hours settings")

    def __str__(self) -> str:
        return f"Hours settings of {self.program_id}"

    def milestone_thresholds(self) -> list[int]:
        return sorted({int(p) for p in self.hour_milestones.replace(" ", "").split(",") if p.isdigit() and int(p)})


class DutyStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")


class OtherDuty(models.Model):
    """Time a supporter gave that no other area records (an outreach stall, preparing a training
    session, answering the program's phone line), logged by them and approved by a coordinator."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="other_duties")
    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="other_duties")
    date = models.DateField()
    kind = models.CharField(max_length=12, choices=[(k.value, k.label) for k in LOGGABLE_KINDS])
    title = models.CharField(max_length=200)
    minutes = models.PositiveIntegerField(validators=[MinValueValidator(5), MaxValueValidator(24 * 60)])
    description = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=DutyStatus.choices, default=DutyStatus.SUBMITTED)
    review_comment = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name_plural = _("other duties")
        indexes = [
            # The review queue: one program's duties awaiting approval, oldest first.
            models.Index(fields=["program", "status", "created_at"]),
            # A ledger: one supporter's approved duties by date.
            models.Index(fields=["supporter", "status", "date"]),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.minutes} min, {self.date})"

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 2)


class OtherDutyChange(models.Model):
    """One step in an other duty's review: submitted, approved, returned (with comment)."""

    duty = models.ForeignKey(OtherDuty, on_delete=models.CASCADE, related_name="changes")
    from_status = models.CharField(max_length=10, choices=DutyStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=DutyStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.from_status or 'new'} -> {self.to_status}"
