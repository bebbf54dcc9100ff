"""Participants: adding, editing, importing, the public request, reads, export and erasure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peerpath.core import audit
from peerpath.core.actors import Actor
from peerpath.core.bulk import PreparedRows, reserve_ids
from peerpath.core.encryption import digest
from peerpath.core.languages import later, lowered
from peerpath.core.models import AuditEntry, User, normalize_email
from peerpath.programs.models import Program
from peerpath.support import extensions
from peerpath.support.defaults import get_settings
from peerpath.support.models import (
    OPEN_STATES,
    AdverseEvent,
    Concern,
    ConcernKind,
    Contact,
    ContactDraft,
    ErasureTally,
    Participant,
    ParticipantSource,
    ParticipantStatus,
    SearchTerm,
    Urgency,
)
from peerpath.support.notify import coordinators, notify
from peerpath.support.search_terms import terms_for
from peerpath.support.services import texts
from peerpath.support.services.common import (
    PARTICIPANT_FIELDS,
    REQUEST_ACTOR,
    acting_user,
    redacted_diff,
    snapshot_fields,
)


def _validate_participant(program: Program, data: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    if not (data.get("full_name") or "").strip():
        errors["full_name"] = _("Give the participant's name.")
    if not (data.get("email") or "").strip() and not (data.get("phone") or "").strip():
        errors["phone"] = _("Give a phone number or an e-mail address so the supporter can reach them.")
    areas = list(data.get("focus_areas") or [])
    if any(a.program_id != program.pk for a in areas):
        errors["focus_areas"] = _("Choose from this program's areas.")
    if data.get("consent_given") and not (data.get("consent_scope") or "").strip():
        errors["consent_scope"] = _("Say what the participant agreed to.")
    if (data.get("preferred_language") or "") not in {"", *(code for code, _name in settings.LANGUAGES)}:
        errors["preferred_language"] = _("Choose one of the languages offered.")
    if data.get("urgency", Urgency.ROUTINE) not in Urgency.values:
        errors["urgency"] = _("Choose routine, soon or urgent.")
    if errors:
        raise ValidationError(errors)


def refresh_search_terms(participant: Participant) -> None:
    """Rebuild the blind index the participant is found by (under the newest key)."""
    participant.search_terms.all().delete()
    terms = terms_for(full_name=participant.full_name, email=participant.email, phone=participant.phone)
    SearchTerm.objects.bulk_create(SearchTerm(participant=participant, digest=digest(t)) for t in sorted(terms))


def rebuild_search_index() -> int:
    """Rebuild every participant's blind index under the newest key, one participant per
    transaction (run by `manage.py rotate_field_keys`); returns how many were covered."""
    count = 0
    for participant in Participant.objects.only("pk", "full_name", "email", "phone").iterator(chunk_size=500):
        with transaction.atomic():
            refresh_search_terms(participant)
        count += 1
    return count


def save_participant(
    *,
    actor: Actor,
    program: Program,
    participant: Participant | None,
    data: dict[str, Any],
    source: str = ParticipantSource.COORDINATOR,
    announce: bool = True,
) -> Participant:
    """Add a participant to the waiting list, or edit one.

    Rules: a name and a way to reach them (phone or e-mail); areas from this program;
    consent, when given, says what was agreed, and when and by whom it was recorded is
    stamped here. The search index is rebuilt from the new name, e-mail and phone. The
    coordinators are told of a newcomer (by reference only; by e-mail too when the person
    asked through the public form) unless ``announce`` is off (an import tells them once).
    """
    current = {n: getattr(participant, n) for n in PARTICIPANT_FIELDS if n != "focus_areas"} if participant else {}
    _validate_participant(program, {**current, **data})
    is_new = participant is None
    participant = participant or Participant(program=program, created_by=acting_user(actor), source=source)
    with transaction.atomic():
        before = snapshot_fields(participant, PARTICIPANT_FIELDS)
        had_consent = participant.consent_given
        for name in PARTICIPANT_FIELDS:
            if name in data and name != "focus_areas":
                value = data[name]
                if name == "email":
                    value = normalize_email(value)
                setattr(participant, name, value)
        if participant.consent_given and not had_consent:
            participant.consent_at = timezone.now()
            participant.consent_recorded_by = acting_user(actor)
            participant.consent_recorded_by_label = str(actor)[:200]
        participant.save()
        if "focus_areas" in data:
            participant.focus_areas.set(data["focus_areas"])
        refresh_search_terms(participant)
        audit.record(
            actor=actor,
            program=program,
            action="participant.create" if is_new else "participant.update",
            target=participant,
            changes=redacted_diff(participant, before, audit.snapshot(participant, PARTICIPANT_FIELDS)),
        )
        if is_new and announce:
            asked = participant.source == ParticipantSource.REQUEST
            notify(
                program=program,
                users=[u for u in coordinators(program) if u != acting_user(actor)],
                text=later(
                    gettext_lazy("%(reference)s joined the waiting list (%(source)s)."),
                    reference=participant.reference,
                    source=lowered(ParticipantSource(participant.source).label),
                ),
                url=participant.get_absolute_url(),
                email_template="support/email/notice" if asked else "",
                context={"subject": gettext_lazy("A new request for a peer supporter")},
            )
    return participant


@dataclass
class ImportedParticipant:
    """A participant checked for `prepare_imported_participants`: the unsaved record, its
    lived-experience areas, search digests and audit entries' changes."""

    participant: Participant
    focus_area_ids: list[int]
    digests: list[str]
    changes: dict[str, Any]
    stamps: dict[str, Any]  # the old records' dates, audited as the import's own entry
    note: str


