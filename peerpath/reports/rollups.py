"""Contact rollups: the figures the contact reports need, kept per program and day.

At full scale a program logs tens of thousands of contacts a year; counting them for every
report took seconds (the funder report alone read every contact into Python). Instead:

- ``ContactDay`` holds, per program and day, counts by name (the *measures* below), so a
  report over a year reads at most 366 rows and sums them by month;
- ``ParticipantMonth`` holds, per participant and month, the days a contact reached them (bits),
  so the people reached in a period, each counted once, are counted in the database;
- ``RelationshipFigures`` holds what each relationship's contacts added to the days.

They are kept exact in the transaction that changes a contact: after any contact is saved or
deleted (the services `log_contact` and `correct_contact`, a participant's erasure, anything
that calls ``save()`` or ``delete()``), its relationship's figures are computed again from its
contacts (a few rows) and the difference from what it had added is added to the days; a
participant's lived-experience areas changing does the same for their relationships. Writes
that send no signal (``bulk_create``, ``QuerySet.update()``, SQL) are not seen: `make bench-data`
rebuilds at its end, and ``manage.py rollups --rebuild`` rebuilds any database
(``--check`` compares every figure with the contacts and exits non-zero on a difference).

The measures of a day (each a count; the report sums them over the days of a period):

- ``logged``: contacts and attempts logged that day; ``reached``: those that reached the
  participant; ``minutes``: the minutes of those;
- ``task:<task>``: contacts that reached the participant serving that task; ``task:`` none;
- ``svc:<areas>`` and ``svcmin:<areas>``: one-to-one service (a contact that reached the
  participant with its length logged) and its minutes, by the participant's lived-experience
  areas (their ids, sorted, joined by commas; empty for none);
- ``due``: follow-ups whose date is that day; ``lag:<n>``: those that a later contact reached
  ``n`` days after their date (0 for on or before it); ``unanswered``: those no later contact
  reached yet.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps as global_apps
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

from peerpath.support.models import SupportTask

TASKS = tuple(task.value for task in SupportTask)
# (contacted_on, reached, duration_minutes, tasks, next_follow_up) of one contact.
type ContactRow = tuple[dt.date, bool, int | None, Any, dt.date | None]
type Figures = dict[str, dict[str, int]]  # {day (ISO): {measure: n}}
CONTACT_FIELDS = ("contacted_on", "reached", "duration_minutes", "tasks", "next_follow_up")


def area_key(area_ids: Iterable[int]) -> str:
    return ",".join(str(pk) for pk in sorted(set(area_ids)))


def relationship_figures(contacts: Iterable[ContactRow], areas: str) -> Figures:
    """What one relationship's contacts add to each day (see the module's measures)."""
    rows = list(contacts)
    figures: dict[str, Counter[str]] = defaultdict(Counter)
    reached_days = sorted({row[0] for row in rows if row[1]})
    for contacted_on, reached, minutes, tasks, follow_up in rows:
        day = figures[contacted_on.isoformat()]
        day["logged"] += 1
        if reached:
            day["reached"] += 1
            day["minutes"] += minutes or 0
            # As the reports counted them in SQL: a task is counted when its value is in the list;
            # "no task" when the list holds no text at all.
            named = [t for t in tasks if isinstance(t, str)] if isinstance(tasks, list) else []
            for task in TASKS:
                if task in named:
                    day[f"task:{task}"] += 1
            if not named:
                day["task:"] += 1
            if minutes:
                day[f"svc:{areas}"] += 1
                day[f"svcmin:{areas}"] += minutes
        if follow_up is not None:
            due = figures[follow_up.isoformat()]
            due["due"] += 1
            answered = next((d for d in reached_days if d > contacted_on), None)
            if answered is None:
                due["unanswered"] += 1
            else:
                due[f"lag:{max((answered - follow_up).days, 0)}"] += 1
    out = {day: {m: n for m, n in sorted(counts.items()) if n} for day, counts in figures.items()}
    return {day: counts for day, counts in out.items() if counts}


def reached_months(days: Iterable[dt.date]) -> dict[dt.date, int]:
    """The days as bits per month (bit 0 is the 1st)."""
    months: dict[dt.date, int] = defaultdict(int)
    for day in days:
        months[day.replace(day=1)] |= 1 << (day.day - 1)
    return dict(months)


def difference(new: Figures, old: Figures) -> Figures:
    out: Figures = {}
    for day in new.keys() | old.keys():
        a, b = new.get(day, {}), old.get(day, {})
        changed = {m: a.get(m, 0) - b.get(m, 0) for m in a.keys() | b.keys()}
        changed = {m: n for m, n in changed.items() if n}
        if changed:
            out[day] = changed
    return out


def _models(apps: Any) -> tuple[Any, ...]:
    return (
        apps.get_model("support", "Contact"),
        apps.get_model("support", "SupportRelationship"),
        apps.get_model("support", "Participant").focus_areas.through,
        apps.get_model("reports", "ContactDay"),
        apps.get_model("reports", "ParticipantMonth"),
        apps.get_model("reports", "RelationshipFigures"),
    )


def add_to_days(program_id: int, change: Figures, apps: Any = global_apps, create: bool = True) -> None:
    """Add ``change`` to the program's days, locking them in order of date (``create``: making
    the days missing so far; a relationship being deleted only takes from days it added to)."""
    if not change:
        return
    ContactDay = apps.get_model("reports", "ContactDay")
    days = sorted(change)
    if create:
        ContactDay.objects.bulk_create(
            [ContactDay(program_id=program_id, day=dt.date.fromisoformat(day), figures={}) for day in days],
            ignore_conflicts=True,
        )
    rows = list(ContactDay.objects.select_for_update().filter(program_id=program_id, day__in=days).order_by("day"))
    for row in rows:
        figures = dict(row.figures)
        for measure, n in change[row.day.isoformat()].items():
            figures[measure] = figures.get(measure, 0) + n
        row.figures = {m: n for m, n in sorted(figures.items()) if n}
    ContactDay.objects.bulk_update(rows, ["figures"])


def sync_relationship(relationship_id: int, apps: Any = global_apps) -> None:
    """Compute the relationship's figures from its contacts again and add the difference from
    what it had added to its program's days; then its participant's months. Runs in the
    transaction of the change (the relationship's row is locked, so two changes to it queue)."""
    Contact, Relationship, Areas, _day, _month, RelationshipFigures = _models(apps)
    with transaction.atomic():
        found = (
            Relationship.objects.select_for_update()
            .filter(pk=relationship_id)
            .values_list("program_id", "participant_id")
            .first()
        )
        if found is None:
            return
        program_id, participant_id = found
        areas = area_key(Areas.objects.filter(participant_id=participant_id).values_list("focusarea_id", flat=True))
        contacts = Contact.objects.filter(relationship_id=relationship_id).values_list(*CONTACT_FIELDS)
        new = relationship_figures(contacts, areas)
        kept = RelationshipFigures.objects.filter(pk=relationship_id).first()
        old = kept.figures if kept is not None else {}
        add_to_days(program_id, difference(new, old), apps)
        if kept is None and new:
            RelationshipFigures.objects.create(relationship_id=relationship_id, program_id=program_id, figures=new)
        elif kept is not None and not new:
            kept.delete()
        elif kept is not None and new != old:
            kept.figures = new
            kept.save(update_fields=["figures"])
        sync_participant(program_id, participant_id, apps)


def retire_relationship(relationship_id: int, apps: Any = global_apps) -> None:
    """Take a relationship's figures out of its program's days (it is being deleted)."""
    RelationshipFigures = apps.get_model("reports", "RelationshipFigures")
    kept = RelationshipFigures.objects.filter(pk=relationship_id).first()
    if kept is None:
        return
    add_to_days(kept.program_id, difference({}, kept.figures), apps, create=False)
    kept.delete()


def sync_participant(program_id: int, participant_id: int, apps: Any = global_apps) -> None:
    """The participant's months, from the days a contact reached them (any relationship)."""
    Contact, *_rest = _models(apps)
    ParticipantMonth = apps.get_model("reports", "ParticipantMonth")
    days = Contact.objects.filter(relationship__participant_id=participant_id, reached=True).values_list(
        "contacted_on", flat=True
    )
    wanted = reached_months(days)
    have = {row.month: row for row in ParticipantMonth.objects.filter(participant_id=participant_id)}
    stale = [row.pk for month, row in have.items() if wanted.get(month) != row.days]
    if stale:
        ParticipantMonth.objects.filter(pk__in=stale).delete()
    ParticipantMonth.objects.bulk_create(
        ParticipantMonth(program_id=program_id, participant_id=participant_id, month=month, days=bits)
        for month, bits in wanted.items()
        if month not in have or have[month].days != bits
    )


# --- reading -----------------------------------------------------------------------------------


_read: ContextVar[dict[tuple[int, dt.date, dt.date], list[tuple[dt.date, dict[str, int]]]] | None] = ContextVar(
    "rollup_days_read", default=None
)


@contextmanager
def shared_reads() -> Iterator[None]:
    """Within this block, reports asking for the same program's days read them once (the
    dashboard's contact reports all read the period's days)."""
    token = _read.set({})
    try:
        yield
    finally:
        _read.reset(token)


def days(program: Any, start: dt.date, end: dt.date) -> list[tuple[dt.date, dict[str, int]]]:
    """The program's days from ``start`` to ``end`` (inclusive) that have figures: one query,
    at most one row per day (none when already read within `shared_reads`)."""
    kept, key = _read.get(), (program.pk, start, end)
    if kept is not None and key in kept:
        return kept[key]
    ContactDay = global_apps.get_model("reports", "ContactDay")
    found = list(
        ContactDay.objects.filter(program=program, day__gte=start, day__lte=end)
        .order_by("day")
        .values_list("day", "figures")
    )
    if kept is not None:
        kept[key] = found
    return found


def by_month(found: Iterable[tuple[dt.date, dict[str, int]]], *measures: str) -> dict[dt.date, dict[str, int]]:
    """The named measures summed per month (keyed by the month's first day)."""
    months: dict[dt.date, dict[str, int]] = defaultdict(lambda: dict.fromkeys(measures, 0))
    for day, figures in found:
        month = months[day.replace(day=1)]
        for measure in measures:
            month[measure] += figures.get(measure, 0)
    return months


def month_bits(month: dt.date, start: dt.date, end: dt.date) -> int:
    """The bits of the days of ``month`` from ``start`` to ``end``."""
    following = (month + dt.timedelta(days=32)).replace(day=1)
    first, last = max(month, start), min(following - dt.timedelta(days=1), end)
    return sum(1 << (day - 1) for day in range(first.day, last.day + 1)) if first <= last else 0


# --- building from scratch --------------------------------------------------------------------


@dataclass
class Built:
    """Every rollup computed from the contacts: each program's days, each relationship's figures
    (with its program), and the participants' months ``{(program, participant, month): bits}``."""

    days: dict[int, Figures] = field(default_factory=dict)
    relationships: dict[int, tuple[int, Figures]] = field(default_factory=dict)
    months: dict[tuple[int, int, dt.date], int] = field(default_factory=dict)


def computed(program_id: int | None = None, apps: Any = global_apps) -> Built:
    """The rollups of one program (or of all) computed from the contacts, one pass over them."""
    Contact, Relationship, Areas, *_rest = _models(apps)
    relationships = Relationship.objects.all()
    through = Areas.objects.all()
    contacts = Contact.objects.all()
    if program_id is not None:
        relationships = relationships.filter(program_id=program_id)
        through = through.filter(participant__program_id=program_id)
        contacts = contacts.filter(relationship__program_id=program_id)
    areas_of: dict[int, list[int]] = defaultdict(list)
    for participant_id, area_id in through.values_list("participant_id", "focusarea_id"):
        areas_of[participant_id].append(area_id)
    owner = {pk: (prog, part) for pk, prog, part in relationships.values_list("pk", "program_id", "participant_id")}
    by_relationship: dict[int, list[ContactRow]] = defaultdict(list)
    rows = contacts.order_by().values_list("relationship_id", *CONTACT_FIELDS)
    for relationship_id, *row in rows.iterator(chunk_size=20_000):
        by_relationship[relationship_id].append(tuple(row))
    days: dict[int, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    reached: dict[tuple[int, int], list[dt.date]] = defaultdict(list)
    built = Built()
    for relationship_id, found in by_relationship.items():
        prog, participant_id = owner[relationship_id]
        figures = relationship_figures(found, area_key(areas_of.get(participant_id, ())))
        if figures:
            built.relationships[relationship_id] = (prog, figures)
        for day, counts in figures.items():
            days[prog][day].update(counts)
        reached[(prog, participant_id)].extend(row[0] for row in found if row[1])
    built.days = {
        prog: {day: {m: n for m, n in sorted(c.items()) if n} for day, c in found.items()}
        for prog, found in days.items()
    }
    built.months = {
        (prog, participant_id, month): bits
        for (prog, participant_id), found_days in reached.items()
        for month, bits in reached_months(found_days).items()
    }
    return built


def rebuild(program_id: int | None = None, apps: Any = global_apps) -> dict[str, int]:
    """Replace the rollups of one program (or of all) with ones computed from the contacts, in
    one transaction. Returns how many rows of each were written."""
    *_sources, ContactDay, ParticipantMonth, RelationshipFigures = _models(apps)
    built = computed(program_id, apps)
    scope = {} if program_id is None else {"program_id": program_id}
    with transaction.atomic():
        for model in (ContactDay, ParticipantMonth, RelationshipFigures):
            model.objects.filter(**scope).delete()
        ContactDay.objects.bulk_create(
            (
                ContactDay(program_id=prog, day=dt.date.fromisoformat(day), figures=counts)
                for prog, found in built.days.items()
                for day, counts in found.items()
            ),
            batch_size=2_000,
        )
        RelationshipFigures.objects.bulk_create(
            (
                RelationshipFigures(relationship_id=pk, program_id=prog, figures=figures)
                for pk, (prog, figures) in built.relationships.items()
            ),
            batch_size=2_000,
        )
        ParticipantMonth.objects.bulk_create(
            (
                ParticipantMonth(program_id=prog, participant_id=participant_id, month=month, days=bits)
                for (prog, participant_id, month), bits in built.months.items()
            ),
            batch_size=5_000,
        )
    return {
        "days": sum(len(found) for found in built.days.values()),
        "relationships": len(built.relationships),
        "participant_months": len(built.months),
    }


def differences(program_id: int | None = None, apps: Any = global_apps) -> Iterator[str]:
    """Where the stored rollups differ from the contacts, in words (nothing when they agree)."""
    *_sources, ContactDay, ParticipantMonth, RelationshipFigures = _models(apps)
    built = computed(program_id, apps)
    totals, months = built.days, built.months
    each = {pk: figures for pk, (_prog, figures) in built.relationships.items()}
    scope = {} if program_id is None else {"program_id": program_id}
    stored: dict[int, dict[str, dict[str, int]]] = defaultdict(dict)
    for prog, day, figures in ContactDay.objects.filter(**scope).values_list("program_id", "day", "figures"):
        if figures:
            stored[prog][day.isoformat()] = figures
    for prog in sorted(set(stored) | set(totals)):
        want, have = totals.get(prog, {}), stored.get(prog, {})
        for day in sorted(set(want) | set(have)):
            if want.get(day, {}) != have.get(day, {}):
                yield f"program {prog}, {day}: stored {have.get(day, {})}, contacts give {want.get(day, {})}"
    kept = {
        (prog, participant_id, month): bits
        for prog, participant_id, month, bits in ParticipantMonth.objects.filter(**scope).values_list(
            "program_id", "participant_id", "month", "days"
        )
    }
    for key in sorted(set(kept) ^ set(months) | {k for k in kept if k in months and kept[k] != months[k]}):
        stored_bits, wanted_bits = kept.get(key), months.get(key)
        yield (
            f"participant {key[1]} (program {key[0]}), {key[2]:%Y-%m}: stored {stored_bits}, "
            f"contacts give {wanted_bits}"
        )
    snapshots = dict(RelationshipFigures.objects.filter(**scope).values_list("relationship_id", "figures"))
    for pk in sorted(set(snapshots) | set(each)):
        if snapshots.get(pk, {}) != each.get(pk, {}):
            yield f"relationship {pk}: its kept figures differ from its contacts"


# --- keeping them in step ---------------------------------------------------------------------


def _contact_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    if not kwargs.get("raw"):
        sync_relationship(instance.relationship_id)


def _relationship_deleting(sender: Any, instance: Any, **kwargs: Any) -> None:
    retire_relationship(instance.pk)


def _relationship_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    sync_participant(instance.program_id, instance.participant_id)


def _areas_changed(sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **kwargs: Any) -> None:
    """A participant's lived-experience areas changed: their one-to-one service moves area."""
    if action == "pre_clear" and reverse:
        # Clearing an area's participants: note who they are before the rows go.
        instance._rollup_participants = list(
            sender.objects.filter(focusarea=instance).values_list("participant_id", flat=True)
        )
        return
    if not action.startswith("post_"):
        return
    if not reverse:
        participants = [instance.pk]
    elif action == "post_clear":
        participants = getattr(instance, "_rollup_participants", [])
    else:
        participants = list(pk_set or [])
    Relationship = global_apps.get_model("support", "SupportRelationship")
    for relationship_id in Relationship.objects.filter(participant_id__in=participants).values_list("pk", flat=True):
        sync_relationship(relationship_id)


def connect() -> None:
    from peerpath.support.models import Contact, Participant, SupportRelationship

    post_save.connect(_contact_changed, sender=Contact, dispatch_uid="reports.rollups.contact_saved")
    post_delete.connect(_contact_changed, sender=Contact, dispatch_uid="reports.rollups.contact_deleted")
    pre_delete.connect(_relationship_deleting, sender=SupportRelationship, dispatch_uid="reports.rollups.rel_deleting")
    post_delete.connect(_relationship_deleted, sender=SupportRelationship, dispatch_uid="reports.rollups.rel_deleted")
    m2m_changed.connect(
        _areas_changed, sender=Participant.focus_areas.through, dispatch_uid="reports.rollups.participant_areas"
    )
