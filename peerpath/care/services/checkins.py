"""Well-being questionnaires and check-ins: scoring, bands and what happens next."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peerpath.care import scoring
from peerpath.care.instruments import form_of
from peerpath.care.lifecycle import CHECKIN
from peerpath.care.models import (
    CareSettings,
    CheckIn,
    CheckInAnswer,
    CheckInReason,
    CheckInStatus,
    Item,
    Questionnaire,
    ReminderLog,
    ScoreBand,
    Subscale,
    TaskKind,
)
from peerpath.care.services.care_tasks import task_for_supervisor
from peerpath.care.services.common import get_settings, local_today, require_own_record, update_settings
from peerpath.core import audit
from peerpath.core.actors import Actor
from peerpath.core.models import User
from peerpath.programs.models import Program
from peerpath.recruitment.models import Supporter


def install_questionnaire(
    *, actor: Actor, program: Program, form: scoring.Form, builtin: bool = False, use_for_checkins: bool = False
) -> Questionnaire:
    """Store a questionnaire (already validated by `instruments`) for the program.

    Rule: stored whole or not at all. ``use_for_checkins`` makes it the program's check-in.
    """
    with transaction.atomic():
        questionnaire = Questionnaire.objects.create(
            program=program,
            name=form.name,
            instructions=form.instructions,
            credit=form.credit,
            scale=[{"value": o.value, "label": o.label} for o in form.scale],
            is_builtin=builtin,
            imported_by=actor if isinstance(actor, User) else None,
        )
        subscales = {}
        for position, spec in enumerate(form.subscales):
            subscale = Subscale.objects.create(
                questionnaire=questionnaire,
                key=spec.key,
                name=spec.name,
                description=spec.description,
                scoring=spec.scoring,
                position=position,
            )
            ScoreBand.objects.bulk_create(
                ScoreBand(
                    subscale=subscale,
                    label=b.label,
                    min_score=b.min_score,
                    meaning=b.meaning,
                    is_highest_concern=b.concern,
                )
                for b in spec.bands
            )
            subscales[spec.key] = subscale
        Item.objects.bulk_create(
            Item(
                questionnaire=questionnaire,
                number=i.number,
                text=i.text,
                subscale=subscales.get(i.subscale) if i.subscale else None,
                reverse_scored=i.reverse,
            )
            for i in form.items
        )
        audit.record(
            actor=actor,
            program=program,
            action="questionnaire.import" if not builtin else "questionnaire.create",
            target=questionnaire,
            note=f"{len(form.items)} items, {len(form.subscales)} subscales",
        )
        if use_for_checkins:
            settings = get_settings(program)
            settings.checkin_questionnaire = questionnaire
            settings.save(update_fields=["checkin_questionnaire"])
    return questionnaire


def set_questionnaire_active(*, actor: Actor, questionnaire: Questionnaire, active: bool) -> Questionnaire:
    """Retire or restore a questionnaire. Rule: the one used for check-ins cannot be retired."""
    settings = get_settings(questionnaire.program)
    if not active and settings.checkin_questionnaire_id == questionnaire.pk:
        raise ValidationError(_("This questionnaire is used for check-ins; choose another in the care settings first."))
    with transaction.atomic():
        return audit.save_audited(
            actor=actor,
            program=questionnaire.program,
            instance=questionnaire,
            fields=["is_active"],
            data={"is_active": active},
            action="questionnaire",
        )


def use_for_checkins(*, actor: Actor, questionnaire: Questionnaire) -> CareSettings:
    """Make an active questionnaire the program's check-in."""
    return update_settings(actor=actor, program=questionnaire.program, data={"checkin_questionnaire": questionnaire})


