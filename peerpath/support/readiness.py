"""The readiness check support adds (peerpath.core.health): crises whose escalation is late."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils.translation import gettext as _

from peerpath.core.health import Check, register_check
from peerpath.support.queries import late_crisis_escalations


def check_crises(now: dt.datetime) -> Check:
    """Fails when an unacknowledged crisis's next on-call step is overdue by more than
    PEERPATH_HEALTH_CRISIS_GRACE_SECONDS: nothing noticed it (no scheduler, worker or staff page)."""
    grace = dt.timedelta(seconds=int(settings.HEALTH_CRISIS_GRACE_SECONDS))
    limit = int(settings.HEALTH_MAX_LATE_CRISES)
    count = late_crisis_escalations(now, grace)
    detail = _("%(n)s unacknowledged crises with an escalation step overdue by more than %(s)s s.") % {
        "n": count,
        "s": int(grace.total_seconds()),
    }
    return Check("crisis_escalation", _("Crisis escalation"), count <= limit, detail, count, limit)


def register() -> None:
    register_check("crisis_escalation", check_crises)
