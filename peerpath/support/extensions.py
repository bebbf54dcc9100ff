"""What apps above support add to its pages and records: a registry.

Support sits below the apps that build on a relationship (the participant's plan, needs and
referrals live in ``plans``) and never imports them. Those apps register here in their
``AppConfig.ready()``:

* ``register_section(page, name, render, order)``: a section of the participant page
  (``page="participant"``) or of a concern's page (``page="concern"``: the record is the
  concern, ``viewer`` the reader's place in it); the relationship page's sections are in
  `support.sections`. ``render(request, program, record, viewer)`` returns ``(template,
  context)`` or None when it has nothing to show that person (``viewer`` is None on the
  participant page); the template
  starts with an ``<h2 id="section-<name>">``. It keeps to a fixed number of queries.
* ``register_form_part(form, name, build, order)``: fields added to the contact form
  (``form="contact"``) or the close form (``form="close"``). ``build(request, relationship, data)``
  returns a `FormPart` or None; the page is valid only when every part is, and each part's
  ``save`` runs in the same transaction as the contact (or the close) it belongs to. A contact
  part that is also a `DraftedPart` has its values kept in the contact draft with the rest.
* ``register_followups(name, source)``: dated follow-ups beyond the contacts' own (a plan review,
  a referral to check on), joined to the supporter's follow-ups on the home page and the caseload.
  ``source(program, user, working, today)`` gets the supporter's working relationships (each with
  ``shown`` set) and returns `FollowUp` rows, in a fixed number of queries.
* ``register_participant_export(key, export)``: what the app holds about one participant, added
  under ``key`` to the participant's own export (a subject access request).
* ``register_erasure_counts(name, count)``: what an erased participant leaves in the month's
  anonymous tally (`support.ErasureTally.other_counts`) from the app's records about them.
  ``count(participant)`` returns ``{name: number}`` (e.g. needs recorded, referrals connected)
  in a fixed number of queries; it is read before the erasure's write transaction starts.
* ``register_concern_grounds(name, grounds)``: where a supporter works with a participant outside
  a support relationship (a group they facilitate), so they may raise a concern or crisis about
  them (`support.services.concerns.raise_concern_outside_relationship`). ``grounds(participant,
  supporter)`` returns where, in words ("Tuesday group"), or "" when it gives none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from peerpath.programs.models import Program


class FormPart(Protocol):
    """Fields another app adds to a support form, validated and saved with it."""

    template: str
    context: dict[str, Any]

    def is_valid(self) -> bool: ...

    def save(self, *, actor: Any, record: Any) -> None:
        """Save what was entered; ``record`` is the contact just logged (or the relationship just
        closed). Runs inside the transaction of that change."""
        ...


class DraftedPart(FormPart, Protocol):
    """A contact form part whose values the contact draft keeps (the goals ticked): the draft
    stores the posted values of ``draft_fields()`` and hands them to ``restore`` when the form
    opens again."""

    def draft_fields(self) -> list[str]:
        """The names its inputs are posted under."""
        ...

    def restore(self, values: dict[str, Any]) -> None:
        """Show ``values`` (as the draft kept them) as the part's initial values."""
        ...


def drafted(parts: Iterable[FormPart]) -> list[DraftedPart]:
    """The parts among ``parts`` whose values a draft keeps."""
    return [p for p in parts if hasattr(p, "draft_fields") and hasattr(p, "restore")]  # type: ignore[misc]


@dataclass(frozen=True)
class FollowUp:
    """One dated thing to do in a relationship, shown beside the contacts' follow-ups."""

    relationship: Any  # a working relationship of the list handed to the source (with `shown`)
    on: dt.date
    what: str  # what is due, without naming the participant ("Plan review", "Referral: housing")
    url: str


type SectionRender = Callable[[Any, Program, Any, Any], tuple[str, dict[str, Any]] | None]
type PartBuild = Callable[[Any, Any, Any], FormPart | None]
type FollowUpSource = Callable[[Program, Any, list[Any], dt.date], Iterable[FollowUp]]

PAGES = ("participant", "concern")
FORMS = ("contact", "close")

_SECTIONS: dict[str, dict[str, tuple[int, SectionRender]]] = {page: {} for page in PAGES}
_PARTS: dict[str, dict[str, tuple[int, PartBuild]]] = {form: {} for form in FORMS}
_FOLLOWUPS: dict[str, FollowUpSource] = {}
_EXPORTS: dict[str, Callable[[Any], Any]] = {}
_ERASURE_COUNTS: dict[str, Callable[[Any], dict[str, int]]] = {}
_CONCERN_GROUNDS: dict[str, Callable[[Any, Any], str]] = {}


def register_section(page: str, name: str, render: SectionRender, order: int = 100) -> None:
    """Add a section to a support page (registering a name again replaces it)."""
    _SECTIONS[page][name] = (order, render)


def register_form_part(form: str, name: str, build: PartBuild, order: int = 100) -> None:
    """Add fields to a support form (registering a name again replaces them)."""
    _PARTS[form][name] = (order, build)


def register_followups(name: str, source: FollowUpSource) -> None:
    _FOLLOWUPS[name] = source


def register_participant_export(key: str, export: Callable[[Any], Any]) -> None:
    _EXPORTS[key] = export


@dataclass(frozen=True)
class Section:
    name: str
    template: str
    context: dict[str, Any]


def sections(page: str, request: Any, program: Program, record: Any, viewer: Any) -> list[Section]:
    """The registered sections of ``page`` that have something to show this reader, in order."""
    shown = []
    for name, (_order, render) in sorted(_SECTIONS[page].items(), key=lambda item: item[1][0]):
        if (made := render(request, program, record, viewer)) is not None:
            shown.append(Section(name, made[0], made[1]))
    return shown


def form_parts(form: str, request: Any, relationship: Any, data: Any) -> list[FormPart]:
    """The parts other apps add to ``form`` for this relationship, bound to ``data`` (None: unbound)."""
    parts = []
    for _name, (_order, build) in sorted(_PARTS[form].items(), key=lambda item: item[1][0]):
        if (part := build(request, relationship, data)) is not None:
            parts.append(part)
    return parts


def followups(program: Program, user: Any, working: list[Any], today: dt.date) -> list[FollowUp]:
    """Every registered follow-up of these relationships, earliest first."""
    rows = [row for source in _FOLLOWUPS.values() for row in source(program, user, working, today)]
    return sorted(rows, key=lambda row: (row.on, row.relationship.pk, row.what))


def participant_export(participant: Any) -> dict[str, Any]:
    return {key: export(participant) for key, export in _EXPORTS.items()}


def participant_export_keys() -> list[str]:
    """The keys other apps' parts have in the participant's export, in registration order."""
    return list(_EXPORTS)


def register_erasure_counts(name: str, count: Callable[[Any], dict[str, int]]) -> None:
    _ERASURE_COUNTS[name] = count


def erasure_counts(participant: Any) -> dict[str, int]:
    """Every registered app's counts of its records about ``participant``, for the erasure tally."""
    found: dict[str, int] = {}
    for count in _ERASURE_COUNTS.values():
        found.update(count(participant))
    return found


def register_concern_grounds(name: str, grounds: Callable[[Any, Any], str]) -> None:
    _CONCERN_GROUNDS[name] = grounds


def concern_grounds(participant: Any, supporter: Any) -> str:
    """Where ``supporter`` works with ``participant`` outside a relationship (the first registered
    app that knows), or "" when nowhere."""
    for grounds in _CONCERN_GROUNDS.values():
        if found := grounds(participant, supporter):
            return found
    return ""
