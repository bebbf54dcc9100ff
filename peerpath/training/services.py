"""State changes in training: curriculum, cohorts, enrolment, sessions, attendance, evidence,
feedback, refresher events and calendar feeds. Each is atomic, validated and audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerpath.core import audit
from peerpath.core.actors import Actor
from peerpath.core.models import User
from peerpath.core.permissions import Role
from peerpath.programs.models import Competency, Membership, Program
from peerpath.recruitment.models import Stage, Supporter
from peerpath.training.lifecycle import ENROLMENT
from peerpath.training.models import (
    ATTENDED,
    Attendance,
    AttendanceStatus,
    CalendarFeed,
    CECategory,
    CESubject,
    Cohort,
    Enrolment,
    EnrolmentChange,
    EnrolmentStatus,
    Feedback,
    FeedbackKind,
    Module,
    RolePlay,
    SessionKind,
    Shadowing,
    Topic,
    TrainingSession,
)
from peerpath.training.signals import refresher_attendance_recorded

E = EnrolmentStatus
# Who may come to refresher events: people who have been (at least provisionally) certified.
REFRESHER_STAGES = frozenset({Stage.CERTIFIED, Stage.PROVISIONAL, Stage.SHADOWING, Stage.ACTIVE, Stage.ON_BREAK})
# Experienced supporters a trainee can shadow.
EXPERIENCED_STAGES = frozenset({Stage.ACTIVE, Stage.CERTIFIED, Stage.ON_BREAK})
# Roster of a cohort session: trainees still on the course (completed ones keep their record).
ON_ROSTER = frozenset({E.ENROLLED, E.COMPLETED})


# --- Curriculum ------------------------------------------------------------------------------


def save_module(*, actor: Actor, program: Program, module: Module | None, data: dict[str, Any]) -> Module:
    """Add or edit a curriculum module. Rule: titles are unique within the program."""
    title = (data.get("title") or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the module a title.")})
    clash = Module.objects.filter(program=program, title__iexact=title)
    if module is not None:
        clash = clash.exclude(pk=module.pk)
    if clash.exists():
        raise ValidationError({"title": _("The curriculum already has a module with this title.")})
    with transaction.atomic():
        return audit.save_audited(
            actor=actor,
            program=program,
            instance=module or Module(program=program),
            fields=["title", "description", "position", "is_active"],
            data={**data, "title": title},
            action="training.module",
        )


def save_topic(
    *, actor: Actor, program: Program, topic: Topic | None, data: dict[str, Any], competencies: Iterable[Competency]
) -> Topic:
    """Add or edit a topic and the competencies it builds.

    Rules: the module and the competencies are the program's own; a topic title is unique
    within its module; every topic builds at least one competency (that is what the coverage
    matrix is for).
    """
    module = data.get("module")
    chosen = list(competencies)
    errors: dict[str, str] = {}
    if module is None or module.program_id != program.pk:
        errors["module"] = "Choose one of this program's modules."
    if not chosen:
        errors["competencies"] = "Map the topic to at least one competency."
    elif any(c.program_id != program.pk for c in chosen):
        errors["competencies"] = "Choose from this program's competencies."
    title = (data.get("title") or "").strip()
    if not title:
        errors["title"] = "Give the topic a title."
    elif module is not None:
        clash = Topic.objects.filter(module=module, title__iexact=title)
        if topic is not None:
            clash = clash.exclude(pk=topic.pk)
        if clash.exists():
            errors["title"] = "This module already has a topic with this title."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        fields = ["module", "title", "description", "position", "is_active", "competencies"]
        instance = topic or Topic(program=program)
        before = audit.snapshot(instance, fields) if topic is not None else {}
        for name in ["module", "description", "position", "is_active"]:
            if name in data:
                setattr(instance, name, data[name])
        instance.title = title
        instance.save()
        instance.competencies.set(chosen)
        audit.record(
            actor=actor,
            program=program,
            action="training.topic." + ("create" if topic is None else "update"),
            target=instance,
            changes=audit.diff(before, audit.snapshot(instance, fields)),
        )
    return instance


# --- Cohorts and enrolment -------------------------------------------------------------------


def _check_trainers(program: Program, trainers: Iterable[Any]) -> list[Any]:
    chosen = list(trainers)
    allowed = set(Membership.objects.filter(program=program).with_role(Role.TRAINER).values_list("user_id", flat=True))
    if any(t.pk not in allowed for t in chosen):
        raise ValidationError({"trainers": _("Trainers must hold the trainer role in this program.")})
    return chosen


def save_cohort(
    *, actor: Actor, program: Program, cohort: Cohort | None, data: dict[str, Any], trainers: Iterable[Any]
) -> Cohort:
    """Create or edit a cohort. Rules: it ends on or after its start; its name is unique in the
    program; its trainers hold the trainer role here and there is at least one."""
    errors: dict[str, str] = {}
    chosen = list(trainers)
    if not chosen:
        errors["trainers"] = "A cohort needs at least one trainer."
    starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = "The course cannot end before it starts."
    name = (data.get("name") or "").strip()
    clash = Cohort.objects.filter(program=program, name__iexact=name)
    if cohort is not None:
        clash = clash.exclude(pk=cohort.pk)
    if clash.exists():
        errors["name"] = "There is already a cohort with this name."
    if errors:
        raise ValidationError(errors)
    chosen = _check_trainers(program, chosen)
    fields = ["name", "description", "starts_on", "ends_on", "default_location", "trainers"]
    with transaction.atomic():
        instance = cohort or Cohort(program=program)
        before = audit.snapshot(instance, fields) if cohort is not None else {}
        for name_ in ["description", "starts_on", "ends_on", "default_location"]:
            if name_ in data:
                setattr(instance, name_, data[name_])
        instance.name = name
        instance.save()
        instance.trainers.set(chosen)
        audit.record(
            actor=actor,
            program=program,
            action="training.cohort." + ("create" if cohort is None else "update"),
            target=instance,
            changes=audit.diff(before, audit.snapshot(instance, fields)),
        )
    return instance


def enrol_trainee(*, actor: Actor, cohort: Cohort, supporter: Supporter) -> Enrolment:
    """Enrol a trainee in a cohort.

    Rules: the person is on this program's pathway in stage 'in training' and is not already
    enrolled in this cohort (a withdrawn enrolment is re-opened). The enrolment gets a history row.
    """
    if supporter.program_id != cohort.program_id:
        raise ValidationError({"supporter": _("Choose a person from this program.")})
    if supporter.stage != Stage.IN_TRAINING:
        raise ValidationError(
            {"supporter": f"{supporter.full_name} is '{supporter.get_stage_display()}'; only people in training enrol."}
        )
    with transaction.atomic():
        enrolment = Enrolment.objects.select_for_update().filter(cohort=cohort, supporter=supporter).first()
        if enrolment is not None and enrolment.status != E.WITHDRAWN:
            raise ValidationError({"supporter": f"{supporter.full_name} is already enrolled in {cohort.name}."})
        if enrolment is None:
            enrolment = Enrolment.objects.create(program=cohort.program, cohort=cohort, supporter=supporter)
            EnrolmentChange.objects.create(enrolment=enrolment, to_status=E.ENROLLED, actor=_user(actor), reason="")
            audit.record(actor=actor, program=cohort.program, action="training.enrol", target=enrolment)
            return enrolment
    return change_enrolment(actor=actor, enrolment=enrolment, to_status=E.ENROLLED, reason="Enrolled again")


def change_enrolment(*, actor: Actor, enrolment: Enrolment, to_status: str, reason: str = "") -> Enrolment:
    """Move an enrolment to another status. Rule: only moves in `lifecycle.ENROLMENT_TRANSITIONS`;
    withdrawing needs a reason. Each move writes a history row and an audit entry."""
    ENROLMENT.check(enrolment, to_status)
    if to_status == E.WITHDRAWN and not reason.strip():
        raise ValidationError({"reason": _("Say why the trainee is leaving the course.")})
    ENROLMENT.move(actor=actor, obj=enrolment, to=to_status, note=reason)
    return enrolment


# --- Sessions --------------------------------------------------------------------------------


SESSION_FIELDS = ["title", "description", "starts_at", "ends_at", "location", "online_url", "makeup_for", "topics"]


def save_session(
    *,
    actor: Actor,
    cohort: Cohort,
    session: TrainingSession | None,
    data: dict[str, Any],
    topics: Iterable[Topic] = (),
) -> TrainingSession:
    """Schedule or edit a cohort session (a course session, or a make-up for a missed one).

    Rules: it ends after it starts; it has a place or an online link; topics are the program's
    own; a make-up session names an earlier-scheduled course session of the same cohort. Every
    change bumps the calendar SEQUENCE so subscribed calendars update.
    """
    chosen = list(topics)
    makeup_for = data.get("makeup_for")
    kind = SessionKind.MAKE_UP if makeup_for is not None else SessionKind.REGULAR
    errors = _session_errors(data)
    if any(t.program_id != cohort.program_id for t in chosen):
        errors["topics"] = "Choose from this program's topics."
    if makeup_for is not None and (makeup_for.cohort_id != cohort.pk or makeup_for.kind != SessionKind.REGULAR):
        errors["makeup_for"] = "A make-up replaces one of this cohort's course sessions."
    if session is not None and makeup_for is not None and makeup_for.pk == session.pk:
        errors["makeup_for"] = "A session cannot make up for itself."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        instance = session or TrainingSession(program=cohort.program, cohort=cohort, created_by=_user(actor))
        before = audit.snapshot(instance, SESSION_FIELDS) if session is not None else {}
        instance.title = data["title"].strip()
        instance.starts_at, instance.ends_at = data["starts_at"], data["ends_at"]
        for name in ["description", "location", "online_url"]:
            setattr(instance, name, (data.get(name) or "").strip())
        instance.makeup_for = makeup_for
        instance.kind = kind
        instance.sequence = instance.sequence + 1 if session is not None else 0
        instance.updated_at = timezone.now()
        instance.save()
        instance.topics.set(chosen)
        audit.record(
            actor=actor,
            program=cohort.program,
            action="training.session." + ("create" if session is None else "update"),
            target=instance,
            changes=audit.diff(before, audit.snapshot(instance, SESSION_FIELDS)),
        )
    return instance


def _session_errors(data: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not (data.get("title") or "").strip():
        errors["title"] = "Give the session a title."
    starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
    if starts_at is None:
        errors["starts_at"] = "When does it start?"
    if ends_at is None:
        errors["ends_at"] = "When does it end?"
    elif starts_at is not None and ends_at <= starts_at:
        errors["ends_at"] = "The session must end after it starts."
    if not (data.get("location") or "").strip() and not (data.get("online_url") or "").strip():
        errors["location"] = "Give a place or an online link."
    return errors


def cancel_session(*, actor: Actor, session: TrainingSession, reason: str) -> TrainingSession:
    """Cancel a session. Rules: a reason is given; a session with attendance taken cannot be
    cancelled. Subscribed calendars show it as cancelled."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the session is cancelled.")})
    if session.is_cancelled:
        raise ValidationError(_("This session is already cancelled."))
    if session.attendance.exists():
        raise ValidationError(_("Attendance has been taken for this session; it cannot be cancelled."))
    with transaction.atomic():
        session.is_cancelled = True
        session.cancel_reason = reason.strip()
        session.sequence += 1
        session.updated_at = timezone.now()
        session.save(update_fields=["is_cancelled", "cancel_reason", "sequence", "updated_at"])
        audit.record(
            actor=actor,
            program=session.program,
            action="training.session.cancel",
            target=session,
            changes={"is_cancelled": [False, True]},
            note=reason,
        )
    return session


