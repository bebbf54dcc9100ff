"""The crisis on-call chain: who is alerted, in which order, and how long each has to acknowledge.

Defined once, here, and followed by every channel that alerts people about a crisis (in-app
notifications and e-mail today; text messages register a channel with
`register_alert_channel` and follow the same steps):

1. the supporter's supervisor, or the backup covering for them today
   (`support.notify.on_call_for`);
2. then the program's coordinators, one at a time, in the order the coordinators set on the
   support settings page (`SupportSettings.coordinator_order`; coordinators not listed follow by
   name).

Step 1 is alerted when the crisis is raised and has the program's `crisis_ack_minutes`; every
later step has `crisis_step_minutes`. The escalation service
(`support.services.concerns.escalate_if_due`) takes one step each time a deadline passes
without an acknowledgement, whoever notices first (the scheduler, a worker, a staff page view).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from peerpath.core.models import User
from peerpath.programs.models import Membership, Program
from peerpath.recruitment.models import Supporter
from peerpath.support.models import SupportSettings, lines
from peerpath.support.notify import cover_for


@dataclass(frozen=True)
class Step:
    """One link of the chain: the person alerted and why they are on it."""

    user: User
    role: str  # "supervisor", "backup" or "coordinator"
    reason: str  # as shown on the concern page, e.g. "covering for Sam Supervisor"

    def describe(self) -> str:
        return f"{self.user} ({self.reason})"


def _memberships(program: Program, field: str) -> list[Membership]:
    rows = Membership.objects.current().filter(program=program, **{field: True}, user__is_active=True)
    return list(rows.select_related("user").order_by("user__full_name", "user_id"))


def ordered_coordinators(program: Program, settings_row: SupportSettings) -> list[User]:
    """The program's current coordinators in the escalation order the coordinators set."""
    people = [m.user for m in _memberships(program, "is_coordinator")]
    order = {email.lower(): n for n, email in enumerate(lines(settings_row.coordinator_order))}
    return sorted(people, key=lambda u: order.get(u.email.lower(), len(order)))


def crisis_chain(
    program: Program, supporter: Supporter, settings_row: SupportSettings, at: dt.datetime | None = None
) -> Iterator[Step]:
    """Yield the on-call chain for a crisis raised by ``supporter``, first to last (the supporter's
    own account never appears on it)."""
    day = timezone.localdate(at) if at else timezone.localdate()
    seen: set[int] = {supporter.user_id} if supporter.user_id else set()
    supervisor = supporter.supervisor
    supervisors = {m.user_id for m in _memberships(program, "is_supervisor")}
    if supervisor is not None and supervisor.is_active and supervisor.pk in supervisors:
        cover = cover_for(program, supervisor, day)
        if cover is not None and cover.backup.is_active and cover.backup_id in supervisors:
            first = Step(cover.backup, "backup", _("covering for %(name)s") % {"name": supervisor})
        else:
            first = Step(supervisor, "supervisor", _("supervisor"))
        if first.user.pk not in seen:
            seen.add(first.user.pk)
            yield first
    for user in ordered_coordinators(program, settings_row):
        if user.pk not in seen:
            seen.add(user.pk)
            yield Step(user, "coordinator", _("coordinator"))


def step_minutes(settings_row: SupportSettings, number: int) -> int:
    """Minutes step ``number`` (0 for the first person alerted) has to acknowledge."""
    return settings_row.crisis_ack_minutes if number == 0 else settings_row.crisis_step_minutes


# Every way a person is alerted about a step: called inside the escalation's transaction with
# (concern, step, number, deadline). In-app and e-mail are registered by the support app.
AlertChannel = Callable[..., Any]
_CHANNELS: dict[str, AlertChannel] = {}


def register_alert_channel(name: str, channel: AlertChannel) -> None:
    """Alert people through ``channel(concern=..., step=..., number=..., deadline=...)`` at every step."""
    _CHANNELS[name] = channel


def alert_channels() -> list[AlertChannel]:
    return list(_CHANNELS.values())
