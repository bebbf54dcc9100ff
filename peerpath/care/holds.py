"""What supporter care tells matching: who is held back from new matches, and why.

Each function is registered with ``peerpath.support.availability`` in ``CareConfig.ready()``
and answers ``{supporter id: HoldBack}`` for one program on one date, in a few queries for the
whole program. Each reads a program setting (``CareSettings``, Settings → Supporter care) and
says two things: a reason for the coordinator that names the kind of hold-back and nothing
private (never a score, an answer or an event), and kind words for the supporter, shown on
their own well-being page. A hold-back clears by itself when its cause does.

- ``paused_by_supervisor``: the supervisor's "pause new matches" switch (``MatchPause``).
- ``concern_follow_up``: a check-in in a highest-concern band whose care task is still open.
- ``after_hard_event``: a hard event in their caseload within the last N days.
- ``supervision_overdue``: supervision overdue by more than N days.
- ``back_from_break``: back from a break: at most M new matches in the first N days.
- on a break: ``queries.supporters_on_break`` (registered as a plain reason).
"""

from __future__ import annotations

import datetime as dt
from typing import cast

from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from peerpath.care.models import Break, BreakStatus, CareTask, HardEvent, MatchPause, TaskStatus
from peerpath.care.services.common import get_settings
from peerpath.programs.models import Program
from peerpath.recruitment.models import Stage, Supporter
from peerpath.support.availability import HoldBack
from peerpath.support.models import CloseReason, SupportRelationship


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def paused_by_supervisor(program: Program, on_date: dt.date) -> dict[int, HoldBack]:
    hold = HoldBack(
        reason=_("held back by their supervisor"),
        for_supporter=_(
            "Your supervisor has paused new matches for now, so you can look after yourself and the people you "
            "already support. Nothing changes for them; talk it over with your supervisor whenever you like."
        ),
    )
    return dict.fromkeys(MatchPause.objects.filter(program=program).values_list("supporter_id", flat=True), hold)


def concern_follow_up(program: Program, on_date: dt.date) -> dict[int, HoldBack]:
    if not get_settings(program).hold_on_concern_checkin:
        return {}
    ids = CareTask.objects.filter(
        program=program, status=TaskStatus.OPEN, checkin__concern=True, supporter__isnull=False
    ).values_list("supporter_id", flat=True)
    hold = HoldBack(
        reason=_("held back for a well-being follow-up"),
        for_supporter=_(
            "No new matches while your supervisor follows up on your last check-in. Thank you for being honest "
            "in it; they will be in touch."
        ),
    )
    return dict.fromkeys(set(ids), hold)


def after_hard_event(program: Program, on_date: dt.date) -> dict[int, HoldBack]:
    days = get_settings(program).hold_after_hard_event_days
    if not days:
        return {}
    since = _start_of(on_date - dt.timedelta(days=days - 1))
    ids = HardEvent.objects.filter(
        program=program, occurred_at__gte=since, occurred_at__lt=_start_of(on_date + dt.timedelta(days=1))
    ).values_list("supporter_id", flat=True)
    hold = HoldBack(
        reason=ngettext(
            "held back for a day after a hard event in their caseload",
            "held back for %(days)d days after a hard event in their caseload",
            days,
        )
        % {"days": days},
        for_supporter=_(
            "Something hard happened with someone you support. We are giving you time before any new match: "
            "look after yourself, and lean on your supervisor."
        ),
    )
    return dict.fromkeys(set(ids), hold)


def supervision_overdue(program: Program, on_date: dt.date) -> dict[int, HoldBack]:
    """Supervision is due every ``supervision_every_days`` from the last meeting attended (or from
    when they became active); held back once that date is more than N days past."""
    settings = get_settings(program)
    grace = settings.hold_supervision_overdue_days
    if not grace:
        return {}
    rows = (
        Supporter.objects.filter(program=program, stage=Stage.ACTIVE)
        .annotate(last=Max("supervision_meetings__held_on", filter=Q(supervision_meetings__held_on__lte=on_date)))
        .values_list("pk", "last", "stage_changed_at")
    )
    hold = HoldBack(
        reason=_("supervision overdue"),
        for_supporter=_(
            "New matches will wait until you have had supervision again: it is there for you. Your supervisor "
            "can book it, or ask them."
        ),
    )
    held = {}
    limit = dt.timedelta(days=settings.supervision_every_days + grace)
    for supporter_id, last, active_since in rows:
        start = last or timezone.localdate(active_since)
        if on_date - start > limit:
            held[supporter_id] = hold
    return held


def back_from_break(program: Program, on_date: dt.date) -> dict[int, HoldBack]:
    """In the first N days back from a break, at most M new matches (offers not declined)."""
    settings = get_settings(program)
    days, allowed = settings.return_ramp_days, settings.return_ramp_matches
    if not days:
        return {}
    last_day: dict[int, dt.date] = {}
    for supporter_id, ends_on in Break.objects.filter(
        program=program,
        status__in=[BreakStatus.CURRENT, BreakStatus.ENDED],
        ends_on__lt=on_date,
        ends_on__gte=on_date - dt.timedelta(days=days),
    ).values_list("supporter_id", "ends_on"):
        if ends_on is not None:
            last_day[supporter_id] = max(last_day.get(supporter_id, ends_on), ends_on)
    back_on = {supporter_id: day + dt.timedelta(days=1) for supporter_id, day in last_day.items()}
    if not back_on:
        return {}
    earliest = min(back_on.values())
    taken: dict[int, int] = {}
    for supporter_id, proposed_at in (
        SupportRelationship.objects.filter(
            program=program, supporter_id__in=list(back_on), proposed_at__gte=_start_of(earliest)
        )
        .exclude(close_reason=CloseReason.DECLINED)
        .values_list("supporter_id", "proposed_at")
    ):
        if timezone.localdate(proposed_at) >= back_on[supporter_id]:
            taken[supporter_id] = taken.get(supporter_id, 0) + 1
    reason = ngettext(
        "returning from a break: %(n)d new match in the first %(days)d days",
        "returning from a break: %(n)d new matches in the first %(days)d days",
        allowed,
    ) % {"n": allowed, "days": days}
    words = ngettext(
        "Welcome back! To ease you in, you will get at most %(n)d new match in your first %(days)d days.",
        "Welcome back! To ease you in, you will get at most %(n)d new matches in your first %(days)d days.",
        allowed,
    ) % {"n": allowed, "days": days}
    return {
        supporter_id: HoldBack(
            reason=reason, for_supporter=words, new_places=max(allowed - taken.get(supporter_id, 0), 0)
        )
        for supporter_id in back_on
    }


# Lazy: registered once at start-up, shown in the language of whoever reads it.
ON_A_BREAK_WORDS = cast(str, gettext_lazy("You are on a break: no new matches until you are back. Rest well."))
HOLDS = {
    "paused by supervisor": paused_by_supervisor,
    "well-being follow-up": concern_follow_up,
    "after a hard event": after_hard_event,
    "supervision overdue": supervision_overdue,
    "back from a break": back_from_break,
}
"""Registered in this order after "on a break" (``CareConfig.ready``)."""