def roster_for(session: TrainingSession) -> list[Supporter]:
    """Who attendance is taken for: the cohort's trainees, or for a refresher event everyone who
    may come (people who have been certified) plus anyone already marked."""
    if session.kind == SessionKind.REFRESHER:
        marked = session.attendance.values("supporter_id")
        return list(
            Supporter.objects.filter(program=session.program)
            .filter(Q(stage__in=REFRESHER_STAGES) | Q(pk__in=marked))
            .order_by("full_name")
        )
    if session.cohort_id is None:  # only refresher events stand outside a cohort
        return []
    return list(
        Supporter.objects.filter(enrolments__cohort_id=session.cohort_id, enrolments__status__in=ON_ROSTER).order_by(
            "full_name"
        )
    )


def record_attendance(*, actor: Actor, session: TrainingSession, marks: Mapping[int, tuple[str, str]]) -> list[Any]:
    """Record attendance: {supporter id: (status, note)} for people on the session's roster.

    Rules: the session has started and is not cancelled; every person is on its roster; the
    status is present, late, excused or absent. Marking again replaces the earlier mark. For a
    refresher event, attendees are credited its hours as continuing education (through the
    `refresher_attendance_recorded` signal), and un-credited if the mark changes to absent.
    """
    if session.is_cancelled:
        raise ValidationError(_("This session was cancelled."))
    if session.starts_at > timezone.now():
        raise ValidationError(_("Attendance can be taken once the session has started."))
    roster = {s.pk: s for s in roster_for(session)}
    unknown = set(marks) - set(roster)
    if unknown:
        raise ValidationError(_("Some people are not on this session's roster."))
    if any(status not in AttendanceStatus.values for status, _note in marks.values()):
        raise ValidationError(_("Choose present, late, excused or absent for each person."))
    changed: list[tuple[Supporter, bool]] = []
    with transaction.atomic():
        existing = {a.supporter_id: a for a in Attendance.objects.select_for_update().filter(session=session)}
        saved = []
        changes: dict[str, list[Any]] = {}
        for supporter_id, (status, note) in marks.items():
            row = existing.get(supporter_id)
            if row is None:
                row = Attendance(session=session, supporter=roster[supporter_id])
                old = None
            else:
                old = row.status
                if old == status and row.note == note:
                    saved.append(row)
                    continue
            row.status, row.note = status, note
            row.recorded_by, row.recorded_at = _user(actor), timezone.now()
            row.save()
            saved.append(row)
            changes[roster[supporter_id].full_name] = [old, status]
            if (old in ATTENDED) != (status in ATTENDED) or old is None:
                changed.append((roster[supporter_id], status in ATTENDED))
        if changes:
            audit.record(
                actor=actor, program=session.program, action="training.attendance", target=session, changes=changes
            )
        if session.kind == SessionKind.REFRESHER:
            for supporter, attended in changed:
                refresher_attendance_recorded.send(
                    sender=TrainingSession,
                    program=session.program,
                    session=session,
                    supporter=supporter,
                    attended=attended,
                    actor=actor,
                )
    return saved


