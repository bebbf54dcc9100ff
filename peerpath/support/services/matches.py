"""Matching: offers, batch runs, answers to offers, closing and rematching relationships."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peerpath.core import audit
from peerpath.core.actors import Actor
from peerpath.core.languages import later, lowered
from peerpath.core.models import User
from peerpath.notifications import services as notifications
from peerpath.programs.models import FocusArea, Program
from peerpath.recruitment.models import Supporter
from peerpath.support import eligibility, matching
from peerpath.support.defaults import get_settings
from peerpath.support.lifecycle import MATCH_RUN, move_relationship
from peerpath.support.models import (
    OPEN_STATES,
    CloseReason,
    Conflict,
    FitAnswer,
    FitAnswerBy,
    FitAnswerChoice,
    MatchLeftOver,
    MatchProposal,
    MatchRun,
    MatchRunState,
    Participant,
    ParticipantStatus,
    RelationshipState,
    SupportRelationship,
)
from peerpath.support.notify import coordinators, notify
from peerpath.support.services.common import acting_user

NO_CONSENT = (
    "{reference} has no recorded consent, so they cannot be offered to a supporter. "
    "Edit the participant and record what they agreed to first."
)
NO_CONSENT_LEFT_OVER = "No consent recorded: record it on the participant's page before matching"


def propose_match(
    *,
    actor: Actor,
    participant: Participant,
    supporter: Supporter,
    match_run: MatchRun | None = None,
    earlier: bool = False,
) -> SupportRelationship:
    """Offer a participant to a supporter (the supporter accepts or declines).

    Rules: the participant's consent is recorded (an offer hands the supporter their contact
    details); the participant is waiting and has no open relationship; the supporter is
    eligible now (active, certified, not on a break, below capacity), has no declared
    conflict with them, and passes every must-have. The score and its explanation are
    stored with the offer. ``earlier`` records a match that began in the past (the demo's
    history): today's hold-backs from supporter care (support.availability) do not apply to it.
    """
    program = participant.program
    if supporter.program_id != program.pk:
        raise ValidationError(_("The supporter is not in this program."))
    with transaction.atomic():
        participant = Participant.objects.select_for_update().get(pk=participant.pk)
        if (
            participant.status != ParticipantStatus.WAITING
            or participant.relationships.filter(state__in=OPEN_STATES).exists()
        ):
            raise ValidationError(
                _("%(reference)s is not waiting for a supporter any more.") % {"reference": participant.reference}
            )
        if not participant.consent_given:
            raise ValidationError(NO_CONSENT.format(reference=participant.reference))
        pool = eligibility.supporter_pool(program, holds=not earlier)
        offer = next((o for o in pool.offers if o.id == supporter.pk), None)
        if offer is None:
            why = next((r for s, r in pool.excluded if s.pk == supporter.pk), _("not an active supporter"))
            raise ValidationError(
                _("%(supporter)s cannot take a new match: %(why)s.") % {"supporter": supporter.full_name, "why": why}
            )
        if (supporter.pk, participant.pk) in eligibility.excluded_pairs(program):
            raise ValidationError(
                _("%(supporter)s has a declared conflict with %(reference)s, or declined them before.")
                % {"supporter": supporter.full_name, "reference": participant.reference}
            )
        needs = eligibility.needs_for(participant, frozenset(participant.focus_areas.values_list("pk", flat=True)))
        failures = matching.must_have_failures(needs, offer)
        if failures:
            labels = ", ".join(matching.Criterion(c).label.lower() for c in failures)
            raise ValidationError(
                _("%(supporter)s does not meet the participant's must-haves: %(labels)s.")
                % {"supporter": supporter.full_name, "labels": labels}
            )
        weights = get_settings(program).weights()
        area_names = dict(FocusArea.objects.filter(program=program).values_list("pk", "name"))
        explanation = matching.explain(needs, offer, weights, area_names)
        relationship = SupportRelationship.objects.create(
            program=program,
            participant=participant,
            supporter=supporter,
            match_score=explanation.score,
            match_explanation=explanation.summary,
            proposed_by=acting_user(actor),
            match_run=match_run,
        )
        relationship.changes.create(from_state="", to_state=RelationshipState.PROPOSED, actor=acting_user(actor))
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
            text=later(
                gettext_lazy("You have a new match offer: %(reference)s. Please accept or decline."),
                reference=participant.reference,
            ),
            url=reverse("support:offer", args=[program.slug, relationship.pk]),
            email_template="support/email/notice",
            context={"subject": gettext_lazy("A match offer is waiting for your answer")},
            relationship=relationship,
        )
    return relationship


class BatchResult:
    """A computed batch match, before it is saved for review."""

    def __init__(self) -> None:
        self.pairs: list[tuple[int, int, int, str]] = []  # participant id, supporter id, score, explanation
        self.left_over: list[tuple[int, str]] = []
        self.levels = matching.Levels()
        self.total_score = 0
        self.waiting = 0
        self.considered = 0  # waiting with consent: those the match could serve
        self.summary = ""
        self.seconds = 0.0
        self.candidates: matching.Candidates | None = None
        self.priorities: list[int] = []
        self.free: list[int] = []
        self.supporter_ids: list[int] = []
        self.keep: int | None = None  # the pruning rule's K when it applied (`matching.score_matrix`)
        self.pruned = 0  # candidate pairs it set aside
        self.phases: dict[str, float] = {}  # seconds: load, score, solve, explain
        self.cpu_phases: dict[str, float] = {}  # the same phases' processor seconds (this process)


def compute_batch(program: Program, keep: int | None = None) -> BatchResult:
    """Score the whole waiting list against every eligible supporter and assign under
    `matching.OBJECTIVE` (most served; then the more urgent; then the longer waiting; then fit).

    Rule: only participants with recorded consent are matched; the others are left over,
    with the reason. ``summary`` says the result in one sentence (`matching.result_sentence`).
    Every candidate pair is weighed, unless the network has over `matching.PRUNE_ABOVE`
    possible pairs (or ``keep`` is given): then the pruning rule keeps each participant's
    ``keep`` (`matching.KEEP_BEST`) best-fitting supporters and each supporter's best
    participants, and the summary says so.
    """
    started = time.perf_counter()
    cpu = time.process_time()
    result = BatchResult()

    def phase(name: str) -> None:
        result.phases[name] = time.perf_counter() - started - sum(result.phases.values())
        result.cpu_phases[name] = time.process_time() - cpu - sum(result.cpu_phases.values())

    no_consent = list(eligibility.waiting_list(program).filter(consent_given=False).values_list("pk", flat=True))
    excluded = set(no_consent)
    needs = [n for n in eligibility.waiting_needs(program) if n.id not in excluded]
    pool = eligibility.supporter_pool(program)
    weights = get_settings(program).weights()
    phase("load")
    if keep is None and len(needs) * len(pool.offers) > matching.PRUNE_ABOVE:
        keep = matching.KEEP_BEST
    candidates = matching.score_matrix(needs, pool.offers, weights, eligibility.excluded_pairs(program), keep=keep)
    result.keep, result.pruned = keep, candidates.pruned
    phase("score")
    result.free = [o.free for o in pool.offers]
    result.supporter_ids = [o.id for o in pool.offers]
    result.priorities = [n.priority for n in needs]
    assignment = matching.assign(len(needs), result.free, candidates, result.priorities)
    phase("solve")
    area_names = dict(FocusArea.objects.filter(program=program).values_list("pk", "name"))
    for p_index, s_index in sorted(assignment.pairs.items()):
        explanation = matching.explain(needs[p_index], pool.offers[s_index], weights, area_names)
        result.pairs.append((needs[p_index].id, pool.offers[s_index].id, explanation.score, explanation.summary))
    kinds: dict[str, int] = {}
    for i, n in enumerate(needs):
        if i not in assignment.pairs:
            kind = matching.unmatched_kind(i, candidates)
            kinds[kind] = kinds.get(kind, 0) + 1
            result.left_over.append((n.id, matching.unmatched_reason(i, n, candidates)))
    result.left_over += [(pk, NO_CONSENT_LEFT_OVER) for pk in no_consent]
    result.levels = assignment.levels
    result.total_score = assignment.levels.fit
    result.waiting = len(needs) + len(no_consent)
    result.considered = len(needs)
    result.summary = matching.result_sentence(assignment.levels.matched, result.waiting, kinds, len(no_consent))
    if keep is not None and candidates.pruned:
        result.summary += " " + matching.pruning_note(keep, candidates.pruned)
    result.candidates = candidates
    phase("explain")
    result.seconds = sum(result.phases.values())
    return result


def run_batch_match(*, actor: Actor, program: Program) -> MatchRun:
    """Compute the best assignment of the whole waiting list and keep it for review.

    Rule: nothing is offered to anyone until the coordinator publishes the run; an earlier
    draft still waiting for review is discarded.
    """
    result = compute_batch(program)
    with transaction.atomic():
        for stale in MatchRun.objects.filter(program=program, state=MatchRunState.DRAFT):
            MATCH_RUN.move(
                actor=actor,
                obj=stale,
                to=MatchRunState.DISCARDED,
                note=_("Replaced by a newer batch match"),
                audit_action="match_run.discard",
            )
        run = MatchRun.objects.create(
            program=program,
            created_by=acting_user(actor),
            total_score=result.total_score,
            matched=result.levels.matched,
            urgency_total=result.levels.urgency,
            weeks_total=result.levels.weeks,
            summary=result.summary,
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


# Offers made per transaction when a batch match is published: each chunk holds the write lock
# briefly (on SQLite every other writer waits for it), whatever the size of the waiting list.
PUBLISH_CHUNK = 25


def publish_match_run(*, actor: Actor, run: MatchRun) -> tuple[list[SupportRelationship], list[str]]:
    """Offer every proposal of a reviewed batch match to its supporter.

    Rules: only a draft run is published, once: it is claimed (moved to published) first, in a
    short transaction with its row locked, so a second click waits and then finds it published.
    Each proposal is then re-checked as it is made (someone may have been matched by hand, or
    their consent withdrawn, since: propose_match refuses a participant without recorded
    consent); those no longer possible are skipped and reported, the rest become proposed
    relationships. The offers are made in chunks of PUBLISH_CHUNK, each its own transaction
    (each proposal in a savepoint), so the write lock is held briefly; the counts are audited at
    the end (`match_run.offers`). Should the process stop midway, the participants not offered
    yet stay on the waiting list for the next match.
    """
    with transaction.atomic():
        # Locked from the start: a second click waits, then finds the run published.
        run = MatchRun.objects.select_for_update().get(pk=run.pk)
        MATCH_RUN.move(
            actor=actor,
            obj=run,
            to=MatchRunState.PUBLISHED,
            changes={"published_at": timezone.now(), "published_by": acting_user(actor)},
            audit_action="match_run.publish",
            audit_changes={"proposals": ["", run.proposals.count()]},
        )
    made: list[SupportRelationship] = []
    skipped: list[str] = []
    proposals = list(run.proposals.select_related("participant", "supporter", "participant__program"))
    for start in range(0, len(proposals), PUBLISH_CHUNK):
        with transaction.atomic():
            for proposal in proposals[start : start + PUBLISH_CHUNK]:
                try:
                    with transaction.atomic():
                        made.append(
                            propose_match(
                                actor=actor,
                                participant=proposal.participant,
                                supporter=proposal.supporter,
                                match_run=run,
                            )
                        )
                except ValidationError as error:
                    skipped.append(f"{proposal.participant.reference}: {' '.join(error.messages)}")
    with transaction.atomic():
        audit.record(
            actor=actor,
            program=run.program,
            action="match_run.offers",
            target=run,
            changes={"offered": ["", len(made)], "skipped": ["", len(skipped)]},
        )
    return made, skipped


def discard_match_run(*, actor: Actor, run: MatchRun) -> MatchRun:
    """Throw away a draft batch match. Rule: only a draft."""
    MATCH_RUN.move(actor=actor, obj=run, to=MatchRunState.DISCARDED, audit_action="match_run.discard")
    return run


DECLINE_REASONS = {
    "capacity": gettext_lazy("I cannot take someone new right now"),
    "conflict": gettext_lazy("I know this person"),
    "fit": gettext_lazy("I do not think I am the right match"),
    "other": gettext_lazy("Another reason"),
}


def respond_to_offer(
    *, actor: User, relationship: SupportRelationship, accept: bool, reason: str = "", note: str = ""
) -> SupportRelationship:
    """The supporter accepts or declines a proposed match.

    Rules: only the offered supporter, only while proposed. Accepting needs the participant's
    recorded consent (it hands the supporter their contact details) and makes the relationship
    active (the participant is now matched). Declining needs a reason; the participant goes
    back to the waiting list; "I know this person" also declares a conflict so the pair is
    never proposed again. The coordinators are told either way.
    """
    if relationship.supporter.user_id != actor.pk:
        raise ValidationError(_("Only the supporter this match was offered to can answer it."))
    if relationship.state != RelationshipState.PROPOSED:
        raise ValidationError(_("This offer has already been answered."))
    if accept and not relationship.participant.consent_given:
        raise ValidationError(
            _(
                "The participant's consent is no longer recorded, so this match cannot start. "
                "Ask the coordinator to record it, or decline the offer."
            )
        )
    if not accept and reason not in DECLINE_REASONS:
        raise ValidationError({"reason": _("Choose why you are declining.")})
    program = relationship.program
    with transaction.atomic():
        if accept:
            move_relationship(actor=actor, relationship=relationship, to_state=RelationshipState.ACTIVE, reason=note)

            text = _("%(supporter)s accepted %(reference)s.") % {
                "supporter": relationship.supporter,
                "reference": relationship.participant.reference,
            }
        else:
            if reason == "conflict":
                Conflict.objects.get_or_create(
                    supporter=relationship.supporter,
                    participant=relationship.participant,
                    defaults={"program": program, "reason": note, "declared_by": acting_user(actor)},
                )
            move_relationship(
                actor=actor,
                relationship=relationship,
                to_state=RelationshipState.CLOSED,
                close_reason=CloseReason.DECLINED,
                reason=f"{DECLINE_REASONS[reason]}. {note}".strip(),
            )
            text = later(
                gettext_lazy("%(supporter)s declined %(reference)s (%(reason)s); they are back on the waiting list."),
                supporter=relationship.supporter,
                reference=relationship.participant.reference,
                reason=lowered(DECLINE_REASONS[reason]),
            )
        notifications.mark_read_about(f"support.relationship:{relationship.pk}")
        notify(program=program, users=coordinators(program), text=text, url=relationship.get_absolute_url())
    return relationship


def start_closing(*, actor: Actor, relationship: SupportRelationship, note: str = "") -> SupportRelationship:
    """Begin ending an active relationship (the closing conversation is still to come)."""
    move_relationship(actor=actor, relationship=relationship, to_state=RelationshipState.CLOSING, reason=note)
    return relationship


def close_relationship(
    *, actor: Actor, relationship: SupportRelationship, close_reason: str, note: str = ""
) -> SupportRelationship:
    """Close a relationship with its reason (see lifecycle.move_relationship for what follows).

    Rule: a supporter closes for 'goals met', 'participant ended it', 'unreachable' or
    'other'; rematching is the coordinator's.
    """
    if close_reason == CloseReason.DECLINED:
        raise ValidationError({"close_reason": _("A match is declined from the offer itself.")})
    move_relationship(
        actor=actor,
        relationship=relationship,
        to_state=RelationshipState.CLOSED,
        close_reason=close_reason,
        reason=note,
    )
    return relationship


def rematch(*, actor: Actor, relationship: SupportRelationship, note: str = "") -> Participant:
    """Close a relationship as rematched: the participant returns to the waiting list at once."""
    close_relationship(actor=actor, relationship=relationship, close_reason=CloseReason.REMATCHED, note=note)
    relationship.participant.refresh_from_db()
    return relationship.participant


# --- "Is this a good fit?" ------------------------------------------------------------------


def fit_question_due(relationship: SupportRelationship, on_date: dt.date | None = None) -> bool:
    """Whether the supporter should be asked "Is this a good fit?" now (`fit_questions_due`)."""
    return relationship.pk in fit_questions_due(relationship.program, [relationship], on_date)


def fit_questions_due(
    program: Program,
    relationships: Iterable[SupportRelationship],
    on_date: dt.date | None = None,
    answers: Mapping[int, str | None] | None = None,
) -> set[int]:
    """The relationships among these (all of ``program``) whose supporter should be asked "Is
    this a good fit?" now.

    Rule: an active relationship, after its first contact or once ``fit_question_days`` have
    passed since it began (the program's setting), until the supporter answers "a good fit" or
    "not a good fit" ("still deciding" asks again). ``answers`` (each relationship's latest
    answer from the supporter, or None) spares the one query that otherwise reads them.
    """
    on_date = on_date or timezone.localdate()
    days = dt.timedelta(days=get_settings(program).fit_question_days)
    asked = [
        r.pk
        for r in relationships
        if r.state == RelationshipState.ACTIVE
        and r.activated_at is not None
        and (r.first_contact_on is not None or on_date >= timezone.localdate(r.activated_at) + days)
    ]
    if not asked:
        return set()
    if answers is None:
        answers = {}
        for relationship_id, answer in (
            FitAnswer.objects.filter(relationship_id__in=asked, by=FitAnswerBy.SUPPORTER)
            .order_by("relationship_id", "-created_at", "-id")
            .values_list("relationship_id", "answer")
        ):
            answers.setdefault(relationship_id, answer)
    return {pk for pk in asked if (answers.get(pk) or FitAnswerChoice.DECIDING) == FitAnswerChoice.DECIDING}


def answer_fit(*, actor: User, relationship: SupportRelationship, answer: str, note: str = "") -> FitAnswer:
    """The supporter answers "Is this a good fit?" (good fit / still deciding / not a good fit).

    Rules: only the relationship's supporter, only while it is active. The answer is kept
    (the note encrypted: it may name people) and audited without the note. "Not a good fit"
    tells the coordinators, who are offered a rematch on the relationship's page
    (`rematch_for_poor_fit`).
    """
    if relationship.supporter.user_id != actor.pk:
        raise ValidationError(_("Only the supporter in this relationship can answer this."))
    if relationship.state != RelationshipState.ACTIVE:
        raise ValidationError(_("This relationship is not active."))
    if answer not in FitAnswerChoice.values:
        raise ValidationError({"answer": _("Choose an answer.")})
    with transaction.atomic():
        found = FitAnswer.objects.create(
            relationship=relationship, by=FitAnswerBy.SUPPORTER, answer=answer, note=note.strip(), answered_by=actor
        )
        audit.record(
            actor=actor,
            program=relationship.program,
            action="relationship.fit",
            target=relationship,
            changes={"answer": ["", answer]},
        )
        if answer == FitAnswerChoice.POOR:
            notify(
                program=relationship.program,
                users=coordinators(relationship.program),
                text=later(
                    gettext_lazy(
                        "%(supporter)s says %(reference)s is not a good fit: "
                        "a rematch is offered on the relationship's page."
                    ),
                    supporter=relationship.supporter,
                    reference=relationship.participant.reference,
                ),
                url=relationship.get_absolute_url(),
                relationship=relationship,
            )
    return found


def rematch_for_poor_fit(
    *, actor: Actor, relationship: SupportRelationship, reason: str, raised_by: str = FitAnswerBy.SUPPORTER
) -> Participant:
    """Rematch a participant because the pairing is not a good fit: call this for either side.

    For any code that learns a pairing is "not a good fit" — the coordinator acting on the
    supporter's answer (the relationship page), or the participant's own answer
    (``raised_by=FitAnswerBy.PARTICIPANT``). Rules:

    - the relationship is open (proposed, active or closing); ``reason`` says why, in words (not
      blank), and ``raised_by`` is "supporter" or "participant";
    - it is closed as *rematched* with the reason as its note (encrypted), so the pair is never
      proposed again (``eligibility.excluded_pairs``: the batch match and ``propose_match``);
    - the participant goes back to the waiting list **keeping their place in the queue**: their
      ``waiting_since`` is what it was before this match, not today (an ordinary rematch starts
      the wait again);
    - audited as ``relationship.fit_rematch`` (who raised it; the reason is not copied);
      the coordinators are told.

    Returns the participant, waiting again. Raises ValidationError when a rule is not met.
    """
    if raised_by not in FitAnswerBy.values:
        raise ValidationError({"raised_by": _("Say who found it was not a good fit.")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why it is not a good fit.")})
    if relationship.state not in OPEN_STATES:
        raise ValidationError(_("This relationship is already closed."))
    with transaction.atomic():
        participant = Participant.objects.select_for_update().get(pk=relationship.participant_id)
        place = participant.waiting_since
        who = FitAnswerBy(raised_by).label.lower()
        move_relationship(
            actor=actor,
            relationship=relationship,
            to_state=RelationshipState.CLOSED,
            close_reason=CloseReason.REMATCHED,
            reason=_("Not a good fit (raised by %(who)s): %(reason)s") % {"who": who, "reason": reason.strip()},
        )
        Participant.objects.filter(pk=participant.pk).update(waiting_since=place)
        participant.refresh_from_db()
        audit.record(
            actor=actor,
            program=relationship.program,
            action="relationship.fit_rematch",
            target=relationship,
            changes={"raised_by": ["", raised_by], "waiting_since": ["", place.isoformat()]},
        )
        notify(
            program=relationship.program,
            users=coordinators(relationship.program),
            text=later(
                gettext_lazy(
                    "%(reference)s is back on the waiting list in their place (not a good fit with %(supporter)s); "
                    "they will not be proposed to each other again."
                ),
                reference=participant.reference,
                supporter=relationship.supporter,
            ),
            url=participant.get_absolute_url(),
        )
    return participant
