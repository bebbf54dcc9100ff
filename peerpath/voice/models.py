"""The participant's side: feedback through links that need no account, outcome measures, consent
to share a progress summary, and interest in becoming a peer supporter.

Everything a participant answers, and whom they agreed to share with, is an `EncryptedTextField`
(or `EncryptedJSONField`): a dump of the database shows only ciphertext. What stays in clear is
bookkeeping (dates, which questionnaire, the occasion). A link itself is never stored: only the
random nonce its signed token must carry (`peerpath.voice.links`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerpath.care.models import Questionnaire
from peerpath.core.encryption import EncryptedJSONField, EncryptedTextField
from peerpath.programs.models import Program
from peerpath.recruitment.models import Supporter
from peerpath.support.models import Participant, SupportRelationship


class VoiceSettings(models.Model):
    """How one program asks its participants. One row per program (`services.get_settings`)."""

    program = models.OneToOneField(Program, on_delete=models.CASCADE, related_name="voice_settings")
    feedback_links = models.BooleanField(
        _("E-mail participants a feedback link after the first contact and then regularly"),
        default=True,
        help_text=_("Only participants with an e-mail address who agreed to be contacted receive one."),
    )
    feedback_every_days = models.PositiveIntegerField(
        _("Ask for feedback again every (days)"), default=30, help_text=_("30 days is monthly.")
    )
    link_valid_days = models.PositiveIntegerField(_("A link works for (days)"), default=14)
    supporter_minimum_answers = models.PositiveIntegerField(
        _("Supporters see what participants said only over at least this many answers"),
        default=5,
        help_text=_("Never fewer than 3, so that no single answer can be traced to one person."),
    )
    outcome_measures = models.ManyToManyField(
        Questionnaire,
        blank=True,
        related_name="+",
        verbose_name=_("Outcome measures"),
        help_text=_("Questionnaires (from Supporter care → Questionnaires) asked at intake, regularly and at closing."),
    )
    outcome_every_months = models.PositiveIntegerField(_("Ask the outcome measures again every (months)"), default=3)

    class Meta:
        verbose_name_plural = _("voice settings")

    def __str__(self) -> str:
        return f"Voice settings of {self.program}"


class Occasion(models.TextChoices):
    """Why a link was sent, or when a measure was completed."""

    FIRST_CONTACT = "first_contact", _("After the first contact")
    REGULAR = "regular", _("Regular check")
    CLOSING = "closing", _("At closing")


class MeasurePoint(models.TextChoices):
    INTAKE = "intake", _("Intake")
    REVIEW = "review", _("Review")
    CLOSING = "closing", _("Closing")


class AnswerLink(models.Model):
    """One e-mailed link: the feedback questions and any outcome measures due. Single use."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    relationship = models.ForeignKey(SupportRelationship, on_delete=models.CASCADE, related_name="answer_links")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="answer_links")
    occasion = models.CharField(max_length=14, choices=Occasion.choices)
    asks_feedback = models.BooleanField(default=True)
    # Questionnaire ids of the outcome measures asked, and the point they are asked at.
    measures = models.JSONField(default=list, blank=True)
    measure_point = models.CharField(max_length=8, choices=MeasurePoint.choices, blank=True)
    nonce = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["relationship", "created_at"])]

    def __str__(self) -> str:
        return f"Link for {self.participant.reference} ({self.get_occasion_display()})"

    def is_open(self, now: object = None) -> bool:
        moment = now or timezone.now()
        return self.used_at is None and moment < self.expires_at  # type: ignore[operator]


class Heard(models.TextChoices):
    YES = "yes", _("Yes")
    MOSTLY = "mostly", _("Mostly")
    NOT_REALLY = "not_really", _("Not really")
    NO = "no", _("No")


class Fit(models.TextChoices):
    YES = "yes", _("Yes")
    NOT_SURE = "not_sure", _("I'm not sure")
    NO = "no", _("No, not a good fit")


class FeedbackAnswer(models.Model):
    """What a participant said through a link. Read by coordinators; supporters see only totals."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    relationship = models.ForeignKey(SupportRelationship, on_delete=models.CASCADE, related_name="feedback_answers")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="feedback_answers")
    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="feedback_answers")
    link = models.OneToOneField(AnswerLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="answer")
    occasion = models.CharField(max_length=14, choices=Occasion.choices)
    felt_heard = EncryptedTextField(blank=True, help_text=_("A value of `Heard`, encrypted."))
    good_fit = EncryptedTextField(blank=True, help_text=_("A value of `Fit`, encrypted."))
    message = EncryptedTextField(blank=True)
    answered_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rematch_opened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-answered_at", "-id"]
        indexes = [models.Index(fields=["program", "answered_at"]), models.Index(fields=["supporter", "answered_at"])]

    def __str__(self) -> str:
        return f"Feedback from {self.participant.reference}"

    @property
    def not_a_good_fit(self) -> bool:
        return self.good_fit == Fit.NO

    def heard_label(self) -> str:
        return str(Heard(self.felt_heard).label) if self.felt_heard in Heard.values else "—"

    def fit_label(self) -> str:
        return str(Fit(self.good_fit).label) if self.good_fit in Fit.values else "—"


class Via(models.TextChoices):
    LINK = "link", _("Through their link")
    SUPPORTER = "supporter", _("With their supporter")


class OutcomeResponse(models.Model):
    """One completed outcome measure: the answers and scores, encrypted."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="outcome_responses")
    relationship = models.ForeignKey(
        SupportRelationship, null=True, blank=True, on_delete=models.SET_NULL, related_name="outcome_responses"
    )
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="+")
    point = models.CharField(max_length=8, choices=MeasurePoint.choices)
    via = models.CharField(max_length=10, choices=Via.choices)
    link = models.ForeignKey(AnswerLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # {item number: value on the scale} and {subscale key: {"name", "score"}}.
    answers = EncryptedJSONField(default=dict, blank=True)
    scores = EncryptedJSONField(default=dict, blank=True)
    completed_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["completed_at", "id"]
        indexes = [models.Index(fields=["program", "questionnaire", "completed_at"])]

    def __str__(self) -> str:
        return f"{self.questionnaire} for {self.participant.reference} ({self.get_point_display()})"


class SummarySection(models.TextChoices):
    GOALS = "goals", _("Goals and progress")
    CONTACTS = "contacts", _("Contacts by the four tasks")
    NEEDS = "needs", _("Needs and referrals")
    OUTCOMES = "outcomes", _("Outcome scores")


class ShareConsent(models.Model):
    """The participant agreed that a named clinician or agency may receive their progress summary."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="share_consents")
    recipient = EncryptedTextField(help_text=_("The clinician or agency, by name."))
    scope = models.JSONField(default=list, help_text=_("The `SummarySection`s they may receive."))
    expires_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Consent to share for {self.participant.reference}"

    def in_force(self, today: object = None) -> bool:
        day = today or timezone.localdate()
        return self.withdrawn_at is None and day <= self.expires_on  # type: ignore[operator]

    def scope_labels(self) -> list[str]:
        return [str(SummarySection(s).label) for s in self.scope if s in SummarySection.values]


class PeerInterest(models.Model):
    """At a 'goals met' closing: whether the person would like to hear about becoming a supporter."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="peer_interest")
    relationship = models.OneToOneField(SupportRelationship, on_delete=models.CASCADE, related_name="peer_interest")
    consented = models.BooleanField()
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    asked_at = models.DateTimeField(default=timezone.now)
    invited_at = models.DateTimeField(null=True, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-asked_at", "-id"]

    def __str__(self) -> str:
        return f"Interest in supporting: {self.participant.reference}"
