"""Retention by rule: each program says how long it keeps what it no longer needs; a nightly job
removes what has passed and writes one audit entry per run.

A *rule* is one kind of record with a moment it is counted from (an audit entry's creation, a
participant's last relationship closing, a draft's last change) and a way to remove it. Programs
owns the registry, the per-program days (`RetentionSettings`), the job and the coordinator's page;
the apps owning the records register their rules in `AppConfig.ready()` with `register_rule`
(support: closed participants, abandoned contact drafts). Finished background-task rows follow
the one installation-wide setting, `PEERPATH_FINISHED_TASKS_KEEP_DAYS`
(`peerpath.core.taskqueue`), and are pruned by the same run.

The page and the job read the same `due` queries, so what a coordinator is told will go in the
next 30 days is what the job will remove, night by night, unless the settings change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from peerpath.core import audit, taskqueue
from peerpath.core.actors import Actor, SystemActor
from peerpath.core.models import AuditEntry
from peerpath.core.program_settings import ProgramSettings
from peerpath.programs.models import Program, RetentionSettings

# What the audit log names as the actor of a nightly run.
RETENTION = SystemActor("retention")
HORIZON_DAYS = 30
# Shortest periods a coordinator may set, so a slip of the keyboard cannot erase a program's records.
MINIMUM_DAYS = {"closed_participant_days": 30, "audit_days": 90, "draft_days": 1}
BATCH = 500


@dataclass(frozen=True)
class Upcoming:
    """One record that will go, for the coordinator's list."""

    label: str
    url: str
    goes_on: dt.date


@dataclass(frozen=True)
class Rule:
    key: str
    label: str | Promise
    # The RetentionSettings field holding the days (None keeps these records for good).
    field: str
    # due(program, before): how many records were counted from a moment before ``before``.
    due: Callable[[Program, dt.datetime], int]
    # remove(program, before): remove those records; returns how many went.
    remove: Callable[[Program, dt.datetime], int]
    # items(program, before, days): the records behind ``due`` to list by name (optional).
    items: Callable[[Program, dt.datetime, int], list[Upcoming]] | None = None


_RULES: dict[str, Rule] = {}


def register_rule(rule: Rule) -> None:
    _RULES[rule.key] = rule


def rules() -> list[Rule]:
    return list(_RULES.values())


_SETTINGS = ProgramSettings(RetentionSettings)


def get_settings(program: Program) -> RetentionSettings:
    """The program's retention settings, created on first use (drafts 30 days, the rest kept)."""
    return _SETTINGS.get(program)


# --- What goes when ----------------------------------------------------------------------


def cutoff(days: int, now: dt.datetime) -> dt.datetime:
    """Records counted from before this moment have been kept ``days`` days at ``now``."""
    return now - dt.timedelta(days=days)


@dataclass(frozen=True)
class Forecast:
    rule: Rule
    days: int | None
    next_run: int
    within_horizon: int
    items: list[Upcoming]


def forecast(program: Program, now: dt.datetime | None = None, horizon_days: int = HORIZON_DAYS) -> list[Forecast]:
    """Per rule: what the next nightly run removes and what goes within ``horizon_days``."""
    now = now or timezone.now()
    row = get_settings(program)
    found = []
    for rule in rules():
        days = getattr(row, rule.field)
        if days is None:
            found.append(Forecast(rule, None, 0, 0, []))
            continue
        soon = cutoff(days, now + dt.timedelta(days=horizon_days))
        items = rule.items(program, soon, days) if rule.items else []
        found.append(Forecast(rule, days, rule.due(program, cutoff(days, now)), rule.due(program, soon), items))
    return found


# --- The nightly run ---------------------------------------------------------------------


def _remove_audit_entries(program: Program, before: dt.datetime) -> int:
    """Delete the program's audit entries older than ``before``, a batch per transaction."""
    removed = 0
    while True:
        with transaction.atomic():
            ids = list(
                AuditEntry.objects.filter(program=program, created_at__lt=before).values_list("pk", flat=True)[:BATCH]
            )
            if not ids:
                return removed
            AuditEntry.objects.filter(pk__in=ids).delete()
        removed += len(ids)


def _due_audit_entries(program: Program, before: dt.datetime) -> int:
    return AuditEntry.objects.filter(program=program, created_at__lt=before).count()


register_rule(
    Rule(
        key="audit_entries",
        label=_("Audit log entries"),
        field="audit_days",
        due=_due_audit_entries,
        remove=_remove_audit_entries,
    )
)


def run(*, actor: Actor = RETENTION, now: dt.datetime | None = None) -> AuditEntry:
    """Remove, in every program, what its retention settings no longer keep, and finished task rows
    past the installation's setting; write one audit entry for the run with the counts (per
    program and rule). Each rule works in short transactions, so the run never holds the database
    for long; a rule that fails is recorded in the entry and the others still run."""
    now = now or timezone.now()
    removed: dict[str, dict[str, int]] = {}
    failed: list[str] = []
    for program in Program.objects.order_by("pk"):
        row = get_settings(program)
        counts = {}
        for rule in rules():
            days = getattr(row, rule.field)
            if days is None:
                continue
            try:
                counts[rule.key] = rule.remove(program, cutoff(days, now))
            except Exception as error:  # one failing rule must not stop the others; the entry says so
                failed.append(f"{program.slug}/{rule.key}: {error.__class__.__name__}: {error}"[:300])
        if any(counts.values()):
            removed[program.slug] = counts
    tasks = taskqueue.prune_finished_tasks(now)
    total = sum(n for counts in removed.values() for n in counts.values()) + tasks
    with transaction.atomic():
        return audit.record(
            actor=actor,
            program=None,
            action="retention.run",
            target_type="retention",
            target_label=f"{total} records removed",
            changes={"removed": removed, "finished_tasks": tasks, "failed": failed},
            note=f"Finished task rows kept {taskqueue.finished_tasks_keep_days()} days.",
        )


def recent_runs(program: Program, limit: int = 5) -> list[tuple[dt.datetime, dict[str, int]]]:
    """The last runs and what each removed from this program (an empty dict: nothing)."""
    entries = AuditEntry.objects.filter(action="retention.run", program__isnull=True).order_by("-created_at")[:limit]
    return [(e.created_at, (e.changes.get("removed") or {}).get(program.slug, {})) for e in entries]
