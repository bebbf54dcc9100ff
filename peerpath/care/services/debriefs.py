"""Debriefs after groups and hard contacts, and hard events in a caseload."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peerpath.care.models import (
    CheckInReason,
    Debrief,
    DebriefKind,
    HardEvent,
    HardEventKind,
    TaskKind,
)
from peerpath.care.services.buddies import current_buddy
from peerpath.care.services.care_tasks import task_for_supervisor
from peerpath.care.services.checkins import schedule_checkin
from peerpath.care.services.common import SYSTEM, get_settings, local_today, program_path, require_own_record
from peerpath.core import audit
from peerpath.core.actors import Actor
from peerpath.notifications.services import tell
from peerpath.programs.models import Program
from peerpath.recruitment.models import Supporter


def submit_debrief(
    *,
    actor: Actor,
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
    require_own_record(actor, supporter)
    errors = {}
    if kind not in DebriefKind.values:
        errors["kind"] = _("Choose what the debrief is about.")
    if occurred_on > local_today():
        errors["occurred_on"] = _("The date cannot be in the future.")
    elif occurred_on < local_today() - dt.timedelta(days=366):
        errors["occurred_on"] = _("Debriefs are for the last year.")
    if not what_happened.strip():
        errors["what_happened"] = _("Say briefly what happened.")
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
            task_for_supervisor(
                actor=actor,
                supporter=supporter,
                kind=TaskKind.DEBRIEF,
                title=_("%(supporter)s would like to talk: debrief %(kind)s")
                % {"supporter": supporter.full_name, "kind": debrief.get_kind_display().lower()},
                detail="",
                due_on=local_today() + dt.timedelta(days=days),
                debrief=debrief,
            )
    return debrief


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
        raise ValidationError(_("The supporter is not in this program."))
    if kind not in HardEventKind.values:
        raise ValidationError(_("Unknown kind of event: %(repr)s.") % {"repr": repr(kind)})
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
        task_for_supervisor(
            actor=SYSTEM,
            supporter=supporter,
            kind=TaskKind.HARD_EVENT,
            title=_("Reach out to %(supporter)s: %(kind)s")
            % {"supporter": supporter.full_name, "kind": event.get_kind_display().lower()},
            detail=_("A check-in has been scheduled for them within 48 hours."),
            due_on=due_on,
            hard_event=event,
        )
        tell(
            kind="care.checkin",
            template="care/email/hard_event_supporter",
            person=supporter,
            program=program,
            context={"supporter": supporter},
            url=program_path("care:checkin", program),
            key=f"care.hard_event:{event.pk}",
            reply_to=program.contact_email,
        )
        buddy = current_buddy(supporter)
        if buddy is not None:
            # Deliberately only the buddy's name: nothing about the event or the participant.
            tell(
                kind="care.buddy",
                template="care/email/hard_event_buddy",
                person=buddy,
                program=program,
                context={"buddy": buddy, "supporter": supporter},
                key=f"care.hard_event_buddy:{event.pk}",
            )
    return event