def prepare_imported_participant(
    *,
    actor: Actor,
    program: Program,
    data: dict[str, Any],
    waiting_since: dt.datetime | None = None,
    consent_at: dt.datetime | None = None,
    consent_recorded_by: User | None = None,
    consent_recorded_by_label: str = "",
    source_note: str = "",
) -> ImportedParticipant:
    """Check and build a participant from another system's records (the data exchange import),
    without writing anything: the import prepares every row before it takes the write lock.

    Rules: everything `save_participant` checks; the same encryption and search index. The
    dates come from the old records when they are known: when the person asked for support
    (their place on the waiting list) and when, and by whom, consent was recorded; neither
    may be in the future. Without them the import stamps now and the importing person. Nobody
    is notified here: the import tells the coordinators once for the whole file.
    """
    now = timezone.now()
    errors: dict[str, str] = {}
    if waiting_since is not None and waiting_since > now:
        errors["waiting_since"] = _("The date cannot be in the future.")
    if consent_at is not None and consent_at > now:
        errors["consent_at"] = _("The date cannot be in the future.")
    if consent_at is not None and not data.get("consent_given"):
        errors["consent_at"] = _("Give a consent date only when the participant consented.")
    if errors:
        raise ValidationError(errors)
    _validate_participant(program, data)
    participant = Participant(program=program, created_by=acting_user(actor), source=ParticipantSource.COORDINATOR)
    for name in PARTICIPANT_FIELDS:
        if name in data and name != "focus_areas":
            setattr(participant, name, normalize_email(data[name]) if name == "email" else data[name])
    if participant.consent_given:
        participant.consent_at = now
        participant.consent_recorded_by = acting_user(actor)
        participant.consent_recorded_by_label = str(actor)[:200]
    areas = list(data.get("focus_areas") or [])
    after = audit.snapshot(participant, [n for n in PARTICIPANT_FIELDS if n != "focus_areas"])
    after["focus_areas"] = audit.Secret(sorted(str(a) for a in areas))
    changes = audit.diff({}, after)
    stamps: dict[str, Any] = {}
    if waiting_since is not None:
        stamps["waiting_since"] = waiting_since
    if participant.consent_given and (consent_at is not None or consent_recorded_by_label):
        stamps["consent_at"] = consent_at or participant.consent_at
        stamps["consent_recorded_by"] = consent_recorded_by
        stamps["consent_recorded_by_label"] = (consent_recorded_by_label or str(actor))[:200]
    stamp_changes = {}
    if stamps:
        before = audit.snapshot(participant, list(stamps))
        for name, value in stamps.items():
            setattr(participant, name, value)
        stamp_changes = audit.diff(before, audit.snapshot(participant, list(stamps)))
    terms = terms_for(full_name=participant.full_name, email=participant.email, phone=participant.phone)
    return ImportedParticipant(
        participant=participant,
        focus_area_ids=[a.pk for a in areas],
        digests=[digest(t) for t in sorted(terms)],
        changes=changes,
        stamps=stamp_changes,
        note=source_note,
    )


