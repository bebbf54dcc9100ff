"""Writing and reading the audit log."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.db import models
from django.utils.translation import pgettext

from peerpath.core.actors import Actor
from peerpath.core.audit_actions import ACTIONS, SAVED
from peerpath.core.encryption import is_audit_secret
from peerpath.core.models import AuditEntry, User
from peerpath.core.record_kinds import KINDS

# What the log holds for a field whose values it never records (`is_audit_secret`): only that
# it changed.
CHANGED = "(changed)"


class Secret:
    """A snapshot's value of a field the log must not hold: compared like the value, written as
    `CHANGED`. `snapshot` wraps every encrypted field (and every field marked
    `encryption.audit_secret`) in one, so no caller can put such a value into an entry."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and self.value == other.value

    def __hash__(self) -> int:
        return hash(repr(self.value))

    def __repr__(self) -> str:
        return "Secret(...)"


def _jsonable(value: Any) -> Any:
    if isinstance(value, Secret):
        return CHANGED
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The current values of ``fields`` on ``instance``, ready to compare and store. The value of
    a field the log must not hold (`encryption.is_audit_secret`) is wrapped in a `Secret`."""
    values: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        value: Any
        if field.many_to_many:
            value = sorted(str(o) for o in getattr(instance, name).all()) if instance.pk else []
        elif field.is_relation:
            related = getattr(instance, name)
            value = str(related) if related is not None else None
        else:
            value = _jsonable(getattr(instance, name))
        values[name] = Secret(value) if is_audit_secret(field) else value
    return values


def _compared(value: Any) -> Any:
    return _jsonable(value.value if isinstance(value, Secret) else value)


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for every field whose value changed; [CHANGED, CHANGED] for a field
    whose values the log never holds (a `Secret` in either snapshot)."""
    keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
    changes: dict[str, list[Any]] = {}
    for k in keys:
        old, new = before.get(k), after.get(k)
        if _compared(old) == _compared(new):
            continue
        secret = isinstance(old, Secret) or isinstance(new, Secret)
        changes[k] = [CHANGED, CHANGED] if secret else [_jsonable(old), _jsonable(new)]
    return changes


def record(
    *,
    actor: Actor,
    program: Any,
    action: str,
    target: models.Model | None = None,
    target_type: str | None = None,
    target_id: Any = None,
    target_label: str | None = None,
    changes: dict[str, Any] | None = None,
    note: str = "",
) -> AuditEntry:
    """Write one audit entry. Call it inside the transaction of the change it describes."""
    made = entry(
        actor=actor,
        program=program,
        action=action,
        target=target,
        target_type=target_type,
        target_id=target_id,
        target_label=target_label,
        changes=changes,
        note=note,
    )
    made.save(force_insert=True)
    return made


def entry(
    *,
    actor: Actor,
    program: Any,
    action: str,
    target: models.Model | None = None,
    target_type: str | None = None,
    target_id: Any = None,
    target_label: str | None = None,
    changes: dict[str, Any] | None = None,
    note: str = "",
) -> AuditEntry:
    """The entry `record` writes, unsaved: a bulk write (an import) inserts many at once with
    ``AuditEntry.objects.bulk_create``, in the transaction of the change they describe."""
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target.pk if target_id is None else target_id
        target_label = target_label if target_label is not None else str(target)[:200]
    return AuditEntry(
        program=program,
        actor=actor if isinstance(actor, User) else None,
        actor_label=str(actor)[:200],  # the user as shown (name, else e-mail), or the label
        action=action,
        target_type=target_type or "",
        target_id="" if target_id is None else str(target_id),
        target_label=(target_label or "")[:200],
        changes=_jsonable(changes or {}),
        note=note,
    )


def save_audited[M: models.Model](
    *, actor: Actor, program: Any, instance: M, fields: list[str], data: dict[str, Any], action: str
) -> M:
    """Set ``fields`` from ``data`` on a new or existing record, save it and audit the change.

    ``action`` is a prefix: '.create' or '.update' is added. Call inside a transaction, after
    the caller's own validation.
    """
    is_new = instance.pk is None
    # Read "before" from the database: a bound ModelForm has already changed the instance.
    before = {} if is_new else snapshot(type(instance)._default_manager.get(pk=instance.pk), fields)
    for name in fields:
        if name in data:
            setattr(instance, name, data[name])
    instance.save()
    changes = diff(before, snapshot(instance, fields))
    if is_new or changes:
        record(
            actor=actor,
            program=program,
            action=f"{action}.{'create' if is_new else 'update'}",
            target=instance,
            changes=changes,
        )
    return instance


def record_type_label(target_type: str) -> str:
    """A kind of record as people say it, in their language: 'support.participant' ->
    'Participant' (``peerpath.core.record_kinds``; the model's own name for one missing there)."""
    if target_type in KINDS:
        name = str(KINDS[target_type])
    else:
        try:
            name = str(apps.get_model(target_type)._meta.verbose_name)
        except (LookupError, ValueError):
            name = target_type.rsplit(".", 1)[-1].replace("_", " ")
    return name[:1].upper() + name[1:]


def action_label(action: str) -> str:
    """What an entry did, as people say it, in their language: 'participant.view' -> "Viewed a
    participant's record" (``peerpath.core.audit_actions``); the code itself for one missing there."""
    if action in ACTIONS:
        return str(ACTIONS[action])
    prefix, _dot, verb = action.rpartition(".")
    if prefix in SAVED and verb == "create":
        return pgettext("audit action", "Added %(thing)s") % {"thing": SAVED[prefix]}
    if prefix in SAVED and verb == "update":
        return pgettext("audit action", "Changed %(thing)s") % {"thing": SAVED[prefix]}
    return action


def record_name(entry: AuditEntry) -> str:
    """The record an entry is about, named: 'Participant P-0042', 'Supporter Jane Doe' (its label
    as written when it happened), or 'Cohort #12' when it has no label."""
    kind, label = record_parts(entry)
    return f"{kind} {label}".strip()


def record_parts(entry: AuditEntry) -> tuple[str, str]:
    """The record's kind, in the reader's language, and its label as written when it happened
    (kept as written: pages show it untranslated), e.g. ('Participant', 'P-0042'); the kind is
    empty when the label already names it."""
    kind = record_type_label(entry.target_type)
    label = entry.target_label.strip()
    if not label:
        return kind, f"#{entry.target_id}" if entry.target_id else ""
    if label.lower().startswith(kind.lower()):
        return "", label
    return kind, label
