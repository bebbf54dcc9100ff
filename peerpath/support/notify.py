"""Telling people (through the notification layer, `peerpath.notifications`), and who is on call
for a supporter.

No message carries a participant's name or notes, only their reference (P-0042) and a link:
e-mail and texts leave the program's hands, and queued messages sit in the database until sent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from peerpath.core.models import User
from peerpath.core.permissions import Role
from peerpath.notifications import services as notifications
from peerpath.notifications.models import Notice
from peerpath.programs.models import Membership, Program
from peerpath.recruitment.models import Supporter
from peerpath.support.models import SupervisorCover


def coordinators(program: Program) -> list[User]:
    return [
        m.user for m in Membership.objects.filter(program=program).with_role(Role.COORDINATOR).select_related("user")
    ]


def _is_supervisor(program: Program, user: Any) -> bool:
    return Membership.objects.filter(program=program, user=user).with_role(Role.SUPERVISOR).exists()


def cover_for(program: Program, supervisor: Any, on_date: dt.date) -> SupervisorCover | None:
    return (
        SupervisorCover.objects.filter(
            program=program, supervisor=supervisor, starts_on__lte=on_date, ends_on__gte=on_date
        )
        .select_related("backup")
        .order_by("-created_at")
        .first()
    )


def on_call_for(program: Program, supporter: Supporter, at: dt.datetime | None = None) -> tuple[list[User], str]:
    """Who answers for this supporter now, and how they were chosen.

    The supporter's supervisor; their named backup while a cover is running; the program's
    coordinators when the supporter has no (active) supervisor.
    """
    day = timezone.localdate(at) if at else timezone.localdate()
    supervisor = supporter.supervisor
    if supervisor is not None and supervisor.is_active and _is_supervisor(program, supervisor):
        cover = cover_for(program, supervisor, day)
        if cover is not None and cover.backup.is_active and _is_supervisor(program, cover.backup):
            return [cover.backup], f"{cover.backup} (covering for {supervisor})"
        return [supervisor], f"{supervisor} (supervisor)"
    people = coordinators(program)
    return people, "the coordinators (no supervisor on call)"


def about(**links: Any) -> str:
    """What a notice is about, from the record it was sent for (a concern, a relationship)."""
    for name in ("concern", "relationship"):
        record = links.get(name)
        if record is not None:
            return f"support.{name}:{record.pk}"
    return ""


def notify(
    *,
    program: Program,
    users: Iterable[User | None],  # None (a supporter without an account) is skipped
    text: Any,
    url: str = "",
    urgent: bool = False,
    email_template: str = "",
    context: dict[str, Any] | None = None,
    kind: str = "",
    **links: Any,
) -> list[Notice]:
    """Tell each person something through the notification layer.

    Without a ``kind``: a message sent with an e-mail template is a ``support.alert`` (in the app
    and by e-mail unless the person chose otherwise), any other a ``support.notice`` (in the
    app). ``text`` may be lazy, to be rendered in each recipient's language."""
    kind = kind or ("support.alert" if email_template else "support.notice")
    values = {"text": text, **(context or {})}
    return notifications.notify(
        kind=kind, users=users, program=program, context=values, url=url, about=about(**links), urgent=urgent
    )