@dataclass
class ImportedParticipants:
    """Checked participants as the rows `save_imported_participants` inserts (each row's
    encrypted fields encrypted, every value converted for the database), made before the write
    transaction; ``*_owner`` says which participant each dependent row belongs to."""

    participants: PreparedRows
    areas: PreparedRows
    area_owner: list[int]
    terms: PreparedRows
    term_owner: list[int]
    entries: PreparedRows
    entry_owner: list[int]


def prepare_imported_participants(*, actor: Actor, checked: list[ImportedParticipant]) -> ImportedParticipants:
    """Turn checked participants into rows to insert: one created entry each in the audit log,
    and one for the old records' dates when there were any. Reads and writes nothing."""
    through = Participant.focus_areas.through
    areas, area_owner, terms, term_owner, entries, entry_owner = [], [], [], [], [], []
    for i, p in enumerate(checked):
        for area in p.focus_area_ids:
            areas.append(through(focusarea_id=area))
            area_owner.append(i)
        for term in p.digests:
            terms.append(SearchTerm(digest=term))
            term_owner.append(i)
        made = [("participant.create", p.changes, "")] + (
            [("participant.import", p.stamps, p.note)] if p.stamps else []
        )
        for action, changes, note in made:
            entries.append(
                audit.entry(
                    actor=actor,
                    program=p.participant.program,
                    action=action,
                    target_type=Participant._meta.label_lower,
                    changes=changes,
                    note=note,
                )
            )
            entry_owner.append(i)
    return ImportedParticipants(
        participants=PreparedRows(Participant, [p.participant for p in checked], with_ids=True),
        areas=PreparedRows(through, areas),
        area_owner=area_owner,
        terms=PreparedRows(SearchTerm, terms),
        term_owner=term_owner,
        entries=PreparedRows(AuditEntry, entries),
        entry_owner=entry_owner,
    )


def save_imported_participants(*, prepared: ImportedParticipants) -> list[int]:
    """Insert what `prepare_imported_participants` made: call inside the import's one write
    transaction. Takes the new ids, fills them into the dependent rows and inserts each table's
    rows in one statement, so the write lock is held for the inserts alone. Returns the ids."""
    ids = reserve_ids(Participant, len(prepared.participants))
    prepared.participants.set_column("id", ids)
    prepared.participants.insert()
    prepared.areas.set_column("participant_id", [ids[i] for i in prepared.area_owner])
    prepared.areas.insert()
    prepared.terms.set_column("participant_id", [ids[i] for i in prepared.term_owner])
    prepared.terms.insert()
    prepared.entries.set_column("target_id", [str(ids[i]) for i in prepared.entry_owner])
    prepared.entries.set_column("target_label", [Participant.reference_of(ids[i]) for i in prepared.entry_owner])
    prepared.entries.insert()
    return ids


def submit_request(*, program: Program, data: dict[str, Any]) -> Participant:
    """Take a request for a peer supporter from the public form onto the waiting list.

    Rules: the program's form must be open; consent to be contacted is required (and is
    recorded as given by the participant on the form).
    """
    if not get_settings(program).requests_open:
        raise ValidationError(_("This program is not taking requests through the form at the moment."))
    if not data.get("consent_given"):
        raise ValidationError({"consent_given": _("We can only help if we may contact you.")})
    return save_participant(
        actor=REQUEST_ACTOR, program=program, participant=None, data=data, source=ParticipantSource.REQUEST
    )


