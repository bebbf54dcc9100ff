"""State changes in support: participants, matching, relationships, contacts, concerns, adverse events.

Every function is keyword-only with the acting person first, atomic, validated and audited.
Audit entries name participants by reference and never copy an encrypted value: a change to
an encrypted field is recorded as "(changed)".
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from peerpath.core import audit
from peerpath.core.models import AuditEntry, normalize_email
from peerpath.programs.models import FocusArea, Program
from peerpath.programs.signals import adverse_event_recorded
from peerpath.recruitment.models import Supporter
from peerpath.support import eligibility, matching
from peerpath.support.defaults import get_settings
from peerpath.support.encryption import digest, encrypted_fields, terms_for
from peerpath.support.lifecycle import move_concern, move_relationship, record_concern_event
from peerpath.support.models import (
    OPEN_STATES,
    WORKING_STATES,
    AdverseEvent,
    AdverseKind,
    CloseReason,
    Concern,
    ConcernKind,
    ConcernState,
    Conflict,
    Contact,
    ContactDraft,
    ContactKind,
    ErasureTally,
    MatchingProfile,
    MatchLeftOver,
    MatchProposal,
    MatchRun,
    MatchRunState,
    Notification,
    Participant,
    ParticipantSource,
    ParticipantStatus,
    RelationshipState,
    SearchTerm,
    SupervisorCover,
    SupportRelationship,
    SupportSettings,
    SupportTask,
)
from peerpath.support.notify import coordinators, notify, on_call_for

REQUEST_ACTOR = "the participant, on the public form"
CHANGED = "(changed)"
PARTICIPANT_FIELDS = [
    "full_name",
    "email",
    "phone",
    "preferred_contact",
    "languages",
    "focus_areas",
    "modes",
    "area",
    "availability",
    "preferred_gender",
    "preferred_age_bands",
    "preferred_communities",
    "must_haves",
    "consent_given",
    "consent_scope",
    "intake_notes",
]
CONTACT_FIELDS = [
    "contacted_on",
    "channel",
    "reached",
    "duration_minutes",
    "tasks",
    "kind",
    "notes",
    "next_follow_up",
]


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def redacted_diff(instance: Any, before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """audit.diff, with encrypted fields shown only as changed: the audit log holds no secrets."""
    secret = set(encrypted_fields(type(instance)))
    return {
        name: ([CHANGED, CHANGED] if name in secret else values) for name, values in audit.diff(before, after).items()
    }


def _snapshot(instance: Any, fields: list[str]) -> dict[str, Any]:
    return audit.snapshot(instance, fields) if instance.pk else {}


# --- Participants --------------------------------------------------------------------------


def _validate_participant(program: Program, data: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    if not (data.get("full_name") or "").strip():
        errors["full_name"] = "Give the participant's name."
    if not (data.get("email") or "").strip() and not (data.get("phone") or "").strip():
        errors["phone"] = "Give a phone number or an e-mail address so the supporter can reach them."
    areas = list(data.get("focus_areas") or [])
    if any(a.program_id != program.pk for a in areas):
        errors["focus_areas"] = "Choose from this program's areas."
    if data.get("consent_given") and not (data.get("consent_scope") or "").strip():
        errors["consent_scope"] = "Say what the participant agreed to."
    if errors:
        raise ValidationError(errors)


def refresh_search_terms(participant: Participant) -> None:
    """Rebuild the blind index the participant is found by (under the newest key)."""
    participant.search_terms.all().delete()
    terms = terms_for(full_name=participant.full_name, email=participant.email, phone=participant.phone)
    SearchTerm.objects.bulk_create(SearchTerm(participant=participant, digest=digest(t)) for t in sorted(terms))


def save_participant(
    *,
    actor: Any,
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
    participant = participant or Participant(program=program, created_by=_user(actor), source=source)
    with transaction.atomic():
        before = _snapshot(participant, PARTICIPANT_FIELDS)
        had_consent = participant.consent_given
        for name in PARTICIPANT_FIELDS:
            if name in data and name != "focus_areas":
                value = data[name]
                if name == "email":
                    value = normalize_email(value)
                setattr(participant, name, value)
        if participant.consent_given and not had_consent:
            participant.consent_at = timezone.now()
            participant.consent_recorded_by = _user(actor)
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
                users=[u for u in coordinators(program) if u != _user(actor)],
                text=f"{participant.reference} joined the waiting list ({participant.get_source_display().lower()}).",
                url=participant.get_absolute_url(),
                email_template="support/email/notice" if asked else "",
                context={"subject": "A new request for a peer supporter"},
            )
    return participant


def import_participant(
    *,
    actor: Any,
    program: Program,
    data: dict[str, Any],
    waiting_since: dt.datetime | None = None,
    consent_at: dt.datetime | None = None,
    consent_recorded_by: Any = None,
    consent_recorded_by_label: str = "",
    source_note: str = "",
) -> Participant:
    """Add a participant from another system's records (the data exchange import).

    Rules: everything `save_participant` checks; the same encryption and search index. The
    dates come from the old records when they are known: when the person asked for support
    (their place on the waiting list) and when, and by whom, consent was recorded; neither
    may be in the future. Without them the import stamps now and the importing person. Nobody
    is notified here: the import tells the coordinators once for the whole file.
    """
    now = timezone.now()
    errors: dict[str, str] = {}
    if waiting_since is not None and waiting_since > now:
        errors["waiting_since"] = "The date cannot be in the future."
    if consent_at is not None and consent_at > now:
        errors["consent_at"] = "The date cannot be in the future."
    if consent_at is not None and not data.get("consent_given"):
        errors["consent_at"] = "Give a consent date only when the participant consented."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        participant = save_participant(actor=actor, program=program, participant=None, data=data, announce=False)
        stamps: dict[str, Any] = {}
        if waiting_since is not None:
            stamps["waiting_since"] = waiting_since
        if participant.consent_given and (consent_at is not None or consent_recorded_by_label):
            stamps["consent_at"] = consent_at or participant.consent_at
            stamps["consent_recorded_by"] = _user(consent_recorded_by)
            stamps["consent_recorded_by_label"] = (consent_recorded_by_label or str(actor))[:200]
        if stamps:
            before = audit.snapshot(participant, list(stamps))
            for name, value in stamps.items():
                setattr(participant, name, value)
            participant.save(update_fields=list(stamps))
            audit.record(
                actor=actor,
                program=program,
                action="participant.import",
                target=participant,
                changes=audit.diff(before, audit.snapshot(participant, list(stamps))),
                note=source_note,
            )
    return participant


def submit_request(*, program: Program, data: dict[str, Any]) -> Participant:
    """Take a request for a peer supporter from the public form onto the waiting list.

    Rules: the program's form must be open; consent to be contacted is required (and is
    recorded as given by the participant on the form).
    """
    if not get_settings(program).requests_open:
        raise ValidationError("This program is not taking requests through the form at the moment.")
    if not data.get("consent_given"):
        raise ValidationError({"consent_given": "We can only help if we may contact you."})
    return save_participant(
        actor=REQUEST_ACTOR, program=program, participant=None, data=data, source=ParticipantSource.REQUEST
    )


def record_view(*, actor: Any, program: Program, participant: Participant, page: str) -> None:
    """Write the audit entry every read of a participant's record leaves behind."""
    audit.record(actor=actor, program=program, action="participant.view", target=participant, note=page)


