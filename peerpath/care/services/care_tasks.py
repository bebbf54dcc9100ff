"""Care tasks: what a supervisor (or the coordinators) must follow up."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from peerpath.care.lifecycle import CARE_TASK
from peerpath.care.models import (
    CareTask,
    TaskStatus,
)
from peerpath.care.services.common import (
    active_supervisor,
    coordinator_users,
    is_coordinator,
    program_path,
)
from peerpath.core import audit
from peerpath.core.actors import Actor
from peerpath.core.models import User
from peerpath.notifications.services import notify as notify_people
from peerpath.programs.models import Membership, Program
from peerpath.recruitment.models import Supporter


def create_task(
    *,
    actor: Actor,
    program: Program,
    supporter: Supporter | None,
    kind: str,
    title: str,
    detail: str = "",
    due_on: dt.date | None = None,
    assigned_to: Any = None,
    notify: bool = True,
    **links: Any,
) -> CareTask:
    """Open a task for a supervisor (with nobody assigned, the coordinators pick it up).

    Rule: the assignee holds the supervisor or coordinator role in the program. The assignee
    (or every coordinator) is told by e-mail unless ``notify`` is off.
    """
    if (
        assigned_to is not None
        and not Membership.objects.filter(program=program, user=assigned_to)
        .filter(Q(is_supervisor=True) | Q(is_coordinator=True))
        .active()
        .exists()
    ):
        raise ValidationError(_("Tasks go to a supervisor or coordinator of the program."))
    with transaction.atomic():
        task = CareTask.objects.create(
            program=program,
            supporter=supporter,
            assigned_to=assigned_to,
            kind=kind,
            title=title[:300],
            detail=detail,
            due_on=due_on,
            **links,
        )
        audit.record(actor=actor, program=program, action="care_task.create", target=task)
        if notify:
            readers = [assigned_to] if assigned_to is not None else coordinator_users(program)
            notify_people(
                kind="care.task",
                users=readers,
                program=program,
                context={"task": task},
                url=program_path("care:tasks", program),
                key=f"care.task:{task.pk}",
            )
    return task


def complete_task(*, actor: User, task: CareTask, outcome: str = "") -> CareTask:
    """Mark a task done. Rules: only open tasks; only the assignee or a coordinator."""
    CARE_TASK.check(task, TaskStatus.DONE)
    if task.assigned_to_id != actor.pk and not is_coordinator(actor, task.program):
        raise ValidationError(_("Only the person it is assigned to, or a coordinator, can close this task."))
    CARE_TASK.move(
        actor=actor,
        obj=task,
        to=TaskStatus.DONE,
        changes={"outcome": outcome, "completed_at": timezone.now(), "completed_by": actor},
        audit_action="care_task.complete",
        # The outcome is encrypted: the entry records that one was written, never its text.
        audit_changes={"outcome": [audit.CHANGED, audit.CHANGED]} if outcome else {},
    )
    return task


def task_for_supervisor(
    *, actor: Actor, supporter: Supporter, kind: str, title: str, detail: str, due_on: dt.date | None, **links: Any
) -> CareTask:
    return create_task(
        actor=actor,
        program=supporter.program,
        supporter=supporter,
        kind=kind,
        title=title,
        detail=detail,
        due_on=due_on,
        assigned_to=active_supervisor(supporter),
        **links,
    )