def schedule_checkin(*, actor: Actor, supporter: Supporter, reason: str, due_on: dt.date) -> CheckIn:
    """Ask a supporter for a check-in by a date.

    Rule: one waiting check-in at a time: a waiting one already due by then is reused
    (moved earlier when the new date is sooner).
    """
    with transaction.atomic():
        waiting = (
            CheckIn.objects.select_for_update()
            .filter(supporter=supporter, status=CheckInStatus.SCHEDULED)
            .order_by("due_on")
            .first()
        )
        if waiting is not None:
            if due_on < waiting.due_on:
                before = waiting.due_on
                waiting.due_on, waiting.reason = due_on, reason
                waiting.save(update_fields=["due_on", "reason"])
                audit.record(
                    actor=actor,
                    program=supporter.program,
                    action="checkin.reschedule",
                    target=waiting,
                    changes={"due_on": [before, due_on]},
                )
            return waiting
        checkin = CheckIn.objects.create(
            program=supporter.program, supporter=supporter, reason=reason, due_on=due_on, status=CheckInStatus.SCHEDULED
        )
        # The caller tells the supporter; the daily reminder should not repeat it for this date.
        ReminderLog.objects.get_or_create(supporter=supporter, kind="checkin", key=due_on.isoformat())
        audit.record(
            actor=actor,
            program=supporter.program,
            action="checkin.schedule",
            target=checkin,
            note=str(CheckInReason(reason).label),
        )
    return checkin


def complete_checkin(
    *,
    actor: Actor,
    supporter: Supporter,
    questionnaire: Questionnaire,
    answers: dict[int, int],
    needs_break: bool = False,
    wants_to_talk: bool = False,
    comment: str = "",
) -> CheckIn:
    """Record a supporter's own check-in and score it.

    Rules: only the supporter answers their check-in, on an active questionnaire of their
    program, every item on the response scale (reverse-scored items flipped). A waiting
    check-in (after a hard event or a break) is the one answered. A score in a band of
    highest concern, "I need a break" or "I would like to talk" opens a task for their
    supervisor (or the coordinators, without one), who is e-mailed.
    """
    require_own_record(actor, supporter)
    if questionnaire.program_id != supporter.program_id or not questionnaire.is_active:
        raise ValidationError(_("This questionnaire is not in use."))
    questionnaire = Questionnaire.objects.prefetch_related("subscales__bands", "items").get(pk=questionnaire.pk)
    form = form_of(questionnaire)
    try:
        result = scoring.score(form, answers)
    except ValueError as error:
        raise ValidationError(str(error)) from None
    items = {item.number: item for item in questionnaire.items.all()}
    now = timezone.now()
    answered = {
        "questionnaire": questionnaire,
        "completed_at": now,
        "scores": {s.key: s.as_json() for s in result.subscales},
        "bands": {s.key: s.band.label if s.band else "" for s in result.subscales},
        "concern": result.concern,
        "needs_break": needs_break,
        "wants_to_talk": wants_to_talk,
        "comment": comment,
    }
    flags = {
        "concern": [None, result.concern],
        "needs_break": [None, needs_break],
        "wants_to_talk": [None, wants_to_talk],
    }
    with transaction.atomic():
        waiting = (
            CheckIn.objects.select_for_update()
            .filter(supporter=supporter, status=CheckInStatus.SCHEDULED)
            .order_by("due_on")
            .first()
        )
        if waiting is not None:
            checkin = CHECKIN.move(
                actor=actor,
                obj=waiting,
                to=CheckInStatus.COMPLETED,
                changes=answered,
                audit_action="checkin.complete",
                audit_changes=flags,
            ).obj
        else:
            # A routine check-in is stored only once answered: it is created completed.
            checkin = CheckIn.objects.create(
                program=supporter.program,
                supporter=supporter,
                reason=CheckInReason.ROUTINE,
                due_on=local_today(),
                status=CheckInStatus.COMPLETED,
                **answered,
            )
            audit.record(
                actor=actor, program=supporter.program, action="checkin.complete", target=checkin, changes=flags
            )
        CheckInAnswer.objects.bulk_create(
            CheckInAnswer(checkin=checkin, item=items[number], value=value) for number, value in answers.items()
        )
        if checkin.asks_for_follow_up:
            reasons = []
            concern_bands = [s for s in result.subscales if s.concern]
            if concern_bands:
                reasons.append(
                    _("check-in in the highest-concern band (%(bands)s)")
                    % {"bands": ", ".join(f"{s.name}: {s.band.label}" for s in concern_bands if s.band)}
                )
            if needs_break:
                reasons.append(_("says they need a break"))
            if wants_to_talk:
                reasons.append(_("would like to talk"))
            days = get_settings(supporter.program).concern_response_days
            task_for_supervisor(
                actor=actor,
                supporter=supporter,
                kind=TaskKind.CHECKIN,
                title=f"{supporter.full_name}: " + "; ".join(reasons),
                detail=comment,
                due_on=local_today() + dt.timedelta(days=days),
                checkin=checkin,
            )
    return checkin