# --- Evidence of practice --------------------------------------------------------------------


def _check_competencies(program: Program, competencies: Iterable[Competency]) -> list[Competency]:
    chosen = list(competencies)
    if any(c.program_id != program.pk for c in chosen):
        raise ValidationError({"competencies": _("Choose from this program's competencies.")})
    return chosen


def _check_on_course(cohort: Cohort, trainee: Supporter) -> None:
    if not Enrolment.objects.filter(cohort=cohort, supporter=trainee, status__in=ON_ROSTER).exists():
        raise ValidationError({"trainee": f"{trainee.full_name} is not on this cohort's course."})


def record_role_play(
    *,
    actor: Actor,
    cohort: Cohort,
    trainee: Supporter,
    held_on: dt.date,
    scenario: str,
    participant_played_by: str,
    observer_notes: str = "",
    competencies: Iterable[Competency] = (),
    session: TrainingSession | None = None,
) -> RolePlay:
    """Log a role play as evidence. Rules: the trainee (who played the supporter) is on the
    cohort's course; it has a scenario and says who played the participant; it is not dated in
    the future; competencies are the program's own."""
    errors: dict[str, str] = {}
    if not scenario.strip():
        errors["scenario"] = "Describe the scenario."
    if not participant_played_by.strip():
        errors["participant_played_by"] = "Say who played the participant."
    if held_on > timezone.localdate():
        errors["held_on"] = "A role play cannot be dated in the future."
    if session is not None and session.cohort_id != cohort.pk:
        errors["session"] = "Choose one of this cohort's sessions."
    if errors:
        raise ValidationError(errors)
    _check_on_course(cohort, trainee)
    chosen = _check_competencies(cohort.program, competencies)
    with transaction.atomic():
        role_play = RolePlay.objects.create(
            program=cohort.program,
            cohort=cohort,
            session=session,
            trainee=trainee,
            held_on=held_on,
            scenario=scenario.strip(),
            participant_played_by=participant_played_by.strip(),
            observer_notes=observer_notes.strip(),
            recorded_by=_user(actor),
        )
        role_play.competencies.set(chosen)
        audit.record(
            actor=actor,
            program=cohort.program,
            action="training.role_play.create",
            target=role_play,
            changes={"competencies": [None, sorted(str(c) for c in chosen)]},
        )
    return role_play


