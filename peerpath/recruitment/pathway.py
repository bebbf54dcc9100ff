"""The supporter lifecycle: one allowed-transition map and the one function that moves people.

Every other module (screening decisions, training outcomes, breaks) changes a person's stage
through `move_to_stage`, so the map below is the whole truth about which moves exist.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from peerpath.core import audit
from peerpath.core.actors import Actor
from peerpath.core.models import User
from peerpath.recruitment.models import Stage, StageChange, Supporter

S = Stage

TRANSITIONS: dict[str, frozenset[str]] = {
    S.APPLICANT: frozenset({S.SCREENING, S.DECLINED, S.REDIRECTED, S.WITHDRAWN}),
    S.SCREENING: frozenset({S.ACCEPTED, S.COACHING, S.REDIRECTED, S.DECLINED, S.WITHDRAWN}),
    S.COACHING: frozenset({S.SCREENING, S.REDIRECTED, S.DECLINED, S.WITHDRAWN}),
    # A person declined or withdrawn may apply again (declined: after the date set).
    S.DECLINED: frozenset({S.APPLICANT}),
    S.WITHDRAWN: frozenset({S.APPLICANT}),
    S.REDIRECTED: frozenset({S.SCREENING, S.INACTIVE}),
    S.ACCEPTED: frozenset({S.IN_TRAINING, S.WITHDRAWN}),
    S.IN_TRAINING: frozenset({S.ASSESSED, S.WITHDRAWN}),
    S.ASSESSED: frozenset({S.CERTIFIED, S.PROVISIONAL, S.NOT_GRADUATED}),
    # Provisional: reassessed by the deadline, then certified or not graduated.
    S.PROVISIONAL: frozenset({S.CERTIFIED, S.NOT_GRADUATED, S.SHADOWING, S.ACTIVE, S.INACTIVE}),
    S.NOT_GRADUATED: frozenset({S.IN_TRAINING, S.REDIRECTED, S.INACTIVE}),
    S.CERTIFIED: frozenset({S.SHADOWING, S.ACTIVE, S.INACTIVE}),
    S.SHADOWING: frozenset({S.ACTIVE, S.INACTIVE}),
    S.ACTIVE: frozenset({S.ON_BREAK, S.INACTIVE, S.ALUMNI}),
    S.ON_BREAK: frozenset({S.ACTIVE, S.INACTIVE, S.ALUMNI}),
    S.INACTIVE: frozenset({S.ACTIVE, S.ALUMNI}),
    S.ALUMNI: frozenset({S.ACTIVE}),
}


def allowed_next(stage: str) -> list[Stage]:
    """The stages a person in ``stage`` may move to, in lifecycle order."""
    targets = TRANSITIONS.get(stage, frozenset())
    return [s for s in Stage if s in targets]


def move_to_stage(*, actor: Actor, supporter: Supporter, to_stage: str, reason: str = "", **fields: Any) -> StageChange:
    """Move a person along the pathway.

    Rule: only moves in TRANSITIONS are allowed; anything else raises ValidationError with a
    message naming both stages. Each move writes a StageChange (their history) and an audit
    entry. Extra ``fields`` (revisit_on, may_reapply_after, redirected_to) are saved with it.
    """
    with transaction.atomic():
        locked = Supporter.objects.select_for_update().get(pk=supporter.pk)
        from_stage = locked.stage
        if to_stage not in Stage.values:
            raise ValidationError(f"'{to_stage}' is not a stage of the pathway.")
        if to_stage not in TRANSITIONS.get(from_stage, frozenset()):
            raise ValidationError(
                f"{locked.full_name} cannot move from '{Stage(from_stage).label}' to '{Stage(to_stage).label}'."
            )
        before = audit.snapshot(locked, ["stage", *fields.keys()])
        locked.stage = to_stage
        locked.stage_changed_at = timezone.now()
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save(update_fields=["stage", "stage_changed_at", *fields.keys()])
        change = StageChange.objects.create(
            supporter=locked, from_stage=from_stage, to_stage=to_stage, actor=_user(actor), reason=reason
        )
        audit.record(
            actor=actor,
            program=locked.program,
            action="pathway.move",
            target=locked,
            changes=audit.diff(before, audit.snapshot(locked, ["stage", *fields.keys()])),
            note=reason,
        )
    supporter.refresh_from_db()
    return change


def _user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) else None
