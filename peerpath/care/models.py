"""Looking after supporters: supervision, debriefs, well-being check-ins, breaks, buddies,
recognition and newsletters.

What a supporter or their supervisor writes about the supporter's well-being is an
`EncryptedTextField` (check-in answers, scores and comments, debriefs, break reasons,
supervision topics and notes, care tasks' text); a check-in's bands and its concern flag stay
in clear for reports.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from peerpath.core.encryption import EncryptedJSONField, EncryptedTextField
from peerpath.programs.models import Program
from peerpath.recruitment.models import Supporter


class CareSettings(models.Model):
    """How one program looks after its supporters. One row per program (`get_settings`)."""

    program = models.OneToOneField(Program, on_delete=models.CASCADE, related_name="care_settings")
    supervision_every_days = models.PositiveIntegerField(
        _("Supervision at least every (days)"),
        default=30,
        validators=[MinValueValidator(7), MaxValueValidator(365)],
        help_text=_("The program's minimum frequency; 30 days is monthly. Overdue supervision is shown after this."),
    )
    supervision_counts_as_ce = models.BooleanField(
        _("Supervision hours count toward continuing education"),
        default=False,
        help_text=_("Each logged meeting is credited to every attendee as continuing-education hours."),
    )
    supervision_ce_category = models.CharField(
        _("Continuing-education category for supervision"), max_length=60, default="supervision"
    )
    checkin_every_days = models.PositiveIntegerField(
        _("Well-being check-in every (days)"),
        default=28,
        validators=[MinValueValidator(7), MaxValueValidator(365)],
        help_text=_("Four weeks is 28 days."),
    )
    checkin_questionnaire = models.ForeignKey(
        "Questionnaire",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("Check-in questionnaire"),
    )
    checkin_reminders = models.BooleanField(_("E-mail supporters when a check-in is due"), default=True)
    concern_response_days = models.PositiveIntegerField(
        _("Supervisor gets in touch within (days)"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(14)],
        help_text=_("What a supporter is told after a check-in in the highest-concern band or asking to talk."),
    )
    return_checkin_days = models.PositiveIntegerField(
        _("Return check-in due within (days) after a break"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    weekly_digest = models.BooleanField(_("Send supervisors a weekly digest e-mail"), default=True)
    attention_quiet_weeks = models.PositiveIntegerField(
        _("May need attention: no activity for (weeks)"), default=6, validators=[MinValueValidator(1)]
    )
    attention_concern_checkins = models.PositiveIntegerField(
        _("May need attention: high-concern check-ins within the window"),
        default=2,
        validators=[MinValueValidator(1)],
    )
    attention_closed_relationships = models.PositiveIntegerField(
        _("May need attention: support relationships closed within the window"),
        default=3,
        validators=[MinValueValidator(1)],
    )
    attention_window_days = models.PositiveIntegerField(
        _("May need attention: window (days)"), default=90, validators=[MinValueValidator(7)]
    )
    topic_window_days = models.PositiveIntegerField(
        _("Refresher topics from the last (days)"), default=180, validators=[MinValueValidator(7)]
    )
    milestone_lookahead_days = models.PositiveIntegerField(
        _("Show service milestones coming up within (days)"), default=60, validators=[MinValueValidator(7)]
    )
    # Holding a supporter back from new matches (support.availability reads these through
    # peerpath.care.holds). 0 turns a window off.
    hold_on_concern_checkin = models.BooleanField(
        _("No new matches while a highest-concern check-in's care task is open"),
        default=True,
        help_text=_("The coordinator sees only that the supporter is held back for a well-being follow-up."),
    )
    hold_after_hard_event_days = models.PositiveIntegerField(
        _("No new matches for (days) after a hard event in their caseload"),
        default=7,
        validators=[MaxValueValidator(90)],
        help_text=_("0 turns this off."),
    )
    hold_supervision_overdue_days = models.PositiveIntegerField(
        _("No new matches when supervision is overdue by more than (days)"),
        default=30,
        validators=[MaxValueValidator(365)],
        help_text=_("0 turns this off."),
    )
    return_ramp_days = models.PositiveIntegerField(
        _("After a break, fewer new matches for (days)"),
        default=14,
        validators=[MaxValueValidator(90)],
        help_text=_("0 turns this off."),
    )
    return_ramp_matches = models.PositiveIntegerField(
        _("…at most this many new matches in that time"),
        default=1,
        validators=[MaxValueValidator(10)],
    )
    support_milestones = models.CharField(
        _("Support-given milestones"),
        max_length=200,
        default="10,25,50,100,250",
        help_text=_(
            "Numbers of contacts (or logged debriefs where support relationships are not installed), "
            "separated by commas."
        ),
    )

    class Meta:
        verbose_name_plural = _("care settings")

    def __str__(self) -> str:
        return f"Care settings of {self.program}"

    def support_thresholds(self) -> list[int]:
        return sorted({int(p) for p in self.support_milestones.replace(" ", "").split(",") if p.isdigit()})


# ---------------------------------------------------------------------------------------------
# Questionnaires (the engine) and check-ins


class Questionnaire(models.Model):
    """A well-being questionnaire: items answered on one response scale, scored in subscales."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="questionnaires")
    name = models.CharField(max_length=200)
    instructions = models.TextField(blank=True)
    credit = models.TextField(blank=True, help_text=_("Authors, copyright and source, shown wherever it is used."))
    # [{"value": 0, "label": "Not at all"}, ...] in ascending order of value.
    scale = models.JSONField(default=list)
    is_builtin = models.BooleanField(default=False, help_text=_("Written for PeerPath (not an imported instrument)."))
    is_active = models.BooleanField(default=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def scale_values(self) -> list[int]:
        return [int(option["value"]) for option in self.scale]


class Subscale(models.Model):
    class Scoring(models.TextChoices):
        SUM = "sum", _("Sum of the items")
        MEAN = "mean", _("Mean of the items")

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="subscales")
    key = models.SlugField(max_length=40)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    scoring = models.CharField(max_length=8, choices=Scoring.choices, default=Scoring.SUM)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["questionnaire", "key"], name="unique_subscale_key")]

    def __str__(self) -> str:
        return self.name


