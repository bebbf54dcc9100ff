"""State changes in supporter care. Each is atomic, validated and audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from peerpath.care import bridges, scoring
from peerpath.care.instruments import form_of
from peerpath.care.models import (
    Break,
    BreakStatus,
    BuddyPair,
    CareSettings,
    CareTask,
    CheckIn,
    CheckInAnswer,
    CheckInReason,
    CheckInStatus,
    Debrief,
    DebriefKind,
    HardEvent,
    HardEventKind,
    Item,
    MeetingKind,
    Newsletter,
    NewsletterPreference,
    NewsletterStatus,
    Questionnaire,
    Recognition,
    RecognitionKind,
    ReminderLog,
    ScoreBand,
    Subscale,
    SupervisionMeeting,
    TaskKind,
    TaskStatus,
    TopicPlan,
)
from peerpath.care.stages import CURRENT_STAGES, RECOGNISABLE_STAGES, Audience
from peerpath.core import audit
from peerpath.core.mail import absolute_url, queue_email
from peerpath.core.permissions import Role
from peerpath.core.prepared import PreparedLookup
from peerpath.programs.models import Membership, Program
from peerpath.recruitment.models import Stage, Supporter
from peerpath.recruitment.pathway import move_to_stage

SYSTEM = "PeerPath (supporter care)"

SETTINGS_FIELDS = [
    "supervision_every_days",
    "supervision_counts_as_ce",
    "supervision_ce_category",
    "checkin_every_days",
    "checkin_questionnaire",
    "checkin_reminders",
    "concern_response_days",
    "return_checkin_days",
    "weekly_digest",
    "attention_quiet_weeks",
    "attention_concern_checkins",
    "attention_closed_relationships",
    "attention_window_days",
    "topic_window_days",
    "milestone_lookahead_days",
    "support_milestones",
]


# Read on home pages and most care pages (see peerpath.core.prepared).
_SETTINGS = PreparedLookup(
    lambda program_id: CareSettings.objects.filter(program_id=program_id),
    related="checkin_questionnaire",
    program_id=-2_000_000_013,
)


def get_settings(program: Program) -> CareSettings:
    """The program's care settings, created with the defaults on first use."""
    found = _SETTINGS.first(program_id=program.pk)
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return CareSettings.objects.create(program=program)
    except IntegrityError:
        return CareSettings.objects.get(program=program)


def update_settings(*, actor: Any, program: Program, data: dict[str, Any]) -> CareSettings:
    """Change the program's care settings.

    Rules: the check-in questionnaire must be one of the program's active questionnaires;
    support milestones are positive whole numbers.
    """
    questionnaire = data.get("checkin_questionnaire")
    if questionnaire is not None and (questionnaire.program_id != program.pk or not questionnaire.is_active):
        raise ValidationError({"checkin_questionnaire": "Choose one of this program's active questionnaires."})
    if "support_milestones" in data:
        parts = [p.strip() for p in str(data["support_milestones"]).split(",") if p.strip()]
        if not parts or not all(p.isdigit() and int(p) > 0 for p in parts):
            raise ValidationError({"support_milestones": "List positive whole numbers separated by commas."})
        data = {**data, "support_milestones": ",".join(str(n) for n in sorted({int(p) for p in parts}))}
    with transaction.atomic():
        settings = get_settings(program)
        return audit.save_audited(
            actor=actor, program=program, instance=settings, fields=SETTINGS_FIELDS, data=data, action="care.settings"
        )


# --- helpers ---------------------------------------------------------------------------------


def _today() -> dt.date:
    return timezone.localdate()


def coordinator_emails(program: Program) -> list[str]:
    return list(
        Membership.objects.filter(program=program).with_role(Role.COORDINATOR).values_list("user__email", flat=True)
    )


def active_supervisor(supporter: Supporter) -> Any:
    """The supporter's supervisor if they still hold the supervisor role in the program, else None."""
    if supporter.supervisor_id is None:
        return None
    if (
        not Membership.objects.filter(program_id=supporter.program_id, user_id=supporter.supervisor_id)
        .with_role(Role.SUPERVISOR)
        .exists()
    ):
        return None
    return supporter.supervisor


def _url(name: str, program: Program, *args: Any) -> str:
    return absolute_url(reverse(name, args=[program.slug, *args]))


def _is_coordinator(actor: Any, program: Program) -> bool:
    return (
        Membership.objects.filter(program=program, user_id=getattr(actor, "pk", None))
        .with_role(Role.COORDINATOR)
        .exists()
    )


def _own_record(actor: Any, supporter: Supporter) -> None:
    if supporter.user_id is None or supporter.user_id != getattr(actor, "pk", None):
        raise ValidationError("Only the supporter themselves can do this.")


# --- tasks -----------------------------------------------------------------------------------