def record_list_view(*, actor: Any, program: Program, participants: Iterable[Participant], page: str) -> None:
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


def record_list_export(*, actor: Any, program: Program, participant_ids: Iterable[int], page: str, fmt: str) -> None:
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


def export_participant(*, actor: Any, participant: Participant) -> dict[str, Any]:
    """Everything the program holds about one participant, for a subject-access request. Audited."""
    from peerpath.support.queries import participant_export

    data = participant_export(participant)
    audit.record(actor=actor, program=participant.program, action="participant.export", target=participant)
    return data


def erase_participant(*, actor: Any, participant: Participant, reason: str) -> None:
    """Erase a participant on request, keeping only anonymous counts.

    Rules: a reason (the request) is required, and no relationship may still be open
    (close it first). Their contacts, concerns, conflicts, drafts and relationships are
    deleted after being added to the month's anonymous tally; adverse events stay for
    reports, detached from the person; the audit log keeps the fact of each change but
    loses its values.
    """
    if not reason.strip():
        raise ValidationError({"reason": "Record the erasure request (who asked, and when)."})
    if participant.relationships.filter(state__in=OPEN_STATES).exists():
        raise ValidationError("Close the participant's open relationship before erasing them.")
    program = participant.program
    with transaction.atomic():
        contacts = Contact.objects.filter(relationship__participant=participant)
        concerns = Concern.objects.filter(participant=participant)
        month = timezone.localdate().replace(day=1)
        ErasureTally.objects.get_or_create(program=program, month=month)
        ErasureTally.objects.filter(program=program, month=month).update(
            participants=F("participants") + 1,
            relationships=F("relationships") + participant.relationships.count(),
            contacts=F("contacts") + contacts.count(),
            contacts_reached=F("contacts_reached") + contacts.filter(reached=True).count(),
            concerns=F("concerns") + concerns.filter(kind=ConcernKind.CONCERN).count(),
            crises=F("crises") + concerns.filter(kind=ConcernKind.CRISIS).count(),
        )
        AdverseEvent.objects.filter(participant=participant).update(participant=None, relationship=None, notes="")
        reference, pk = participant.reference, participant.pk
        relationship_ids = [str(i) for i in participant.relationships.values_list("pk", flat=True)]
        AuditEntry.objects.filter(program=program, target_type="support.participant", target_id=str(pk)).update(
            changes={}, note=""
        )
        AuditEntry.objects.filter(
            program=program, target_type="support.supportrelationship", target_id__in=relationship_ids
        ).update(changes={}, note="")
        participant.delete()
        audit.record(
            actor=actor,
            program=program,
            action="participant.erase",
            target_type="support.participant",
            target_id=pk,
            target_label=reference,
            note=f"Erased on request; anonymous counts kept. Request: {reason.strip()[:500]}",
        )


# --- Conflicts and profiles ----------------------------------------------------------------


