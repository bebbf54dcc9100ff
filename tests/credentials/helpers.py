"""Helpers other areas' tests reuse."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from peerpath.credentials import services
from peerpath.credentials.models import Qualification, QualificationType

CREDENTIALS_SECRETS = {"qualification_detail": "Reference from Dr Wolfgang Axolotl"}


def fill_credentials_secrets(world: Any) -> Qualification:
    """A reference whose detail (who gave it) holds the marker."""
    return services.record_qualification(
        actor=world.coordinator,
        supporter=world.supporter_record,
        qtype=QualificationType.objects.get(program=world.program, name="References"),
        obtained_on=timezone.localdate(),
        detail=CREDENTIALS_SECRETS["qualification_detail"],
    )