def create_task(
    *,
    actor: Any,
    program: Program,
    supporter: Supporter | None,
    kind: str,
    title: str,
    detail: str = "",
    due_on: dt.date | None = None,
    assigned_to: Any = None,
    notify: bool = True,
    **links: Any,
) -> CareTask:
    """Open a task for a supervisor (with nobody assigned, the coordinators pick it up).

    Rule: the assignee holds the supervisor or coordinator role in the program. The assignee
    (or every coordinator) is told by e-mail unless ``notify`` is off.
    """
    if (
        assigned_to is not None
        and not Membership.objects.filter(program=program, user=assigned_to)
        .filter(Q(is_supervisor=True) | Q(is_coordinator=True))
        .active()
        .exists()
    ):
        raise ValidationError("Tasks go to a supervisor or coordinator of the program.")
    with transaction.atomic():
        task = CareTask.objects.create(
            program=program,
            supporter=supporter,
            assigned_to=assigned_to,
            kind=kind,
            title=title[:300],
            detail=detail,
            due_on=due_on,
            **links,
        )
        audit.record(actor=actor, program=program, action="care_task.create", target=task)
        if notify:
            to = [assigned_to.email] if assigned_to is not None else coordinator_emails(program)
            if to:
                queue_email(
                    to=to,
                    template="care/email/task",
                    context={"program": program, "task": task, "url": _url("care:tasks", program)},
                )
    return task


def complete_task(*, actor: Any, task: CareTask, outcome: str = "") -> CareTask:
    """Mark a task done. Rules: only open tasks; only the assignee or a coordinator."""
    if task.status != TaskStatus.OPEN:
        raise ValidationError("This task is already done.")
    if task.assigned_to_id != getattr(actor, "pk", None) and not _is_coordinator(actor, task.program):
        raise ValidationError("Only the person it is assigned to, or a coordinator, can close this task.")
    with transaction.atomic():
        task.status = TaskStatus.DONE
        task.outcome = outcome
        task.completed_at = timezone.now()
        task.completed_by = actor
        task.save(update_fields=["status", "outcome", "completed_at", "completed_by"])
        audit.record(
            actor=actor,
            program=task.program,
            action="care_task.complete",
            target=task,
            changes={"status": [TaskStatus.OPEN, TaskStatus.DONE]},
            note=outcome,
        )
    return task


def _task_for_supervisor(
    *, actor: Any, supporter: Supporter, kind: str, title: str, detail: str, due_on: dt.date | None, **links: Any
) -> CareTask:
    return create_task(
        actor=actor,
        program=supporter.program,
        supporter=supporter,
        kind=kind,
        title=title,
        detail=detail,
        due_on=due_on,
        assigned_to=active_supervisor(supporter),
        **links,
    )


# --- supervision -----------------------------------------------------------------------------


def _check_meeting(
    *,
    actor: Any,
    program: Program,
    kind: str,
    held_on: dt.date,
    duration_minutes: int,
    supervisor: Any,
    attendees: list[Supporter],
) -> None:
    errors: dict[str, str] = {}
    if kind not in MeetingKind.values:
        errors["kind"] = "Choose one-on-one or group."
    if held_on > _today():
        errors["held_on"] = "Log meetings that have taken place (not in the future)."
    if not 5 <= duration_minutes <= 600:
        errors["duration_minutes"] = "Give the length in minutes, between 5 and 600."
    if not attendees:
        errors["attendees"] = "Choose who attended."
    elif kind == MeetingKind.ONE_ON_ONE and len(attendees) != 1:
        errors["attendees"] = "A one-on-one meeting has exactly one supporter; log a group meeting for more."
    elif any(s.program_id != program.pk for s in attendees):
        errors["attendees"] = "Choose supporters of this program."
    elif not _is_coordinator(actor, program) and any(s.supervisor_id != getattr(actor, "pk", None) for s in attendees):
        errors["attendees"] = "You can log meetings with the supporters you supervise."
    if (
        supervisor is None
        or not Membership.objects.filter(program=program, user=supervisor)
        .filter(Q(is_supervisor=True) | Q(is_coordinator=True))
        .active()
        .exists()
    ):
        errors["supervisor"] = "The meeting is led by a supervisor or coordinator of the program."
    if errors:
        raise ValidationError(errors)


def _credit_ce(*, actor: Any, meeting: SupervisionMeeting, attendees: Iterable[Supporter]) -> int:
    settings = get_settings(meeting.program)
    if not settings.supervision_counts_as_ce:
        return 0
    credited = 0
    for supporter in attendees:
        if bridges.record_supervision_ce(
            actor=actor,
            program=meeting.program,
            supporter=supporter,
            date=meeting.held_on,
            title=f"{meeting.get_kind_display()} supervision",
            hours=meeting.hours,
            category=settings.supervision_ce_category,
            key=f"care.supervision:{meeting.pk}:{supporter.pk}",
        ):
            credited += 1
    return credited


