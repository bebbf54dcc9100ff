from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerpath.core.encryption import EncryptedTextField
from peerpath.programs.models import Program


class ImportBatch(models.Model):
    """An uploaded file between its preview and the coordinator's confirmation.

    The parsed rows hold personal data (supporters' and participants' names, e-mail addresses,
    phone numbers, consent and notes), so they are kept encrypted like participant records
    (`payload`, an `EncryptedTextField` holding the rows as JSON), and only until the batch is
    applied or discarded; then they are cleared. The audit log and the list of recent imports
    name only the file, the kind and the number of rows.
    """

    class Status(models.TextChoices):
        PREVIEW = "preview", _("Awaiting confirmation")
        APPLIED = "applied", _("Imported")
        DISCARDED = "discarded", _("Discarded")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="import_batches")
    kind = models.CharField(max_length=40)
    filename = models.CharField(max_length=200)
    payload = EncryptedTextField(blank=True, help_text=_("The staged rows as JSON, encrypted."))
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

    @property
    def rows(self) -> list[dict[str, Any]]:
        """The staged rows ([{"number": 2, "values": {column: text}}, ...]); empty once applied or discarded."""
        if not self.payload:
            return []
        loaded = json.loads(self.payload)
        return loaded if isinstance(loaded, list) else []

    @rows.setter
    def rows(self, value: list[dict[str, Any]]) -> None:
        self.payload = json.dumps(value, ensure_ascii=False) if value else ""