def record_shadowing(
    *,
    actor: Actor,
    cohort: Cohort,
    trainee: Supporter,
    experienced_supporter: Supporter,
    shadowed_on: dt.date,
    hours: Decimal,
    reflection: str = "",
    competencies: Iterable[Competency] = (),
) -> Shadowing:
    """Log time a trainee shadowed an experienced supporter. Rules: the trainee is on the course;
    the experienced supporter is an active or certified supporter of the program and not the
    trainee; 0.25 to 24 hours; not in the future."""
    errors: dict[str, str] = {}
    if experienced_supporter.program_id != cohort.program_id or experienced_supporter.stage not in EXPERIENCED_STAGES:
        errors["experienced_supporter"] = "Choose an active or certified supporter of this program."
    elif experienced_supporter.pk == trainee.pk:
        errors["experienced_supporter"] = "A trainee cannot shadow themselves."
    if hours is None or not Decimal("0.25") <= hours <= Decimal("24"):
        errors["hours"] = "Give between 0.25 and 24 hours."
    if shadowed_on > timezone.localdate():
        errors["shadowed_on"] = "Shadowing cannot be dated in the future."
    if errors:
        raise ValidationError(errors)
    _check_on_course(cohort, trainee)
    chosen = _check_competencies(cohort.program, competencies)
    with transaction.atomic():
        shadowing = Shadowing.objects.create(
            program=cohort.program,
            cohort=cohort,
            trainee=trainee,
            experienced_supporter=experienced_supporter,
            shadowed_on=shadowed_on,
            hours=hours,
            reflection=reflection.strip(),
            recorded_by=_user(actor),
        )
        shadowing.competencies.set(chosen)
        audit.record(actor=actor, program=cohort.program, action="training.shadowing.create", target=shadowing)
    return shadowing


