"""Participants, the supporters' matching profiles, support relationships and what happens in them.

Participants' identifying fields and every free-text note are `EncryptedTextField`s: a dump of
the database shows only ciphertext. Nothing that names a participant is written anywhere else
(audit labels, notifications and e-mails use the participant's reference, e.g. P-0042).
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerpath.core.encryption import EncryptedTextField
from peerpath.programs.models import FocusArea, Program
from peerpath.recruitment.models import ContactPreference, Supporter


def lines(text: str) -> list[str]:
    """A setting kept one item per line, as a list (blank lines dropped)."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class Mode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("Phone")
    VIDEO = "video", _("Video call")
    TEXT = "text", _("Text messages")


class Availability(models.TextChoices):
    WEEKDAY_MORNING = "weekday_morning", _("Weekday mornings")
    WEEKDAY_AFTERNOON = "weekday_afternoon", _("Weekday afternoons")
    WEEKDAY_EVENING = "weekday_evening", _("Weekday evenings")
    WEEKEND_DAY = "weekend_day", _("Weekend days")
    WEEKEND_EVENING = "weekend_evening", _("Weekend evenings")


class Gender(models.TextChoices):
    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    NONBINARY = "nonbinary", _("Non-binary")


class AgeBand(models.TextChoices):
    UNDER_30 = "18_29", _("18 to 29")
    FROM_30 = "30_44", _("30 to 44")
    FROM_45 = "45_64", _("45 to 64")
    FROM_65 = "65_plus", _("65 or older")


class Criterion(models.TextChoices):
    """What matching weighs; a participant may make any of them a must-have."""

    FOCUS_AREA = "focus_area", _("Shares the lived experience")
    LANGUAGE = "language", _("Speaks the language")
    MODE = "mode", _("Offers the way of meeting")
    AREA = "area", _("Lives in the same area")
    AVAILABILITY = "availability", _("Available at the same times")
    GENDER = "gender", _("The gender asked for")
    AGE = "age", _("In the age range asked for")
    COMMUNITY = "community", _("From the community asked for")


class Urgency(models.TextChoices):
    """How soon a participant needs a supporter, as the coordinator judges it (matching serves
    the more urgent first: `support.matching.OBJECTIVE`)."""

    ROUTINE = "routine", _("Routine")
    SOON = "soon", _("Soon")
    URGENT = "urgent", _("Urgent")


class ParticipantStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting for a supporter")
    MATCHED = "matched", _("Matched")
    ENDED = "ended", _("Support ended")


class SupportWanted(models.TextChoices):
    """What a participant asked for: a supporter of their own, a peer-led group, or both. Only
    those asking for one-to-one support wait for a match; groups (peerpath.groups) read the rest."""

    ONE_TO_ONE = "one_to_one", _("One-to-one support")
    GROUP = "group", _("A group")
    BOTH = "both", _("Both")


class ParticipantSource(models.TextChoices):
    COORDINATOR = "coordinator", _("Entered by a coordinator")
    REQUEST = "request", _("Asked through the public form")