def log_meeting(
    *,
    actor: Any,
    program: Program,
    kind: str,
    held_on: dt.date,
    duration_minutes: int,
    supervisor: Any,
    attendees: Iterable[Supporter],
    topics: str = "",
    notes: str = "",
    follow_ups: Iterable[str] = (),
    follow_up_due_on: dt.date | None = None,
    resolves: CareTask | None = None,
) -> SupervisionMeeting:
    """Log a one-on-one or group supervision meeting that took place.

    Rules: not in the future; 5 to 600 minutes; a one-on-one has exactly one supporter; a
    supervisor who is not a coordinator logs meetings only with people they supervise; the
    leader is a supervisor or coordinator. Each agreed follow-up (one per line) becomes a
    task for the leader. When the program counts supervision as continuing education (and
    certification is installed) every attendee is credited the hours. ``resolves`` closes the
    task the meeting was about.
    """
    people = list(attendees)
    _check_meeting(
        actor=actor,
        program=program,
        kind=kind,
        held_on=held_on,
        duration_minutes=duration_minutes,
        supervisor=supervisor,
        attendees=people,
    )
    lines = [line.strip() for line in follow_ups if line.strip()]
    if follow_up_due_on is not None and follow_up_due_on < _today():
        raise ValidationError({"follow_up_due_on": "Follow-ups are due today or later."})
    if resolves is not None and (resolves.program_id != program.pk or resolves.status != TaskStatus.OPEN):
        raise ValidationError("The task this meeting was about is already closed.")
    with transaction.atomic():
        meeting = SupervisionMeeting.objects.create(
            program=program,
            kind=kind,
            held_on=held_on,
            duration_minutes=duration_minutes,
            supervisor=supervisor,
            topics=topics,
            notes=notes,
            logged_by=actor,
        )
        meeting.attendees.set(people)
        audit.record(
            actor=actor,
            program=program,
            action="supervision.log",
            target=meeting,
            changes={
                "attendees": [[], sorted(str(p) for p in people)],
                "duration_minutes": [None, duration_minutes],
            },
        )
        for line in lines:
            create_task(
                actor=actor,
                program=program,
                supporter=people[0] if len(people) == 1 else None,
                kind=TaskKind.FOLLOW_UP,
                title=line,
                detail=f"Agreed in the {meeting.get_kind_display().lower()} supervision meeting on {held_on:%Y-%m-%d}.",
                due_on=follow_up_due_on,
                assigned_to=supervisor,
                notify=supervisor is not None and supervisor != actor,
                meeting=meeting,
            )
        if resolves is not None:
            complete_task(actor=actor, task=resolves, outcome=f"Talked in supervision on {held_on:%Y-%m-%d}.")
        _credit_ce(actor=actor, meeting=meeting, attendees=people)
    return meeting


def update_meeting(
    *,
    actor: Any,
    meeting: SupervisionMeeting,
    kind: str,
    held_on: dt.date,
    duration_minutes: int,
    supervisor: Any,
    attendees: Iterable[Supporter],
    topics: str,
    notes: str,
) -> SupervisionMeeting:
    """Correct a logged meeting (same rules as logging; continuing-education credit is updated)."""
    people = list(attendees)
    _check_meeting(
        actor=actor,
        program=meeting.program,
        kind=kind,
        held_on=held_on,
        duration_minutes=duration_minutes,
        supervisor=supervisor,
        attendees=people,
    )
    fields = ["kind", "held_on", "duration_minutes", "supervisor", "topics", "notes", "attendees"]
    with transaction.atomic():
        before = audit.snapshot(meeting, fields)
        meeting.kind, meeting.held_on, meeting.duration_minutes = kind, held_on, duration_minutes
        meeting.supervisor, meeting.topics, meeting.notes = supervisor, topics, notes
        meeting.save()
        meeting.attendees.set(people)
        changes = audit.diff(before, audit.snapshot(meeting, fields))
        if changes:
            audit.record(
                actor=actor, program=meeting.program, action="supervision.update", target=meeting, changes=changes
            )
        _credit_ce(actor=actor, meeting=meeting, attendees=people)
    return meeting


# --- questionnaires and check-ins ------------------------------------------------------------


