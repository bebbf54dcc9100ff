"""Outcome measures: recording one with the supporter, adding the project's measure, and the paired
change (first against latest answer) that reports show."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peerpath.care.models import Questionnaire
from peerpath.care.services import checkins
from peerpath.core import audit
from peerpath.core.actors import Actor
from peerpath.core.models import User
from peerpath.programs.models import Program
from peerpath.support.models import WORKING_STATES, SupportRelationship
from peerpath.voice import measures
from peerpath.voice.models import MeasurePoint, OutcomeResponse, Via
from peerpath.voice.services.common import get_settings, measures_of
from peerpath.voice.services.feedback import score_answers

# Groups smaller than this are never shown (as in the well-being report), so nobody's scores
# can be singled out.
SMALL_GROUP = 5


def add_project_measure(*, actor: Actor, program: Program) -> Questionnaire:
    """Install the PeerPath brief well-being measure (once) and ask it as an outcome measure."""
    with transaction.atomic():
        questionnaire = Questionnaire.objects.filter(program=program, name=measures.NAME).first()
        if questionnaire is None:
            questionnaire = checkins.install_questionnaire(
                actor=actor, program=program, form=measures.brief_wellbeing_form(), builtin=True
            )
        settings = get_settings(program)
        if not settings.outcome_measures.filter(pk=questionnaire.pk).exists():
            settings.outcome_measures.add(questionnaire)
            audit.record(
                actor=actor,
                program=program,
                action="voice.settings.update",
                target=settings,
                changes={"outcome_measures": ["", questionnaire.name]},
            )
    return questionnaire


def record_outcome(
    *,
    actor: Actor,
    relationship: SupportRelationship,
    questionnaire: Questionnaire,
    point: str,
    answers: dict[int, int],
    now: dt.datetime | None = None,
) -> OutcomeResponse:
    """Record an outcome measure the participant completed with their supporter.

    Rules: the questionnaire is one of the program's outcome measures; the relationship is active
    or closing; every item is answered on the scale (care's scoring rules); the point is intake,
    review or closing.
    """
    program = relationship.program
    if questionnaire.pk not in {q.pk for q in measures_of(get_settings(program))}:
        raise ValidationError(_("This questionnaire is not one of the program's outcome measures."))
    if relationship.state not in WORKING_STATES:
        raise ValidationError(_("Outcome measures are recorded while the relationship is active or closing."))
    if point not in MeasurePoint.values:
        raise ValidationError({"point": _("Choose intake, review or closing.")})
    try:
        scores = score_answers(questionnaire, answers)
    except ValueError as error:
        raise ValidationError(str(error)) from error
    with transaction.atomic():
        response = OutcomeResponse.objects.create(
            program=program,
            participant=relationship.participant,
            relationship=relationship,
            questionnaire=questionnaire,
            point=point,
            via=Via.SUPPORTER,
            answers={str(k): v for k, v in answers.items()},
            scores=scores,
            completed_at=now or timezone.now(),
            recorded_by=actor if isinstance(actor, User) else None,
        )
        audit.record(
            actor=actor,
            program=program,
            action="voice.outcome.create",
            target=response,
            target_label=relationship.participant.reference,
            note=f"{questionnaire.name}; {response.get_point_display()}",
        )
    return response


@dataclass
class Change:
    """One subscale's paired change across the people who answered it at least twice."""

    questionnaire: str
    key: str
    name: str
    people: int
    first: Decimal | None = None
    latest: Decimal | None = None
    change: Decimal | None = None
    higher: int | None = None
    same: int | None = None
    lower: int | None = None

    @property
    def hidden(self) -> bool:
        return self.people < SMALL_GROUP


def _mean(values: list[Decimal]) -> Decimal:
    return (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def paired_change(responses: list[Any]) -> list[Change]:
    """First against latest score per person, per questionnaire and subscale.

    ``responses``: records with ``participant_id``, ``questionnaire`` (with ``name``),
    ``completed_at`` and ``scores`` ({key: {"name", "score"}}). Rules: a person counts once,
    with their earliest and their latest answer of the questionnaire (two answers at least);
    the means are to two decimals, the change is the mean of each person's latest minus first;
    a group of fewer than `SMALL_GROUP` people shows only that it is small.
    """
    by_person: dict[tuple[int, int], list[Any]] = {}
    for response in sorted(responses, key=lambda r: (r.completed_at, r.pk)):
        by_person.setdefault((response.questionnaire_id, response.participant_id), []).append(response)
    pairs: dict[tuple[int, str], list[tuple[Decimal, Decimal]]] = {}
    names: dict[tuple[int, str], tuple[str, str]] = {}
    for (questionnaire_id, _person), answered in by_person.items():
        if len(answered) < 2:
            continue
        first, latest = answered[0], answered[-1]
        for key, score in (latest.scores or {}).items():
            before = (first.scores or {}).get(key)
            if before is None:
                continue
            pairs.setdefault((questionnaire_id, key), []).append(
                (Decimal(str(before["score"])), Decimal(str(score["score"])))
            )
            names[(questionnaire_id, key)] = (latest.questionnaire.name, score.get("name", key))
    changes = []
    for (questionnaire_id, key), values in sorted(pairs.items(), key=lambda item: names[item[0]]):
        name, subscale = names[(questionnaire_id, key)]
        change = Change(questionnaire=name, key=key, name=subscale, people=len(values))
        if not change.hidden:
            change.first = _mean([a for a, _b in values])
            change.latest = _mean([b for _a, b in values])
            change.change = _mean([b - a for a, b in values])
            change.higher = sum(1 for a, b in values if b > a)
            change.same = sum(1 for a, b in values if b == a)
            change.lower = sum(1 for a, b in values if b < a)
        changes.append(change)
    return changes


def program_change(program: Program, start: dt.datetime | None = None, end: dt.datetime | None = None) -> list[Change]:
    """The paired change of the program's outcome measures answered between ``start`` and ``end``
    (one query; the scores are decrypted in Python)."""
    rows = OutcomeResponse.objects.filter(program=program).select_related("questionnaire")
    if start is not None:
        rows = rows.filter(completed_at__gte=start)
    if end is not None:
        rows = rows.filter(completed_at__lt=end)
    return paired_change(list(rows.only("pk", "participant_id", "questionnaire__name", "completed_at", "scores")))
