"""The program's rules as plain functions: the assessment outcome, dates of a renewal cycle, and
a supporter's continuing-education standing. No database access here; callers pass the rows."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from peerpath.certification.models import LEVEL_RANK, CertificationSettings, Level, Outcome

# Reminders go out this many days before expiry, and renewal happens automatically from the
# first reminder on once the hours are in.
REMINDER_DAYS = (90, 30, 7)
RENEWAL_WINDOW_DAYS = REMINDER_DAYS[0]


# --- Outcome ---------------------------------------------------------------------------------


@dataclass
class OutcomeResult:
    outcome: str
    reasons: list[str]
    not_yet: int
    developing: int
    attendance_ok: bool


def compute_outcome(
    levels: Sequence[str],
    *,
    attended: int,
    held: int,
    rules: CertificationSettings,
    provisional_possible: bool = True,
) -> OutcomeResult:
    """The outcome the program's rules give.

    * certified: every competency is at least 'competent' and attendance is at least the
      minimum (exactly the minimum is enough);
    * provisionally certified: no 'not yet' and at most N 'developing' (N a setting, default
      2), when the program allows it and the person is not already provisional;
    * otherwise not graduated.
    """
    not_yet = sum(1 for level in levels if level == Level.NOT_YET)
    developing = sum(1 for level in levels if level == Level.DEVELOPING)
    all_competent = bool(levels) and all(LEVEL_RANK[Level(level)] >= LEVEL_RANK[Level.COMPETENT] for level in levels)
    attendance_ok = held > 0 and Decimal(attended) * 100 >= Decimal(rules.min_attendance_percent) * held
    percent = f"{(Decimal(attended) * 100 / held).quantize(Decimal('0.1'))}%" if held else "no sessions held"
    reasons = [
        f"{len(levels) - not_yet - developing} of {len(levels)} competencies at least competent; "
        f"{developing} developing; {not_yet} not yet.",
        f"Attendance {percent} ({attended} of {held}); {rules.min_attendance_percent}% needed to certify.",
    ]
    if all_competent and attendance_ok:
        outcome = Outcome.CERTIFIED
        reasons.append("Every competency is at least competent and attendance is enough: certified.")
    elif (
        provisional_possible
        and rules.allow_provisional
        and levels
        and not_yet == 0
        and developing <= rules.max_developing_for_provisional
    ):
        outcome = Outcome.PROVISIONAL
        reasons.append(
            f"No competency is 'not yet' and at most {rules.max_developing_for_provisional} are 'developing': "
            "provisionally certified, with a development plan and a reassessment deadline."
        )
    else:
        outcome = Outcome.NOT_GRADUATED
        reasons.append("The rules for certification are not met: not graduated.")
    return OutcomeResult(outcome, reasons, not_yet, developing, attendance_ok)


# --- Dates -----------------------------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, clamped to the month's end (29 Feb + 12 months = 28 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def first_expiry(issued_on: dt.date, rules: CertificationSettings) -> dt.date:
    """A certificate issued on a day is valid through the same day one cycle later."""
    return add_months(issued_on, rules.renewal_cycle_months)


# --- Continuing education --------------------------------------------------------------------


class Standing(models.TextChoices):
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    MET = "met", _("Requirements met")
    LAPSED = "lapsed", _("Lapsed")


STANDING_TONE = {Standing.ON_TRACK: "", Standing.AT_RISK: "warn", Standing.MET: "ok", Standing.LAPSED: "bad"}


def course_key(title: str, provider: str) -> str:
    """Two activities are the same course when title and provider match, ignoring case,
    punctuation and spacing."""

    def norm(text: str) -> str:
        return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())

    return f"{norm(title)}|{norm(provider)}"


@dataclass
class Tally:
    """The hours that count for one certificate's current cycle."""

    cycle_start: dt.date
    cycle_end: dt.date
    grace_end: dt.date
    total: Decimal = Decimal("0")
    ethics: Decimal = Decimal("0")
    counted: list[Any] = field(default_factory=list)
    repeats: list[Any] = field(default_factory=list)


