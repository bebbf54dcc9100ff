"""The support relationship's lifecycle, the participant's status, the concern chain and batch
match runs: allowed-transition maps and the movers (see `peerpath.core.lifecycle`).

`move_relationship` is the only way a relationship changes state (and it alone moves the
participant's status); `move_concern` the only way a concern does. Each refuses moves missing
from its map and writes a history row and an audit entry.
"""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peerpath.core.actors import Actor
from peerpath.core.lifecycle import Lifecycle, Move
from peerpath.core.models import User
from peerpath.support.models import (
    CloseReason,
    Concern,
    ConcernEvent,
    ConcernState,
    MatchRun,
    MatchRunState,
    Participant,
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

# The participant's status follows their relationship (see `move_relationship`): matched when
# one becomes active, back to waiting or ended when it closes. Only one relationship is open at
# a time, so an ended participant has none left to move them.
PARTICIPANT_TRANSITIONS: dict[str, frozenset[str]] = {
    ParticipantStatus.WAITING: frozenset({ParticipantStatus.MATCHED, ParticipantStatus.ENDED}),
    ParticipantStatus.MATCHED: frozenset({ParticipantStatus.WAITING, ParticipantStatus.ENDED}),
    ParticipantStatus.ENDED: frozenset(),
}

CONCERN_TRANSITIONS: dict[str, frozenset[str]] = {
    ConcernState.OPEN: frozenset({ConcernState.ACKNOWLEDGED}),
    ConcernState.ACKNOWLEDGED: frozenset({ConcernState.RESOLVED}),
    ConcernState.RESOLVED: frozenset(),
}

# A batch match waits for review, then is published (offers made) or discarded, once.
MATCH_RUN_TRANSITIONS: dict[str, frozenset[str]] = {
    MatchRunState.DRAFT: frozenset({MatchRunState.PUBLISHED, MatchRunState.DISCARDED}),
    MatchRunState.PUBLISHED: frozenset(),
    MatchRunState.DISCARDED: frozenset(),
}


def _user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) else None


def _relationship_change(move: Move[SupportRelationship]) -> RelationshipChange:
    return RelationshipChange.objects.create(
        relationship=move.obj, from_state=move.from_state, to_state=move.to_state, actor=move.user, reason=move.note
    )


def _concern_event(move: Move[Concern]) -> ConcernEvent:
    return record_concern_event(actor=move.actor, concern=move.obj, action=move.to_state, detail=move.note)


def _concern_refusal(concern: Concern, from_state: str, to_state: str) -> str | None:
    order = list(ConcernState.values)
    if order.index(to_state) > order.index(from_state):  # skipping a link of the chain
        return None
    return _("This %(kind)s is already '%(state)s'.") % {
        "kind": concern.get_kind_display().lower(),
        "state": ConcernState(from_state).label.lower(),
    }


def _match_run_refusal(run: MatchRun, from_state: str, to_state: str) -> str | None:
    if to_state == MatchRunState.PUBLISHED:
        return _("This batch match was already published or discarded.")
    if to_state == MatchRunState.DISCARDED:
        return _("Only a batch match waiting for review can be discarded.")
    return None


# The reason text may name people: it is stored encrypted in the history row (and the close
# note), never copied into the audit log.
RELATIONSHIP = Lifecycle(
    model=SupportRelationship,
    field="state",
    transitions=TRANSITIONS,
    audit_action="relationship.move",
    history=_relationship_change,
    label=lambda _record: str(_("A relationship")),
    unaudited={"close_note"},
    audit_note=False,
)
PARTICIPANT = Lifecycle(
    model=Participant, field="status", transitions=PARTICIPANT_TRANSITIONS, audit_action="participant.status"
)
# The chain (ConcernEvent) is the concern's history; its details stay out of the audit log,
# which keeps concern entries after a participant is erased.
CONCERN = Lifecycle(
    model=Concern,
    field="state",
    transitions=CONCERN_TRANSITIONS,
    audit_action="concern.{to}",
    history=_concern_event,
    refusal=_concern_refusal,
    audit_note=False,
)
MATCH_RUN = Lifecycle(
    model=MatchRun,
    field="state",
    transitions=MATCH_RUN_TRANSITIONS,
    audit_action="match_run.state",
    refusal=_match_run_refusal,
)


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
    RELATIONSHIP.check(relationship, to_state)
    if to_state == R.CLOSED and close_reason not in CloseReason.values:
        raise ValidationError({"close_reason": _("Choose why the relationship is closing.")})
    now = timezone.now()
    fields: dict[str, Any] = {}
    if to_state == R.ACTIVE and relationship.activated_at is None:
        fields["activated_at"] = now
    if to_state == R.CLOSING:
        fields["closing_started_at"] = now
    if to_state == R.CLOSED:
        fields.update(closed_at=now, close_reason=close_reason, close_note=reason)
    with transaction.atomic():
        move = RELATIONSHIP.move(
            actor=actor,
            obj=relationship,
            to=to_state,
            note=reason,
            changes=fields,
            audit_changes={"close_reason": ["", close_reason]} if close_reason else {},
        )
        participant = relationship.participant
        # Read under the relationship's lock: only this (open) relationship moves the participant.
        participant.refresh_from_db(fields=["status"])
        new_status: str
        if to_state == R.ACTIVE:
            new_status = ParticipantStatus.MATCHED
        elif to_state == R.CLOSED:
            new_status = ParticipantStatus.WAITING if close_reason in BACK_TO_WAITING else ParticipantStatus.ENDED
        else:
            new_status = participant.status
        if new_status != participant.status:
            PARTICIPANT.move(
                actor=actor,
                obj=participant,
                to=new_status,
                note=f"Relationship {R(to_state).label.lower()}",
                changes={"waiting_since": now} if new_status == ParticipantStatus.WAITING else {},
            )
    return cast(RelationshipChange, move.history)


def move_concern(*, actor: Actor, concern: Concern, to_state: str, detail: str = "") -> Concern:
    """Move a concern along open → acknowledged → followed up, with a chain event and an audit entry."""
    # Acknowledged: the on-call chain stops (no further escalation step is due).
    fields = {"acknowledged_by": _user(actor), "acknowledged_at": timezone.now(), "next_step_at": None}
    CONCERN.move(
        actor=actor,
        obj=concern,
        to=to_state,
        note=detail,
        changes=fields if to_state == ConcernState.ACKNOWLEDGED else {},
        audit_changes={},
    )
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
