"""The exchange's lifecycle: an uploaded import waits for confirmation, then is applied or
discarded, once (allowed moves as data; `peerpath.core.lifecycle` makes them)."""

from __future__ import annotations

from peerpath.core.lifecycle import Lifecycle
from peerpath.exchange.models import ImportBatch

S = ImportBatch.Status

IMPORT_BATCH = Lifecycle(
    model=ImportBatch,
    field="status",
    transitions={S.PREVIEW: {S.APPLIED, S.DISCARDED}, S.APPLIED: set(), S.DISCARDED: set()},
    audit_action="import_batch.status",
    refusal=lambda batch, from_state, to_state: (
        "This file was already imported or discarded." if from_state != S.PREVIEW else None
    ),
    unaudited={"payload"},  # the staged rows: personal data, cleared on both moves
)
