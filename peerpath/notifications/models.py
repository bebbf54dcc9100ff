"""What PeerPath tells a person: the notice in their inbox, each delivery of it, their choices,
the text-message events the provider reports, and crisis pages waiting for an acknowledgement."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerpath.core.encryption import EncryptedTextField
from peerpath.core.models import OutgoingEmail
from peerpath.programs.models import Program


class Channel(models.TextChoices):
    IN_APP = "in_app", _("In the app")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("Text message")


class Notice(models.Model):
    """One thing PeerPath told one person, in their language, shown in their inbox when they
    chose the app for its kind. Names participants by reference only."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices")
    program = models.ForeignKey(Program, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=60)
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    is_urgent = models.BooleanField(default=False)
    in_inbox = models.BooleanField(default=True)
    # What the notice is about ("support.concern:12"): reading it elsewhere marks it read.
    about = models.CharField(max_length=80, blank=True)
    # The sender's idempotency key: the same key for the same person never makes a second notice.
    key = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "in_inbox", "read_at"]),
            models.Index(fields=["about"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], condition=~models.Q(key=""), name="notice_key_once")
        ]

    def __str__(self) -> str:
        return self.text


class TextRecipient(models.Model):
    """Someone without an account who agreed to texts (a participant), kept by the app that owns
    them under ``owner`` ("support.participant:12"): the number (encrypted, E.164; found again by
    its blind-index digest when a STOP comes in), the opt-in with its time and source, the
    withdrawal, and the language they read. ``label`` is how staff pages name them (P-0042)."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    owner = models.CharField(max_length=80, unique=True)
    label = models.CharField(max_length=40)
    phone = EncryptedTextField(blank=True)
    phone_digest = models.CharField(max_length=64, blank=True, db_index=True)
    language = models.CharField(max_length=10, blank=True)
    opted_in_at = models.DateTimeField(null=True, blank=True)
    opt_in_source = models.CharField(max_length=60, blank=True)
    opted_out_at = models.DateTimeField(null=True, blank=True)
    opt_out_source = models.CharField(max_length=60, blank=True)

    def __str__(self) -> str:
        return self.label

    @property
    def texts_allowed(self) -> bool:
        """A number, an opt-in, and no STOP since."""
        return bool(
            self.phone and self.opted_in_at and (self.opted_out_at is None or self.opted_out_at < self.opted_in_at)
        )


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    HELD = "held", _("Held for the end of quiet hours")
    DIGEST = "digest", _("Waiting for the daily digest")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Could not be delivered")
    SKIPPED = "skipped", _("Not sent")


class Delivery(models.Model):
    """One notice on one channel (e-mail or text), with its status.

    ``key`` is unique: the notice and the channel (or a page and its round), so a task that runs
    again, or a sender asked twice, never makes a second delivery."""

    # A notice to a person with an account, or a text to a recipient without one (a participant).
    notice = models.ForeignKey(Notice, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries")
    recipient = models.ForeignKey(
        TextRecipient, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    program = models.ForeignKey(Program, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # What the message is (the kind's label is shown to coordinators; never the message itself).
    kind = models.CharField(max_length=60, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    key = models.CharField(max_length=220, unique=True)
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED)
    # The message as rendered in the recipient's language (an e-mail's subject and body; a text's body).
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    # The address or number; blank for a recipient's text (their number is read as it is sent).
    to = models.CharField(max_length=254, blank=True)
    reply_to = models.CharField(max_length=254, blank=True)
    # A registered link (`peerpath.core.account_links`) built into the body as it is sent, so no
    # working link rests in the database: the body holds its placeholder.
    link_kind = models.CharField(max_length=40, blank=True)
    link_id = models.PositiveIntegerField(null=True, blank=True)
    send_after = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    provider_id = models.CharField(max_length=64, blank=True, db_index=True)
    email = models.ForeignKey(OutgoingEmail, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "deliveries"
        indexes = [models.Index(fields=["status", "send_after"]), models.Index(fields=["program", "status"])]

    def __str__(self) -> str:
        return f"{self.channel} {self.status}: {self.notice_id or self.recipient_id}"


class Preferences(models.Model):
    """A person's choices: channels per kind of message, quiet hours, the daily digest, and the
    number texts go to with its opt-in (when and how it was given or withdrawn)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_preferences")
    # {kind: [channel, ...]} for the kinds the person changed; the others follow the kind's default.
    channels = models.JSONField(default=dict, blank=True)
    quiet_from = models.TimeField(null=True, blank=True)
    quiet_until = models.TimeField(null=True, blank=True)
    digest = models.BooleanField(default=False)
    # An IANA time zone ("America/Chicago") quiet hours are read in; blank: the installation's.
    time_zone = models.CharField(max_length=60, blank=True)
    # E.164 ("+15551234567"), validated with phonenumbers.
    phone = models.CharField(max_length=20, blank=True, db_index=True)
    sms_opted_in_at = models.DateTimeField(null=True, blank=True)
    sms_opt_in_source = models.CharField(max_length=60, blank=True)
    sms_opted_out_at = models.DateTimeField(null=True, blank=True)
    sms_opt_out_source = models.CharField(max_length=60, blank=True)
    last_digest_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "preferences"

    def __str__(self) -> str:
        return f"Preferences of {self.user_id}"

    @property
    def texts_allowed(self) -> bool:
        """A number, an opt-in, and no STOP since."""
        return bool(
            self.phone
            and self.sms_opted_in_at
            and (self.sms_opted_out_at is None or self.sms_opted_out_at < self.sms_opted_in_at)
        )


class SmsEvent(models.Model):
    """What the text-message provider told PeerPath: a reply received, or a delivery status."""

    class Kind(models.TextChoices):
        INBOUND = "inbound", _("Reply received")
        STATUS = "status", _("Delivery status")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    provider_id = models.CharField(max_length=64, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    status = models.CharField(max_length=30, blank=True)
    # The keyword understood (STOP, START, HELP, an acknowledgement), never the whole reply.
    keyword = models.CharField(max_length=20, blank=True)
    error_code = models.CharField(max_length=10, blank=True)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.provider_id} {self.status or self.keyword}"


class Page(models.Model):
    """An urgent message texted to one person at once and again every few minutes until it is
    acknowledged (by replying with ``code`` or following the link) or ended."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="pages")
    kind = models.CharField(max_length=60)
    about = models.CharField(max_length=80)
    code = models.CharField(max_length=8)
    started_at = models.DateTimeField(default=timezone.now)
    rounds = models.PositiveSmallIntegerField(default=0)
    next_round_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_via = models.CharField(max_length=10, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["ended_at", "next_round_at"]), models.Index(fields=["about"])]

    def __str__(self) -> str:
        return f"Page {self.code} to {self.user_id}"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None
