"""Where a supporter stands on each qualification: pure functions over the rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from peerpath.credentials.models import QualificationKind

# Reminders go out this many days before a qualification expires.
REMINDER_DAYS = (60, 30, 7)


class State(models.TextChoices):
    VALID = "valid", _("Current")
    EXPIRING = "expiring", _("Expiring soon")
    EXPIRED = "expired", _("Expired")
    UNSATISFACTORY = "unsatisfactory", _("Not satisfactory")
    MISSING = "missing", _("Missing")


TONE = {State.VALID: "ok", State.EXPIRING: "warn", State.EXPIRED: "bad", State.UNSATISFACTORY: "bad", State.MISSING: ""}


@dataclass
class QualificationStatus:
    qtype: Any
    state: str
    expires_on: dt.date | None = None
    records: list[Any] = field(default_factory=list)
    have: int = 0  # satisfactory and current (references: how many)

    @property
    def label(self) -> str:
        return str(State(self.state).label)

    @property
    def tone(self) -> str:
        return TONE[State(self.state)]

    @property
    def holds_back(self) -> bool:
        """Whether this status keeps the supporter from the work the type is required for."""
        if self.state in (State.EXPIRED, State.UNSATISFACTORY):
            return True
        return self.state == State.MISSING and bool(self.qtype.missing_holds_back)


def status_of(qtype: Any, records: Iterable[Any], today: dt.date) -> QualificationStatus:
    """A qualification is current when enough satisfactory records (references: the number the
    type needs, otherwise one) have not expired (the expiry day itself still counts); expiring
    within 60 days of the earliest of those; expired when it was held but no longer enough are
    current; not satisfactory when the only records say so; missing when there are none."""
    rows = sorted(records, key=lambda r: (r.obtained_on, r.pk or 0), reverse=True)
    needed = qtype.references_needed if qtype.kind == QualificationKind.REFERENCES else 1
    good = [r for r in rows if r.outcome == "satisfactory"]
    current = [r for r in good if r.expires_on is None or r.expires_on >= today]
    if len(current) >= needed:
        used = current[:needed]
        expiries = [r.expires_on for r in used if r.expires_on is not None]
        expires_on = min(expiries) if expiries else None
        soon = expires_on is not None and (expires_on - today).days <= REMINDER_DAYS[0]
        return QualificationStatus(qtype, State.EXPIRING if soon else State.VALID, expires_on, rows, len(current))
    if good and any(r.expires_on is not None and r.expires_on < today for r in good):
        latest = max(r.expires_on for r in good if r.expires_on is not None)
        return QualificationStatus(qtype, State.EXPIRED, latest, rows, len(current))
    if rows and not good:
        return QualificationStatus(qtype, State.UNSATISFACTORY, None, rows, 0)
    return QualificationStatus(qtype, State.MISSING, None, rows, len(current))
