from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from peerpath.programs.models import Program


class ImportBatch(models.Model):
    """An uploaded file between its preview and the coordinator's confirmation.

    The parsed rows are kept only until the batch is applied or discarded, then cleared.
    """

    class Status(models.TextChoices):
        PREVIEW = "preview", "Awaiting confirmation"
        APPLIED = "applied", "Imported"
        DISCARDED = "discarded", "Discarded"

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="import_batches")
    kind = models.CharField(max_length=40)
    filename = models.CharField(max_length=200)
    rows = models.JSONField(default=list, blank=True)
    row_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PREVIEW)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} import {self.filename} ({self.get_status_display()})"
