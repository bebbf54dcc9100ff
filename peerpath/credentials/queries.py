"""Qualification statuses for pages, reminders and the hold-backs, and where supporters stand on
the self-paced learning modules: a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count
from django.utils import timezone

from peerpath.credentials.models import (
    LearningCompletion,
    LearningModule,
    Qualification,
    QualificationType,
    QuizAttempt,
)
from peerpath.credentials.status import QualificationStatus, status_of
from peerpath.programs.models import Membership, Program
from peerpath.recruitment.models import Stage, Supporter
from peerpath.training.extensions import TopicCredit, TopicOffer

# Whose qualifications the coordinator's list shows: people doing or about to do the work.
WORKING_STAGES = (Stage.IN_TRAINING, Stage.CERTIFIED, Stage.PROVISIONAL, Stage.SHADOWING, Stage.ACTIVE)


def active_types(program: Program) -> list[QualificationType]:
    return list(QualificationType.objects.filter(program=program, is_active=True))


def statuses(
    program: Program, supporter_ids: Iterable[int], today: dt.date | None = None
) -> dict[int, list[QualificationStatus]]:
    """Each supporter's status on every active qualification type, in the program's order."""
    today = today or timezone.localdate()
    ids = list(supporter_ids)
    types = active_types(program)
    by_key: dict[tuple[int, int], list[Qualification]] = defaultdict(list)
    for record in Qualification.objects.filter(program=program, supporter_id__in=ids, qtype__is_active=True):
        by_key[(record.supporter_id, record.qtype_id)].append(record)
    return {sid: [status_of(t, by_key[(sid, t.pk)], today) for t in types] for sid in ids}


def holds(program: Program, today: dt.date, work: str) -> dict[int, list[QualificationStatus]]:
    """Supporters held back from `work` ("for_new_matches", "for_facilitating",
    "for_training_others"), with the statuses that hold them back."""
    required = [t for t in active_types(program) if getattr(t, work)]
    if not required:
        return {}
    found: dict[int, list[QualificationStatus]] = {}
    by_key: dict[tuple[int, int], list[Qualification]] = defaultdict(list)
    for record in Qualification.objects.filter(program=program, qtype__in=required):
        by_key[(record.supporter_id, record.qtype_id)].append(record)
    if any(t.missing_holds_back for t in required):
        people = list(Supporter.objects.filter(program=program, stage__in=WORKING_STAGES).values_list("pk", flat=True))
    else:
        people = sorted({sid for sid, _t in by_key})
    for sid in people:
        for t in required:
            status = status_of(t, by_key[(sid, t.pk)], today)
            if status.holds_back:
                found.setdefault(sid, []).append(status)
    return found


def expiring_records(program: Program, today: dt.date, within_days: int) -> list[Qualification]:
    """The newest satisfactory record of each supporter and type, when it expires within
    `within_days` (not yet expired) and nothing newer replaces it."""
    rows = Qualification.objects.filter(
        program=program, qtype__is_active=True, outcome="satisfactory", expires_on__isnull=False
    ).select_related("supporter", "qtype")
    newest: dict[tuple[int, int], Qualification] = {}
    for record in rows.order_by("supporter_id", "qtype_id", "-expires_on", "-id"):
        newest.setdefault((record.supporter_id, record.qtype_id), record)
    return sorted(
        (
            r
            for r in newest.values()
            if r.expires_on is not None and today <= r.expires_on <= today + dt.timedelta(days=within_days)
        ),
        key=lambda r: r.expires_on or today,
    )


def people(program: Program) -> list[Supporter]:
    return list(Supporter.objects.filter(program=program, stage__in=WORKING_STAGES).order_by("full_name"))


# --- Self-paced learning -----------------------------------------------------------------------


@dataclass
class ModuleStanding:
    """Where one supporter stands on one module: done, to do, or out of attempts."""

    module: LearningModule
    completion: LearningCompletion | None = None
    attempts: int = 0
    best: int | None = None
    last: QuizAttempt | None = None

    @property
    def attempts_left(self) -> int | None:
        if self.module.max_attempts is None:
            return None
        return max(0, self.module.max_attempts - self.attempts)

    @property
    def state(self) -> str:
        if self.completion is not None:
            return "done"
        if self.attempts_left == 0:
            return "stuck"
        return "started" if self.attempts else "todo"


def library(program: Program) -> list[LearningModule]:
    """Every module of the program, with how many materials, questions and completions it has."""
    return list(
        LearningModule.objects.filter(program=program)
        .select_related("topic")
        .annotate(
            n_materials=Count("materials", distinct=True),
            n_questions=Count("questions", distinct=True),
            n_completed=Count("completions", distinct=True),
        )
    )


def published_modules(program: Program) -> list[LearningModule]:
    return list(
        LearningModule.objects.filter(program=program, is_published=True)
        .select_related("topic")
        .annotate(n_questions=Count("questions", distinct=True))
    )


def standings(modules: list[LearningModule], supporter_ids: Iterable[int]) -> dict[int, dict[int, ModuleStanding]]:
    """Each supporter's standing on each module: {supporter id: {module id: standing}}, in two
    queries whatever the numbers."""
    ids = list(supporter_ids)
    found = {sid: {m.pk: ModuleStanding(m) for m in modules} for sid in ids}
    module_ids = [m.pk for m in modules]
    for attempt in QuizAttempt.objects.filter(module_id__in=module_ids, supporter_id__in=ids).order_by(
        "submitted_at", "pk"
    ):
        standing = found[attempt.supporter_id][attempt.module_id]
        standing.attempts += 1
        standing.best = max(standing.best or 0, attempt.score)
        standing.last = attempt
    for completion in LearningCompletion.objects.filter(module_id__in=module_ids, supporter_id__in=ids):
        found[completion.supporter_id][completion.module_id].completion = completion
    return found


def my_modules(supporter: Supporter) -> list[ModuleStanding]:
    """The supporter's published modules with where they stand: what is left first, then what
    is done."""
    modules = published_modules(supporter.program)
    mine = standings(modules, [supporter.pk])[supporter.pk]
    order = {"stuck": 0, "started": 1, "todo": 2, "done": 3}
    return sorted((mine[m.pk] for m in modules), key=lambda s: (order[s.state], s.module.position, s.module.pk))


def evidence_by_competency(supporter: Supporter, viewer: Membership | None = None) -> dict[int, list[dict[str, str]]]:
    """training.extensions evidence source: the modules the trainee completed, as evidence of the
    competencies each builds, linking to their learning page for a viewer who may open it
    (``access.may_see_learner``; two or three queries)."""
    from django.urls import reverse
    from django.utils.formats import date_format
    from django.utils.translation import gettext

    from peerpath.credentials.access import may_see_learner

    completions = (
        LearningCompletion.objects.filter(supporter=supporter)
        .select_related("module", "attempt", "program")
        .prefetch_related("module__competencies")
        .order_by("completed_on", "pk")
    )
    found: dict[int, list[dict[str, str]]] = {}
    linked: bool | None = None
    for completion in completions:
        if linked is None:
            linked = viewer is not None and may_see_learner(viewer, supporter)
        label = gettext("Self-paced: %(title)s, %(date)s") % {
            "title": completion.module.title,
            "date": date_format(completion.completed_on, "SHORT_DATE_FORMAT"),
        }
        if completion.attempt is not None:
            label += f" ({completion.attempt.score}%)"
        url = reverse("credentials:learner", args=[completion.program.slug, supporter.pk]) if linked else ""
        for competency in completion.module.competencies.all():
            found.setdefault(competency.pk, []).append({"label": label, "url": url})
    return found


# --- Self-paced modules that make up missed course sessions (training.extensions) ---------------


def _module_label(title: str) -> str:
    from django.utils.translation import gettext

    return gettext("self-paced module “%(title)s”") % {"title": title}


def topic_credits(program: Program, supporter_ids: list[int]) -> dict[int, list[TopicCredit]]:
    """training.extensions coverage source: each module the trainees completed that has a course
    topic, when the program lets self-paced modules make up missed sessions (one query)."""
    found: dict[int, list[TopicCredit]] = defaultdict(list)
    rows = LearningCompletion.objects.filter(
        program=program,
        supporter_id__in=supporter_ids,
        module__topic__isnull=False,
        program__credential_settings__self_paced_makes_up_sessions=True,
    ).values_list("pk", "supporter_id", "module__topic_id", "module__title", "completed_on")
    for pk, supporter_id, topic_id, title, completed_on in rows:
        found[supporter_id].append(
            TopicCredit(
                topic_id=topic_id,
                done_on=completed_on,
                label=_module_label(title),
                key=f"credentials.learning:{pk}",
            )
        )
    return dict(found)


def topic_offers(program: Program, supporter_id: int, topic_ids: list[int]) -> dict[int, list[TopicOffer]]:
    """training.extensions coverage source: the published modules on the topics that the
    supporter has not completed, when the program lets them make up missed sessions (one query)."""
    from django.urls import reverse

    found: dict[int, list[TopicOffer]] = defaultdict(list)
    modules = (
        LearningModule.objects.filter(
            program=program,
            is_published=True,
            topic_id__in=topic_ids,
            program__credential_settings__self_paced_makes_up_sessions=True,
        )
        .exclude(completions__supporter_id=supporter_id)
        .order_by("position", "pk")
        .values_list("pk", "topic_id", "title")
    )
    for pk, topic_id, title in modules:
        found[topic_id].append(
            TopicOffer(
                topic_id=topic_id,
                label=_module_label(title),
                url=reverse("credentials:my_module", args=[program.slug, pk]),
            )
        )
    return dict(found)
