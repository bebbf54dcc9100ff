"""Personal API tokens: only a hash is stored; the token is shown once when created."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    class RevokedBecause(models.TextChoices):
        OWNER = "owner", _("revoked by its owner")
        PASSWORD_CHANGED = "password_changed", _("password changed")
        MEMBERSHIP_ENDED = "membership_ended", _("a membership ended")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text=_("What the token is for, e.g. 'monthly funder export'."))
    prefix = models.CharField(max_length=12, unique=True, help_text=_("The visible start of the token."))
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Chosen at creation (90 days unless the owner picks another lifetime); refused after it.
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_because = models.CharField(max_length=20, choices=RevokedBecause.choices, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.is_expired
