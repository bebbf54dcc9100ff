"""One way to move a record along its lifecycle, as django-oscar's `set_status()`.

A `Lifecycle` is declared once per model whose records have a state (in the app's
`lifecycle.py`, or `recruitment/pathway.py` for the supporter's pathway): the field holding
the state, the allowed moves as data (a terminal state maps to an empty set), the history row
each move writes, and the audit action. `Lifecycle.move` is the only code that changes that
field: it locks the row, refuses a move missing from the map, saves the new state together
with the fields that change with it, and writes the history row and the audit entry, all in
one transaction. Services wrap it with their own rules and side effects.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from peerpath.core import audit
from peerpath.core.actors import Actor
from peerpath.core.models import AuditEntry, User


@dataclass
class Move[M: models.Model]:
    """One move: handed to the lifecycle's history callable, and returned by `Lifecycle.move`."""

    obj: M
    from_state: str
    to_state: str
    actor: Actor
    note: str = ""
    history: models.Model | None = None
    entry: AuditEntry | None = None

    @property
    def user(self) -> User | None:
        """The acting user for history rows; None for the scheduler and other system actors."""
        return self.actor if isinstance(self.actor, User) else None


class Lifecycle[M: models.Model]:
    """The allowed moves of ``model.<field>`` and the one function that makes them.

    - ``transitions``: {state: states it may move to}; every choice of the field has an entry.
    - ``audit_action``: the audit entry's action; ``{to}`` is replaced by the new state.
    - ``history``: makes the history row of a move (None where the model keeps no history).
    - ``label``: how a refusal names the record (text, or a function of the record); by
      default "This <verbose name>".
    - ``refusal``: a function (record, from, to) giving a friendlier refusal than the default
      "… cannot move from 'A' to 'B'" (None falls back to the default).
    - ``stamp``: a date-time field set on every move ("when the state last changed").
    - ``unaudited``: fields whose values never go into the audit log (encrypted or personal
      text, files); ``audit_note=False`` keeps the move's note in the history row only.
    """

    def __init__(
        self,
        *,
        model: type[M],
        field: str,
        transitions: Mapping[str, Collection[str]],
        audit_action: str,
        history: Callable[[Move[M]], models.Model] | None = None,
        label: str | Callable[[M], str] | None = None,
        refusal: Callable[[M, str, str], str | None] | None = None,
        stamp: str | None = None,
        unaudited: Collection[str] = (),
        audit_note: bool = True,
    ) -> None:
        self.model = model
        self.field = field
        self.audit_action = audit_action
        self.history = history
        self.label = label
        self.refusal = refusal
        self.stamp = stamp
        self.unaudited = frozenset(unaudited)
        self.audit_note = audit_note
        state_field = self._field(field)
        # The choices' lazy labels, read in the language of each page or message (not the one at import).
        self.labels: dict[str, str | Promise] = {str(value): text for value, text in state_field.flatchoices}
        if not self.labels:
            raise ImproperlyConfigured(f"{model.__name__}.{field} has no choices to move between.")
        self.transitions: Mapping[str, frozenset[str]] = MappingProxyType(
            {str(state): frozenset(str(t) for t in targets) for state, targets in transitions.items()}
        )
        if set(self.transitions) != set(self.labels):
            raise ImproperlyConfigured(
                f"The map of {model.__name__}.{field} must list every state once: "
                f"missing {sorted(set(self.labels) - set(self.transitions))}, "
                f"unknown {sorted(set(self.transitions) - set(self.labels))}."
            )
        for state, targets in self.transitions.items():
            if not targets <= set(self.labels):
                raise ImproperlyConfigured(f"{model.__name__}.{field}: {state} -> unknown {sorted(targets)}.")
        for name in [*([stamp] if stamp else []), *self.unaudited]:
            self._field(name)

    def __repr__(self) -> str:
        return f"<Lifecycle {self.model._meta.label}.{self.field}>"

    def _field(self, name: str) -> models.Field[Any, Any]:
        try:
            found = self.model._meta.get_field(name)
        except FieldDoesNotExist as error:
            raise ImproperlyConfigured(f"{self.model.__name__} has no field '{name}'.") from error
        if not isinstance(found, models.Field) or found.many_to_many:
            raise ImproperlyConfigured(f"{self.model.__name__}.{name} is not a column a move can save.")
        return found

    # --- Reading the map ------------------------------------------------------------------------

    @property
    def states(self) -> list[str]:
        """Every state, in the order of the field's choices."""
        return list(self.labels)

    def allows(self, from_state: str, to_state: str) -> bool:
        return to_state in self.transitions.get(from_state, frozenset())

    def allowed_from(self, state: str) -> list[str]:
        """The states a record in ``state`` may move to, in the order of the field's choices
        (for pages that offer the possible moves)."""
        targets = self.transitions.get(state, frozenset())
        return [s for s in self.labels if s in targets]

    # --- Refusing -------------------------------------------------------------------------------

    def _refused(self, obj: M, from_state: str, to_state: str) -> ValidationError:
        message = self.refusal(obj, from_state, to_state) if self.refusal is not None else None
        if message is None:
            if callable(self.label):
                what = self.label(obj)
            else:
                what = self.label or _("This %(thing)s") % {"thing": self.model._meta.verbose_name}
            message = _("%(what)s cannot move from '%(from)s' to '%(to)s'.") % {
                "what": what,
                "from": self.labels.get(from_state, from_state),
                "to": self.labels[to_state],
            }
        return ValidationError(message)

    def _known(self, to_state: str) -> None:
        if to_state not in self.labels:
            raise ValidationError(
                _("'%(value)s' is not a valid %(field)s.")
                % {"value": to_state, "field": self._field(self.field).verbose_name}
            )

    def check(self, obj: M, to_state: str, *, only_from: Collection[str] | None = None) -> None:
        """Raise the move's ValidationError now if ``obj``, as the caller holds it, may not move to
        ``to_state`` (or is not in ``only_from``). Services call it before their other checks so
        the refusal comes first; `move` checks again under the row lock."""
        self._known(to_state)
        current = getattr(obj, self.field)
        if not self.allows(current, to_state) or (only_from is not None and current not in only_from):
            raise self._refused(obj, current, to_state)

    # --- Moving ---------------------------------------------------------------------------------

    def move(
        self,
        *,
        actor: Actor,
        obj: M,
        to: str,
        note: str = "",
        changes: Mapping[str, Any] | None = None,
        only_from: Collection[str] | None = None,
        audit_action: str | None = None,
        audit_changes: Mapping[str, Any] | None = None,
    ) -> Move[M]:
        """Move ``obj`` to state ``to``.

        Rules: the row is locked and its state read from the database; a move missing from the
        map (or from a state outside ``only_from``, for a service whose rule is narrower than the
        map) raises ValidationError naming both states, and changes nothing. Otherwise the new
        state, the ``stamp`` and the extra field values in ``changes`` are saved in one UPDATE,
        the history row is written and an audit entry records the old and new state (and, unless
        ``audit_changes`` replaces them, the old and new values of ``changes``); ``note`` goes to
        the history row and the audit entry. ``obj`` itself carries the saved values afterwards.
        """
        self._known(to)
        values = dict(changes or {})
        for name in values:
            if name in (self.field, self.stamp):
                raise ValueError(f"'{name}' is set by the lifecycle itself.")
            self._field(name)
        audited = [name for name in values if name not in self.unaudited]
        with transaction.atomic():
            # The state under a row lock: a concurrent move of the same record waits here and
            # then sees this one's result, so two moves never both start from the same state.
            current = (
                self.model._default_manager.select_for_update()
                .filter(pk=obj.pk)
                .values_list(self.field, flat=True)
                .get()
            )
            if not self.allows(current, to) or (only_from is not None and current not in only_from):
                raise self._refused(obj, current, to)
            before = audit.snapshot(obj, audited)
            setattr(obj, self.field, to)
            saved = [self.field]
            if self.stamp:
                setattr(obj, self.stamp, timezone.now())
                saved.append(self.stamp)
            for name, value in values.items():
                setattr(obj, name, value)
            obj.save(update_fields=[*saved, *values])
            step = Move(obj=obj, from_state=current, to_state=to, actor=actor, note=note)
            if self.history is not None:
                step.history = self.history(step)
            extra = audit.diff(before, audit.snapshot(obj, audited)) if audit_changes is None else audit_changes
            recorded: dict[str, Any] = {self.field: [current, to]}
            recorded.update((k, v) for k, v in extra.items() if k != self.field and k not in self.unaudited)
            step.entry = audit.record(
                actor=actor,
                program=obj.program,  # type: ignore[attr-defined]  # every PeerPath record belongs to a program
                action=(audit_action or self.audit_action).replace("{to}", to),
                target=obj,
                changes=recorded,
                note=note if self.audit_note else "",
            )
        return step
