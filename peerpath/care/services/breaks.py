"""Breaks: planned, ended, cancelled; the relationships that need covering."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from peerpath.care.lifecycle import BREAK
from peerpath.care.models import (
    Break,
    BreakStatus,
    CheckInReason,
)
from peerpath.care.services.checkins import schedule_checkin
from peerpath.care.services.common import (
    SYSTEM,
    active_supervisor,
    coordinator_users,
    get_settings,
    is_coordinator,
    local_today,
    program_path,
    require_own_record,
)
from peerpath.care.stages import CURRENT_STAGES
from peerpath.core import audit
from peerpath.core.actors import Actor, SystemActor
from peerpath.core.models import User
from peerpath.notifications.services import notify as notify_people
from peerpath.notifications.services import tell
from peerpath.recruitment.models import Stage, Supporter
from peerpath.recruitment.pathway import move_to_stage


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
    actor: Actor,
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
        require_own_record(actor, supporter)
    errors: dict[str, str] = {}
    today = local_today()
    if supporter.stage not in CURRENT_STAGES:
        raise ValidationError(
            _("Breaks are for current supporters; %(supporter)s is '%(stage)s'.")
            % {"supporter": supporter.full_name, "stage": supporter.get_stage_display()}
        )
    if not by_staff and starts_on < today:
        errors["starts_on"] = _("Start today or later.")
    if ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = _("The last day of the break cannot be before the first.")
    if ends_on is not None and ends_on < today:
        errors["ends_on"] = _("The break must end today or later.")
    if not errors and _overlapping(supporter, starts_on, ends_on):
        errors["starts_on"] = _("This overlaps another break; change or cancel that one first.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        brk = Break.objects.create(
            program=supporter.program,
            supporter=supporter,
            starts_on=starts_on,
            ends_on=ends_on,
            reason=reason,
            requested_by=actor if isinstance(actor, User) else None,
            recorded_by_staff=by_staff,
        )
        audit.record(actor=actor, program=supporter.program, action="break.create", target=brk)
        readers = coordinator_users(supporter.program)
        supervisor = active_supervisor(supporter)
        if supervisor is not None:
            readers.append(supervisor)
        readers = sorted((u for u in readers if u.email != getattr(actor, "email", None)), key=lambda u: u.email)
        notify_people(
            kind="care.break_planned",
            users=readers,
            program=supporter.program,
            context={"brk": brk, "supporter": supporter},
            url=program_path("care:breaks", supporter.program),
            key=f"care.break_planned:{brk.pk}",
        )
        if starts_on <= today:
            start_break(actor=actor, brk=brk)
    return brk


def start_break(*, actor: Actor, brk: Break) -> Break:
    """Begin a planned break: an active supporter moves to 'on break' on the pathway."""
    BREAK.check(brk, BreakStatus.CURRENT)
    with transaction.atomic():
        BREAK.move(
            actor=actor,
            obj=brk,
            to=BreakStatus.CURRENT,
            changes={"started_at": timezone.now()},
            audit_action="break.start",
            audit_changes={},
        )
        supporter = Supporter.objects.get(pk=brk.supporter_id)
        if supporter.stage == Stage.ACTIVE:
            move_to_stage(
                actor=actor, supporter=supporter, to_stage=Stage.ON_BREAK, reason=_("Break: %(brk)s") % {"brk": brk}
            )
    return brk


def end_break(*, actor: Actor, brk: Break, today: dt.date | None = None) -> Break:
    """End a break (on its last day passing, or early when the supporter is back).

    Rules: only a current break ends (a planned one is cancelled instead). Returning early
    makes yesterday the last day (back on its first day, the break is cancelled). The
    supporter moves back from 'on break' to 'active', gets a gentle return check-in and a
    welcome-back e-mail.
    """
    today = today or local_today()
    BREAK.check(brk, BreakStatus.ENDED)
    _supporter_or_coordinator(actor, brk)
    with transaction.atomic():
        ended: dict[str, Any] = {"ended_at": timezone.now()}
        if brk.starts_on >= today:
            # Back on the day it began: the break never took a day, so it is cancelled.
            to_status = BreakStatus.CANCELLED
        else:
            to_status = BreakStatus.ENDED
            if brk.ends_on is None or brk.ends_on >= today:
                ended["ends_on"] = today - dt.timedelta(days=1)
            settings = get_settings(brk.program)
            ended["return_checkin"] = schedule_checkin(
                actor=actor,
                supporter=brk.supporter,
                reason=CheckInReason.RETURN,
                due_on=today + dt.timedelta(days=settings.return_checkin_days),
            )
        BREAK.move(
            actor=actor,
            obj=brk,
            to=to_status,
            changes=ended,
            audit_action="break.end",
            audit_changes=audit.diff({"ends_on": brk.ends_on}, {"ends_on": ended.get("ends_on", brk.ends_on)}),
        )
        supporter = Supporter.objects.get(pk=brk.supporter_id)
        if supporter.stage == Stage.ON_BREAK:
            move_to_stage(actor=actor, supporter=supporter, to_stage=Stage.ACTIVE, reason=_("Back from a break"))
        if brk.return_checkin_id:
            tell(
                kind="care.checkin",
                template="care/email/break_return",
                person=supporter,
                program=brk.program,
                context={"supporter": supporter, "checkin": brk.return_checkin},
                url=program_path("care:checkin", brk.program),
                key=f"care.break_return:{brk.pk}",
                reply_to=brk.program.contact_email,
            )
    return brk


def _supporter_or_coordinator(actor: Actor, brk: Break) -> None:
    if isinstance(actor, SystemActor):  # the scheduler
        return
    if brk.supporter.user_id != actor.pk and not is_coordinator(actor, brk.program):
        raise ValidationError(_("Only the supporter or a coordinator can change this break."))


def cancel_break(*, actor: Actor, brk: Break) -> Break:
    """Cancel a break that has not started. Rule: planned breaks only."""
    # Narrower than the map: a current break is ended (end_break), not cancelled.
    BREAK.check(brk, BreakStatus.CANCELLED, only_from={BreakStatus.PLANNED})
    _supporter_or_coordinator(actor, brk)
    BREAK.move(
        actor=actor,
        obj=brk,
        to=BreakStatus.CANCELLED,
        only_from={BreakStatus.PLANNED},
        audit_action="break.cancel",
    )
    return brk


def apply_break_dates(*, today: dt.date | None = None) -> tuple[int, int]:
    """Start breaks whose first day has come and end those whose last day has passed.

    Returns (started, ended). Safe to run any number of times.
    """
    today = today or local_today()
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
