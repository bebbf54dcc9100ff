"""Who notices that a crisis escalation step is due: whichever comes first of the leading
scheduler's tick, any task worker (at the start of each task) and the next staff page view in
the crisis's program. Each calls `support.services.concerns.escalate_overdue`, which costs one
indexed query when nothing is due and takes each step once, under the concern's row lock, so
two noticers at the same moment never both escalate. A noticer never fails the work it rides
on: a database error (a locked SQLite file, PostgreSQL restarting) or any other is logged and
the next noticer tries again (a step that stays late fails the readiness check).
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import DatabaseError
from django.http import HttpRequest

from peerpath.core.permissions import Role
from peerpath.support.services.concerns import escalate_overdue

logger = logging.getLogger(__name__)

STAFF = frozenset({Role.COORDINATOR, Role.SUPERVISOR, Role.TRAINER})


def _safely(noticed_by: str, **kwargs: Any) -> int:
    try:
        return escalate_overdue(noticed_by=noticed_by, **kwargs)
    except DatabaseError:
        logger.warning("Crisis escalation check by %s failed; the next noticer retries", noticed_by, exc_info=True)
        return 0
    except Exception:  # never the page's or the task's failure; the readiness check shows a late step
        logger.exception("Crisis escalation check by %s failed", noticed_by)
        return 0


def from_scheduler() -> int:
    """The leading scheduler's tick (`core.scheduler.register_tick_check`)."""
    return _safely("the scheduler")


def from_worker(sender: Any, **kwargs: Any) -> None:
    """`django.tasks.signals.task_started`: a database-queue worker about to run any task."""
    from django_tasks_db.backend import DatabaseBackend

    if isinstance(sender, DatabaseBackend):  # not the immediate backend, which runs inside a request
        _safely("a task worker")


def from_page(request: HttpRequest, membership: Any) -> None:
    """A staff member's page view in the program (`core.permissions.register_program_page_hook`)."""
    if membership.roles & STAFF:
        _safely(f"a page view by {request.user}", program=membership.program)