def declare_conflict(*, actor: Any, supporter: Supporter, participant: Participant, reason: str = "") -> Conflict:
    """Record that a supporter knows a participant: the pair is never matched.

    Rule: same program. An open proposal between the two is withdrawn.
    """
    if supporter.program_id != participant.program_id:
        raise ValidationError("The supporter and the participant must be in the same program.")
    with transaction.atomic():
        conflict, created = Conflict.objects.get_or_create(
            supporter=supporter,
            participant=participant,
            defaults={"program_id": supporter.program_id, "reason": reason, "declared_by": _user(actor)},
        )
        if created:
            audit.record(actor=actor, program=supporter.program, action="conflict.declare", target=conflict)
        for proposal in SupportRelationship.objects.filter(
            supporter=supporter, participant=participant, state=RelationshipState.PROPOSED
        ):
            move_relationship(
                actor=actor,
                relationship=proposal,
                to_state=RelationshipState.CLOSED,
                close_reason=CloseReason.DECLINED,
                reason="Conflict declared",
            )
    return conflict


PROFILE_FIELDS = ["modes", "area", "availability", "capacity", "gender", "age_band", "communities", "accepting_new"]


def save_matching_profile(*, actor: Any, supporter: Supporter, data: dict[str, Any]) -> MatchingProfile:
    """Save what a supporter offers for matching, with their languages and lived-experience areas.

    Rules: capacity from 1 to 20; areas from this program. Lowering capacity below the
    current caseload is allowed (no new matches until it drops) but never ends a relationship.
    """
    capacity = data.get("capacity", 1)
    if capacity is None or not 1 <= capacity <= 20:
        raise ValidationError({"capacity": "Capacity is between 1 and 20 participants."})
    areas = list(data.get("focus_areas") or [])
    if any(a.program_id != supporter.program_id for a in areas):
        raise ValidationError({"focus_areas": "Choose from this program's areas."})
    with transaction.atomic():
        profile = eligibility.profile_of(supporter)
        before = {**_snapshot(profile, PROFILE_FIELDS), **audit.snapshot(supporter, ["languages", "focus_areas"])}
        for name in PROFILE_FIELDS:
            if name in data:
                setattr(profile, name, data[name])
        profile.updated_at = timezone.now()
        profile.save()
        if "languages" in data:
            supporter.languages = data["languages"]
            supporter.save(update_fields=["languages"])
        if "focus_areas" in data:
            supporter.focus_areas.set(areas)
        after = {**audit.snapshot(profile, PROFILE_FIELDS), **audit.snapshot(supporter, ["languages", "focus_areas"])}
        changes = audit.diff(before, after)
        if changes:
            audit.record(
                actor=actor,
                program=supporter.program,
                action="matching_profile.update",
                target=profile,
                changes=changes,
            )
    return profile


# --- Matching ------------------------------------------------------------------------------


def propose_match(
    *, actor: Any, participant: Participant, supporter: Supporter, match_run: MatchRun | None = None
) -> SupportRelationship:
    """Offer a participant to a supporter (the supporter accepts or declines).

    Rules: the participant is waiting and has no open relationship; the supporter is
    eligible now (active, certified, not on a break, below capacity), has no declared
    conflict with them, and passes every must-have. The score and its explanation are
    stored with the offer.
    """
    program = participant.program
    if supporter.program_id != program.pk:
        raise ValidationError("The supporter is not in this program.")
    with transaction.atomic():
        participant = Participant.objects.select_for_update().get(pk=participant.pk)
        if (
            participant.status != ParticipantStatus.WAITING
            or participant.relationships.filter(state__in=OPEN_STATES).exists()
        ):
            raise ValidationError(f"{participant.reference} is not waiting for a supporter any more.")
        pool = eligibility.supporter_pool(program)
        offer = next((o for o in pool.offers if o.id == supporter.pk), None)
        if offer is None:
            why = next((r for s, r in pool.excluded if s.pk == supporter.pk), "not an active supporter")
            raise ValidationError(f"{supporter.full_name} cannot take a new match: {why}.")
        if (supporter.pk, participant.pk) in eligibility.excluded_pairs(program):
            raise ValidationError(
                f"{supporter.full_name} has a declared conflict with {participant.reference}, or declined them before."
            )
        needs = eligibility.needs_for(participant, frozenset(participant.focus_areas.values_list("pk", flat=True)))
        failures = matching.must_have_failures(needs, offer)
        if failures:
            labels = ", ".join(matching.Criterion(c).label.lower() for c in failures)
            raise ValidationError(f"{supporter.full_name} does not meet the participant's must-haves: {labels}.")
        weights = get_settings(program).weights()
        area_names = dict(FocusArea.objects.filter(program=program).values_list("pk", "name"))
        explanation = matching.explain(needs, offer, weights, area_names)
        relationship = SupportRelationship.objects.create(
            program=program,
            participant=participant,
            supporter=supporter,
            match_score=explanation.score,
            match_explanation=explanation.summary,
            proposed_by=_user(actor),
            match_run=match_run,
        )
        relationship.changes.create(from_state="", to_state=RelationshipState.PROPOSED, actor=_user(actor))
        audit.record(
            actor=actor,
            program=program,
            action="relationship.propose",
            target=relationship,
            changes={"score": ["", explanation.score]},
        )
        notify(
            program=program,
            users=[supporter.user],
            text=f"You have a new match offer: {participant.reference}. Please accept or decline.",
            url=reverse("support:offer", args=[program.slug, relationship.pk]),
            email_template="support/email/notice",
            context={"subject": "A new participant was matched with you"},
            relationship=relationship,
        )
    return relationship


