"""Self-paced learning: modules written by trainers and coordinators (materials, a short
multiple-choice quiz), attempts scored automatically, completion recorded once and counted as
the program sets (training hours toward the initial credential through the module's topic, and
self-paced continuing education under the certificate's CE rule, whose self-paced cap limits
it). Atomic, validated, audited."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlparse

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peerpath.certification.models import DeliveryMode
from peerpath.certification.services import current_certificate, record_automatic_ce, withdraw_automatic_ce
from peerpath.core import audit
from peerpath.core.actors import Actor
from peerpath.core.models import User
from peerpath.core.uploads import check_upload
from peerpath.credentials.models import (
    CredentialSettings,
    LearningCompletion,
    LearningMaterial,
    LearningModule,
    MaterialKind,
    QuizAttempt,
    QuizChoice,
    QuizQuestion,
)
from peerpath.programs.models import Competency, Program
from peerpath.recruitment.models import Supporter
from peerpath.training.models import Cohort, Enrolment, Topic
from peerpath.training.queries import attendance_rates
from peerpath.training.services import ON_ROSTER, ce_subject_keys

MATERIAL_EXTENSIONS = {".pdf", ".txt", ".doc", ".docx", ".odt", ".ppt", ".pptx", ".odp", ".png", ".jpg", ".jpeg"}
MATERIAL_MAX_MEGABYTES = 20
MAX_CHOICES = 6
MODULE_FIELDS = [
    "title",
    "summary",
    "topic",
    "hours",
    "ce_subject",
    "counts_for_training",
    "pass_mark",
    "max_attempts",
    "is_published",
]


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return None


def save_module(
    *,
    actor: Actor,
    program: Program,
    module: LearningModule | None,
    data: dict[str, Any],
    competencies: Iterable[Competency] = (),
) -> LearningModule:
    """Add or change a learning module. Rules: a title unique in the program; its topic and
    competencies are the program's; its continuing-education subject (if any) one of the
    program's; 0.25 to 20 hours; a pass mark of 0 to 100 %; 1 to 20 attempts or no limit.
    A change applies to completions from now on; those already recorded keep their hours."""
    title = (data.get("title") or "").strip()
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = _("Give the module a title.")
    others = LearningModule.objects.filter(program=program, title__iexact=title)
    if module is not None:
        others = others.exclude(pk=module.pk)
    if title and others.exists():
        errors["title"] = _("The program already has a module by that title.")
    topic = data.get("topic")
    if topic is not None and (not isinstance(topic, Topic) or topic.program_id != program.pk):
        errors["topic"] = _("Choose one of the program's topics.")
    competencies = list(competencies)
    if any(c.program_id != program.pk for c in competencies):
        errors["competencies"] = _("Choose among the program's competencies.")
    subject = (data.get("ce_subject") or "").strip()
    if subject and subject not in ce_subject_keys(program):
        errors["ce_subject"] = _("Choose one of the program's continuing-education subjects.")
    hours = _decimal(data.get("hours"))
    if hours is None or not Decimal("0.25") <= hours <= Decimal("20"):
        errors["hours"] = _("Give between 0.25 and 20 hours.")
    pass_mark = data.get("pass_mark")
    if not isinstance(pass_mark, int) or not 0 <= pass_mark <= 100:
        errors["pass_mark"] = _("Give a pass mark from 0 to 100.")
    attempts = data.get("max_attempts")
    if attempts is not None and (not isinstance(attempts, int) or not 1 <= attempts <= 20):
        errors["max_attempts"] = _("Allow 1 to 20 attempts, or leave it empty for no limit.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        instance = module or LearningModule(
            program=program,
            position=LearningModule.objects.filter(program=program).count(),
            created_by=actor if isinstance(actor, User) else None,
        )
        values = {**data, "title": title, "ce_subject": subject, "hours": hours}
        instance.updated_at = timezone.now()
        audit.save_audited(
            actor=actor,
            program=program,
            instance=instance,
            fields=MODULE_FIELDS,
            data=values,
            action="credentials.learning_module",
        )
        before = {c.pk for c in instance.competencies.all()} if module is not None else set()
        after = {c.pk for c in competencies}
        if before != after:
            instance.competencies.set(competencies)
            audit.record(
                actor=actor,
                program=program,
                action="credentials.learning_module.competencies",
                target=instance,
                changes={"competencies": [sorted(before), sorted(after)]},
            )
    return instance


def _check_file(upload: Any) -> None:
    check_upload(
        upload,
        field="file",
        extensions=MATERIAL_EXTENSIONS,
        max_megabytes=MATERIAL_MAX_MEGABYTES,
        wrong_kind=_("Upload a PDF, a document, a presentation, a text file or an image."),
    )


def _check_url(url: str) -> None:
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ValidationError({"url": _("Give a web address starting with https://.")})


def add_material(
    *, actor: Actor, module: LearningModule, kind: str, title: str, body: str = "", url: str = "", file: Any = None
) -> LearningMaterial:
    """Add a material to a module. Rules: a title; a reading has its text, a link or a video its
    web address (http or https), a document its file (PDF, document, presentation, text or image,
    up to 20 MB)."""
    errors: dict[str, str] = {}
    if kind not in MaterialKind.values:
        errors["kind"] = _("Choose what kind of material it is.")
    if not title.strip():
        errors["title"] = _("Give the material a title.")
    if kind == MaterialKind.TEXT and not body.strip():
        errors["body"] = _("Write the text of the reading.")
    if kind in (MaterialKind.LINK, MaterialKind.VIDEO):
        if not url.strip():
            errors["url"] = _("Give the web address.")
        else:
            try:
                _check_url(url.strip())
            except ValidationError as error:
                errors.update({k: v[0] for k, v in error.message_dict.items()})
    if kind == MaterialKind.DOCUMENT:
        if not file:
            errors["file"] = _("Choose the file to upload.")
        else:
            try:
                _check_file(file)
            except ValidationError as error:
                errors.update({k: v[0] for k, v in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        material = LearningMaterial(
            module=module,
            kind=kind,
            title=title.strip(),
            body=body.strip() if kind == MaterialKind.TEXT else "",
            url=url.strip() if kind in (MaterialKind.LINK, MaterialKind.VIDEO) else "",
            position=module.materials.count(),
        )
        if kind == MaterialKind.DOCUMENT:
            material.file_name = str(getattr(file, "name", "document"))[:200]
            material.file.save(material.file_name, file, save=False)
        material.save()
        audit.record(
            actor=actor,
            program=module.program,
            action="credentials.learning_material.add",
            target=material,
            changes={"module": [None, module.title], "kind": [None, kind]},
        )
    return material


def remove_material(*, actor: Actor, material: LearningMaterial) -> None:
    """Take a material out of its module (its uploaded file too)."""
    with transaction.atomic():
        audit.record(
            actor=actor,
            program=material.module.program,
            action="credentials.learning_material.remove",
            target=material,
            changes={"title": [material.title, None]},
        )
        if material.file:
            material.file.delete(save=False)
        material.delete()


def add_question(
    *, actor: Actor, module: LearningModule, text: str, choices: list[str], correct: int, explanation: str = ""
) -> QuizQuestion:
    """Add a multiple-choice question to a module's quiz. Rules: the question's text; two to six
    answers, each different; exactly one right answer, among those given (``correct`` is its
    place, from 1)."""
    answers = [c.strip() for c in choices if c and c.strip()]
    errors: dict[str, str] = {}
    if not text.strip():
        errors["text"] = _("Write the question.")
    if not 2 <= len(answers) <= MAX_CHOICES:
        errors["choice_1"] = _("Give between 2 and 6 answers.")
    elif len({a.casefold() for a in answers}) != len(answers):
        errors["choice_1"] = _("Each answer must be different.")
    filled = [i + 1 for i, c in enumerate(choices) if c and c.strip()]
    if correct not in filled:
        errors["correct"] = _("Say which of the answers given is right.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        question = QuizQuestion.objects.create(
            module=module, text=text.strip(), explanation=explanation.strip(), position=module.questions.count()
        )
        for position, number in enumerate(filled):
            QuizChoice.objects.create(
                question=question, text=choices[number - 1].strip(), is_correct=number == correct, position=position
            )
        audit.record(
            actor=actor,
            program=module.program,
            action="credentials.quiz_question.add",
            target=question,
            changes={"module": [None, module.title], "answers": [None, len(answers)]},
        )
    return question


def remove_question(*, actor: Actor, question: QuizQuestion) -> None:
    """Take a question out of the quiz. Attempts already made keep their score."""
    with transaction.atomic():
        audit.record(
            actor=actor,
            program=question.module.program,
            action="credentials.quiz_question.remove",
            target=question,
            changes={"text": [question.text[:100], None]},
        )
        question.delete()


# --- Taking a module ---------------------------------------------------------------------------


def attempts_used(module: LearningModule, supporter: Supporter) -> int:
    return QuizAttempt.objects.filter(module=module, supporter=supporter).count()


def attempts_left(module: LearningModule, supporter: Supporter) -> int | None:
    """How many more tries the supporter has (None: no limit)."""
    if module.max_attempts is None:
        return None
    return max(0, module.max_attempts - attempts_used(module, supporter))


def _check_learner(actor: User, supporter: Supporter, module: LearningModule) -> None:
    if supporter.user_id != actor.pk:
        raise ValidationError(_("Only the supporter takes their own modules."))
    if module.program_id != supporter.program_id or not module.is_published:
        raise ValidationError(_("This module is not open to you."))
    if LearningCompletion.objects.filter(module=module, supporter=supporter).exists():
        raise ValidationError(_("You have already completed this module."))


def submit_quiz(*, actor: User, supporter: Supporter, module: LearningModule, answers: dict[int, int]) -> QuizAttempt:
    """Score an attempt at a module's quiz. Rules: the supporter's own, in a published module of
    their program they have not completed; an attempt left (the module's limit); every question
    answered with one of its own answers. The score is the share of right answers, rounded down
    to a whole percent; reaching the pass mark (exactly the mark passes) completes the module."""
    _check_learner(actor, supporter, module)
    questions = list(module.questions.prefetch_related("choices"))
    if not questions:
        raise ValidationError(_("This module has no quiz: mark it done instead."))
    errors: dict[str, str] = {}
    left = attempts_left(module, supporter)
    if left == 0:
        raise ValidationError(_("You have used every attempt this module allows. Ask your trainer."))
    correct = 0
    chosen: dict[str, str] = {}
    for question in questions:
        choice_id = answers.get(question.pk)
        valid = {c.pk: c for c in question.choices.all()}
        if choice_id not in valid:
            errors[f"q{question.pk}"] = _("Choose an answer.")
            continue
        chosen[str(question.pk)] = str(choice_id)
        correct += int(valid[choice_id].is_correct)
    if errors:
        raise ValidationError(errors)
    score = correct * 100 // len(questions)
    with transaction.atomic():
        _lock(supporter)  # two sends at once: the second finds the first's attempt or completion
        _check_learner(actor, supporter, module)
        if attempts_left(module, supporter) == 0:
            raise ValidationError(_("You have used every attempt this module allows. Ask your trainer."))
        attempt = QuizAttempt.objects.create(
            program=module.program,
            module=module,
            supporter=supporter,
            answers=chosen,
            correct=correct,
            total=len(questions),
            score=score,
            passed=score >= module.pass_mark,
        )
        audit.record(
            actor=actor,
            program=module.program,
            action="credentials.quiz.submit",
            target=attempt,
            changes={"score": [None, score], "passed": [None, attempt.passed]},
        )
        if attempt.passed:
            _complete(actor=actor, supporter=supporter, module=module, attempt=attempt)
    return attempt


def mark_done(*, actor: User, supporter: Supporter, module: LearningModule) -> LearningCompletion:
    """Complete a module that has no quiz (the supporter says they worked through it). Rules:
    the supporter's own, published, not completed yet, and no quiz (a quiz must be passed)."""
    _check_learner(actor, supporter, module)
    if module.questions.exists():
        raise ValidationError(_("Pass the quiz to complete this module."))
    with transaction.atomic():
        _lock(supporter)
        _check_learner(actor, supporter, module)
        return _complete(actor=actor, supporter=supporter, module=module, attempt=None)


def _lock(supporter: Supporter) -> None:
    """Serialise one supporter's quiz sends and completions (the row lock, on PostgreSQL)."""
    Supporter.objects.select_for_update().filter(pk=supporter.pk).first()


def learning_source_key(module: LearningModule, supporter: Supporter) -> str:
    return f"credentials.learning:{module.pk}:{supporter.pk}"


def _complete(
    *, actor: Actor, supporter: Supporter, module: LearningModule, attempt: QuizAttempt | None
) -> LearningCompletion:
    """Record the completion and, when the module has a continuing-education subject still in
    use and the supporter holds a certificate, credit its hours as self-paced CE (automatic,
    approved; the rule's self-paced cap limits what counts)."""
    day = timezone.localdate()
    source = ""
    if (
        module.ce_subject
        and module.ce_subject in ce_subject_keys(module.program)
        and current_certificate(supporter) is not None
    ):
        source = learning_source_key(module, supporter)
        record_automatic_ce(
            actor=actor,
            program=module.program,
            supporter=supporter,
            date=day,
            title=f"Self-paced: {module.title}",
            hours=module.hours,
            category=module.ce_subject,
            source_key=source,
            delivery=DeliveryMode.SELF_PACED,
        )
    before = _sessions_made_up(module, supporter)
    completion = LearningCompletion.objects.create(
        program=module.program,
        module=module,
        supporter=supporter,
        completed_on=day,
        hours=module.hours,
        attempt=attempt,
        ce_source_key=source,
    )
    audit.record(
        actor=actor,
        program=module.program,
        action="credentials.learning.complete",
        target=completion,
        changes={"hours": [None, str(module.hours)], "ce": [None, bool(source)]},
    )
    _audit_sessions_made_up(actor, module.program, supporter, before, _sessions_made_up(module, supporter))
    return completion


def reset(*, actor: Actor, module: LearningModule, supporter: Supporter, reason: str) -> None:
    """A trainer or coordinator gives the supporter a fresh start on a module (every attempt used,
    or a completion recorded in error): their attempts and completion go, with the training
    hours and any continuing-education credit not yet used for a renewal. Rules: the module and
    the supporter are of one program; a reason."""
    if module.program_id != supporter.program_id:
        raise ValidationError(_("This module is not in the supporter's program."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the module starts afresh.")})
    with transaction.atomic():
        completion = LearningCompletion.objects.filter(module=module, supporter=supporter).first()
        attempts = QuizAttempt.objects.filter(module=module, supporter=supporter)
        before = _sessions_made_up(module, supporter) if completion is not None else {}
        if completion is not None and completion.ce_source_key:
            withdraw_automatic_ce(actor=actor, program=module.program, source_key=completion.ce_source_key)
        audit.record(
            actor=actor,
            program=module.program,
            action="credentials.learning.reset",
            target=module,
            changes={
                "supporter": [str(supporter), str(supporter)],
                "attempts": [attempts.count(), 0],
                "completed": [completion is not None, False],
            },
            note=reason.strip(),
        )
        if completion is not None:
            completion.delete()
            _audit_sessions_made_up(
                actor, module.program, supporter, before, _sessions_made_up(module, supporter), note=reason.strip()
            )
        attempts.delete()


# --- Self-paced modules making up missed course sessions ----------------------------------------


def save_learning_settings(*, actor: Actor, program: Program, makes_up_sessions: bool) -> CredentialSettings:
    """Say whether a completed self-paced module can make up a missed course session on its
    topic (training's attendance, the cohort grid, the trainee's "what is left to do"). Audited
    as a change of the credential settings, and for each trainee on a current roster whose
    sessions made up change with it."""
    from peerpath.credentials.progress import get_settings

    if not isinstance(makes_up_sessions, bool):
        raise ValidationError({"self_paced_makes_up_sessions": _("Say yes or no.")})
    with transaction.atomic():
        settings = get_settings(program)
        if settings.self_paced_makes_up_sessions == makes_up_sessions:
            return settings
        cohorts = list(Cohort.objects.filter(program=program, enrolments__status__in=ON_ROSTER).distinct())
        before = _made_up_in(cohorts)
        saved = audit.save_audited(
            actor=actor,
            program=program,
            instance=settings,
            fields=["self_paced_makes_up_sessions"],
            data={"self_paced_makes_up_sessions": makes_up_sessions},
            action="credentials.settings",
        )
        after = _made_up_in(cohorts)
        supporters = Supporter.objects.in_bulk(set(before) | set(after))
        for supporter_id, supporter in supporters.items():
            _audit_sessions_made_up(
                actor, program, supporter, before.get(supporter_id, {}), after.get(supporter_id, {})
            )
    return saved


def _made_up_in(cohorts: Iterable[Cohort], supporter_ids: list[int] | None = None) -> dict[int, dict[int, str]]:
    """Per trainee, the course sessions of the cohorts counted as made up by self-paced
    learning: session id -> "title (date)" (a fixed number of queries per cohort)."""
    found: dict[int, dict[int, str]] = {}
    for cohort in cohorts:
        for supporter_id, rate in attendance_rates(cohort, supporter_ids).items():
            for session_id, made_up in rate.made_up_another_way.items():
                day = timezone.localdate(made_up.session.starts_at).isoformat()
                found.setdefault(supporter_id, {})[session_id] = f"{made_up.session.title} ({day})"
    return found


def _sessions_made_up(module: LearningModule, supporter: Supporter) -> dict[int, str]:
    """The supporter's course sessions made up by self-paced learning, in every cohort they are
    on the roster of; nothing to look at when the module has no topic (it makes up nothing)."""
    if (
        module.topic_id is None
        or not CredentialSettings.objects.filter(
            program_id=module.program_id, self_paced_makes_up_sessions=True
        ).exists()
    ):
        return {}
    cohorts = Cohort.objects.filter(
        pk__in=Enrolment.objects.filter(supporter=supporter, status__in=ON_ROSTER).values("cohort_id")
    ).select_related("program")
    return _made_up_in(cohorts, [supporter.pk]).get(supporter.pk, {})


def _audit_sessions_made_up(
    actor: Actor, program: Program, supporter: Supporter, before: dict[int, str], after: dict[int, str], note: str = ""
) -> None:
    """Record a change in which course sessions count as made up by self-paced learning."""
    if before == after:
        return
    audit.record(
        actor=actor,
        program=program,
        action="credentials.learning.sessions_made_up",
        target=supporter,
        changes={"sessions_made_up": [sorted(before.values()), sorted(after.values())]},
        note=note,
    )
