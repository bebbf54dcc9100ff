"""Feedback links: when one is due, sending it, the participant's answer, and what each reader sees."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from peerpath.care import scoring
from peerpath.care.instruments import form_of
from peerpath.care.models import Questionnaire
from peerpath.core import audit
from peerpath.core.actors import Actor
from peerpath.core.languages import language_for
from peerpath.core.mail import queue_link_email
from peerpath.core.models import User
from peerpath.notifications.services import text_recipient
from peerpath.programs.models import Program
from peerpath.recruitment.models import Supporter
from peerpath.support.models import FitAnswerBy, RelationshipState, SupportRelationship
from peerpath.support.notify import coordinators, notify
from peerpath.support.services import matches, texts
from peerpath.voice import links
from peerpath.voice.models import (
    AnswerLink,
    FeedbackAnswer,
    Fit,
    Heard,
    MeasurePoint,
    Occasion,
    OutcomeResponse,
    Via,
)
from peerpath.voice.services.common import FLOOR, PARTICIPANT, SYSTEM, get_settings, measures_of

MONTH = dt.timedelta(days=30)


class LinkClosed(Exception):
    """The link was used already or has expired."""


@dataclass
class DueLink:
    relationship: SupportRelationship
    occasion: str
    measures: list[Questionnaire] = field(default_factory=list)
    point: str = ""


def due_links(program: Program, now: dt.datetime | None = None) -> list[DueLink]:
    """The links to send now in one program.

    Rules: only to a participant with an e-mail address or who agreed to texts, in a relationship that is active or
    closing and has had its first contact; never while an earlier link is still open. The first
    goes after the first contact, the next once ``feedback_every_days`` have passed since the
    last, and one more when the relationship starts closing. Each asks the feedback questions and
    the outcome measures due: at intake (never answered), for review (last answered
    ``outcome_every_months`` ago or more), or at closing (all of them).
    """
    now = now or timezone.now()
    settings = get_settings(program)
    if not settings.feedback_links:
        return []
    measures = measures_of(settings)
    relationships = list(
        SupportRelationship.objects.filter(
            program=program,
            state__in=[RelationshipState.ACTIVE, RelationshipState.CLOSING],
            first_contact_on__isnull=False,
        ).select_related("participant", "supporter")
    )
    ids = [r.pk for r in relationships]
    sent: dict[int, list[AnswerLink]] = {}
    for link in AnswerLink.objects.filter(relationship_id__in=ids).order_by("created_at"):
        sent.setdefault(link.relationship_id, []).append(link)
    answered: dict[tuple[int, int], dt.datetime] = {}
    for participant_id, questionnaire_id, completed_at in OutcomeResponse.objects.filter(
        participant_id__in=[r.participant_id for r in relationships]
    ).values_list("participant_id", "questionnaire_id", "completed_at"):
        key = (participant_id, questionnaire_id)
        answered[key] = max(answered.get(key, completed_at), completed_at)
    by_text = texts.texting([r.participant_id for r in relationships])
    every = dt.timedelta(days=settings.feedback_every_days)
    review_after = MONTH * settings.outcome_every_months
    due = []
    for relationship in relationships:
        if not relationship.participant.email and relationship.participant_id not in by_text:
            continue
        earlier = sent.get(relationship.pk, [])
        if any(link.is_open(now) for link in earlier):
            continue
        closing = relationship.state == RelationshipState.CLOSING
        if not earlier:
            occasion = Occasion.FIRST_CONTACT
        elif closing and not any(link.occasion == Occasion.CLOSING for link in earlier):
            occasion = Occasion.CLOSING
        elif earlier[-1].created_at <= now - every:
            occasion = Occasion.REGULAR
        else:
            continue
        plan = DueLink(relationship, occasion)
        if occasion == Occasion.CLOSING:
            plan.measures, plan.point = measures, (MeasurePoint.CLOSING if measures else "")
        else:
            never = [q for q in measures if (relationship.participant_id, q.pk) not in answered]
            stale = [
                q for q in measures if answered.get((relationship.participant_id, q.pk), now) <= now - review_after
            ]
            if never:
                plan.measures, plan.point = never, MeasurePoint.INTAKE
            elif stale:
                plan.measures, plan.point = stale, MeasurePoint.REVIEW
        due.append(plan)
    return due


def send_link(*, plan: DueLink, now: dt.datetime | None = None) -> AnswerLink:
    """Create the link record and queue its e-mail (the link is built as the e-mail leaves) and,
    when the participant agreed to texts, its text (the link is built as the text leaves).

    Rules: the queued e-mail and text rest in the database, so they name nobody but the supporter
    by first name (not the participant, not their address or number: read as they are sent); the
    link works for the program's ``link_valid_days``; STOP stops the text.
    """
    now = now or timezone.now()
    relationship = plan.relationship
    program = relationship.program
    settings = get_settings(program)
    with transaction.atomic():
        link = AnswerLink.objects.create(
            program=program,
            relationship=relationship,
            participant=relationship.participant,
            occasion=plan.occasion,
            measures=[q.pk for q in plan.measures],
            measure_point=plan.point,
            nonce=links.new_nonce(),
            created_at=now,
            expires_at=now + dt.timedelta(days=settings.link_valid_days),
        )
        context = {
            "program": program,
            "supporter_first_name": relationship.supporter.full_name.split(" ")[0],
            "link": link,
            "measures": len(plan.measures),
        }
        if relationship.participant.email:
            queue_link_email(
                kind=links.KIND,
                record_id=link.pk,
                template="voice/email/answer_link",
                context=context,
                reply_to=program.contact_email,
                language=language_for(relationship.participant),
            )
        text_recipient(
            owner=texts.owner_of(relationship.participant_id),
            kind="voice.answer_link",
            template="voice/email/answer_link",
            context=context,
            key=f"voice.answer_link:{link.pk}",
            link_kind=links.KIND,
            link_id=link.pk,
            now=now,
        )
        audit.record(
            actor=SYSTEM,
            program=program,
            action="voice.link_sent",
            target=link,
            target_label=relationship.participant.reference,
            note=f"{link.get_occasion_display()}; {len(plan.measures)} outcome measure(s)",
        )
    return link


def send_due_links(now: dt.datetime | None = None) -> int:
    """Send every due link in every active program; returns how many were sent."""
    sent = 0
    for program in Program.objects.filter(is_active=True):
        for plan in due_links(program, now):
            send_link(plan=plan, now=now)
            sent += 1
    return sent


def link_questionnaires(link: AnswerLink) -> list[Questionnaire]:
    """The outcome measures a link asks, in the order chosen, with their items loaded."""
    found = {
        q.pk: q
        for q in Questionnaire.objects.filter(program=link.program, pk__in=link.measures).prefetch_related(
            "items", "subscales__bands"
        )
    }
    return [found[pk] for pk in link.measures if pk in found]


def score_answers(questionnaire: Questionnaire, answers: dict[int, int]) -> dict[str, Any]:
    """{subscale key: {"name", "score"}} for the answers (care's scoring rules)."""
    result = scoring.score(form_of(questionnaire), answers)
    return {s.key: {"name": s.name, "score": scoring.format_score(s.score)} for s in result.subscales}


def answer(
    *,
    link: AnswerLink,
    felt_heard: str,
    good_fit: str,
    message: str,
    measures: dict[int, dict[int, int]],
    now: dt.datetime | None = None,
) -> FeedbackAnswer:
    """Record what the participant answered through their link, once.

    Rules: the link must be unused and unexpired (checked under a row lock, so a double submit
    records one answer); each answer is on its list; every outcome measure the link asks is
    answered whole. The coordinators are told in the app (by reference only); a "not a good fit"
    answer is marked urgent, as it opens the rematch path.
    """
    now = now or timezone.now()
    errors: dict[str, str] = {}
    if felt_heard and felt_heard not in Heard.values:
        errors["felt_heard"] = _("Choose one of the answers.")
    if good_fit and good_fit not in Fit.values:
        errors["good_fit"] = _("Choose one of the answers.")
    if errors:
        raise ValidationError(errors)
    questionnaires = link_questionnaires(link)
    scored: list[tuple[Questionnaire, dict[int, int], dict[str, Any]]] = []
    for questionnaire in questionnaires:
        given = measures.get(questionnaire.pk, {})
        try:
            scored.append((questionnaire, given, score_answers(questionnaire, given)))
        except ValueError as error:
            raise ValidationError(str(error)) from error
    with transaction.atomic():
        locked = AnswerLink.objects.select_for_update().get(pk=link.pk)
        if not locked.is_open(now):
            raise LinkClosed()
        relationship = link.relationship
        feedback = FeedbackAnswer.objects.create(
            program=link.program,
            relationship=relationship,
            participant=link.participant,
            supporter_id=relationship.supporter_id,
            link=locked,
            occasion=link.occasion,
            felt_heard=felt_heard,
            good_fit=good_fit,
            message=message.strip(),
            answered_at=now,
        )
        for questionnaire, given, scores in scored:
            OutcomeResponse.objects.create(
                program=link.program,
                participant=link.participant,
                relationship=relationship,
                questionnaire=questionnaire,
                point=link.measure_point or MeasurePoint.REVIEW,
                via=Via.LINK,
                link=locked,
                answers={str(k): v for k, v in given.items()},
                scores=scores,
                completed_at=now,
            )
        locked.used_at = now
        locked.save(update_fields=["used_at"])
        audit.record(
            actor=PARTICIPANT,
            program=link.program,
            action="voice.answer",
            target=feedback,
            target_label=link.participant.reference,
            note=f"{link.get_occasion_display()}; {len(scored)} outcome measure(s)",
        )
        unfit = good_fit == Fit.NO

        def text() -> str:
            if unfit:
                return _("New feedback from %(reference)s: not a good fit") % {"reference": link.participant.reference}
            return _("New feedback from %(reference)s") % {"reference": link.participant.reference}

        notify(
            kind="voice.feedback",
            program=link.program,
            users=coordinators(link.program),
            text=text,  # called in each reader's language
            url=reverse("voice:answer_detail", args=[link.program.slug, feedback.pk]),
            urgent=unfit,
            relationship=relationship,
        )
    return feedback


def mark_read(*, actor: User, answer: FeedbackAnswer) -> None:
    """A coordinator opened an answer: the first reading is noted on it (each is audited by the page)."""
    if answer.read_at is None:
        FeedbackAnswer.objects.filter(pk=answer.pk, read_at__isnull=True).update(read_at=timezone.now(), read_by=actor)


def open_rematch(*, actor: Actor, answer: FeedbackAnswer, note: str = "") -> None:
    """Act on a "not a good fit" answer through support's pairing-fit rematch: the relationship
    closes as rematched, the participant goes back to the waiting list in their place, and the
    pair is never proposed again.

    Rules: only for an answer that said "not a good fit", once, while the relationship is open.
    """
    if not answer.not_a_good_fit:
        raise ValidationError(_("Only an answer saying it is not a good fit opens a rematch."))
    if answer.rematch_opened_at is not None:
        raise ValidationError(_("A rematch was already opened from this answer."))
    relationship = answer.relationship
    if relationship.state not in (RelationshipState.ACTIVE, RelationshipState.CLOSING, RelationshipState.PROPOSED):
        raise ValidationError(_("This relationship has already closed."))
    with transaction.atomic():
        # Support's pairing-fit rematch: the pair is never proposed again and the participant
        # keeps their place on the waiting list.
        matches.rematch_for_poor_fit(
            actor=actor,
            relationship=relationship,
            reason=note.strip() or _("The participant said in their feedback that it is not a good fit."),
            raised_by=FitAnswerBy.PARTICIPANT,
        )
        FeedbackAnswer.objects.filter(pk=answer.pk).update(rematch_opened_at=timezone.now())
        audit.record(
            actor=actor,
            program=answer.program,
            action="voice.rematch",
            target=answer,
            target_label=answer.participant.reference,
        )


@dataclass
class Totals:
    """What a supporter may see: counts over all their answers, or only how many there are."""

    count: int
    minimum: int
    heard: int = 0
    fit: int = 0

    @property
    def shown(self) -> bool:
        return self.count >= self.minimum

    @property
    def heard_percent(self) -> int:
        return round(100 * self.heard / self.count) if self.count else 0

    @property
    def fit_percent(self) -> int:
        return round(100 * self.fit / self.count) if self.count else 0


def supporter_totals(supporter: Supporter) -> Totals:
    """Over every answer about this supporter: how many felt heard (yes or mostly) and found it a
    good fit. Rule: below the program's minimum (never under `FLOOR`) only the number of answers
    is given, and messages are never shown, so no single answer can be traced to a participant."""
    settings = get_settings(supporter.program)
    minimum = max(FLOOR, settings.supporter_minimum_answers)
    answers = list(FeedbackAnswer.objects.filter(supporter=supporter).only("felt_heard", "good_fit"))
    totals = Totals(count=len(answers), minimum=minimum)
    if totals.shown:
        totals.heard = sum(1 for a in answers if a.felt_heard in (Heard.YES, Heard.MOSTLY))
        totals.fit = sum(1 for a in answers if a.good_fit == Fit.YES)
    return totals
