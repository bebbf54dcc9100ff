"""The supporter lifecycle: one allowed-transition map and the one function that moves people.

Every other module (screening decisions, training outcomes, breaks) changes a person's stage
through `move_to_stage` (the `PATHWAY` lifecycle, see `peerpath.core.lifecycle`), so the map
below is the whole truth about which moves exist.
"""

from __future__ import annotations

from typing import Any, cast

from peerpath.core.actors import Actor
from peerpath.core.lifecycle import Lifecycle, Move
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


def _stage_change(move: Move[Supporter]) -> StageChange:
    return StageChange.objects.create(
        supporter=move.obj, from_stage=move.from_state, to_stage=move.to_state, actor=move.user, reason=move.note
    )


PATHWAY = Lifecycle(
    model=Supporter,
    field="stage",
    transitions=TRANSITIONS,
    audit_action="pathway.move",
    history=_stage_change,
    label=lambda supporter: supporter.full_name,
    stamp="stage_changed_at",
)


def allowed_next(stage: str) -> list[Stage]:
    """The stages a person in ``stage`` may move to, in lifecycle order."""
    return [Stage(s) for s in PATHWAY.allowed_from(stage)]


def move_to_stage(*, actor: Actor, supporter: Supporter, to_stage: str, reason: str = "", **fields: Any) -> StageChange:
    """Move a person along the pathway.

    Rule: only moves in TRANSITIONS are allowed; anything else raises ValidationError with a
    message naming both stages. Each move writes a StageChange (their history) and an audit
    entry. Extra ``fields`` (revisit_on, may_reapply_after, redirected_to) are saved with it.
    """
    return cast(StageChange, PATHWAY.move(actor=actor, obj=supporter, to=to_stage, note=reason, changes=fields).history)