class SupportSettings(models.Model):
    """How one program matches and follows its participants. One row per program."""

    program = models.OneToOneField(Program, on_delete=models.CASCADE, related_name="support_settings")
    requests_open = models.BooleanField(
        _("Public 'ask for a peer supporter' form is open"),
        default=False,
        help_text=_("People can ask for a supporter themselves; they join the same waiting list."),
    )
    request_intro = models.TextField(_("Introduction on the public form"), blank=True)
    allow_provisional = models.BooleanField(_("Provisionally certified supporters may take new matches"), default=False)
    areas = models.TextField(
        _("Areas"),
        blank=True,
        help_text=_("One per line: the neighbourhoods or towns participants and supporters live in."),
    )
    # Matching weights, 0 (ignored) to 10.
    weight_focus_area = models.PositiveSmallIntegerField(_("Weight: shared lived experience"), default=5)
    weight_language = models.PositiveSmallIntegerField(_("Weight: shared language"), default=4)
    weight_mode = models.PositiveSmallIntegerField(_("Weight: way of meeting"), default=3)
    weight_area = models.PositiveSmallIntegerField(_("Weight: same area"), default=2)
    weight_availability = models.PositiveSmallIntegerField(_("Weight: overlapping availability"), default=3)
    weight_preferences = models.PositiveSmallIntegerField(_("Weight: participant's preferences"), default=2)
    weight_free_places = models.PositiveSmallIntegerField(
        _("Weight: free places"), default=1, help_text=_("Spreads new participants towards supporters with room.")
    )
    # Windows: defined once here, used by every page, digest and reminder.
    unreachable_attempts = models.PositiveSmallIntegerField(
        _("Unreachable after this many attempts"),
        default=3,
        help_text=_("Attempts that did not reach the participant."),
    )
    unreachable_days = models.PositiveSmallIntegerField(
        _("…within this many days"), default=14, help_text=_("With no successful contact in the same days.")
    )
    quiet_days = models.PositiveSmallIntegerField(_("Flag when no contact was logged for this many days"), default=21)
    followup_grace_days = models.PositiveSmallIntegerField(
        _("A follow-up is overdue this many days after its date"), default=1
    )
    unreachable_steps = models.TextField(
        _("Steps when a participant cannot be reached"), blank=True, help_text=_("One step per line.")
    )
    fit_question_days = models.PositiveSmallIntegerField(
        _('Ask the supporter "Is this a good fit?" this many days after a match starts'),
        default=14,
        help_text=_("Or at the first contact, whichever comes first."),
    )
    show_previous_notes = models.BooleanField(
        _("After a rematch, the new supporter may read the previous supporter's notes"), default=False
    )
    # Concern and crisis.
    concern_questions = models.TextField(
        _("Questions asked when a supporter raises a concern or crisis"),
        blank=True,
        help_text=_("One per line. The program's own questions; not a clinical scale."),
    )
    crisis_steps = models.TextField(
        _("Crisis protocol: steps"), blank=True, help_text=_("One step per line, in order.")
    )
    emergency_number = models.CharField(_("Emergency number"), max_length=60, blank=True)
    crisis_line = models.CharField(_("Crisis line"), max_length=200, blank=True)
    referral_options = models.TextField(
        _("Referral options to professional help"), blank=True, help_text=_("One per line.")
    )
    crisis_ack_minutes = models.PositiveSmallIntegerField(
        _("Escalate a crisis to the coordinators when not acknowledged within (minutes)"),
        default=30,
        help_text=_("The time the supervisor (or their backup) has to acknowledge a crisis."),
    )
    crisis_step_minutes = models.PositiveSmallIntegerField(
        _("Then each coordinator in turn has (minutes)"),
        default=15,
        help_text=_("Each later step of the on-call chain: the next coordinator is alerted when this passes."),
    )
    coordinator_order = models.TextField(
        _("Order in which coordinators are alerted about a crisis"),
        blank=True,
        help_text=_(
            "One coordinator e-mail address per line, first alerted first; coordinators not listed follow by name."
        ),
    )

    class Meta:
        verbose_name_plural = _("support settings")

    def __str__(self) -> str:
        return f"Support settings of {self.program}"

    def area_list(self) -> list[str]:
        return lines(self.areas)

    def weights(self) -> dict[str, int]:
        return {
            "focus_area": self.weight_focus_area,
            "language": self.weight_language,
            "mode": self.weight_mode,
            "area": self.weight_area,
            "availability": self.weight_availability,
            "preferences": self.weight_preferences,
            "free_places": self.weight_free_places,
        }


