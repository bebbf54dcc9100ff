"""The support relationship's lifecycle and the concern chain: allowed-transition maps and the movers.

`move_relationship` is the only way a relationship changes state; `move_concern` the only way a
concern does. Each refuses moves missing from its map and writes a history row and an audit entry.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from peerpath.core import audit
from peerpath.core.actors import Actor
from peerpath.core.models import User
from peerpath.support.models import (
    CloseReason,
    Concern,
    ConcernEvent,
    ConcernState,
    ParticipantStatus,
    RelationshipChange,
    RelationshipState,
    SupportRelationship,
)

R = RelationshipState

TRANSITIONS: dict[str, frozenset[str]] = {
    R.PROPOSED: frozenset({R.ACTIVE, R.CLOSED}),  # accepted, or declined / withdrawn
    R.ACTIVE: frozenset({R.CLOSING, R.CLOSED}),
    R.CLOSING: frozenset({R.ACTIVE, R.CLOSED}),  # closing can be called off
    R.CLOSED: frozenset(),
}

# After a close for these reasons the participant goes back to the waiting list.
BACK_TO_WAITING = frozenset(
    {CloseReason.REMATCHED, CloseReason.DECLINED, CloseReason.SUPPORTER_BREAK, CloseReason.SUPPORTER_LEFT}
)

CONCERN_TRANSITIONS: dict[str, frozenset[str]] = {
    ConcernState.OPEN: frozenset({ConcernState.ACKNOWLEDGED}),
    ConcernState.ACKNOWLEDGED: frozenset({ConcernState.RESOLVED}),
    ConcernState.RESOLVED: frozenset(),
}


def _user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) else None


def move_relationship(
    *,
    actor: Actor,
    relationship: SupportRelationship,
    to_state: str,
    reason: str = "",
    close_reason: str = "",
) -> RelationshipChange:
    """Move a relationship along proposed → active → closing → closed.

    Rules: only moves in TRANSITIONS; a close names one of the CloseReason values. Activating
    stamps the start; closing stamps the end and sets the participant's status: back to the
    waiting list for a rematch, a decline or a supporter leaving, otherwise support ended.
    Each move writes a RelationshipChange (history) and an audit entry. The reason text may
    name people, so it is stored encrypted and not copied into the audit log.
    """
    with transaction.atomic():
        locked = SupportRelationship.objects.select_for_update().select_related("participant").get(pk=relationship.pk)
        from_state = locked.state
        if to_state not in TRANSITIONS.get(from_state, frozenset()):
            raise ValidationError(
                f"A relationship cannot move from '{R(from_state).label}' to '{R(to_state).label}'."
                if to_state in R.values
                else f"'{to_state}' is not a relationship state."
            )
        if to_state == R.CLOSED and close_reason not in CloseReason.values:
            raise ValidationError({"close_reason": "Choose why the relationship is closing."})
        now = timezone.now()
        locked.state = to_state
        fields = ["state"]
        if to_state == R.ACTIVE and locked.activated_at is None:
            locked.activated_at = now
            fields.append("activated_at")
        if to_state == R.CLOSING:
            locked.closing_started_at = now
            fields.append("closing_started_at")
        if to_state == R.CLOSED:
            locked.closed_at, locked.close_reason, locked.close_note = now, close_reason, reason
            fields += ["closed_at", "close_reason", "close_note"]
        locked.save(update_fields=fields)
        participant = locked.participant
        new_status: str
        if to_state == R.ACTIVE:
            new_status = ParticipantStatus.MATCHED
        elif to_state == R.CLOSED:
            new_status = ParticipantStatus.WAITING if close_reason in BACK_TO_WAITING else ParticipantStatus.ENDED
        else:
            new_status = participant.status
        if new_status != participant.status:
            participant.status = new_status
            update = ["status"]
            if new_status == ParticipantStatus.WAITING:
                participant.waiting_since = now
                update.append("waiting_since")
            participant.save(update_fields=update)
        change = RelationshipChange.objects.create(
            relationship=locked, from_state=from_state, to_state=to_state, actor=_user(actor), reason=reason
        )
        changes: dict[str, Any] = {"state": [from_state, to_state]}
        if close_reason:
            changes["close_reason"] = ["", close_reason]
        audit.record(actor=actor, program=locked.program, action="relationship.move", target=locked, changes=changes)
    for name in fields:
        setattr(relationship, name, getattr(locked, name))
    return change


def move_concern(*, actor: Actor, concern: Concern, to_state: str, detail: str = "") -> Concern:
    """Move a concern along open → acknowledged → followed up, with a chain event and an audit entry."""
    with transaction.atomic():
        locked = Concern.objects.select_for_update().get(pk=concern.pk)
        if to_state not in CONCERN_TRANSITIONS.get(locked.state, frozenset()):
            current = ConcernState(locked.state).label.lower()
            raise ValidationError(f"This {locked.get_kind_display().lower()} is already '{current}'.")
        from_state = locked.state
        now = timezone.now()
        locked.state = to_state
        if to_state == ConcernState.ACKNOWLEDGED:
            locked.acknowledged_by, locked.acknowledged_at = _user(actor), now
        locked.save(update_fields=["state", "acknowledged_by", "acknowledged_at"])
        record_concern_event(actor=actor, concern=locked, action=to_state, detail=detail)
        audit.record(
            actor=actor,
            program=locked.program,
            action=f"concern.{to_state}",
            target=locked,
            changes={"state": [from_state, to_state]},
        )
    concern.refresh_from_db()
    return concern


def record_concern_event(*, actor: Actor, concern: Concern, action: str, detail: str = "") -> ConcernEvent:
    user = _user(actor)
    return ConcernEvent.objects.create(
        concern=concern,
        action=action,
        actor=user,
        actor_label=(str(user) if user else str(actor or "system"))[:200],
        detail=detail[:300],
    )
