"""What an expired (or unsatisfactory) required qualification holds a supporter back from,
registered with the registries of the apps below (``CredentialsConfig.ready()``)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from peerpath.credentials import queries
from peerpath.credentials.status import QualificationStatus, State
from peerpath.programs.models import Program
from peerpath.support.availability import HoldBack


def _why(status: QualificationStatus) -> str:
    name = status.qtype.name
    if status.state == State.EXPIRED and status.expires_on is not None:
        return _("%(name)s expired on %(date)s") % {"name": name, "date": status.expires_on.isoformat()}
    if status.state == State.UNSATISFACTORY:
        return _("%(name)s not satisfactory") % {"name": name}
    return _("%(name)s missing") % {"name": name}


def matching_holds(program: Program, on_date: dt.date) -> dict[int, HoldBack]:
    """No new match while a qualification required for new matches is not current. The
    coordinator reads which one; the supporter reads what to renew."""
    found: dict[int, HoldBack] = {}
    for supporter_id, statuses in queries.holds(program, on_date, "for_new_matches").items():
        reasons = ", ".join(_why(s) for s in statuses)
        found[supporter_id] = HoldBack(
            reason=_("qualification not current: %(reasons)s") % {"reasons": reasons},
            for_supporter=_("You can take no new match until this is renewed: %(reasons)s.") % {"reasons": reasons},
        )
    return found


def facilitation_holds(program: Program, on_date: dt.date) -> dict[int, str]:
    """Not proposed as a facilitator while a qualification required for facilitating is not current."""
    return {
        supporter_id: _("qualification not current: %(reasons)s") % {"reasons": ", ".join(_why(s) for s in statuses)}
        for supporter_id, statuses in queries.holds(program, on_date, "for_facilitating").items()
    }