class Participant(models.Model):
    """A person who asked for peer support. Shown to others by reference (P-0042), never by name."""

    # In clear (matching computes on them) but never written into the audit log: an entry
    # records only that they changed (`encryption.is_audit_secret`).
    audit_secret_fields = ("languages", "focus_areas")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="participants")
    full_name = EncryptedTextField()
    email = EncryptedTextField(blank=True)
    phone = EncryptedTextField(blank=True)
    preferred_contact = models.CharField(
        max_length=10, choices=ContactPreference.choices, default=ContactPreference.PHONE
    )
    # The language everything sent to them is written in (a code of settings.LANGUAGES; blank:
    # the program's default). No model choices, so adding a language needs no migration.
    preferred_language = models.CharField(max_length=10, blank=True, default="")
    languages = models.JSONField(default=list, blank=True)
    focus_areas = models.ManyToManyField(FocusArea, blank=True, related_name="participants")
    modes = models.JSONField(default=list, blank=True)
    area = models.CharField(max_length=120, blank=True)
    availability = models.JSONField(default=list, blank=True)
    preferred_gender = models.CharField(max_length=12, choices=Gender.choices, blank=True)
    preferred_age_bands = models.JSONField(default=list, blank=True)
    preferred_communities = models.JSONField(default=list, blank=True)
    must_haves = models.JSONField(default=list, blank=True)
    urgency = models.CharField(
        max_length=8,
        choices=Urgency.choices,
        default=Urgency.ROUTINE,
        help_text=_("Set by the coordinator: matching serves the more urgent first, then the longest waiting."),
    )
    consent_given = models.BooleanField(default=False)
    consent_scope = EncryptedTextField(blank=True)
    consent_at = models.DateTimeField(null=True, blank=True)
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    consent_recorded_by_label = models.CharField(max_length=200, blank=True)
    intake_notes = EncryptedTextField(blank=True)
    status = models.CharField(
        max_length=10, choices=ParticipantStatus.choices, default=ParticipantStatus.WAITING, db_index=True
    )
    source = models.CharField(max_length=12, choices=ParticipantSource.choices, default=ParticipantSource.COORDINATOR)
    support_wanted = models.CharField(
        max_length=12, choices=SupportWanted.choices, default=SupportWanted.ONE_TO_ONE, db_index=True
    )
    waiting_since = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    # Not stored: set on the records a page or the API shows (support.queries, api.support).
    open_relationships: list[SupportRelationship]
    relationship_rows: list[SupportRelationship]

    class Meta:
        ordering = ["waiting_since", "id"]
        indexes = [
            # The waiting list: one program's participants by status, longest waiting first.
            models.Index(fields=["program", "status", "waiting_since"]),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("support:participant", args=[self.program.slug, self.pk])

    @property
    def preferred_language_name(self) -> str:
        """The chosen language named in itself ("Español"), or "" when none or not one PeerPath
        speaks (a stored value never reaches Django's language table unchecked)."""
        from django.utils.translation import get_language_info

        from peerpath.core.languages import supported

        code = supported(self.preferred_language)
        return str(get_language_info(code)["name_local"]).capitalize() if code else ""

    @property
    def reference(self) -> str:
        return self.reference_of(self.pk) if self.pk else "P-new"

    @staticmethod
    def reference_of(pk: int) -> str:
        """The reference of the participant with this id (P-0042)."""
        return f"P-{pk:04d}"

    @property
    def first_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.reference


class SearchTerm(models.Model):
    """One blind-index digest a participant can be found by (a name word, e-mail or phone)."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="search_terms")
    digest = models.CharField(max_length=64, db_index=True)

    def __str__(self) -> str:
        return self.digest[:12]


class MatchingProfile(models.Model):
    """What a supporter offers for matching. Languages and lived experience are on their pathway record."""

    supporter = models.OneToOneField(Supporter, on_delete=models.CASCADE, related_name="matching_profile")
    modes = models.JSONField(default=list, blank=True)
    area = models.CharField(max_length=120, blank=True)
    availability = models.JSONField(default=list, blank=True)
    capacity = models.PositiveSmallIntegerField(default=3, help_text=_("The most participants at once."))
    gender = models.CharField(max_length=12, choices=Gender.choices, blank=True)
    age_band = models.CharField(max_length=8, choices=AgeBand.choices, blank=True)
    communities = models.JSONField(default=list, blank=True)
    accepting_new = models.BooleanField(default=True, help_text=_("Open to new matches."))
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Matching profile of {self.supporter}"


class Conflict(models.Model):
    """A supporter knows a participant (a dual relationship): the pair is never matched."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="conflicts")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="conflicts")
    reason = EncryptedTextField(blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["supporter", "participant"], name="one_conflict_per_pair")]

    def __str__(self) -> str:
        return f"Conflict: {self.supporter} / {self.participant}"


class RelationshipState(models.TextChoices):
    """Allowed moves are in `support.lifecycle.TRANSITIONS`."""

    PROPOSED = "proposed", _("Proposed")
    ACTIVE = "active", _("Active")
    CLOSING = "closing", _("Closing")
    CLOSED = "closed", _("Closed")


OPEN_STATES = (RelationshipState.PROPOSED, RelationshipState.ACTIVE, RelationshipState.CLOSING)
WORKING_STATES = (RelationshipState.ACTIVE, RelationshipState.CLOSING)


