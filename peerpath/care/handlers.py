"""Care's answer to hard events in a supporter's caseload (`programs.signals.adverse_event_recorded`)."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from peerpath.care.services.debriefs import record_hard_event

logger = logging.getLogger(__name__)


def on_adverse_event(
    sender: Any,
    *,
    program: Any,
    supporter: Any,
    kind: str,
    occurred_at: Any = None,
    event: Any = None,
    **kwargs: Any,
) -> None:
    """Schedule a check-in within 48 hours and tell the supervisor and the buddy.

    Only the kind, the time and which record it was (its model and id, to avoid following the
    same event up twice) are kept; nothing of the event's content is stored or passed on. A
    failure here is logged and never undoes the sender's own change.
    """
    source_type = event._meta.label_lower if event is not None and hasattr(event, "_meta") else ""
    source_id = str(getattr(event, "pk", "") or "")
    try:
        with transaction.atomic():
            record_hard_event(
                program=program,
                supporter=supporter,
                kind=kind,
                occurred_at=occurred_at,
                source_type=source_type,
                source_id=source_id,
            )
    except Exception:
        logger.exception("Supporter care could not follow up a %s event for supporter %s", kind, supporter.pk)
