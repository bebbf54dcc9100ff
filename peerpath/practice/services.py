"""State changes in the practice lab: scenarios and their steps, playing a session, reviewing it
(comments, corrected codes kept as labelled examples, evidence for competencies) and the
program's practice settings. Every change is validated, atomic and audited."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peerpath.core import audit
from peerpath.core.actors import Actor
from peerpath.core.models import User
from peerpath.core.program_settings import ProgramSettings
from peerpath.practice import coder, conversation, fidelity
from peerpath.practice.codes import ALL_CODES, Code
from peerpath.practice.lifecycle import PRACTICE_SESSION
from peerpath.practice.models import (
    LabelledExample,
    PracticeSession,
    PracticeSettings,
    Reply,
    ReplyComment,
    Scenario,
    SessionStatus,
    Step,
)
from peerpath.programs.models import Competency, Program
from peerpath.recruitment.models import Supporter
from peerpath.training.services import ce_subject_keys

MAX_REPLY_LENGTH = 1000
MAX_REPLIES = 40  # a scripted conversation that has not ended by then is stopped
SCENARIO_FIELDS = ["title", "area", "persona", "situation", "hopes", "first_step", "is_published"]
STEP_FIELDS = ["key", "says", "risk_cue", "good_reply", "on_open", "on_other", "on_close", "on_missed_risk"]
SETTINGS_FIELDS = ["sessions_for_certification", "counts_as_continuing_education", "ce_category"]
# Practice time counted as continuing education: each session at most this long (a tab left
# open is not practice), a day's total in whole quarter hours.
CE_SESSION_CAP_MINUTES = 60
BRANCHES = ["on_open", "on_other", "on_close", "on_missed_risk"]

_SETTINGS = ProgramSettings(PracticeSettings)


def get_settings(program: Program) -> PracticeSettings:
    """The program's practice settings, created with the defaults (requirements off) on first use."""
    return _SETTINGS.get(program)


def update_settings(*, actor: Actor, program: Program, data: dict[str, Any]) -> PracticeSettings:
    """Change the program's practice settings: sessions required for certification (0 is off,
    at most 50) and whether practice time counts as continuing education, in which of the
    program's continuing-education subjects (required when it counts)."""
    required = data.get("sessions_for_certification")
    if required is not None and not 0 <= int(required) <= 50:
        raise ValidationError({"sessions_for_certification": _("Between 0 (off) and 50.")})
    category = data.get("ce_category") or ""
    if data.get("counts_as_continuing_education") and category not in ce_subject_keys(program):
        raise ValidationError({"ce_category": _("Choose the continuing-education subject practice counts in.")})
    with transaction.atomic():
        return audit.save_audited(
            actor=actor,
            program=program,
            instance=get_settings(program),
            fields=SETTINGS_FIELDS,
            data=data,
            action="practice.settings",
        )


# --- Scenarios ----------------------------------------------------------------------------------


def scenario_problems(scenario: Scenario) -> list[str]:
    """What stops a scenario from being played through: no first step, steps the conversation
    can never reach, a risk cue with no escalation written."""
    steps = {s.pk: s for s in scenario.steps.all()}
    if scenario.first_step_id is None or scenario.first_step_id not in steps:
        return [_("Choose the step the conversation starts with.")]
    problems = []
    reached: set[int] = set()
    todo = [scenario.first_step_id]
    while todo:
        pk = todo.pop()
        if pk in reached or pk not in steps:
            continue
        reached.add(pk)
        todo.extend(getattr(steps[pk], f"{b}_id") for b in BRANCHES if getattr(steps[pk], f"{b}_id"))
    unreached = [steps[pk].key for pk in steps if pk not in reached]
    if unreached:
        problems.append(_("No branch leads to: %(steps)s.") % {"steps": ", ".join(sorted(unreached))})
    for step in steps.values():
        if step.risk_cue and not (step.on_missed_risk_id or step.on_close_id):
            problems.append(_("Step %(step)s has a risk cue: write where a missed cue leads.") % {"step": step.key})
    if not any(s.is_ending for s in steps.values()):
        problems.append(_("No step ends the conversation."))
    return problems