class CloseReason(models.TextChoices):
    GOALS_MET = "goals_met", _("Goals met")
    PARTICIPANT_ENDED = "participant_ended", _("The participant ended it")
    UNREACHABLE = "unreachable", _("The participant could not be reached")
    REMATCHED = "rematched", _("Rematched with another supporter")
    SUPPORTER_BREAK = "supporter_break", _("The supporter is taking a break")
    SUPPORTER_LEFT = "supporter_left", _("The supporter left the program")
    DECLINED = "declined", _("The supporter declined the match")
    PARTICIPANT_DIED = "participant_died", _("The participant died")
    OTHER = "other", _("Other")


class SupportRelationship(models.Model):
    """A supporter walking beside one participant, from the match offer to its close."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="support_relationships")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="relationships")
    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="support_relationships")
    state = models.CharField(max_length=10, choices=RelationshipState.choices, default=RelationshipState.PROPOSED)
    match_score = models.IntegerField(default=0)
    match_explanation = models.TextField(blank=True)
    proposed_at = models.DateTimeField(default=timezone.now)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    match_run = models.ForeignKey("MatchRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    activated_at = models.DateTimeField(null=True, blank=True)
    first_contact_on = models.DateField(null=True, blank=True)
    closing_started_at = models.DateTimeField(null=True, blank=True)
    closing_conversation_on = models.DateField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.CharField(max_length=20, choices=CloseReason.choices, blank=True)
    close_note = EncryptedTextField(blank=True)

    # Not stored: set on the relationships a page or the API shows (support.queries, api.support).
    flags: list[str]
    notes_visible: bool
    shown: Any  # support.access.ShownParticipant: the participant as the reader may see them
    contact_rows: list[Contact]
    history_rows: list[RelationshipChange]

    class Meta:
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant"],
                condition=Q(state__in=["proposed", "active", "closing"]),
                name="one_open_relationship_per_participant",
            )
        ]
        indexes = [
            # Caseloads and capacity: one supporter's relationships by state.
            models.Index(fields=["supporter", "state"]),
            # Coordinator lists and the windows: one program's relationships by state.
            models.Index(fields=["program", "state"]),
        ]

    def __str__(self) -> str:
        return f"{self.supporter} with {self.participant.reference}"

    def get_absolute_url(self) -> str:
        return reverse("support:relationship", args=[self.program.slug, self.pk])

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class RelationshipChange(models.Model):
    """One move of a relationship's lifecycle: who, when, why."""

    relationship = models.ForeignKey(SupportRelationship, on_delete=models.CASCADE, related_name="changes")
    from_state = models.CharField(max_length=10, choices=RelationshipState.choices, blank=True)
    to_state = models.CharField(max_length=10, choices=RelationshipState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = EncryptedTextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.from_state or 'new'} -> {self.to_state}"


class Channel(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("Phone call")
    VIDEO = "video", _("Video call")
    TEXT = "text", _("Text message")
    EMAIL = "email", _("E-mail")


class SupportTask(models.TextChoices):
    """The four tasks of peer support."""

    RAPPORT = "rapport", _("Building rapport")
    LIVED_EXPERIENCE = "lived_experience", _("Sharing lived experience")
    EMOTIONAL = "emotional", _("Emotional support")
    PRACTICAL = "practical", _("Practical guidance")


class ContactKind(models.TextChoices):
    CHECK_IN = "check_in", _("Check-in")
    FIRST = "first", _("First contact")
    CLOSING = "closing", _("Closing conversation")


class Contact(models.Model):
    """One contact or attempt to reach the participant, as the supporter logged it."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    relationship = models.ForeignKey(SupportRelationship, on_delete=models.CASCADE, related_name="contacts")
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    contacted_on = models.DateField()
    channel = models.CharField(max_length=10, choices=Channel.choices)
    reached = models.BooleanField()
    duration_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    tasks = models.JSONField(default=list, blank=True)
    kind = models.CharField(max_length=10, choices=ContactKind.choices, default=ContactKind.CHECK_IN)
    notes = EncryptedTextField(blank=True)
    next_follow_up = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    corrected_at = models.DateTimeField(null=True, blank=True)
    correction_reason = EncryptedTextField(blank=True)

    # Not stored: whether the reader may see the notes (api.support).
    notes_visible: bool

    class Meta:
        ordering = ["-contacted_on", "-id"]
        indexes = [
            # The windows (unreachable, quiet, follow-ups) read each relationship's recent contacts.
            models.Index(fields=["relationship", "contacted_on"]),
        ]

    def __str__(self) -> str:
        return f"Contact on {self.contacted_on} ({self.get_channel_display()})"

    def task_labels(self) -> list[str]:
        return [str(SupportTask(t).label) for t in self.tasks if t in SupportTask.values]


class ContactDraft(models.Model):
    """A contact being typed, saved as the supporter types so nothing is lost."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    relationship = models.ForeignKey(SupportRelationship, on_delete=models.CASCADE, related_name="drafts")
    data = EncryptedTextField()
    updated_at = models.DateTimeField(default=timezone.now)
    # The opened contact form whose autosaves these are (its one-time token's nonce): a new one
    # starts an editing session, which is audited as one read of the participant.
    editing_session = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "relationship"], name="one_draft_per_user")]

    def __str__(self) -> str:
        return f"Draft for relationship {self.relationship_id}"

    def values(self) -> dict[str, Any]:
        try:
            loaded = json.loads(self.data)
        except ValueError:
            return {}
        return loaded if isinstance(loaded, dict) else {}


