"""The practice lab: scenarios a program writes (a person, their situation, what they hope for
and a scripted conversation that branches on how the trainee listens), the sessions trainees
and supporters play, every reply with its codes, trainers' comments and corrections, and the
program's practice settings."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerpath.programs.models import Competency, Program
from peerpath.recruitment.models import Supporter


class Area(models.TextChoices):
    MENTAL_HEALTH = "mh", _("Mental health")
    ADDICTION_RECOVERY = "ar", _("Addiction recovery")
    CHRONIC_ILLNESS = "ci", _("Chronic illness")
    VETERANS = "vet", _("Veterans")
    REENTRY = "re", _("Reentry from incarceration")
    GENERAL = "gen", _("General")


class Scenario(models.Model):
    """A person to practise with: who they are, their situation, what they hope for, and the
    conversation (its steps) starting at ``first_step``."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="practice_scenarios")
    title = models.CharField(_("Title"), max_length=200)
    area = models.CharField(_("Lived-experience area"), max_length=4, choices=Area.choices, default=Area.GENERAL)
    persona = models.TextField(_("The person"), help_text=_("Who the trainee will be talking with."))
    situation = models.TextField(_("Their situation"))
    hopes = models.TextField(_("What they hope for"))
    first_step = models.ForeignKey(
        "Step", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("First step")
    )
    is_published = models.BooleanField(
        _("Published"), default=False, help_text=_("Trainees and supporters see published scenarios.")
    )
    competencies = models.ManyToManyField(
        Competency,
        blank=True,
        related_name="practice_scenarios",
        verbose_name=_("Competencies it exercises"),
        help_text=_("Offered when a finished session is attached as evidence."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("practice scenario")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("practice:scenario", args=[self.program.slug, self.pk])


class Step(models.Model):
    """One thing the person says, and where the conversation goes after the trainee answers:
    ``on_open`` after an open question, a reflection or an affirmation (or a safety check at a
    risk cue), ``on_close`` after advice without permission or judging, ``on_other`` after
    anything else, ``on_missed_risk`` when the step carries a risk cue and the trainee did not
    check safety. A step with nowhere to go ends the conversation."""

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="steps")
    key = models.CharField(
        _("Short name"),
        max_length=40,
        validators=[RegexValidator(r"^[a-z0-9-]+$", _("Lower-case letters, digits and hyphens."))],
        help_text=_("How the editor names this step, e.g. opens-up."),
    )
    says = models.TextField(_("The person says"))
    risk_cue = models.BooleanField(
        _("Carries a risk cue"),
        default=False,
        help_text=_("The trainee must ask about safety in their reply; if they do not, the conversation escalates."),
    )
    good_reply = models.TextField(
        _("A good reply here"),
        blank=True,
        help_text=_("Shown to the trainee as a concrete alternative when their reply closes the person down."),
    )
    on_open = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("When they open up")
    )
    on_other = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("Otherwise")
    )
    on_close = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("When they close down"),
    )
    on_missed_risk = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("When the risk cue is missed"),
    )

    class Meta:
        ordering = ["scenario", "pk"]
        constraints = [models.UniqueConstraint(fields=["scenario", "key"], name="practice_unique_step_key")]

    def __str__(self) -> str:
        return self.key

    @property
    def is_ending(self) -> bool:
        return not (self.on_open_id or self.on_other_id or self.on_close_id or self.on_missed_risk_id)


class SessionStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    FINISHED = "finished", _("Finished")
    STOPPED = "stopped", _("Stopped early")


class PracticeSession(models.Model):
    """One play of a scenario by a member of the program. ``summary`` holds the fidelity
    measures computed when it finished (peerpath.practice.fidelity)."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="practice_sessions")
    scenario = models.ForeignKey(Scenario, on_delete=models.PROTECT, related_name="sessions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="practice_sessions")
    supporter = models.ForeignKey(
        Supporter, null=True, blank=True, on_delete=models.SET_NULL, related_name="practice_sessions"
    )
    is_preview = models.BooleanField(default=False, help_text=_("A trainer trying a scenario; not counted."))
    status = models.CharField(max_length=12, choices=SessionStatus.choices, default=SessionStatus.IN_PROGRESS)
    current_step = models.ForeignKey(Step, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    risk_cue_met = models.BooleanField(default=False)
    risk_cue_missed = models.BooleanField(default=False)
    summary = models.JSONField(default=dict, blank=True)
    rating = models.CharField(max_length=20, blank=True, db_index=True)
    competencies = models.ManyToManyField(Competency, blank=True, related_name="practice_sessions")
    evidence_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    evidence_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["program", "user", "status"])]

    def __str__(self) -> str:
        return f"{self.scenario} ({self.started_at:%Y-%m-%d})"

    def get_absolute_url(self) -> str:
        return reverse("practice:session", args=[self.program.slug, self.pk])

    @property
    def minutes(self) -> int:
        """Practice time, whole minutes from start to finish (at least one)."""
        if self.finished_at is None:
            return 0
        return max(1, round((self.finished_at - self.started_at).total_seconds() / 60))


class Reply(models.Model):
    """A trainee's reply at one step: the codes the coder gave, a trainer's correction, and the
    person's answer that followed (``next_step``)."""

    session = models.ForeignKey(PracticeSession, on_delete=models.CASCADE, related_name="replies")
    position = models.PositiveIntegerField()
    step = models.ForeignKey(Step, null=True, on_delete=models.SET_NULL, related_name="+")
    person_said = models.TextField(help_text=_("What the person had said, as the trainee saw it."))
    text = models.TextField()
    codes = models.JSONField(default=list)
    corrected_codes = models.JSONField(null=True, blank=True)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    corrected_at = models.DateTimeField(null=True, blank=True)
    next_step = models.ForeignKey(Step, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["session", "position"]
        constraints = [models.UniqueConstraint(fields=["session", "position"], name="practice_unique_reply_position")]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def final_codes(self) -> list[str]:
        """The trainer's correction where there is one, else the coder's codes."""
        return list(self.corrected_codes if self.corrected_codes is not None else self.codes)


class ReplyComment(models.Model):
    """A reviewer's comment on one reply of a transcript."""

    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(_("Comment"), max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["reply", "created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class LabelledExample(models.Model):
    """A reply a trainer re-coded, kept as a new labelled example for the coder's training split
    (``manage.py export_practice_labels`` writes them in the labelled-set format for review)."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="practice_labels")
    reply = models.OneToOneField(Reply, null=True, on_delete=models.SET_NULL, related_name="labelled_example")
    text = models.TextField()
    codes = models.JSONField(default=list)
    area = models.CharField(max_length=4, choices=Area.choices, default=Area.GENERAL)
    labelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    labelled_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["labelled_at", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class PracticeSettings(models.Model):
    """How one program uses the practice lab. One row per program (``services.get_settings``)."""

    program = models.OneToOneField(Program, on_delete=models.CASCADE, related_name="practice_settings")
    sessions_for_certification = models.PositiveIntegerField(
        _("Practice sessions at 'fair' or better required for certification"),
        default=0,
        validators=[MaxValueValidator(50)],
        help_text=_("0 turns the requirement off."),
    )
    counts_as_continuing_education = models.BooleanField(
        _("Practice time counts as continuing education"),
        default=False,
        help_text=_("Finished practice sessions of certified supporters add their time to continuing education."),
    )
    ce_category = models.CharField(
        _("Continuing-education subject practice counts in"),
        max_length=30,
        blank=True,
        help_text=_("Required when practice time counts as continuing education."),
    )

    def __str__(self) -> str:
        return f"Practice settings of {self.program}"