def save_scenario(
    *,
    actor: User,
    program: Program,
    data: dict[str, Any],
    scenario: Scenario | None = None,
    competencies: Iterable[Competency] | None = None,
) -> Scenario:
    """Add or change a scenario. Rules: its first step is one of its own steps; it can be
    published only when it can be played through (``scenario_problems``); competencies are the
    program's own."""
    instance = scenario or Scenario(program=program, created_by=actor)
    first = data.get("first_step")
    if first is not None and (instance.pk is None or first.scenario_id != instance.pk):
        raise ValidationError({"first_step": _("Choose one of this scenario's steps.")})
    chosen = list(competencies or [])
    if any(c.program_id != program.pk for c in chosen):
        raise ValidationError({"competencies": _("Choose the program's own competencies.")})
    with transaction.atomic():
        data = {**data, "is_published": bool(data.get("is_published"))}
        if data["is_published"]:
            trial = Scenario(pk=instance.pk, program=program, first_step=first)
            problems = scenario_problems(trial) if instance.pk else [_("Add its steps first.")]
            if problems:
                raise ValidationError({"is_published": problems})
        instance.updated_at = timezone.now()
        saved = audit.save_audited(
            actor=actor,
            program=program,
            instance=instance,
            fields=SCENARIO_FIELDS,
            data=data,
            action="practice.scenario",
        )
        if competencies is not None:
            saved.competencies.set(chosen)
        return saved


def save_step(*, actor: User, scenario: Scenario, data: dict[str, Any], step: Step | None = None) -> Step:
    """Add or change a step. Rules: its short name is unique in the scenario; its branches lead
    to steps of the same scenario and not back to itself; a published scenario stays playable."""
    errors: dict[str, str] = {}
    for branch in BRANCHES:
        target = data.get(branch)
        if target is not None and (target.scenario_id != scenario.pk or (step is not None and target.pk == step.pk)):
            errors[branch] = _("Choose another step of this scenario.")
    key = data.get("key", "")
    same_key = Step.objects.filter(scenario=scenario, key=key)
    if step is not None:
        same_key = same_key.exclude(pk=step.pk)
    if same_key.exists():
        errors["key"] = _("Another step of this scenario has that short name.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        saved = audit.save_audited(
            actor=actor,
            program=scenario.program,
            instance=step or Step(scenario=scenario),
            fields=STEP_FIELDS,
            data=data,
            action="practice.step",
        )
        if scenario.first_step_id is None:
            scenario.first_step = saved
            scenario.save(update_fields=["first_step"])
        _keep_playable(scenario)
        return saved


def delete_step(*, actor: User, step: Step) -> None:
    """Remove a step; branches that led to it lead nowhere. A published scenario stays playable."""
    scenario = step.scenario
    with transaction.atomic():
        audit.record(actor=actor, program=scenario.program, action="practice.step.delete", target=step)
        step.delete()
        scenario.refresh_from_db()
        _keep_playable(scenario)


def _keep_playable(scenario: Scenario) -> None:
    if scenario.is_published and (problems := scenario_problems(scenario)):
        raise ValidationError({"__all__": [_("The scenario is published and this would break it:"), *problems]})


# --- Playing ------------------------------------------------------------------------------------


def start_session(
    *, actor: User, program: Program, scenario: Scenario, supporter: Supporter | None, preview: bool = False
) -> PracticeSession:
    """Start playing a scenario. Rules: a published scenario of the program (a trainer may try a
    draft as a preview, which is never counted); it has a first step."""
    if scenario.program_id != program.pk or (not scenario.is_published and not preview):
        raise ValidationError(_("This scenario is not open for practice."))
    if scenario.first_step_id is None:
        raise ValidationError(_("This scenario has no steps yet."))
    with transaction.atomic():
        session = PracticeSession.objects.create(
            program=program,
            scenario=scenario,
            user=actor,
            supporter=supporter,
            is_preview=preview,
            current_step_id=scenario.first_step_id,
        )
        audit.record(actor=actor, program=program, action="practice.session.start", target=session)
        return session