def record_view(*, actor: Actor, program: Program, participant: Participant, page: str) -> None:
    """Write the audit entry every read of a participant's record leaves behind."""
    audit.record(actor=actor, program=program, action="participant.view", target=participant, note=page)


def record_list_view(*, actor: Actor, program: Program, participants: Iterable[Participant], page: str) -> None:
    """One audit entry for a page that showed several participants' names."""
    ids = [p.pk for p in participants]
    if ids:
        audit.record(
            actor=actor,
            program=program,
            action="participant.list",
            target_type="support.participant",
            target_label=f"{len(ids)} participants",
            changes={"shown": ids},
            note=page,
        )


def record_list_export(*, actor: Actor, program: Program, participant_ids: Iterable[int], page: str, fmt: str) -> None:
    """One audit entry for a download of a list that names participants (every one it names)."""
    ids = list(participant_ids)
    audit.record(
        actor=actor,
        program=program,
        action="participant.list_export",
        target_type="support.participant",
        target_label=f"{len(ids)} participants",
        changes={"exported": ids},
        note=f"{page} ({fmt.upper()})",
    )


def export_participant(*, actor: Actor, participant: Participant) -> dict[str, Any]:
    """Everything the program holds about one participant, for a subject-access request. Audited."""
    from peerpath.support.queries import participant_export  # queries imports this module (through access)

    data = participant_export(participant)
    audit.record(actor=actor, program=participant.program, action="participant.export", target=participant)
    return data


def erase_participant(*, actor: Actor, participant: Participant, reason: str) -> None:
    """Erase a participant on request, keeping only anonymous counts.

    Rules: a reason (the request) is required, and no relationship may still be open
    (close it first). Their contacts, concerns, conflicts, drafts and relationships are
    deleted after being added to the month's anonymous tally; adverse events stay for
    reports, detached from the person; the audit log keeps the fact of each change but
    loses its values.
    """
    if not reason.strip():
        raise ValidationError({"reason": _("Record the erasure request (who asked, and when).")})
    if participant.relationships.filter(state__in=OPEN_STATES).exists():
        raise ValidationError(_("Close the participant's open relationship before erasing them."))
    program = participant.program
    tally = _tally_of(participant)  # the reads first: the write lock is held only for the writes
    with transaction.atomic():
        reference, pk = participant.reference, participant.pk
        texts.forget_text_consent(participant)
        _anonymise(participant, tally)
        audit.record(
            actor=actor,
            program=program,
            action="participant.erase",
            target_type="support.participant",
            target_id=pk,
            target_label=reference,
            note=f"Erased on request; anonymous counts kept. Request: {reason.strip()[:500]}",
        )


OTHER = "other:"  # a tally key counted by an app above support (ErasureTally.other_counts)


def _tally_of(participant: Participant) -> dict[str, int]:
    """What an erased participant adds to the month's anonymous tally: read before the write
    transaction starts, so the erasure holds the write lock only for its writes. The participant
    has no open relationship, so nothing can be added to what is counted meanwhile."""
    contacts = Contact.objects.filter(relationship__participant=participant).aggregate(
        all=Count("pk"), reached=Count("pk", filter=Q(reached=True))
    )
    concerns = Concern.objects.filter(participant=participant).aggregate(
        concerns=Count("pk", filter=Q(kind=ConcernKind.CONCERN)), crises=Count("pk", filter=Q(kind=ConcernKind.CRISIS))
    )
    return {
        "relationships": participant.relationships.count(),
        "contacts": contacts["all"],
        "contacts_reached": contacts["reached"],
        "concerns": concerns["concerns"],
        "crises": concerns["crises"],
        # The apps above support (needs and referrals in plans): support.extensions.
        **{f"{OTHER}{name}": n for name, n in extensions.erasure_counts(participant).items()},
    }