class BatchResult:
    """A computed batch match, before it is saved for review."""

    def __init__(self) -> None:
        self.pairs: list[tuple[int, int, int, str]] = []  # participant id, supporter id, score, explanation
        self.left_over: list[tuple[int, str]] = []
        self.total_score = 0
        self.waiting = 0
        self.seconds = 0.0
        self.candidates: matching.Candidates | None = None
        self.free: list[int] = []
        self.supporter_ids: list[int] = []


def compute_batch(program: Program) -> BatchResult:
    """Score the whole waiting list against every eligible supporter and assign optimally."""
    started = time.perf_counter()
    result = BatchResult()
    needs = eligibility.waiting_needs(program)
    pool = eligibility.supporter_pool(program)
    weights = get_settings(program).weights()
    candidates = matching.score_matrix(needs, pool.offers, weights, eligibility.excluded_pairs(program))
    result.free = [o.free for o in pool.offers]
    result.supporter_ids = [o.id for o in pool.offers]
    assignment = matching.assign(len(needs), result.free, candidates)
    area_names = dict(FocusArea.objects.filter(program=program).values_list("pk", "name"))
    for p_index, s_index in sorted(assignment.items()):
        explanation = matching.explain(needs[p_index], pool.offers[s_index], weights, area_names)
        result.pairs.append((needs[p_index].id, pool.offers[s_index].id, explanation.score, explanation.summary))
    result.left_over = [
        (n.id, matching.unmatched_reason(i, n, candidates)) for i, n in enumerate(needs) if i not in assignment
    ]
    result.total_score = matching.total_score(assignment, candidates)
    result.waiting = len(needs)
    result.candidates = candidates
    result.seconds = time.perf_counter() - started
    return result


def run_batch_match(*, actor: Any, program: Program) -> MatchRun:
    """Compute the best assignment of the whole waiting list and keep it for review.

    Rule: nothing is offered to anyone until the coordinator publishes the run; an earlier
    draft still waiting for review is discarded.
    """
    result = compute_batch(program)
    with transaction.atomic():
        MatchRun.objects.filter(program=program, state=MatchRunState.DRAFT).update(state=MatchRunState.DISCARDED)
        run = MatchRun.objects.create(
            program=program,
            created_by=_user(actor),
            total_score=result.total_score,
            waiting=result.waiting,
            seconds=result.seconds,
        )
        MatchProposal.objects.bulk_create(
            MatchProposal(run=run, participant_id=p, supporter_id=s, score=score, explanation=text)
            for p, s, score, text in result.pairs
        )
        MatchLeftOver.objects.bulk_create(
            MatchLeftOver(run=run, participant_id=p, reason=reason) for p, reason in result.left_over
        )
        audit.record(
            actor=actor,
            program=program,
            action="match_run.create",
            target=run,
            changes={"proposed": ["", len(result.pairs)], "left_over": ["", len(result.left_over)]},
        )
    return run


def publish_match_run(*, actor: Any, run: MatchRun) -> tuple[list[SupportRelationship], list[str]]:
    """Offer every proposal of a reviewed batch match to its supporter.

    Rules: only a draft run is published, once. Each proposal is re-checked as it is made
    (someone may have been matched by hand since); those no longer possible are skipped and
    reported, the rest become proposed relationships.
    """
    with transaction.atomic():
        run = MatchRun.objects.select_for_update().get(pk=run.pk)
        if run.state != MatchRunState.DRAFT:
            raise ValidationError("This batch match was already published or discarded.")
        made: list[SupportRelationship] = []
        skipped: list[str] = []
        for proposal in run.proposals.select_related("participant", "supporter", "participant__program"):
            try:
                with transaction.atomic():
                    made.append(
                        propose_match(
                            actor=actor, participant=proposal.participant, supporter=proposal.supporter, match_run=run
                        )
                    )
            except ValidationError as error:
                skipped.append(f"{proposal.participant.reference}: {' '.join(error.messages)}")
        run.state = MatchRunState.PUBLISHED
        run.published_at, run.published_by = timezone.now(), _user(actor)
        run.save(update_fields=["state", "published_at", "published_by"])
        audit.record(
            actor=actor,
            program=run.program,
            action="match_run.publish",
            target=run,
            changes={"offered": ["", len(made)], "skipped": ["", len(skipped)]},
        )
    return made, skipped


def discard_match_run(*, actor: Any, run: MatchRun) -> MatchRun:
    """Throw away a draft batch match. Rule: only a draft."""
    if run.state != MatchRunState.DRAFT:
        raise ValidationError("Only a batch match waiting for review can be discarded.")
    with transaction.atomic():
        run.state = MatchRunState.DISCARDED
        run.save(update_fields=["state"])
        audit.record(actor=actor, program=run.program, action="match_run.discard", target=run)
    return run