class SupervisorCover(models.Model):
    """A supervisor's named backup, who covers their supporters between two dates."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="covers_named")
    backup = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="covers_taken")
    starts_on = models.DateField()
    ends_on = models.DateField()
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_on"]

    def __str__(self) -> str:
        return f"{self.backup} covers {self.supervisor} {self.starts_on} to {self.ends_on}"


class ConcernKind(models.TextChoices):
    CONCERN = "concern", _("Concern")
    CRISIS = "crisis", _("Crisis (risk of harm)")


class ConcernState(models.TextChoices):
    """Allowed moves are in `support.lifecycle.CONCERN_TRANSITIONS`."""

    OPEN = "open", _("Waiting for acknowledgement")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged: follow-up to record")
    RESOLVED = "resolved", _("Followed up")


class Concern(models.Model):
    """A supporter's worry about a participant, or a crisis, and the chain of people who answered it.

    Raised in a support relationship, or about someone the supporter works with outside one (a
    member of a group they facilitate): then ``relationship`` is empty and ``setting`` says where
    (registered grounds, `support.extensions.register_concern_grounds`)."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    relationship = models.ForeignKey(
        SupportRelationship, null=True, blank=True, on_delete=models.CASCADE, related_name="concerns"
    )
    setting = models.CharField(max_length=200, blank=True, help_text="Where it arose, outside a relationship.")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="concerns")
    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="raised_concerns")
    kind = models.CharField(max_length=10, choices=ConcernKind.choices)
    state = models.CharField(max_length=14, choices=ConcernState.choices, default=ConcernState.OPEN)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    raised_at = models.DateTimeField(default=timezone.now)
    answers = EncryptedTextField(blank=True, help_text=_("JSON list of [question, answer]."))
    notes = EncryptedTextField(blank=True)
    on_call = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledge_by = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    # The on-call chain walked so far (support.oncall): one {"user", "name", "reason", "at", "until"}
    # per step alerted, the first at raising; and when the next step is due (None: not a crisis,
    # acknowledged, or the chain is exhausted).
    alerted = models.JSONField(default=list, blank=True)
    next_step_at = models.DateTimeField(null=True, blank=True)
    follow_up = EncryptedTextField(blank=True)
    referral = models.CharField(max_length=200, blank=True)
    followed_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    followed_up_at = models.DateTimeField(null=True, blank=True)

    # Not stored: the participant as the reader may see them (support.access.show_concerns).
    shown: Any

    class Meta:
        ordering = ["-raised_at", "-id"]
        indexes = [
            # Open concerns and overdue crises of one program.
            models.Index(fields=["program", "state", "acknowledge_by"]),
            # Crises whose next escalation step is due: every noticer's one query.
            models.Index(fields=["state", "next_step_at"]),
            models.Index(fields=["program", "state", "next_step_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} about {self.participant.reference}"

    def get_absolute_url(self) -> str:
        return reverse("support:concern", args=[self.program.slug, self.pk])

    @property
    def is_crisis(self) -> bool:
        return self.kind == ConcernKind.CRISIS

    def answer_pairs(self) -> list[tuple[str, str]]:
        try:
            return [(str(q), str(a)) for q, a in json.loads(self.answers or "[]")]
        except (ValueError, TypeError):
            return []

    def has_details(self) -> bool:
        """Whether anything was said beyond the alert itself (a crisis is sent with one tap)."""
        return bool(self.notes.strip() or any(a.strip() for _, a in self.answer_pairs()))

    def is_overdue(self, now: Any = None) -> bool:
        """A crisis nobody acknowledged in the program's time: computed from the data, not from a task."""
        now = now or timezone.now()
        return bool(self.state == ConcernState.OPEN and self.acknowledge_by is not None and now >= self.acknowledge_by)


class ConcernEvent(models.Model):
    """One link of a concern's chain: raised, notified, acknowledged, escalated, followed up."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    detail = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_label}"


class AdverseKind(models.TextChoices):
    HOSPITALISED = "hospitalised", _("Hospitalised")
    RELAPSED = "relapsed", _("Relapsed")
    DIED = "died", _("Died")


class AdverseEvent(models.Model):
    """A hard event in a supporter's caseload. Kept for reports (anonymous once a participant is erased)."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="adverse_events")
    participant = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="adverse_events"
    )
    relationship = models.ForeignKey(
        SupportRelationship, null=True, blank=True, on_delete=models.SET_NULL, related_name="adverse_events"
    )
    kind = models.CharField(max_length=14, choices=AdverseKind.choices)
    occurred_at = models.DateTimeField()
    notes = EncryptedTextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.occurred_at:%Y-%m-%d})"


