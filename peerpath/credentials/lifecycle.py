"""Credentials' lifecycles: an external training's review (allowed moves as data;
`peerpath.core.lifecycle` makes them, `services.approve_external_training` adds the rules)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from peerpath.core.lifecycle import Lifecycle
from peerpath.credentials.models import ExternalStatus, ExternalTraining

EXTERNAL_TRANSITIONS: dict[str, frozenset[str]] = {
    ExternalStatus.SUBMITTED: frozenset({ExternalStatus.APPROVED}),
    ExternalStatus.APPROVED: frozenset(),
}


def _external_refusal(external: ExternalTraining, from_state: str, to_state: str) -> str | None:
    if from_state == ExternalStatus.APPROVED:
        return _("This training is already approved.")
    return None


EXTERNAL_TRAINING = Lifecycle(
    model=ExternalTraining,
    field="status",
    transitions=EXTERNAL_TRANSITIONS,
    audit_action="credentials.external.{to}",
    refusal=_external_refusal,
)