DECLINE_REASONS = {
    "capacity": "I cannot take someone new right now",
    "conflict": "I know this person",
    "fit": "I do not think I am the right match",
    "other": "Another reason",
}


def respond_to_offer(
    *, actor: Any, relationship: SupportRelationship, accept: bool, reason: str = "", note: str = ""
) -> SupportRelationship:
    """The supporter accepts or declines a proposed match.

    Rules: only the offered supporter, only while proposed. Accepting makes the relationship
    active (the participant is now matched). Declining needs a reason; the participant goes
    back to the waiting list; "I know this person" also declares a conflict so the pair is
    never proposed again. The coordinators are told either way.
    """
    if relationship.supporter.user_id != getattr(actor, "pk", None):
        raise ValidationError("Only the supporter this match was offered to can answer it.")
    if relationship.state != RelationshipState.PROPOSED:
        raise ValidationError("This offer has already been answered.")
    if not accept and reason not in DECLINE_REASONS:
        raise ValidationError({"reason": "Choose why you are declining."})
    program = relationship.program
    with transaction.atomic():
        if accept:
            move_relationship(actor=actor, relationship=relationship, to_state=RelationshipState.ACTIVE, reason=note)
            text = f"{relationship.supporter} accepted {relationship.participant.reference}."
        else:
            if reason == "conflict":
                Conflict.objects.get_or_create(
                    supporter=relationship.supporter,
                    participant=relationship.participant,
                    defaults={"program": program, "reason": note, "declared_by": _user(actor)},
                )
            move_relationship(
                actor=actor,
                relationship=relationship,
                to_state=RelationshipState.CLOSED,
                close_reason=CloseReason.DECLINED,
                reason=f"{DECLINE_REASONS[reason]}. {note}".strip(),
            )
            text = (
                f"{relationship.supporter} declined {relationship.participant.reference} "
                f"({DECLINE_REASONS[reason].lower()}); they are back on the waiting list."
            )
        Notification.objects.filter(relationship=relationship, read_at__isnull=True).update(read_at=timezone.now())
        notify(program=program, users=coordinators(program), text=text, url=relationship.get_absolute_url())
    return relationship


def start_closing(*, actor: Any, relationship: SupportRelationship, note: str = "") -> SupportRelationship:
    """Begin ending an active relationship (the closing conversation is still to come)."""
    move_relationship(actor=actor, relationship=relationship, to_state=RelationshipState.CLOSING, reason=note)
    return relationship


def close_relationship(
    *, actor: Any, relationship: SupportRelationship, close_reason: str, note: str = ""
) -> SupportRelationship:
    """Close a relationship with its reason (see lifecycle.move_relationship for what follows).

    Rule: a supporter closes for 'goals met', 'participant ended it', 'unreachable' or
    'other'; rematching is the coordinator's.
    """
    if close_reason == CloseReason.DECLINED:
        raise ValidationError({"close_reason": "A match is declined from the offer itself."})
    move_relationship(
        actor=actor,
        relationship=relationship,
        to_state=RelationshipState.CLOSED,
        close_reason=close_reason,
        reason=note,
    )
    return relationship


def rematch(*, actor: Any, relationship: SupportRelationship, note: str = "") -> Participant:
    """Close a relationship as rematched: the participant returns to the waiting list at once."""
    close_relationship(actor=actor, relationship=relationship, close_reason=CloseReason.REMATCHED, note=note)
    relationship.participant.refresh_from_db()
    return relationship.participant


# --- Contacts ------------------------------------------------------------------------------


def _validate_contact(relationship: SupportRelationship, data: dict[str, Any], contact: Contact | None) -> None:
    errors: dict[str, str] = {}
    today = timezone.localdate()
    when = data.get("contacted_on")
    if when is None:
        errors["contacted_on"] = "Give the date."
    elif when > today:
        errors["contacted_on"] = "A contact cannot be in the future."
    elif relationship.activated_at and when < timezone.localdate(relationship.activated_at) - dt.timedelta(days=1):
        errors["contacted_on"] = "This is before the relationship started."
    follow = data.get("next_follow_up")
    if follow is not None and when is not None and follow < when:
        errors["next_follow_up"] = "The next follow-up comes after this contact."
    if any(t not in SupportTask.values for t in data.get("tasks") or []):
        errors["tasks"] = "Choose from the four tasks of peer support."
    kind = data.get("kind", ContactKind.CHECK_IN)
    if kind != ContactKind.CHECK_IN and not data.get("reached"):
        errors["kind"] = "A first contact or closing conversation is one where you reached the participant."
    others = relationship.contacts.exclude(pk=contact.pk if contact else None)
    if kind == ContactKind.FIRST and others.filter(kind=ContactKind.FIRST).exists():
        errors["kind"] = "The first contact is already recorded."
    if kind == ContactKind.CLOSING and others.filter(kind=ContactKind.CLOSING).exists():
        errors["kind"] = "The closing conversation is already recorded."
    duration = data.get("duration_minutes")
    if duration is not None and not 0 <= duration <= 24 * 60:
        errors["duration_minutes"] = "Give the length in minutes."
    if errors:
        raise ValidationError(errors)