class ScoreBand(models.Model):
    """A score range and its meaning: from `min_score` up to the next band's minimum."""

    subscale = models.ForeignKey(Subscale, on_delete=models.CASCADE, related_name="bands")
    label = models.CharField(max_length=80)
    min_score = models.DecimalField(max_digits=8, decimal_places=2)
    meaning = models.TextField(blank=True)
    is_highest_concern = models.BooleanField(
        default=False, help_text=_("A score here asks the supporter's supervisor to get in touch.")
    )

    class Meta:
        ordering = ["min_score"]
        constraints = [models.UniqueConstraint(fields=["subscale", "min_score"], name="unique_band_start")]

    def __str__(self) -> str:
        return f"{self.label} (from {self.min_score.normalize()})"


class Item(models.Model):
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="items")
    number = models.PositiveIntegerField()
    text = models.TextField()
    subscale = models.ForeignKey(Subscale, null=True, blank=True, on_delete=models.CASCADE, related_name="items")
    reverse_scored = models.BooleanField(default=False)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["questionnaire", "number"], name="unique_item_number")]

    def __str__(self) -> str:
        return f"{self.number}. {self.text}"


class CheckInReason(models.TextChoices):
    ROUTINE = "routine", _("Routine check-in")
    HARD_EVENT = "hard_event", _("After a hard event")
    RETURN = "return", _("Welcome back after a break")


class CheckInStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Waiting")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class CheckIn(models.Model):
    """One well-being check-in: scheduled (after a hard event or a break) or completed.

    Routine check-ins are not stored until completed: when one is due is computed from the
    last completed check-in and the program's cadence.
    """

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="care_checkins")
    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="care_checkins")
    questionnaire = models.ForeignKey(
        Questionnaire, null=True, blank=True, on_delete=models.PROTECT, related_name="checkins"
    )
    reason = models.CharField(max_length=12, choices=CheckInReason.choices, default=CheckInReason.ROUTINE)
    status = models.CharField(max_length=10, choices=CheckInStatus.choices, default=CheckInStatus.SCHEDULED)
    due_on = models.DateField()
    completed_at = models.DateTimeField(null=True, blank=True)
    # {subscale key: {"name", "score", "band", "meaning", "concern"}} at the time of answering,
    # encrypted: the scores follow from the answers.
    scores = EncryptedJSONField(default=dict, blank=True)
    # {subscale key: band label}: the coarse result reports count on, in clear (with `concern`).
    bands = models.JSONField(default=dict, blank=True)
    concern = models.BooleanField(default=False, help_text=_("A score fell in a highest-concern band."))
    needs_break = models.BooleanField(default=False)
    wants_to_talk = models.BooleanField(default=False)
    comment = EncryptedTextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-completed_at", "-due_on", "-id"]
        indexes = [
            # Pages find each supporter's last completed and next scheduled check-in.
            models.Index(fields=["supporter", "status", "completed_at"]),
            models.Index(fields=["program", "status", "due_on"]),
        ]

    def __str__(self) -> str:
        return f"Check-in of {self.supporter} ({self.get_status_display()})"

    @property
    def asks_for_follow_up(self) -> bool:
        return self.concern or self.needs_break or self.wants_to_talk