def reply(*, actor: User, session: PracticeSession, text: str) -> Reply:
    """The trainee answers the person. Rules: only the one playing, while the session is in
    progress; 1 to 1,000 characters. The reply is coded, the person reacts along the branch its
    codes choose (peerpath.practice.conversation), and reaching an ending finishes the session."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write your reply.")})
    if len(text) > MAX_REPLY_LENGTH:
        raise ValidationError({"text": _("Keep it under %(n)s characters.") % {"n": MAX_REPLY_LENGTH}})
    if session.user_id != actor.pk:
        raise ValidationError(_("Only the person practising can reply."))
    with transaction.atomic():
        session = (
            PracticeSession.objects.select_for_update(of=("self",)).select_related("current_step").get(pk=session.pk)
        )
        if session.status != SessionStatus.IN_PROGRESS or session.current_step is None:
            raise ValidationError(_("This practice session is over."))
        step = session.current_step
        codes = coder.code_reply(text)
        branch = conversation.reaction(step, codes)
        next_id = conversation.next_step_id(step, branch)
        position = session.replies.count() + 1
        made = Reply.objects.create(
            session=session,
            position=position,
            step=step,
            person_said=step.says,
            text=text,
            codes=codes,
            next_step_id=next_id,
        )
        changes: dict[str, Any] = {"current_step_id": next_id}
        if step.risk_cue:
            changes["risk_cue_met"] = True
            if branch == conversation.MISSED_RISK:
                changes["risk_cue_missed"] = True
        for name, value in changes.items():
            setattr(session, name, value)
        session.save(update_fields=list(changes))
        next_step = Step.objects.filter(pk=next_id).first() if next_id else None
        if next_step is None or next_step.is_ending or position >= MAX_REPLIES:
            _end(actor=actor, session=session, to=SessionStatus.FINISHED)
        return made


def stop_session(*, actor: User, session: PracticeSession) -> PracticeSession:
    """The trainee stops before the conversation ends. Rule: only the one playing, while in
    progress; the summary covers the replies so far, and a stopped session never counts."""
    if session.user_id != actor.pk:
        raise ValidationError(_("Only the person practising can stop the session."))
    PRACTICE_SESSION.check(session, SessionStatus.STOPPED)
    with transaction.atomic():
        return _end(actor=actor, session=session, to=SessionStatus.STOPPED)


def _end(*, actor: Actor, session: PracticeSession, to: str) -> PracticeSession:
    summary = summarise(session)
    PRACTICE_SESSION.move(
        actor=actor,
        obj=session,
        to=to,
        changes={"summary": summary, "rating": summary["rating"] if to == SessionStatus.FINISHED else ""},
    )
    if to == SessionStatus.FINISHED:
        credit_practice_time(actor=actor, session=session)
    return session


def fair_sessions(supporter: Supporter) -> int:
    """Finished practice sessions of the trainee rated fair or better (previews never count)."""
    return PracticeSession.objects.filter(
        supporter=supporter,
        status=SessionStatus.FINISHED,
        is_preview=False,
        rating__in=fidelity.FAIR_OR_BETTER,
    ).count()


def certification_requirement(supporter: Supporter) -> str:
    """certification.requirements check: the program may require N practice sessions at "fair"
    or better before "certified" (0, the default, asks for none)."""
    from django.utils.translation import gettext

    required = get_settings(supporter.program).sessions_for_certification
    done = fair_sessions(supporter) if required else 0
    if done >= required:
        return ""
    return gettext("Practice lab: %(required)d sessions at 'fair' or better needed, %(done)d so far.") % {
        "required": required,
        "done": done,
    }


def credit_practice_time(*, actor: Actor, session: PracticeSession) -> None:
    """Where the program counts practice as continuing education: a certified supporter's
    finished practice time of that day (each session at most an hour, the day's total in whole
    quarter hours) is credited automatically, one activity per day, updated as the day goes on.
    Practising alone with an automatic coder is self-paced learning, so the CE rule's self-paced
    cap limits it."""
    from peerpath.certification.models import DeliveryMode
    from peerpath.certification.services import current_certificate, record_automatic_ce

    supporter = session.supporter
    if supporter is None or session.is_preview:
        return
    settings = get_settings(session.program)
    if not settings.counts_as_continuing_education or not settings.ce_category:
        return
    if current_certificate(supporter) is None:
        return  # practice before certification is training, not continuing education
    day = timezone.localtime(session.finished_at or timezone.now()).date()
    finished = PracticeSession.objects.filter(
        supporter=supporter, status=SessionStatus.FINISHED, is_preview=False, finished_at__date=day
    )
    minutes = sum(min(s.minutes, CE_SESSION_CAP_MINUTES) for s in finished)
    quarters = minutes // 15
    if quarters < 1:
        return
    record_automatic_ce(
        actor=actor,
        program=session.program,
        supporter=supporter,
        date=day,
        title=f"Practice lab ({finished.count()} sessions)",
        hours=Decimal(quarters) / 4,
        category=settings.ce_category,
        source_key=f"practice:{supporter.pk}:{day.isoformat()}",
        delivery=DeliveryMode.SELF_PACED,
    )


def summarise(session: PracticeSession) -> dict[str, Any]:
    """The session's fidelity summary from each reply's final codes (corrections included)."""
    replies = list(session.replies.order_by("position").values_list("codes", "corrected_codes"))
    return fidelity.summarise(
        [corrected if corrected is not None else codes for codes, corrected in replies],
        risk_cue_met=session.risk_cue_met,
        risk_cue_missed=session.risk_cue_missed,
    )


# --- Reviewing ----------------------------------------------------------------------------------


def comment(*, actor: User, reply: Reply, text: str) -> ReplyComment:
    """A reviewer comments on one reply. Rule: 1 to 2,000 characters."""
    text = (text or "").strip()
    if not text or len(text) > 2000:
        raise ValidationError({"text": _("Write a comment of up to 2,000 characters.")})
    with transaction.atomic():
        made = ReplyComment.objects.create(reply=reply, author=actor, text=text)
        audit.record(actor=actor, program=reply.session.program, action="practice.reply.comment", target=reply.session)
        return made


def correct_codes(*, actor: User, reply: Reply, codes: Iterable[str]) -> Reply:
    """A reviewer corrects a reply's codes. Rules: at least one known code; the correction is
    kept as a new labelled example (``LabelledExample``, exported for the coder's training
    split) and a finished session's summary and rating are worked out again."""
    chosen = [c for c in ALL_CODES if c in set(codes)]
    if not chosen or len(chosen) != len(set(codes)):
        raise ValidationError({"codes": _("Choose at least one code.")})
    session = reply.session
    with transaction.atomic():
        before = reply.final_codes
        reply.corrected_codes = chosen
        reply.corrected_by = actor
        reply.corrected_at = timezone.now()
        reply.save(update_fields=["corrected_codes", "corrected_by", "corrected_at"])
        LabelledExample.objects.update_or_create(
            reply=reply,
            defaults={
                "program": session.program,
                "text": reply.text,
                "codes": chosen,
                "area": session.scenario.area,
                "labelled_by": actor,
                "labelled_at": timezone.now(),
            },
        )
        if session.status != SessionStatus.IN_PROGRESS:
            summary = summarise(session)
            session.summary = summary
            session.rating = summary["rating"] if session.status == SessionStatus.FINISHED else ""
            session.save(update_fields=["summary", "rating"])
        audit.record(
            actor=actor,
            program=session.program,
            action="practice.reply.correct",
            target=session,
            changes={"codes": [before, chosen]},
            note=f"reply {reply.position}",
        )
        return reply