def tally(
    activities: Iterable[Any], *, cycle_start: dt.date, cycle_end: dt.date, rules: CertificationSettings
) -> Tally:
    """Approved hours dated within the cycle (from its start to the end of the grace period)
    and not already used for an earlier renewal; the same course counts once per cycle (its
    first occurrence). `activities` are approved CEActivity rows of one supporter."""
    grace_end = cycle_end + dt.timedelta(days=rules.grace_period_days)
    result = Tally(cycle_start=cycle_start, cycle_end=cycle_end, grace_end=grace_end)
    seen: set[str] = set()
    for activity in sorted(activities, key=lambda a: (a.date, a.pk or 0)):
        if activity.renewal_id is not None or not cycle_start <= activity.date <= grace_end:
            continue
        key = course_key(activity.title, activity.provider)
        if key in seen:
            result.repeats.append(activity)
            continue
        seen.add(key)
        result.counted.append(activity)
        result.total += activity.hours
        if activity.category == "ethics":
            result.ethics += activity.hours
    return result


@dataclass
class StandingResult:
    standing: str
    tally: Tally
    required: Decimal
    ethics_required: Decimal
    days_to_expiry: int
    explanation: str

    @property
    def label(self) -> str:
        return str(Standing(self.standing).label)

    @property
    def tone(self) -> str:
        return STANDING_TONE[Standing(self.standing)]

    @property
    def met(self) -> bool:
        return self.standing == Standing.MET

    @property
    def hours_missing(self) -> Decimal:
        return max(Decimal("0"), self.required - self.tally.total)

    @property
    def ethics_missing(self) -> Decimal:
        return max(Decimal("0"), self.ethics_required - self.tally.ethics)

    @property
    def renewable(self) -> bool:
        """Requirements met and within the renewal window (or the grace period)."""
        return self.met and self.days_to_expiry <= RENEWAL_WINDOW_DAYS


def standing(
    activities: Iterable[Any],
    *,
    cycle_start: dt.date,
    expires_on: dt.date,
    today: dt.date,
    rules: CertificationSettings,
) -> StandingResult:
    """Where a certified supporter stands against the renewal rule.

    * requirements met: the cycle's counted hours reach the total and the ethics minimum;
    * lapsed: not met and the grace period after expiry is over;
    * at risk: not met and the certificate expires within 90 days or is in its grace period,
      or more than half the cycle has gone with less than half the hours;
    * on track: otherwise.
    """
    counted = tally(activities, cycle_start=cycle_start, cycle_end=expires_on, rules=rules)
    required, ethics_required = Decimal(rules.ce_hours_required), Decimal(rules.ce_ethics_hours_required)
    days_left = (expires_on - today).days
    met = counted.total >= required and counted.ethics >= ethics_required
    cycle_days = max((expires_on - cycle_start).days, 1)
    elapsed = (today - cycle_start).days / cycle_days
    if met:
        result, why = Standing.MET, "The hours for this cycle are in."
    elif today > counted.grace_end:
        result, why = Standing.LAPSED, "The certificate expired and the grace period is over."
    elif days_left < 0:
        result, why = Standing.AT_RISK, f"Expired {-days_left} days ago; renewable until {counted.grace_end:%Y-%m-%d}."
    elif days_left <= RENEWAL_WINDOW_DAYS:
        result, why = Standing.AT_RISK, f"Expires in {days_left} days with hours still missing."
    elif elapsed > 0.5 and counted.total < required / 2:
        result, why = Standing.AT_RISK, "More than half the cycle has gone with less than half the hours."
    else:
        result, why = Standing.ON_TRACK, "On pace for renewal."
    return StandingResult(result, counted, required, ethics_required, days_left, why)
