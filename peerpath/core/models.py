"""People who log in, and the audit log every state change writes to."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerpath.core.signals import password_changed


def normalize_email(email: str) -> str:
    """E-mail addresses compare case-insensitively everywhere in PeerPath."""
    return (email or "").strip().lower()


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=normalize_email(email), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email=normalize_email(username or ""))


class User(AbstractBaseUser, PermissionsMixin):
    """Anyone who logs in. Roles are per program, held by `programs.Membership`."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200)
    is_active = models.BooleanField(default=True)
    # Staff is only for the Django admin, which only superusers may enter.
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # The language PeerPath speaks to this person in (one of settings.LANGUAGES; blank: their
    # browser's). No choices on the field: a new language needs no migration.
    language = models.CharField(_("language"), max_length=10, blank=True, default="")

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def set_unusable_password(self) -> None:
        super().set_unusable_password()
        self._password_unusable = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = normalize_email(self.email)
        # set_password() leaves the raw password in _password until the save (Django's own hook).
        changed = self.pk is not None and (
            getattr(self, "_password", None) is not None or getattr(self, "_password_unusable", False)
        )
        super().save(*args, **kwargs)
        self._password_unusable = False
        if changed:
            password_changed.send(sender=User, user=self)

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class AuditEntry(models.Model):
    """One state change (or one read of confidential data): who, what, which record, when.

    `changes` maps each changed field to [old, new]. Entries are never edited or deleted by
    the application; erasure requests replace personal values, never the fact of a change.
    """

    program = models.ForeignKey(
        "programs.Program", null=True, blank=True, on_delete=models.PROTECT, related_name="audit_entries"
    )
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_entries")
    actor_label = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=80)
    target_type = models.CharField(max_length=80)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "audit entries"
        indexes = [
            # The coordinator's audit page filters by program, then person or record.
            models.Index(fields=["program", "-created_at"]),
            models.Index(fields=["program", "actor", "-created_at"]),
            models.Index(fields=["program", "target_type", "target_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.actor_label} {self.action} {self.target_type}#{self.target_id}"


class ScheduledJob(models.Model):
    """When a periodic job was last queued, shared by every scheduler process."""

    name = models.CharField(max_length=100, unique=True)
    last_enqueued_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class SchedulerLease(models.Model):
    """Which scheduler process leads: only the holder ticks, until ``expires_at`` (see
    peerpath.core.scheduler.lead). One row; the holder renews it on every tick."""

    name = models.CharField(max_length=100, unique=True)
    holder = models.CharField(max_length=200, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    # When the leader last ticked: the readiness check's "time since the scheduler's last tick".
    ticked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name}: {self.holder or 'nobody'}"


class UsedFormToken(models.Model):
    """A one-time form token already used by a create form, and where that form sent the person
    (peerpath.core.idempotency). Pruned after a while; holds no personal data."""

    nonce = models.CharField(max_length=64, unique=True)
    result_url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return self.nonce[:8]


class TaskLease(models.Model):
    """How long the worker running a task is trusted to still be running it
    (peerpath.core.taskqueue): taken when the task starts, renewed by the worker while it runs,
    dropped when it ends. A RUNNING task whose lease ran out goes back to the queue once."""

    task = models.OneToOneField(
        "django_tasks_database.DBTaskResult", on_delete=models.CASCADE, primary_key=True, related_name="lease"
    )
    worker_id = models.CharField(max_length=64)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.task_id} until {self.expires_at:%H:%M:%S}"


class EmailStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    UNDELIVERED = "undelivered", _("Undelivered")
    CANCELLED = "cancelled", _("Not sent: the account is closed")


class OutgoingEmail(models.Model):
    """One e-mail PeerPath sends, from the moment it is queued (peerpath.core.outbox).

    Its Message-ID is made once, when it is queued, and every attempt sends it with that id, so
    the one repeat delivery allows (a worker killed between sending and recording) can be
    dropped by the receiver. An account-link e-mail holds a placeholder where the link goes and
    the account and kind of link; the link is built when it is sent (peerpath.core.account_links).
    """

    program = models.ForeignKey("programs.Program", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    message_id = models.CharField(max_length=255, unique=True)
    to = models.JSONField(default=list)
    reply_to = models.JSONField(default=list, blank=True)
    subject = models.TextField()
    body = models.TextField()
    html = models.TextField(blank=True)
    link_user_id = models.IntegerField(null=True, blank=True)
    link_kind = models.CharField(max_length=20, blank=True)
    status = models.CharField(max_length=12, choices=EmailStatus.choices, default=EmailStatus.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # A program's undelivered list, and the installation-wide count on the health page.
            models.Index(fields=["status", "program", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.subject} ({self.get_status_display()})"