def comment_on_shadowing(*, actor: User, shadowing: Shadowing, comment: str) -> Shadowing:
    """The experienced supporter's comment on a shadowing. Rule: only that supporter comments,
    and the comment is not empty (commenting again replaces it)."""
    if shadowing.experienced_supporter.user_id is None or shadowing.experienced_supporter.user_id != actor.pk:
        raise ValidationError(_("Only the supporter who was shadowed can comment."))
    if not comment.strip():
        raise ValidationError({"comment": _("Write a comment.")})
    with transaction.atomic():
        before = audit.snapshot(shadowing, ["supporter_comment"])
        shadowing.supporter_comment = comment.strip()
        shadowing.commented_at = timezone.now()
        shadowing.save(update_fields=["supporter_comment", "commented_at"])
        audit.record(
            actor=actor,
            program=shadowing.program,
            action="training.shadowing.comment",
            target=shadowing,
            changes=audit.diff(before, audit.snapshot(shadowing, ["supporter_comment"])),
        )
    return shadowing


# --- Feedback --------------------------------------------------------------------------------


def give_feedback(
    *,
    actor: Actor,
    supporter: Supporter,
    cohort: Cohort,
    session: TrainingSession | None,
    helpful: int,
    learn_more: str = "",
    comments: str = "",
) -> Feedback:
    """A trainee answers the short survey after a session (session given) or at the end of the
    course (no session).

    Rules: the trainee is on the cohort's course; a session survey is for a session of the
    cohort that has ended and that they attended; the end-of-course survey opens once the
    course's last day has come; one answer each; helpful is 1 to 5.
    """
    if not isinstance(helpful, int) or not 1 <= helpful <= 5:
        raise ValidationError({"helpful": _("Choose from 1 (not helpful) to 5 (very helpful).")})
    _check_on_course(cohort, supporter)
    now = timezone.now()
    if session is not None:
        if session.cohort_id != cohort.pk or session.is_cancelled:
            raise ValidationError(_("That session is not part of this course."))
        if session.ends_at > now:
            raise ValidationError(_("You can give feedback once the session is over."))
        if not session.attendance.filter(supporter=supporter, status__in=ATTENDED).exists():
            raise ValidationError(_("Feedback is for sessions you attended."))
        if Feedback.objects.filter(supporter=supporter, session=session, kind=FeedbackKind.SESSION).exists():
            raise ValidationError(_("You have already given feedback on this session."))
    else:
        if cohort.ends_on > timezone.localdate():
            raise ValidationError(_("The end-of-course survey opens on the course's last day."))
        if Feedback.objects.filter(supporter=supporter, cohort=cohort, kind=FeedbackKind.COURSE).exists():
            raise ValidationError(_("You have already answered the end-of-course survey."))
    with transaction.atomic():
        feedback = Feedback.objects.create(
            program=cohort.program,
            cohort=cohort,
            session=session,
            kind=FeedbackKind.SESSION if session is not None else FeedbackKind.COURSE,
            supporter=supporter,
            user=_user(actor),
            helpful=helpful,
            learn_more=learn_more.strip(),
            comments=comments.strip(),
        )
        audit.record(actor=actor, program=cohort.program, action="training.feedback.create", target=feedback)
    return feedback