def install_questionnaire(
    *, actor: Any, program: Program, form: scoring.Form, builtin: bool = False, use_for_checkins: bool = False
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
            imported_by=actor if getattr(actor, "is_authenticated", False) else None,
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


def set_questionnaire_active(*, actor: Any, questionnaire: Questionnaire, active: bool) -> Questionnaire:
    """Retire or restore a questionnaire. Rule: the one used for check-ins cannot be retired."""
    settings = get_settings(questionnaire.program)
    if not active and settings.checkin_questionnaire_id == questionnaire.pk:
        raise ValidationError("This questionnaire is used for check-ins; choose another in the care settings first.")
    with transaction.atomic():
        return audit.save_audited(
            actor=actor,
            program=questionnaire.program,
            instance=questionnaire,
            fields=["is_active"],
            data={"is_active": active},
            action="questionnaire",
        )


def use_for_checkins(*, actor: Any, questionnaire: Questionnaire) -> CareSettings:
    """Make an active questionnaire the program's check-in."""
    return update_settings(actor=actor, program=questionnaire.program, data={"checkin_questionnaire": questionnaire})


def schedule_checkin(*, actor: Any, supporter: Supporter, reason: str, due_on: dt.date) -> CheckIn:
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
            note=CheckInReason(reason).label,
        )
    return checkin


def complete_checkin(
    *,
    actor: Any,
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
    _own_record(actor, supporter)
    if questionnaire.program_id != supporter.program_id or not questionnaire.is_active:
        raise ValidationError("This questionnaire is not in use.")
    questionnaire = Questionnaire.objects.prefetch_related("subscales__bands", "items").get(pk=questionnaire.pk)
    form = form_of(questionnaire)
    try:
        result = scoring.score(form, answers)
    except ValueError as error:
        raise ValidationError(str(error)) from None
    items = {item.number: item for item in questionnaire.items.all()}
    now = timezone.now()
    with transaction.atomic():
        checkin = (
            CheckIn.objects.select_for_update()
            .filter(supporter=supporter, status=CheckInStatus.SCHEDULED)
            .order_by("due_on")
            .first()
        ) or CheckIn(program=supporter.program, supporter=supporter, reason=CheckInReason.ROUTINE, due_on=_today())
        checkin.questionnaire = questionnaire
        checkin.status = CheckInStatus.COMPLETED
        checkin.completed_at = now
        checkin.scores = {s.key: s.as_json() for s in result.subscales}
        checkin.concern = result.concern
        checkin.needs_break = needs_break
        checkin.wants_to_talk = wants_to_talk
        checkin.comment = comment
        checkin.save()
        CheckInAnswer.objects.bulk_create(
            CheckInAnswer(checkin=checkin, item=items[number], value=value) for number, value in answers.items()
        )
        audit.record(
            actor=actor,
            program=supporter.program,
            action="checkin.complete",
            target=checkin,
            changes={
                "concern": [None, checkin.concern],
                "needs_break": [None, needs_break],
                "wants_to_talk": [None, wants_to_talk],
            },
        )
        if checkin.asks_for_follow_up:
            reasons = []
            concern_bands = [s for s in result.subscales if s.concern]
            if concern_bands:
                reasons.append(
                    "check-in in the highest-concern band ("
                    + ", ".join(f"{s.name}: {s.band.label}" for s in concern_bands if s.band)
                    + ")"
                )
            if needs_break:
                reasons.append("says they need a break")
            if wants_to_talk:
                reasons.append("would like to talk")
            days = get_settings(supporter.program).concern_response_days
            _task_for_supervisor(
                actor=actor,
                supporter=supporter,
                kind=TaskKind.CHECKIN,
                title=f"{supporter.full_name}: " + "; ".join(reasons),
                detail=comment,
                due_on=_today() + dt.timedelta(days=days),
                checkin=checkin,
            )
    return checkin


# --- debriefs --------------------------------------------------------------------------------


def submit_debrief(
    *,
    actor: Any,
    supporter: Supporter,
    kind: str,
    occurred_on: dt.date,
    what_happened: str,
    went_well: str = "",
    was_hard: str = "",
    topics: str = "",
    wants_to_talk: bool = False,
) -> Debrief:
    """A supporter's debrief after a support group or a hard contact.

    Rules: only by the supporter; about something in the last year and not in the future;
    "I would like to talk to someone" opens a task for their supervisor.
    """
    _own_record(actor, supporter)
    errors = {}
    if kind not in DebriefKind.values:
        errors["kind"] = "Choose what the debrief is about."
    if occurred_on > _today():
        errors["occurred_on"] = "The date cannot be in the future."
    elif occurred_on < _today() - dt.timedelta(days=366):
        errors["occurred_on"] = "Debriefs are for the last year."
    if not what_happened.strip():
        errors["what_happened"] = "Say briefly what happened."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        debrief = Debrief.objects.create(
            program=supporter.program,
            supporter=supporter,
            kind=kind,
            occurred_on=occurred_on,
            what_happened=what_happened,
            went_well=went_well,
            was_hard=was_hard,
            topics=topics,
            wants_to_talk=wants_to_talk,
        )
        audit.record(actor=actor, program=supporter.program, action="debrief.submit", target=debrief)
        if wants_to_talk:
            days = get_settings(supporter.program).concern_response_days
            _task_for_supervisor(
                actor=actor,
                supporter=supporter,
                kind=TaskKind.DEBRIEF,
                title=f"{supporter.full_name} would like to talk: debrief {debrief.get_kind_display().lower()}",
                detail="",
                due_on=_today() + dt.timedelta(days=days),
                debrief=debrief,
            )
    return debrief


# --- hard events -----------------------------------------------------------------------------


def record_hard_event(
    *,
    program: Program,
    supporter: Supporter,
    kind: str,
    occurred_at: dt.datetime | None,
    source_type: str = "",
    source_id: str = "",
) -> HardEvent | None:
    """Follow up a hard event in a supporter's caseload.

    Rules: the supporter belongs to the program; the same source record is followed up
    once. A check-in is scheduled due within 48 hours, the supervisor gets a task and an
    e-mail (the kind of event, no participant details), the buddy is told only that their
    buddy had a hard time, and the supporter that a check-in is waiting.
    """
    if supporter.program_id != program.pk:
        raise ValidationError("The supporter is not in this program.")
    if kind not in HardEventKind.values:
        raise ValidationError(f"Unknown kind of event: {kind!r}.")
    now = timezone.now()
    occurred_at = occurred_at or now
    if (
        source_id
        and HardEvent.objects.filter(
            supporter=supporter, source_type=source_type, source_id=source_id, kind=kind
        ).exists()
    ):
        return None
    with transaction.atomic():
        event = HardEvent.objects.create(
            program=program,
            supporter=supporter,
            kind=kind,
            occurred_at=occurred_at,
            source_type=source_type[:80],
            source_id=str(source_id)[:64],
        )
        due_on = timezone.localdate(now + dt.timedelta(hours=48))
        checkin = schedule_checkin(actor=SYSTEM, supporter=supporter, reason=CheckInReason.HARD_EVENT, due_on=due_on)
        event.checkin = checkin
        event.save(update_fields=["checkin"])
        audit.record(actor=SYSTEM, program=program, action="hard_event.record", target=event, target_label=str(event))
        _task_for_supervisor(
            actor=SYSTEM,
            supporter=supporter,
            kind=TaskKind.HARD_EVENT,
            title=f"Reach out to {supporter.full_name}: {event.get_kind_display().lower()}",
            detail="A check-in has been scheduled for them within 48 hours.",
            due_on=due_on,
            hard_event=event,
        )
        if supporter.email:
            queue_email(
                to=supporter.email,
                template="care/email/hard_event_supporter",
                context={"program": program, "supporter": supporter, "url": _url("care:checkin", program)},
                reply_to=program.contact_email,
            )
        buddy = current_buddy(supporter)
        if buddy is not None and buddy.email:
            # Deliberately only the buddy's name: nothing about the event or the participant.
            queue_email(
                to=buddy.email,
                template="care/email/hard_event_buddy",
                context={"program": program, "buddy": buddy, "supporter": supporter},
            )
    return event


# --- breaks ----------------------------------------------------------------------------------


def _overlapping(supporter: Supporter, starts_on: dt.date, ends_on: dt.date | None, exclude: int | None = None) -> bool:
    rows = Break.objects.filter(supporter=supporter).exclude(status=BreakStatus.CANCELLED)
    if exclude:
        rows = rows.exclude(pk=exclude)
    rows = rows.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on))
    if ends_on is not None:
        rows = rows.filter(starts_on__lte=ends_on)
    return rows.exists()