def _anonymise(participant: Participant, tally: dict[str, int]) -> None:
    """The erasure itself (inside the caller's transaction): count the participant into the month's
    anonymous tally (``tally``, from `_tally_of`), detach their adverse events, blank the values of
    their audit entries and delete them with their contacts, concerns, conflicts, drafts and
    relationships."""
    program = participant.program
    month = timezone.localdate().replace(day=1)
    ErasureTally.objects.get_or_create(program=program, month=month)
    own = {name: value for name, value in tally.items() if not name.startswith(OTHER)}
    ErasureTally.objects.filter(program=program, month=month).update(
        participants=F("participants") + 1, **{name: F(name) + value for name, value in own.items()}
    )
    other = {name.removeprefix(OTHER): value for name, value in tally.items() if name.startswith(OTHER)}
    if other:
        # A JSON sum cannot be an F() expression: the row is locked while it is added to.
        row = ErasureTally.objects.select_for_update().get(program=program, month=month)
        counts = dict(row.other_counts)
        for name, value in other.items():
            counts[name] = int(counts.get(name, 0)) + value
        ErasureTally.objects.filter(pk=row.pk).update(other_counts=counts)
    AdverseEvent.objects.filter(participant=participant).update(participant=None, relationship=None, notes="")
    pk = participant.pk
    relationship_ids = [str(i) for i in participant.relationships.values_list("pk", flat=True)]
    AuditEntry.objects.filter(program=program, target_type="support.participant", target_id=str(pk)).update(
        changes={}, note=""
    )
    AuditEntry.objects.filter(
        program=program, target_type="support.supportrelationship", target_id__in=relationship_ids
    ).update(changes={}, note="")
    participant.delete()


def erase_closed_participants(*, actor: Actor, program: Program, participant_ids: list[int]) -> int:
    """Erase participants whose record the program's retention period no longer keeps, as an
    erasure request would (peerpath.programs.retention). Rules: only participants whose support
    ended (status ended, no open relationship) are erased, each in its own short transaction
    with its row locked; the nightly run writes the one audit entry for all of them (``actor``
    is named there). Returns how many were erased."""
    erased = 0
    for pk in participant_ids:
        candidate = Participant.objects.filter(pk=pk, program=program).first()
        tally = _tally_of(candidate) if candidate is not None else {}
        with transaction.atomic():
            participant = (
                Participant.objects.select_for_update()
                .filter(pk=pk, program=program, status=ParticipantStatus.ENDED)
                .exclude(relationships__state__in=OPEN_STATES)
                .first()
            )
            if participant is None:
                continue
            _anonymise(participant, tally)
            erased += 1
    return erased


def erase_for_retention(
    *, actor: Actor, program: Program, participant_ids: list[int], still_due: Callable[[Participant], bool]
) -> int:
    """Erase participants a retention rule of an app above support found due (people who asked
    only for a group, once they left their last one: peerpath.groups.retention), as an erasure
    request would. Rules: each in its own short transaction with its row locked; never someone
    with an open relationship; the caller's own rule re-checked under the lock (``still_due``),
    so someone who came back meanwhile is kept. The nightly run writes the one audit entry for
    all of them. Returns how many were erased."""
    erased = 0
    for pk in participant_ids:
        candidate = Participant.objects.filter(pk=pk, program=program).first()
        tally = _tally_of(candidate) if candidate is not None else {}
        with transaction.atomic():
            participant = (
                Participant.objects.select_for_update()
                .filter(pk=pk, program=program)
                .exclude(relationships__state__in=OPEN_STATES)
                .first()
            )
            if participant is None or not still_due(participant):
                continue
            _anonymise(participant, tally)
            erased += 1
    return erased


def delete_abandoned_drafts(*, actor: Actor, program: Program, before: dt.datetime) -> int:
    """Delete contact drafts in the program last changed before ``before`` (peerpath.programs.
    retention; the nightly run audits the count). Returns how many were deleted."""
    with transaction.atomic():
        deleted, _counts = ContactDraft.objects.filter(relationship__program=program, updated_at__lt=before).delete()
    return deleted
