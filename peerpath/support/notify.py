"""Telling people: in-app notifications and e-mail, and who is on call for a supporter.

Neither carries a participant's name or notes, only their reference (P-0042) and a link:
e-mail leaves the program's hands, and queued e-mail sits in the database until it is sent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from peerpath.core.mail import absolute_url, queue_email
from peerpath.core.models import User
from peerpath.core.permissions import Role
from peerpath.programs.models import Membership, Program
from peerpath.recruitment.models import Supporter
from peerpath.support.models import Notification, SupervisorCover


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
            return [cover.backup], _("%(backup)s (covering for %(supervisor)s)") % {
                "backup": cover.backup,
                "supervisor": supervisor,
            }
        return [supervisor], _("%(supervisor)s (supervisor)") % {"supervisor": supervisor}
    people = coordinators(program)
    return people, _("the coordinators (no supervisor on call)")


def notify(
    *,
    program: Program,
    users: Iterable[User | None],  # None (a supporter without an account) is skipped
    text: str,
    url: str = "",
    urgent: bool = False,
    email_template: str = "",
    context: dict[str, Any] | None = None,
    **links: Any,
) -> list[Notification]:
    """An in-app notification for each person, and the same news by e-mail when a template is given."""
    people = [u for u in dict.fromkeys(users) if u is not None]
    rows = Notification.objects.bulk_create(
        Notification(program=program, user=u, text=text[:300], url=url, is_urgent=urgent, **links) for u in people
    )
    if email_template and people:
        queue_email(
            to=[u.email for u in people],
            template=email_template,
            context={"program": program, "text": text, "url": absolute_url(url) if url else "", **(context or {})},
        )
    return rows