def log_contact(*, actor: Any, relationship: SupportRelationship, data: dict[str, Any]) -> Contact:
    """Log a contact or an attempt to reach the participant.

    Rules: the relationship is active or closing; not dated in the future; the follow-up
    comes after it. A first contact is recorded once and stamps the relationship; a closing
    conversation is recorded once and moves an active relationship to closing. The draft
    kept while typing is removed.
    """
    if relationship.state not in WORKING_STATES:
        raise ValidationError("Contacts are logged on an active relationship.")
    _validate_contact(relationship, data, None)
    with transaction.atomic():
        contact = Contact(program=relationship.program, relationship=relationship, logged_by=_user(actor))
        for name in CONTACT_FIELDS:
            if name in data:
                setattr(contact, name, data[name])
        contact.save()
        if contact.kind == ContactKind.FIRST:
            relationship.first_contact_on = contact.contacted_on
            relationship.save(update_fields=["first_contact_on"])
        if contact.kind == ContactKind.CLOSING:
            relationship.closing_conversation_on = contact.contacted_on
            relationship.save(update_fields=["closing_conversation_on"])
            if relationship.state == RelationshipState.ACTIVE:
                move_relationship(
                    actor=actor,
                    relationship=relationship,
                    to_state=RelationshipState.CLOSING,
                    reason="Closing conversation",
                )
        ContactDraft.objects.filter(user=_user(actor), relationship=relationship).delete()
        audit.record(
            actor=actor,
            program=relationship.program,
            action="contact.create",
            target=contact,
            changes=redacted_diff(contact, {}, audit.snapshot(contact, CONTACT_FIELDS)),
        )
    return contact


def save_draft(*, actor: Any, relationship: SupportRelationship, values: dict[str, Any]) -> ContactDraft:
    """Keep what the supporter has typed so far (encrypted), replacing their earlier draft."""
    clean = {k: v for k, v in values.items() if k in CONTACT_FIELDS and isinstance(v, str | list | bool)}
    draft, _ = ContactDraft.objects.update_or_create(
        user=actor, relationship=relationship, defaults={"data": json.dumps(clean), "updated_at": timezone.now()}
    )
    return draft


def discard_draft(*, actor: Any, relationship: SupportRelationship) -> None:
    ContactDraft.objects.filter(user=actor, relationship=relationship).delete()


def correct_contact(*, actor: Any, contact: Contact, data: dict[str, Any], reason: str) -> Contact:
    """A supervisor corrects a contact logged by one of their supporters.

    Rules: a reason is required; the change is audited under the supervisor's own name
    (never as the supporter), and the contact shows who corrected it and when.
    """
    if not reason.strip():
        raise ValidationError({"reason": "Say why you are correcting this contact."})
    relationship = contact.relationship
    current = {name: getattr(contact, name) for name in CONTACT_FIELDS}
    _validate_contact(relationship, {**current, **data}, contact)
    with transaction.atomic():
        before = audit.snapshot(contact, CONTACT_FIELDS)
        for name in CONTACT_FIELDS:
            if name in data:
                setattr(contact, name, data[name])
        contact.corrected_by, contact.corrected_at = _user(actor), timezone.now()
        contact.correction_reason = reason
        contact.save()
        changes = redacted_diff(contact, before, audit.snapshot(contact, CONTACT_FIELDS))
        audit.record(
            actor=actor,
            program=contact.program,
            action="contact.correct",
            target=contact,
            changes=changes,
            note="Corrected by the supporter's supervisor (reason kept, encrypted, on the contact).",
        )
    return contact


# --- Supervisor cover ----------------------------------------------------------------------


def name_backup(
    *, actor: Any, program: Program, backup: Any, starts_on: dt.date, ends_on: dt.date, note: str = ""
) -> SupervisorCover:
    """A supervisor names who covers for them while away.

    Rules: the backup is another supervisor of the program; the dates are in order and not
    already over.
    """
    from peerpath.core.permissions import Role
    from peerpath.programs.models import Membership

    errors: dict[str, str] = {}
    if backup is None or backup.pk == actor.pk:
        errors["backup"] = "Choose another supervisor."
    elif not Membership.objects.filter(program=program, user=backup).with_role(Role.SUPERVISOR).exists():
        errors["backup"] = "The backup must be a supervisor of this program."
    if ends_on < starts_on:
        errors["ends_on"] = "The cover ends after it starts."
    elif ends_on < timezone.localdate():
        errors["ends_on"] = "This cover would already be over."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        cover = SupervisorCover.objects.create(
            program=program, supervisor=actor, backup=backup, starts_on=starts_on, ends_on=ends_on, note=note
        )
        audit.record(actor=actor, program=program, action="supervisor_cover.create", target=cover)
        notify(
            program=program,
            users=[backup],
            text=f"{actor} named you as their backup from {starts_on:%Y-%m-%d} to {ends_on:%Y-%m-%d}.",
            url=reverse("support:supervision", args=[program.slug]),
        )
    return cover