def request_break(
    *,
    actor: Any,
    supporter: Supporter,
    starts_on: dt.date,
    ends_on: dt.date | None,
    reason: str = "",
    by_staff: bool = False,
) -> Break:
    """A supporter asks for a break, or a coordinator records one (``by_staff``).

    Breaks are a right, not a request for permission: the break is planned at once.
    Rules: a supporter asks for themselves, starting today or later (a coordinator may
    record one that already began); the end, when given, is not before the start; breaks
    of one person do not overlap; only current supporters (shadowing, active, provisional,
    on break) take breaks. A break starting today starts at once (active -> on break).
    Coordinators and the supervisor are told by e-mail.
    """
    if not by_staff:
        _own_record(actor, supporter)
    errors: dict[str, str] = {}
    today = _today()
    if supporter.stage not in CURRENT_STAGES:
        raise ValidationError(
            f"Breaks are for current supporters; {supporter.full_name} is '{supporter.get_stage_display()}'."
        )
    if not by_staff and starts_on < today:
        errors["starts_on"] = "Start today or later."
    if ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = "The last day of the break cannot be before the first."
    if ends_on is not None and ends_on < today:
        errors["ends_on"] = "The break must end today or later."
    if not errors and _overlapping(supporter, starts_on, ends_on):
        errors["starts_on"] = "This overlaps another break; change or cancel that one first."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        brk = Break.objects.create(
            program=supporter.program,
            supporter=supporter,
            starts_on=starts_on,
            ends_on=ends_on,
            reason=reason,
            requested_by=actor if getattr(actor, "is_authenticated", False) else None,
            recorded_by_staff=by_staff,
        )
        audit.record(actor=actor, program=supporter.program, action="break.create", target=brk)
        recipients = set(coordinator_emails(supporter.program))
        supervisor = active_supervisor(supporter)
        if supervisor is not None:
            recipients.add(supervisor.email)
        recipients.discard(getattr(actor, "email", None))
        if recipients:
            queue_email(
                to=sorted(recipients),
                template="care/email/break_planned",
                context={
                    "program": supporter.program,
                    "brk": brk,
                    "supporter": supporter,
                    "url": _url("care:breaks", supporter.program),
                },
            )
        if starts_on <= today:
            start_break(actor=actor, brk=brk)
    return brk