# --- Refresher events ------------------------------------------------------------------------


def _hours(value: Any) -> Decimal:
    try:
        hours = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationError({"credited_hours": _("Give the hours as a number.")}) from None
    if hours < 0 or hours > 40:
        raise ValidationError({"credited_hours": _("Credited hours are between 0 and 40.")})
    return hours


def create_refresher_event(
    *,
    actor: Actor,
    program: Program,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    location: str,
    description: str = "",
    credited_hours: Decimal | float = 0,
    category: str = CECategory.PEER_SPECIFIC,
    online_url: str = "",
) -> TrainingSession:
    """Schedule a refresher event (a monthly teleconference, a guest speaker) open to certified
    supporters. Rules: it ends after it starts; it has a place or link; credited hours are 0 to
    40 and no more than the event lasts; the category is a continuing-education category.
    Attendees are credited the hours automatically once attendance is taken."""
    return save_refresher_event(
        actor=actor,
        program=program,
        event=None,
        data={
            "title": title,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "location": location,
            "online_url": online_url,
            "description": description,
            "credited_hours": credited_hours,
            "ce_category": category,
        },
    )


def save_refresher_event(
    *, actor: Actor, program: Program, event: TrainingSession | None, data: dict[str, Any]
) -> TrainingSession:
    """Create or edit a refresher event (rules as in `create_refresher_event`). When the credited
    hours or category change, everyone already marked as attending is credited again."""
    errors = _session_errors(data)
    hours = _hours(data.get("credited_hours", 0))
    category = data.get("ce_category") or CECategory.PEER_SPECIFIC
    if category not in ce_subject_keys(program):
        errors["ce_category"] = str(_("Choose a continuing-education category."))
    # Without errors both times are there (_session_errors).
    if not errors and hours > (Decimal((data["ends_at"] - data["starts_at"]).total_seconds()) / 3600):
        errors["credited_hours"] = "Credited hours cannot exceed the length of the event."
    if errors:
        raise ValidationError(errors)
    fields = ["title", "description", "starts_at", "ends_at", "location", "online_url", "credited_hours", "ce_category"]
    with transaction.atomic():
        instance = event or TrainingSession(program=program, kind=SessionKind.REFRESHER, created_by=_user(actor))
        before = audit.snapshot(instance, fields) if event is not None else {}
        instance.title = data["title"].strip()
        instance.description = (data.get("description") or "").strip()
        instance.starts_at, instance.ends_at = data["starts_at"], data["ends_at"]
        instance.location = (data.get("location") or "").strip()
        instance.online_url = (data.get("online_url") or "").strip()
        instance.credited_hours = hours
        instance.ce_category = category
        instance.sequence = instance.sequence + 1 if event is not None else 0
        instance.updated_at = timezone.now()
        instance.save()
        changes = audit.diff(before, audit.snapshot(instance, fields))
        audit.record(
            actor=actor,
            program=program,
            action="training.refresher." + ("create" if event is None else "update"),
            target=instance,
            changes=changes,
        )
        if event is not None and ({"credited_hours", "ce_category", "title", "starts_at"} & changes.keys()):
            for row in instance.attendance.select_related("supporter"):
                refresher_attendance_recorded.send(
                    sender=TrainingSession,
                    program=program,
                    session=instance,
                    supporter=row.supporter,
                    attended=row.status in ATTENDED,
                    actor=actor,
                )
    return instance