def end_cover(*, actor: Any, cover: SupervisorCover) -> None:
    """Cancel a cover (or end it today). Rule: only the supervisor who named it."""
    if cover.supervisor_id != actor.pk:
        raise ValidationError("Only the supervisor who named this backup can end the cover.")
    with transaction.atomic():
        yesterday = timezone.localdate() - dt.timedelta(days=1)
        if cover.starts_on > yesterday:
            audit.record(actor=actor, program=cover.program, action="supervisor_cover.delete", target=cover)
            cover.delete()
        else:
            cover.ends_on = yesterday
            cover.save(update_fields=["ends_on"])
            audit.record(actor=actor, program=cover.program, action="supervisor_cover.end", target=cover)


# --- Concern, crisis, escalation -----------------------------------------------------------


def raise_concern(
    *, actor: Any, relationship: SupportRelationship, kind: str, answers: list[tuple[str, str]], notes: str
) -> Concern:
    """A supporter raises a concern about a participant, or a crisis.

    Rules: on an open relationship. The on-call person (the supporter's supervisor, their
    backup while covering, else the coordinators) is notified in the app and by e-mail. A
    crisis must be acknowledged within the program's time or it escalates to the
    coordinators (a delayed task, and the pages compute overdue from the data); a crisis
    is also announced to supporter care as a hard event.
    """
    if kind not in ConcernKind.values:
        raise ValidationError({"kind": "Choose concern or crisis."})
    if relationship.state not in OPEN_STATES:
        raise ValidationError("This relationship is closed.")
    program = relationship.program
    settings_row = get_settings(program)
    now = timezone.now()
    on_call, how = on_call_for(program, relationship.supporter, now)
    with transaction.atomic():
        concern = Concern.objects.create(
            program=program,
            relationship=relationship,
            participant=relationship.participant,
            supporter=relationship.supporter,
            kind=kind,
            raised_by=_user(actor),
            raised_at=now,
            answers=json.dumps([[q, a] for q, a in answers]),
            notes=notes,
            on_call=on_call[0] if len(on_call) == 1 else None,
            acknowledge_by=now + dt.timedelta(minutes=settings_row.crisis_ack_minutes)
            if kind == ConcernKind.CRISIS
            else None,
        )
        record_concern_event(actor=actor, concern=concern, action="raised", detail=concern.get_kind_display())
        record_concern_event(actor="PeerPath", concern=concern, action="notified", detail=f"Notified {how}"[:300])
        audit.record(actor=actor, program=program, action=f"concern.raise_{kind}", target=concern)
        label = "CRISIS" if kind == ConcernKind.CRISIS else "Concern"
        notify(
            program=program,
            users=on_call,
            text=f"{label}: {relationship.supporter} raised a {concern.get_kind_display().lower()} about "
            f"{relationship.participant.reference}. Please acknowledge.",
            url=concern.get_absolute_url(),
            urgent=kind == ConcernKind.CRISIS,
            email_template="support/email/crisis" if kind == ConcernKind.CRISIS else "support/email/notice",
            context={
                "subject": f"{label} raised by {relationship.supporter}",
                "minutes": settings_row.crisis_ack_minutes,
            },
            concern=concern,
        )
        if kind == ConcernKind.CRISIS:
            _schedule_escalation(concern)
            adverse_event_recorded.send(
                sender=Concern,
                program=program,
                supporter=relationship.supporter,
                kind="crisis",
                occurred_at=now,
                event=concern,
            )
    return concern


def _schedule_escalation(concern: Concern) -> None:
    from peerpath.support.tasks import escalate_crisis

    if concern.acknowledge_by is None:
        return
    if escalate_crisis.get_backend().supports_defer:
        transaction.on_commit(
            lambda: escalate_crisis.using(run_after=concern.acknowledge_by).enqueue(concern_id=concern.pk)
        )
    # Backends without delays (tests' immediate backend) rely on the periodic sweep and the
    # pages, which compute "overdue" from acknowledge_by.


def acknowledge_concern(*, actor: Any, concern: Concern) -> Concern:
    """The on-call supervisor (or a coordinator) takes the concern on. Rule: once."""
    with transaction.atomic():
        move_concern(actor=actor, concern=concern, to_state=ConcernState.ACKNOWLEDGED, detail="Acknowledged")
        Notification.objects.filter(concern=concern, read_at__isnull=True).update(read_at=timezone.now())
        supporter_user = concern.supporter.user
        notify(
            program=concern.program,
            users=[supporter_user] if supporter_user else [],
            text=f"{actor} acknowledged your {concern.get_kind_display().lower()} "
            f"about {concern.participant.reference}.",
            url=concern.get_absolute_url(),
            concern=concern,
        )
    return concern