class FitAnswerChoice(models.TextChoices):
    GOOD = "good", _("A good fit")
    DECIDING = "deciding", _("Still deciding")
    POOR = "poor", _("Not a good fit")


class FitAnswerBy(models.TextChoices):
    SUPPORTER = "supporter", _("The supporter")
    PARTICIPANT = "participant", _("The participant")


class FitAnswer(models.Model):
    """An answer to "Is this a good fit?" about one relationship (support.services.matches.answer_fit)."""

    relationship = models.ForeignKey(SupportRelationship, on_delete=models.CASCADE, related_name="fit_answers")
    by = models.CharField(max_length=12, choices=FitAnswerBy.choices)
    answer = models.CharField(max_length=10, choices=FitAnswerChoice.choices)
    note = EncryptedTextField(blank=True)  # why, in their words: may name people
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_by_display()}: {self.get_answer_display()}"


class MatchRunState(models.TextChoices):
    DRAFT = "draft", _("Waiting for review")
    PUBLISHED = "published", _("Published")
    DISCARDED = "discarded", _("Discarded")


class MatchRun(models.Model):
    """One batch match of the waiting list, kept for the coordinator to review before publishing."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="match_runs")
    state = models.CharField(max_length=10, choices=MatchRunState.choices, default=MatchRunState.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    total_score = models.IntegerField(default=0, help_text=_("Fit: the proposed pairs' scores, added up."))
    # The result at each level of support.matching.OBJECTIVE, and in one sentence.
    matched = models.PositiveIntegerField(default=0)
    urgency_total = models.PositiveIntegerField(default=0)
    weeks_total = models.PositiveIntegerField(default=0)
    summary = models.TextField(blank=True)
    waiting = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Batch match {self.created_at:%Y-%m-%d %H:%M}"


class MatchProposal(models.Model):
    run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="proposals")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="+")
    score = models.IntegerField()
    explanation = models.TextField(blank=True)

    class Meta:
        ordering = ["-score", "id"]

    def __str__(self) -> str:
        return f"{self.participant.reference} -> {self.supporter}"


class MatchLeftOver(models.Model):
    """A participant the batch match could not place, and why."""

    run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="left_over")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    reason = models.TextField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.participant.reference}: {self.reason}"


class ErasureTally(models.Model):
    """What erased participants leave behind: anonymous counts per program and month of erasure."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text=_("First day of the month the erasures happened in."))
    participants = models.PositiveIntegerField(default=0)
    relationships = models.PositiveIntegerField(default=0)
    contacts = models.PositiveIntegerField(default=0)
    contacts_reached = models.PositiveIntegerField(default=0)
    concerns = models.PositiveIntegerField(default=0)
    crises = models.PositiveIntegerField(default=0)
    # What apps above support count of their records about the erased (needs, referrals...), by
    # name; registered in `support.extensions.register_erasure_counts`.
    other_counts = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["program", "month"], name="one_tally_per_month")]

    def __str__(self) -> str:
        return f"Erased in {self.month:%Y-%m}: {self.participants}"