class CheckInAnswer(models.Model):
    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    value = EncryptedJSONField(help_text=_("The value on the response scale (a whole number), encrypted."))

    class Meta:
        ordering = ["item__number"]
        constraints = [models.UniqueConstraint(fields=["checkin", "item"], name="one_answer_per_item")]

    def __str__(self) -> str:
        return f"Answer to item {self.item_id}"


# ---------------------------------------------------------------------------------------------
# Supervision and tasks


class MeetingKind(models.TextChoices):
    ONE_ON_ONE = "one_on_one", _("One-on-one")
    GROUP = "group", _("Group")


class SupervisionMeeting(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="supervision_meetings")
    kind = models.CharField(max_length=12, choices=MeetingKind.choices, default=MeetingKind.ONE_ON_ONE)
    held_on = models.DateField()
    duration_minutes = models.PositiveIntegerField(validators=[MinValueValidator(5), MaxValueValidator(600)])
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="supervision_meetings_led"
    )
    attendees = models.ManyToManyField(Supporter, related_name="supervision_meetings")
    topics = EncryptedTextField(blank=True)
    notes = EncryptedTextField(blank=True)
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["program", "-held_on"])]

    def __str__(self) -> str:
        return gettext("%(kind)s supervision on %(date)s") % {
            "kind": self.get_kind_display(),
            "date": date_format(self.held_on, "SHORT_DATE_FORMAT"),
        }

    @property
    def hours(self) -> Decimal:
        return (Decimal(self.duration_minutes) / 60).quantize(Decimal("0.01"))


class TaskKind(models.TextChoices):
    FOLLOW_UP = "follow_up", _("Agreed follow-up")
    CHECKIN = "checkin", _("Check-in needs a response")
    DEBRIEF = "debrief", _("Asked to talk after a debrief")
    HARD_EVENT = "hard_event", _("Hard event in the caseload")
    BREAK = "break", _("Break")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")


class CareTask(models.Model):
    """Something a supervisor (or, with nobody assigned, the coordinators) should do."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="care_tasks")
    supporter = models.ForeignKey(Supporter, null=True, blank=True, on_delete=models.CASCADE, related_name="care_tasks")
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="care_tasks"
    )
    kind = models.CharField(max_length=12, choices=TaskKind.choices)
    title = EncryptedTextField(max_length=300)
    detail = EncryptedTextField(blank=True)
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=6, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    meeting = models.ForeignKey(
        SupervisionMeeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="follow_ups"
    )
    checkin = models.ForeignKey(CheckIn, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks")
    debrief = models.ForeignKey("Debrief", null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks")
    hard_event = models.ForeignKey("HardEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks")
    outcome = EncryptedTextField(blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["status", "due_on", "created_at", "id"]
        indexes = [
            # The task list: one person's open tasks; the digest and panels count them.
            models.Index(fields=["program", "status", "assigned_to"]),
        ]

    def __str__(self) -> str:
        # Names the kind only: the title is encrypted text (and this is the audit log's label).
        return f"{self.get_kind_display()} (task {self.pk})"


# ---------------------------------------------------------------------------------------------
# Debriefs and refresher topics


class DebriefKind(models.TextChoices):
    SUPPORT_GROUP = "support_group", _("After a support group")
    HARD_CONTACT = "hard_contact", _("After a hard contact")
    OTHER = "other", _("Something else")


class Debrief(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="debriefs")
    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="debriefs")
    kind = models.CharField(max_length=16, choices=DebriefKind.choices)
    occurred_on = models.DateField()
    what_happened = EncryptedTextField()
    went_well = EncryptedTextField(blank=True)
    was_hard = EncryptedTextField(blank=True)
    topics = EncryptedTextField(blank=True, help_text=_("Topics to cover in a refresher, one per line."))
    wants_to_talk = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["program", "created_at"])]

    def __str__(self) -> str:
        return f"Debrief by {self.supporter} ({self.occurred_on:%Y-%m-%d})"


class TopicPlan(models.Model):
    """A suggested refresher topic the coordinator turned into an event; earlier mentions are covered."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="topic_plans")
    topic_key = models.CharField(max_length=300)
    label = models.CharField(max_length=300)
    event_label = models.CharField(max_length=300, blank=True)
    event_id = models.CharField(max_length=64, blank=True)
    planned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    planned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-planned_at"]
        indexes = [models.Index(fields=["program", "topic_key"])]

    def __str__(self) -> str:
        return self.label


# ---------------------------------------------------------------------------------------------
# Hard events, breaks, buddies


class HardEventKind(models.TextChoices):
    HOSPITALISED = "hospitalised", _("A participant was hospitalised")
    RELAPSED = "relapsed", _("A participant relapsed")
    DIED = "died", _("A participant died")
    CRISIS = "crisis", _("A participant was in crisis")