def start_break(*, actor: Any, brk: Break) -> Break:
    """Begin a planned break: an active supporter moves to 'on break' on the pathway."""
    if brk.status != BreakStatus.PLANNED:
        raise ValidationError("Only a planned break can start.")
    with transaction.atomic():
        brk.status = BreakStatus.CURRENT
        brk.started_at = timezone.now()
        brk.save(update_fields=["status", "started_at"])
        audit.record(
            actor=actor,
            program=brk.program,
            action="break.start",
            target=brk,
            changes={"status": [BreakStatus.PLANNED, BreakStatus.CURRENT]},
        )
        supporter = Supporter.objects.get(pk=brk.supporter_id)
        if supporter.stage == Stage.ACTIVE:
            move_to_stage(actor=actor, supporter=supporter, to_stage=Stage.ON_BREAK, reason=f"Break: {brk}")
    return brk


def end_break(*, actor: Any, brk: Break, today: dt.date | None = None) -> Break:
    """End a break (on its last day passing, or early when the supporter is back).

    Rules: only a current break ends (a planned one is cancelled instead). Returning early
    makes yesterday the last day (back on its first day, the break is cancelled). The
    supporter moves back from 'on break' to 'active', gets a gentle return check-in and a
    welcome-back e-mail.
    """
    today = today or _today()
    if brk.status != BreakStatus.CURRENT:
        raise ValidationError("Only a break that has started can end.")
    _supporter_or_coordinator(actor, brk)
    with transaction.atomic():
        before = audit.snapshot(brk, ["status", "ends_on"])
        brk.ended_at = timezone.now()
        if brk.starts_on >= today:
            # Back on the day it began: the break never took a day, so it is cancelled.
            brk.status = BreakStatus.CANCELLED
        else:
            if brk.ends_on is None or brk.ends_on >= today:
                brk.ends_on = today - dt.timedelta(days=1)
            brk.status = BreakStatus.ENDED
            settings = get_settings(brk.program)
            brk.return_checkin = schedule_checkin(
                actor=actor,
                supporter=brk.supporter,
                reason=CheckInReason.RETURN,
                due_on=today + dt.timedelta(days=settings.return_checkin_days),
            )
        brk.save(update_fields=["status", "ends_on", "ended_at", "return_checkin"])
        audit.record(
            actor=actor,
            program=brk.program,
            action="break.end",
            target=brk,
            changes=audit.diff(before, audit.snapshot(brk, ["status", "ends_on"])),
        )
        supporter = Supporter.objects.get(pk=brk.supporter_id)
        if supporter.stage == Stage.ON_BREAK:
            move_to_stage(actor=actor, supporter=supporter, to_stage=Stage.ACTIVE, reason="Back from a break")
        if supporter.email and brk.return_checkin_id:
            queue_email(
                to=supporter.email,
                template="care/email/break_return",
                context={
                    "program": brk.program,
                    "supporter": supporter,
                    "checkin": brk.return_checkin,
                    "url": _url("care:checkin", brk.program),
                },
                reply_to=brk.program.contact_email,
            )
    return brk


def _supporter_or_coordinator(actor: Any, brk: Break) -> None:
    if isinstance(actor, str):  # the scheduler
        return
    if brk.supporter.user_id != actor.pk and not _is_coordinator(actor, brk.program):
        raise ValidationError("Only the supporter or a coordinator can change this break.")


def cancel_break(*, actor: Any, brk: Break) -> Break:
    """Cancel a break that has not started. Rule: planned breaks only."""
    if brk.status != BreakStatus.PLANNED:
        raise ValidationError("Only a planned break can be cancelled; end a current break instead.")
    _supporter_or_coordinator(actor, brk)
    with transaction.atomic():
        brk.status = BreakStatus.CANCELLED
        brk.save(update_fields=["status"])
        audit.record(
            actor=actor,
            program=brk.program,
            action="break.cancel",
            target=brk,
            changes={"status": [BreakStatus.PLANNED, BreakStatus.CANCELLED]},
        )
    return brk