def attach_evidence(*, actor: User, session: PracticeSession, competencies: Iterable[Competency]) -> PracticeSession:
    """Attach a finished session as evidence of the competencies it exercised. Rules: finished
    (not stopped, not a preview), played by someone with a pathway record; the program's own
    competencies. An empty choice detaches it."""
    chosen = list(competencies)
    if session.status != SessionStatus.FINISHED or session.is_preview or session.supporter_id is None:
        raise ValidationError(_("Only a finished practice session of a trainee or supporter can be evidence."))
    if any(c.program_id != session.program_id for c in chosen):
        raise ValidationError({"competencies": _("Choose the program's own competencies.")})
    with transaction.atomic():
        before = sorted(session.competencies.values_list("pk", flat=True))
        session.competencies.set(chosen)
        session.evidence_by = actor if chosen else None
        session.evidence_at = timezone.now() if chosen else None
        session.save(update_fields=["evidence_by", "evidence_at"])
        audit.record(
            actor=actor,
            program=session.program,
            action="practice.session.evidence",
            target=session,
            changes={"competencies": [before, sorted(c.pk for c in chosen)]},
        )
        return session


def counted_codes() -> list[tuple[str, str]]:
    return [(c.value, str(c.label)) for c in Code]


def add_sample_scenarios(*, actor: Actor, program: Program) -> list[Scenario]:
    """Copy the sample scenarios (peerpath.practice.library) into the program's library, in the
    language of the person adding them, published. Rule: a sample whose title the program already
    has is skipped, so adding them twice adds nothing."""
    from django.utils.translation import gettext

    from peerpath.practice.library import BRANCH_FIELDS, SCENARIOS

    made: list[Scenario] = []
    with transaction.atomic():
        existing = set(Scenario.objects.filter(program=program).values_list("title", flat=True))
        competencies = {c.number: c for c in Competency.objects.filter(program=program)}
        for sample in SCENARIOS:
            title = gettext(sample["title"])
            if title in existing:
                continue
            scenario = Scenario.objects.create(
                program=program,
                title=title,
                area=sample["area"],
                persona=gettext(sample["persona"]),
                situation=gettext(sample["situation"]),
                hopes=gettext(sample["hopes"]),
                created_by=actor if isinstance(actor, User) else None,
            )
            steps = {
                spec["key"]: Step.objects.create(
                    scenario=scenario,
                    key=spec["key"],
                    says=gettext(spec["says"]),
                    risk_cue=bool(spec.get("risk_cue")),
                    good_reply=gettext(spec["good_reply"]) if spec.get("good_reply") else "",
                )
                for spec in sample["steps"]
            }
            for spec in sample["steps"]:
                step = steps[spec["key"]]
                for name, field in BRANCH_FIELDS.items():
                    if name in spec:
                        setattr(step, field, steps[spec[name]])
                step.save()
            scenario.first_step = steps[sample["steps"][0]["key"]]
            scenario.is_published = True
            scenario.save(update_fields=["first_step", "is_published"])
            scenario.competencies.set([competencies[n] for n in sample["competencies"] if n in competencies])
            audit.record(actor=actor, program=program, action="practice.scenario.sample", target=scenario)
            made.append(scenario)
        return made
