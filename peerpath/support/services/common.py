"""What every support service shares: field lists, redacted audit diffs, the program's support
settings and in-app notifications."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from peerpath.core import audit
from peerpath.core.actors import Actor, SystemActor
from peerpath.core.models import User
from peerpath.core.permissions import Role
from peerpath.notifications import services as notifications
from peerpath.programs.models import Membership, Program
from peerpath.support.defaults import get_settings
from peerpath.support.models import (
    SupportSettings,
    lines,
)

REQUEST_ACTOR = SystemActor("the participant, on the public form")
CHANGED = audit.CHANGED
PARTICIPANT_FIELDS = [
    "full_name",
    "support_wanted",
    "email",
    "phone",
    "preferred_contact",
    "languages",
    "focus_areas",
    "modes",
    "area",
    "availability",
    "preferred_gender",
    "preferred_age_bands",
    "preferred_communities",
    "must_haves",
    "urgency",
    "consent_given",
    "consent_scope",
    "intake_notes",
]
CONTACT_FIELDS = [
    "contacted_on",
    "channel",
    "reached",
    "duration_minutes",
    "tasks",
    "kind",
    "notes",
    "next_follow_up",
]


def acting_user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) else None


def redacted_diff(instance: Any, before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """audit.diff (which shows encrypted and other secret fields only as changed)."""
    return audit.diff(before, after)


def snapshot_fields(instance: Any, fields: list[str]) -> dict[str, Any]:
    return audit.snapshot(instance, fields) if instance.pk else {}


SETTINGS_FIELDS = [f.name for f in SupportSettings._meta.concrete_fields if f.name not in {"id", "program"}]


def update_settings(*, actor: Actor, program: Program, data: dict[str, Any]) -> SupportSettings:
    """Save the program's support settings. Rules: weights 0 to 10; windows and crisis steps of
    at least one minute or day; the coordinator order lists only the program's coordinators, once each."""
    errors: dict[str, str] = {}
    for name, value in data.items():
        if name.startswith("weight_") and not 0 <= value <= 10:
            errors[name] = "A weight is between 0 and 10."
    for name in ["unreachable_attempts", "unreachable_days", "quiet_days", "crisis_ack_minutes", "crisis_step_minutes"]:
        if name in data and data[name] < 1:
            errors[name] = "At least 1."
    if "coordinator_order" in data:
        given = [line.lower() for line in lines(data["coordinator_order"])]
        known = {
            e.lower()
            for e in Membership.objects.current()
            .filter(program=program)
            .with_role(Role.COORDINATOR)
            .values_list("user__email", flat=True)
        }
        unknown = [e for e in given if e not in known]
        if unknown:
            errors["coordinator_order"] = "Not a coordinator of this program: " + ", ".join(unknown)
        elif len(set(given)) != len(given):
            errors["coordinator_order"] = "List each coordinator once."
    if errors:
        raise ValidationError(errors)
    row = get_settings(program)
    with transaction.atomic():
        audit.save_audited(
            actor=actor,
            program=program,
            instance=row,
            fields=[n for n in SETTINGS_FIELDS if n in data],
            data=data,
            action="support_settings",
        )
    return row


def mark_read(*, actor: User, program: Program, notification_ids: list[int] | None = None) -> int:
    """The person marks their own notices of this program read (all, or those listed)."""
    rows = notifications.unread(actor).filter(program=program)
    if notification_ids is not None:
        rows = rows.filter(pk__in=notification_ids)
    return notifications.mark_read(actor=actor, notices=rows)