# --- Calendar feeds --------------------------------------------------------------------------


def calendar_feed(*, actor: Actor, program: Program, owner: User, cohort: Cohort | None = None) -> CalendarFeed:
    """The person's live subscription address (their own schedule, or one cohort's), created on
    first use. Rule: a cohort feed belongs to the same program."""
    if cohort is not None and cohort.program_id != program.pk:
        raise ValidationError(_("Choose a cohort of this program."))
    with transaction.atomic():
        feed = CalendarFeed.objects.filter(program=program, owner=owner, cohort=cohort, revoked_at__isnull=True).first()
        if feed is None:
            feed = CalendarFeed.objects.create(program=program, owner=owner, cohort=cohort)
            audit.record(actor=actor, program=program, action="training.feed.create", target=feed)
    return feed


def renew_calendar_feed(*, actor: User, feed: CalendarFeed) -> CalendarFeed:
    """Revoke a subscription address and issue a new one. Rule: only the owner renews their own;
    the old address stops working at once."""
    if feed.owner_id != actor.pk:
        raise ValidationError(_("Only the owner can renew this calendar address."))
    with transaction.atomic():
        if feed.revoked_at is None:
            feed.revoked_at = timezone.now()
            feed.save(update_fields=["revoked_at"])
            audit.record(actor=actor, program=feed.program, action="training.feed.revoke", target=feed)
        fresh = CalendarFeed.objects.create(program=feed.program, owner=feed.owner, cohort=feed.cohort)
        audit.record(actor=actor, program=feed.program, action="training.feed.create", target=fresh)
    return fresh


def _user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) else None


def ensure_ce_subjects(program: Program) -> list[CESubject]:
    """The program's continuing-education subjects, created from `CECategory` when it has none
    yet (a program edits them afterwards on the renewal-rule page)."""
    subjects = list(CESubject.objects.filter(program=program))
    if not subjects:
        with transaction.atomic():
            for position, (key, name) in enumerate(CECategory.choices):
                CESubject.objects.get_or_create(
                    program=program, key=key, defaults={"name": str(name), "position": position}
                )
        subjects = list(CESubject.objects.filter(program=program))
    return subjects


def ce_subject_keys(program: Program) -> set[str]:
    return {s.key for s in ensure_ce_subjects(program)}


def ce_subject_choices(program: Program) -> list[tuple[str, str]]:
    return [(s.key, s.name) for s in ensure_ce_subjects(program)]
