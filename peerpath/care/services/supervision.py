"""Supervision meetings (one-on-one and group), their follow-ups and hours."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from peerpath.care.models import (
    CareTask,
    MeetingKind,
    SupervisionMeeting,
    TaskKind,
    TaskStatus,
)
from peerpath.care.services.care_tasks import complete_task, create_task
from peerpath.care.services.common import get_settings, is_coordinator, local_today
from peerpath.certification.services import record_automatic_ce
from peerpath.core import audit
from peerpath.core.actors import Actor
from peerpath.core.models import User
from peerpath.programs.models import Membership, Program
from peerpath.recruitment.models import Supporter


def _check_meeting(
    *,
    actor: Actor,
    program: Program,
    kind: str,
    held_on: dt.date,
    duration_minutes: int,
    supervisor: Any,
    attendees: list[Supporter],
) -> None:
    errors: dict[str, str] = {}
    if kind not in MeetingKind.values:
        errors["kind"] = _("Choose one-on-one or group.")
    if held_on > local_today():
        errors["held_on"] = _("Log meetings that have taken place (not in the future).")
    if not 5 <= duration_minutes <= 600:
        errors["duration_minutes"] = _("Give the length in minutes, between 5 and 600.")
    if not attendees:
        errors["attendees"] = _("Choose who attended.")
    elif kind == MeetingKind.ONE_ON_ONE and len(attendees) != 1:
        errors["attendees"] = _("A one-on-one meeting has exactly one supporter; log a group meeting for more.")
    elif any(s.program_id != program.pk for s in attendees):
        errors["attendees"] = _("Choose supporters of this program.")
    elif not is_coordinator(actor, program) and any(s.supervisor_id != getattr(actor, "pk", None) for s in attendees):
        errors["attendees"] = _("You can log meetings with the supporters you supervise.")
    if (
        supervisor is None
        or not Membership.objects.filter(program=program, user=supervisor)
        .filter(Q(is_supervisor=True) | Q(is_coordinator=True))
        .active()
        .exists()
    ):
        errors["supervisor"] = _("The meeting is led by a supervisor or coordinator of the program.")
    if errors:
        raise ValidationError(errors)


def _credit_ce(*, actor: Actor, meeting: SupervisionMeeting, attendees: Iterable[Supporter]) -> None:
    settings = get_settings(meeting.program)
    if not settings.supervision_counts_as_ce:
        return
    for supporter in attendees:
        record_automatic_ce(
            actor=actor,
            program=meeting.program,
            supporter=supporter,
            date=meeting.held_on,
            title=_("%(kind)s supervision") % {"kind": meeting.get_kind_display()},
            hours=meeting.hours,
            category=settings.supervision_ce_category,
            source_key=f"care.supervision:{meeting.pk}:{supporter.pk}",
        )


def log_meeting(
    *,
    actor: User,
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
    task for the leader. When the program counts supervision as continuing education every
    attendee is credited the hours. ``resolves`` closes the task the meeting was about.
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
    if follow_up_due_on is not None and follow_up_due_on < local_today():
        raise ValidationError({"follow_up_due_on": _("Follow-ups are due today or later.")})
    if resolves is not None and (resolves.program_id != program.pk or resolves.status != TaskStatus.OPEN):
        raise ValidationError(_("The task this meeting was about is already closed."))
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
                detail=_("Agreed in the %(kind)s supervision meeting on %(date)s.")
                % {"kind": meeting.get_kind_display().lower(), "date": date_format(held_on, "SHORT_DATE_FORMAT")},
                due_on=follow_up_due_on,
                assigned_to=supervisor,
                notify=supervisor is not None and supervisor != actor,
                meeting=meeting,
            )
        if resolves is not None:
            complete_task(
                actor=actor,
                task=resolves,
                outcome=_("Talked in supervision on %(date)s.") % {"date": date_format(held_on, "SHORT_DATE_FORMAT")},
            )
        _credit_ce(actor=actor, meeting=meeting, attendees=people)
    return meeting


def update_meeting(
    *,
    actor: Actor,
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