class HardEvent(models.Model):
    """A hard moment in a supporter's caseload, as told by `adverse_event_recorded`.

    Holds only the kind and time, and which record it came from: no participant details.
    """

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="hard_events")
    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="hard_events")
    kind = models.CharField(max_length=14, choices=HardEventKind.choices)
    occurred_at = models.DateTimeField()
    source_type = models.CharField(max_length=80, blank=True)
    source_id = models.CharField(max_length=64, blank=True)
    checkin = models.ForeignKey(CheckIn, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["supporter", "source_type", "source_id", "kind"],
                condition=~models.Q(source_id=""),
                name="one_hard_event_per_source",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.occurred_at:%Y-%m-%d})"


class BreakStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    CURRENT = "current", _("On break")
    ENDED = "ended", _("Ended")
    CANCELLED = "cancelled", _("Cancelled")


class Break(models.Model):
    """Time off from the supporter role; `ends_on` is the last day of the break (open if empty)."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="care_breaks")
    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="care_breaks")
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    reason = EncryptedTextField(blank=True)
    status = models.CharField(max_length=10, choices=BreakStatus.choices, default=BreakStatus.PLANNED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_by_staff = models.BooleanField(default=False)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    return_checkin = models.ForeignKey(CheckIn, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_on", "-id"]
        indexes = [
            # supporters_on_break: one program's breaks around a date.
            models.Index(fields=["program", "status", "starts_on"]),
        ]

    def __str__(self) -> str:
        until = f" to {self.ends_on:%Y-%m-%d}" if self.ends_on else " (open-ended)"
        return f"Break of {self.supporter} from {self.starts_on:%Y-%m-%d}{until}"


class BuddyPair(models.Model):
    """Two supporters who look out for each other."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="buddy_pairs")
    first = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="buddy_pairs_first")
    second = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="buddy_pairs_second")
    started_on = models.DateField(default=timezone.localdate)
    ended_on = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-started_on", "-id"]

    def __str__(self) -> str:
        return f"{self.first} and {self.second}"

    def other(self, supporter_id: int) -> Supporter:
        return self.second if self.first_id == supporter_id else self.first


# ---------------------------------------------------------------------------------------------
# Recognition


class RecognitionKind(models.TextChoices):
    PERSONAL_FEEDBACK = "feedback", _("Personal feedback")
    CERTIFICATE = "certificate", _("Certificate")
    GIFT_CARD = "gift_card", _("Gift card")
    AWARD = "award", _("Award at an event")


class Recognition(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="recognitions")
    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="recognitions")
    kind = models.CharField(max_length=12, choices=RecognitionKind.choices)
    title = models.CharField(max_length=200)
    message = models.TextField(blank=True)
    given_on = models.DateField(default=timezone.localdate)
    event_name = models.CharField(max_length=200, blank=True)
    milestone = models.CharField(max_length=30, blank=True, help_text=_("e.g. 'years:3' or 'support:50'."))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-given_on", "-id"]

    def __str__(self) -> str:
        return f"{self.title} for {self.supporter}"


# ---------------------------------------------------------------------------------------------
# Newsletters


class NewsletterStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")


class Newsletter(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="newsletters")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    audiences = models.JSONField(default=list)
    status = models.CharField(max_length=8, choices=NewsletterStatus.choices, default=NewsletterStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    recipient_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-sent_at", "-created_at"]

    def __str__(self) -> str:
        return self.subject


class NewsletterDelivery(models.Model):
    newsletter = models.ForeignKey(Newsletter, on_delete=models.CASCADE, related_name="deliveries")
    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="+")
    email = models.EmailField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["newsletter", "supporter"], name="one_delivery_each")]

    def __str__(self) -> str:
        return f"{self.newsletter_id} -> {self.email}"


class NewsletterPreference(models.Model):
    """A person's choice about the program's updates (no row: they receive them)."""

    supporter = models.OneToOneField(Supporter, on_delete=models.CASCADE, related_name="newsletter_preference")
    receive = models.BooleanField(default=True)
    changed_at = models.DateTimeField(default=timezone.now)
    changed_via = models.CharField(max_length=20, blank=True)

    def __str__(self) -> str:
        return f"{self.supporter}: {'receives' if self.receive else 'no'} updates"


class ReminderLog(models.Model):
    """Which reminders went out, so a daily job never sends the same one twice."""

    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30)
    key = models.CharField(max_length=60)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["supporter", "kind", "key"], name="care_one_reminder_each")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"


class MatchPause(models.Model):
    """A supervisor's explicit "pause new matches" for one supporter, on their care page.

    While the row exists, matching holds the supporter back (peerpath.care.holds); resuming
    deletes it. Who paused and when are kept; the why stays in supervision, not here.
    """

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="match_pauses")
    supporter = models.OneToOneField(Supporter, on_delete=models.CASCADE, related_name="match_pause")
    paused_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    paused_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"New matches paused for {self.supporter}"