def apply_break_dates(*, today: dt.date | None = None) -> tuple[int, int]:
    """Start breaks whose first day has come and end those whose last day has passed.

    Returns (started, ended). Safe to run any number of times.
    """
    today = today or _today()
    started = ended = 0
    for brk in Break.objects.filter(status=BreakStatus.PLANNED, starts_on__lte=today).select_related(
        "program", "supporter"
    ):
        start_break(actor=SYSTEM, brk=brk)
        started += 1
    for brk in Break.objects.filter(status=BreakStatus.CURRENT, ends_on__lt=today).select_related(
        "program", "supporter"
    ):
        end_break(actor=SYSTEM, brk=brk, today=today)
        ended += 1
    return started, ended


# --- buddies ---------------------------------------------------------------------------------


def current_pair(supporter: Supporter) -> BuddyPair | None:
    return (
        BuddyPair.objects.filter(Q(first=supporter) | Q(second=supporter), ended_on__isnull=True)
        .select_related("first", "second")
        .first()
    )


def current_buddy(supporter: Supporter) -> Supporter | None:
    pair = current_pair(supporter)
    return pair.other(supporter.pk) if pair else None


def pair_buddies(*, actor: Any, program: Program, first: Supporter, second: Supporter, note: str = "") -> BuddyPair:
    """Pair two supporters as buddies.

    Rules: two different current supporters of the program, neither already in a pair. Both
    are told by e-mail.
    """
    errors = {}
    if first.pk == second.pk:
        errors["second"] = "Choose two different supporters."
    for name, person in (("first", first), ("second", second)):
        if person.program_id != program.pk or person.stage not in CURRENT_STAGES:
            errors[name] = f"{person.full_name} is not a current supporter."
        elif current_pair(person) is not None:
            errors[name] = f"{person.full_name} already has a buddy."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        pair = BuddyPair.objects.create(program=program, first=first, second=second, note=note, created_by=actor)
        audit.record(actor=actor, program=program, action="buddy.pair", target=pair)
        for person, buddy in ((first, second), (second, first)):
            if person.email:
                queue_email(
                    to=person.email,
                    template="care/email/buddy_paired",
                    context={
                        "program": program,
                        "supporter": person,
                        "buddy": buddy,
                        "url": _url("programs:home", program),
                    },
                    reply_to=program.contact_email,
                )
    return pair


def end_buddy_pair(*, actor: Any, pair: BuddyPair) -> BuddyPair:
    """End a buddy pairing. Rule: only a current pair."""
    if pair.ended_on is not None:
        raise ValidationError("This pairing has already ended.")
    with transaction.atomic():
        pair.ended_on = _today()
        pair.save(update_fields=["ended_on"])
        audit.record(
            actor=actor,
            program=pair.program,
            action="buddy.end",
            target=pair,
            changes={"ended_on": [None, pair.ended_on]},
        )
    return pair


# --- recognition -----------------------------------------------------------------------------


def record_recognition(
    *,
    actor: Any,
    program: Program,
    supporter: Supporter,
    kind: str,
    title: str,
    message: str = "",
    given_on: dt.date | None = None,
    event_name: str = "",
    milestone: str = "",
    notify: bool = True,
) -> Recognition:
    """Record recognition given to a supporter.

    Rules: the supporter is (or was) serving in the program; an award names the event; the
    date is not in the future. With ``notify`` the supporter is e-mailed (they can download
    a certificate of appreciation from their page).
    """
    given_on = given_on or _today()
    errors = {}
    if supporter.program_id != program.pk or supporter.stage not in RECOGNISABLE_STAGES:
        errors["supporter"] = "Choose a supporter of this program."
    if kind not in RecognitionKind.values:
        errors["kind"] = "Choose the kind of recognition."
    if kind == RecognitionKind.AWARD and not event_name.strip():
        errors["event_name"] = "Name the event where the award is given."
    if given_on > _today() + dt.timedelta(days=365):
        errors["given_on"] = "Give a date within the next year."
    if not title.strip():
        errors["title"] = "Give the recognition a title."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        recognition = Recognition.objects.create(
            program=program,
            supporter=supporter,
            kind=kind,
            title=title,
            message=message,
            given_on=given_on,
            event_name=event_name,
            milestone=milestone[:30],
            recorded_by=actor,
        )
        audit.record(actor=actor, program=program, action="recognition.create", target=recognition)
        if notify and supporter.email:
            queue_email(
                to=supporter.email,
                template="care/email/recognition",
                context={
                    "program": program,
                    "recognition": recognition,
                    "supporter": supporter,
                    "url": _url("care:my_care", program),
                },
                reply_to=program.contact_email,
            )
    return recognition


