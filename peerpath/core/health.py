"""Readiness: whether PeerPath is doing its work, not only answering (`/health/ready/`).

`/health/` stays the constant, cheap liveness answer (load balancers, the web benchmark).
`/health/ready/` and the coordinators' system health page run every check registered here, each
a cheap query against a threshold from the settings, and name the failing ones (503). Core
registers the database, the cache, the task queue, the scheduler and undelivered e-mail; an app
that knows of another danger registers its own check in its ``AppConfig.ready()`` (support: the
crises nobody acknowledged in time), so core never imports it.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Min, Q
from django.tasks import task_backends
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max

from peerpath.core import scheduler
from peerpath.core.models import EmailStatus, OutgoingEmail

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Check:
    """The outcome of one check: ``value`` against ``threshold`` (both None for a yes/no check)."""

    name: str
    label: str
    ok: bool
    detail: str
    value: float | int | None = None
    threshold: float | int | None = None

    def as_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "value": self.value, "threshold": self.threshold, "detail": self.detail}


CHECKS: dict[str, Callable[[dt.datetime], Check]] = {}


def register_check(name: str, check: Callable[[dt.datetime], Check]) -> None:
    """Add a readiness check: a function of the current time returning a `Check` named ``name``."""
    CHECKS[name] = check


def run_checks(now: dt.datetime | None = None) -> list[Check]:
    """Every registered check, in registration order; a check that raises fails with the error."""
    now = now or timezone.now()
    results = []
    for name, check in CHECKS.items():
        try:
            results.append(check(now))
        except Exception as error:
            logger.warning("readiness check %s failed", name, exc_info=True)
            results.append(Check(name, name, False, f"{type(error).__name__}: {error}"))
    return results


def report(now: dt.datetime | None = None) -> tuple[bool, dict[str, Any]]:
    """(all ok, the JSON body of /health/ready/)."""
    results = run_checks(now)
    failing = [c.name for c in results if not c.ok]
    body = {
        "status": "failing" if failing else "ok",
        "failing": failing,
        "checks": {c.name: c.as_json() for c in results},
    }
    return not failing, body


def seconds(delta: dt.timedelta) -> int:
    return max(0, int(delta.total_seconds()))


def check_database(now: dt.datetime) -> Check:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return Check("database", _("Database"), True, _("Answers."))


def check_cache(now: dt.datetime) -> Check:
    token = uuid.uuid4().hex
    cache.set("peerpath:readiness", token, 30)
    ok = cache.get("peerpath:readiness") == token
    return Check(
        "cache", _("Cache"), ok, _("Stores and returns a value.") if ok else _("Did not return what was stored.")
    )


def oldest_ready_task_age(now: dt.datetime) -> dt.timedelta | None:
    """How long the task waiting longest has been due (None: nothing is waiting)."""
    due = DBTaskResult.objects.filter(status="READY").aggregate(
        queued=Min("enqueued_at", filter=Q(run_after=get_date_max())),
        deferred=Min("run_after", filter=Q(run_after__lte=now)),
    )
    since = [when for when in (due["queued"], due["deferred"]) if when is not None]
    return now - min(since) if since else None


def check_task_queue(now: dt.datetime) -> Check:
    limit = int(settings.HEALTH_MAX_TASK_WAIT_SECONDS)
    if not isinstance(task_backends["default"], DatabaseBackend):
        return Check("task_queue", _("Task queue"), True, _("Tasks run as they are queued."), 0, limit)
    age = oldest_ready_task_age(now)
    waited = seconds(age) if age is not None else 0
    ok = waited <= limit
    if age is None:
        detail = _("Nothing is waiting.")
    elif ok:
        detail = _("The task waiting longest has waited %(s)s s.") % {"s": waited}
    else:
        detail = _("A task has waited %(s)s s: is a worker running?") % {"s": waited}
    return Check("task_queue", _("Task queue"), ok, detail, waited, limit)


def check_scheduler(now: dt.datetime) -> Check:
    limit = int(settings.HEALTH_MAX_SCHEDULER_SILENCE_SECONDS)
    ticked = scheduler.last_tick()
    if ticked is None:
        return Check("scheduler", _("Scheduler"), False, _("The scheduler has never run."), None, limit)
    silent = seconds(now - ticked)
    ok = silent <= limit
    detail = (
        _("Last tick %(s)s s ago.") % {"s": silent}
        if ok
        else _("No tick for %(s)s s: is the scheduler running?") % {"s": silent}
    )
    return Check("scheduler", _("Scheduler"), ok, detail, silent, limit)


def recent_undelivered(now: dt.datetime) -> int:
    """Messages that finally failed within the last day (older ones stay on the programs' lists)."""
    return OutgoingEmail.objects.filter(
        status=EmailStatus.UNDELIVERED, failed_at__gte=now - dt.timedelta(days=1)
    ).count()


def check_undelivered(now: dt.datetime) -> Check:
    limit = int(settings.HEALTH_MAX_UNDELIVERED)
    count = recent_undelivered(now)
    ok = count <= limit
    detail = _("%(n)s e-mails could not be delivered in the last day.") % {"n": count}
    return Check("undelivered_email", _("Undelivered e-mail"), ok, detail, count, limit)


def register_core_checks() -> None:
    register_check("database", check_database)
    register_check("cache", check_cache)
    register_check("task_queue", check_task_queue)
    register_check("scheduler", check_scheduler)
    register_check("undelivered_email", check_undelivered)