def record_follow_up(*, actor: Any, concern: Concern, follow_up: str, referral: str = "") -> Concern:
    """Record what was done after a concern or crisis, closing the chain.

    Rules: acknowledged first; a description of the follow-up is required; the referral,
    if any, is one of the program's referral options.
    """
    if concern.state != ConcernState.ACKNOWLEDGED:
        raise ValidationError("Acknowledge the concern before recording the follow-up.")
    if not follow_up.strip():
        raise ValidationError({"follow_up": "Describe the follow-up."})
    options = get_settings(concern.program).referral_options.splitlines()
    if referral and referral not in [o.strip() for o in options]:
        raise ValidationError({"referral": "Choose one of the program's referral options."})
    with transaction.atomic():
        concern.follow_up, concern.referral = follow_up, referral
        concern.followed_up_by, concern.followed_up_at = _user(actor), timezone.now()
        concern.save(update_fields=["follow_up", "referral", "followed_up_by", "followed_up_at"])
        move_concern(
            actor=actor,
            concern=concern,
            to_state=ConcernState.RESOLVED,
            detail=f"Follow-up recorded{'; referred: ' + referral if referral else ''}",
        )
    return concern


def escalate_if_unacknowledged(*, concern_id: int, now: dt.datetime | None = None) -> bool:
    """Escalate a crisis to the coordinators when nobody acknowledged it in time.

    Re-checks the state first (it may have been acknowledged meanwhile, or escalated by
    the sweep); returns whether it escalated.
    """
    now = now or timezone.now()
    with transaction.atomic():
        concern = (
            Concern.objects.select_for_update()
            .select_related("participant", "supporter", "program")
            .filter(pk=concern_id)
            .first()
        )
        if concern is None or concern.escalated_at is not None or not concern.is_overdue(now):
            return False
        concern.escalated_at = now
        concern.save(update_fields=["escalated_at"])
        people = coordinators(concern.program)
        record_concern_event(
            actor="PeerPath",
            concern=concern,
            action="escalated",
            detail=f"Not acknowledged in time; escalated to {len(people)} coordinator{'s' if len(people) != 1 else ''}",
        )
        audit.record(actor="PeerPath (escalation)", program=concern.program, action="concern.escalate", target=concern)
        notify(
            program=concern.program,
            users=people,
            text=f"ESCALATED CRISIS: nobody has acknowledged the crisis about {concern.participant.reference} "
            f"raised by {concern.supporter}.",
            url=concern.get_absolute_url(),
            urgent=True,
            email_template="support/email/crisis",
            context={"subject": f"Escalated: crisis raised by {concern.supporter} not acknowledged", "escalated": True},
            concern=concern,
        )
    return True


# --- Adverse events ------------------------------------------------------------------------


def record_adverse_event(
    *, actor: Any, relationship: SupportRelationship, kind: str, occurred_at: dt.datetime, notes: str = ""
) -> AdverseEvent:
    """Record a hard event in a supporter's caseload: hospitalised, relapsed or died.

    Rules: one of the three kinds; not in the future. Kept for reports and announced to
    supporter care (so the supporter is checked on); the supervisor and coordinators are told.
    """
    if kind not in AdverseKind.values:
        raise ValidationError({"kind": "Choose what happened."})
    if occurred_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({"occurred_at": "This cannot be in the future."})
    program = relationship.program
    with transaction.atomic():
        event = AdverseEvent.objects.create(
            program=program,
            supporter=relationship.supporter,
            participant=relationship.participant,
            relationship=relationship,
            kind=kind,
            occurred_at=occurred_at,
            notes=notes,
            recorded_by=_user(actor),
        )
        audit.record(actor=actor, program=program, action=f"adverse_event.{kind}", target=event)
        on_call, _ = on_call_for(program, relationship.supporter)
        notify(
            program=program,
            users=[*on_call, *coordinators(program)],
            text=f"{event.get_kind_display()}: {relationship.participant.reference}, in {relationship.supporter}'s "
            "caseload. Please check in with the supporter.",
            url=relationship.get_absolute_url(),
            relationship=relationship,
        )
        adverse_event_recorded.send(
            sender=AdverseEvent,
            program=program,
            supporter=relationship.supporter,
            kind=kind,
            occurred_at=occurred_at,
            event=event,
        )
    return event


# --- Settings ------------------------------------------------------------------------------

SETTINGS_FIELDS = [f.name for f in SupportSettings._meta.concrete_fields if f.name not in {"id", "program"}]


def update_settings(*, actor: Any, program: Program, data: dict[str, Any]) -> SupportSettings:
    """Save the program's support settings. Rules: weights 0 to 10; windows of at least one."""
    errors: dict[str, str] = {}
    for name, value in data.items():
        if name.startswith("weight_") and not 0 <= value <= 10:
            errors[name] = "A weight is between 0 and 10."
    for name in ["unreachable_attempts", "unreachable_days", "quiet_days", "crisis_ack_minutes"]:
        if name in data and data[name] < 1:
            errors[name] = "At least 1."
    if errors:
        raise ValidationError(errors)
    row = get_settings(program)
    with transaction.atomic():
        audit.save_audited(
            actor=actor,
            program=program,
            instance=row,
            fields=[n for n in SETTINGS_FIELDS if n in data],
            data=data,
            action="support_settings",
        )
    return row


def mark_read(*, actor: Any, program: Program, notification_ids: list[int] | None = None) -> int:
    rows = Notification.objects.filter(program=program, user=actor, read_at__isnull=True)
    if notification_ids is not None:
        rows = rows.filter(pk__in=notification_ids)
    return rows.update(read_at=timezone.now())