# --- refresher topics ------------------------------------------------------------------------


def plan_refresher(
    *,
    actor: Any,
    program: Program,
    topic_key: str,
    label: str,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    location: str,
    description: str = "",
    credited_hours: Decimal | int = 0,
) -> TopicPlan:
    """Turn a suggested topic into a refresher event in training, in one step.

    Rules: training must be installed; the event ends after it starts and is in the future.
    Mentions of the topic up to now count as covered and leave the suggested agenda.
    """
    if not bridges.training_installed():
        raise ValidationError("Refresher events are planned in Training, which is not installed here.")
    errors = {}
    if ends_at <= starts_at:
        errors["ends_at"] = "The event must end after it starts."
    if starts_at < timezone.now():
        errors["starts_at"] = "Plan the event for a time in the future."
    if not topic_key.strip():
        errors["topic_key"] = "Choose a suggested topic."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        event = bridges.create_refresher_event(
            actor=actor,
            program=program,
            title=title,
            starts_at=starts_at,
            ends_at=ends_at,
            location=location,
            description=description,
            credited_hours=credited_hours,
        )
        plan = TopicPlan.objects.create(
            program=program,
            topic_key=topic_key[:300],
            label=label[:300],
            event_label=str(event)[:300],
            event_id=str(getattr(event, "pk", "") or ""),
            planned_by=actor,
        )
        audit.record(actor=actor, program=program, action="topic.plan_refresher", target=plan, note=str(event))
    return plan


# --- newsletters -----------------------------------------------------------------------------


def save_newsletter(
    *, actor: Any, program: Program, newsletter: Newsletter | None, subject: str, body: str, audiences: list[str]
) -> Newsletter:
    """Write or edit an update. Rules: drafts only; at least one known audience."""
    if newsletter is not None and newsletter.status != NewsletterStatus.DRAFT:
        raise ValidationError("A sent update cannot be changed.")
    valid = [a for a in audiences if a in Audience.STAGES]
    if not valid or len(valid) != len(audiences):
        raise ValidationError({"audiences": "Choose who should receive it."})
    if not subject.strip() or not body.strip():
        raise ValidationError("Give the update a subject and a message.")
    with transaction.atomic():
        return audit.save_audited(
            actor=actor,
            program=program,
            instance=newsletter or Newsletter(program=program, created_by=actor),
            fields=["subject", "body", "audiences"],
            data={"subject": subject, "body": body, "audiences": valid},
            action="newsletter",
        )


def newsletter_recipients(program: Program, audiences: list[str]) -> Any:
    """Supporters in the audiences' stages who have not chosen to stop receiving updates."""
    return (
        Supporter.objects.filter(program=program, stage__in=Audience.stages_for(audiences))
        .exclude(newsletter_preference__receive=False)
        .exclude(email="")
        .order_by("pk")
    )


def send_newsletter(*, actor: Any, newsletter: Newsletter) -> Newsletter:
    """Send a draft to its audiences in the background.

    Rules: a draft is sent once; someone must be in the audiences. People who chose not to
    receive updates are left out; each e-mail carries a one-click unsubscribe link.
    """
    from peerpath.care.tasks import deliver_newsletter

    if newsletter.status != NewsletterStatus.DRAFT:
        raise ValidationError("This update has already been sent.")
    count = newsletter_recipients(newsletter.program, newsletter.audiences).count()
    if count == 0:
        raise ValidationError("Nobody in these audiences would receive it.")
    with transaction.atomic():
        newsletter.status = NewsletterStatus.SENDING
        newsletter.sent_by = actor
        newsletter.sent_at = timezone.now()
        newsletter.recipient_count = count
        newsletter.save(update_fields=["status", "sent_by", "sent_at", "recipient_count"])
        audit.record(
            actor=actor,
            program=newsletter.program,
            action="newsletter.send",
            target=newsletter,
            changes={"status": [NewsletterStatus.DRAFT, NewsletterStatus.SENDING]},
            note=f"{count} recipients",
        )
        deliver_newsletter.enqueue(newsletter_id=newsletter.pk)
    return newsletter


def set_newsletter_preference(*, actor: Any, supporter: Supporter, receive: bool, via: str) -> NewsletterPreference:
    """Record whether a person receives the program's updates (from their page or an e-mail link)."""
    with transaction.atomic():
        preference, _created = NewsletterPreference.objects.get_or_create(supporter=supporter)
        before = preference.receive if not _created else True
        preference.receive = receive
        preference.changed_at = timezone.now()
        preference.changed_via = via[:20]
        preference.save()
        if before != receive or _created:
            audit.record(
                actor=actor,
                program=supporter.program,
                action="newsletter.preference",
                target=supporter,
                changes={"receives_updates": [before, receive]},
                note=via,
            )
    return preference
