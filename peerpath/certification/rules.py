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
    unmet: Sequence[str] = (),
) -> OutcomeResult:
    """The outcome the program's rules give.

    * certified: every competency is at least 'competent' and attendance is at least the
      minimum (exactly the minimum is enough);
    * provisionally certified: no 'not yet' and at most N 'developing' (N a setting, default
      2), when the program allows it and the person is not already provisional;
    * otherwise not graduated.

    ``unmet``: why other requirements of the program (``certification.requirements``) are not
    met yet; any of them keeps "certified" out of reach, as too little attendance does.
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
    reasons.extend(unmet)
    if all_competent and attendance_ok and not unmet:
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


def first_expiry(issued_on: dt.date, rule: RuleSpec) -> dt.date:
    """A certificate issued on a day is valid through the same day one cycle later."""
    return add_months(issued_on, rule.cycle_months)


# --- Continuing education --------------------------------------------------------------------


@dataclass(frozen=True)
class Minimum:
    """At least `hours` in one subject."""

    subject: str  # the subject's key
    name: str
    hours: Decimal


@dataclass(frozen=True)
class RuleSpec:
    """A continuing-education renewal rule as plain data (`services.rule_spec` reads a `CERule`)."""

    total_hours: Decimal
    cycle_months: int = 24
    grace_days: int = 90
    minimums: tuple[Minimum, ...] = ()
    live_minimum_hours: Decimal = Decimal("0")
    live_cap_hours: Decimal | None = None
    self_paced_cap_hours: Decimal | None = None
    same_course_once: bool = True
    name: str = ""

    def cap(self, delivery: str) -> Decimal | None:
        return self.live_cap_hours if delivery == LIVE else self.self_paced_cap_hours


LIVE, SELF_PACED = "live", "self_paced"


def hours_text(hours: Decimal) -> str:
    """2 → "2", 1.50 → "1.5": hours as people write them."""
    text = f"{Decimal(hours).quantize(Decimal('0.01')):f}".rstrip("0").rstrip(".")
    return text or "0"


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
    by_subject: dict[str, Decimal] = field(default_factory=dict)
    by_delivery: dict[str, Decimal] = field(default_factory=dict)
    counted: list[Any] = field(default_factory=list)
    counted_hours: dict[int, Decimal] = field(default_factory=dict)  # activity id → hours it counts for
    repeats: list[Any] = field(default_factory=list)
    over_cap: list[Any] = field(default_factory=list)

    @property
    def ethics(self) -> Decimal:
        return self.by_subject.get("ethics", Decimal("0"))

    def subject(self, key: str) -> Decimal:
        return self.by_subject.get(key, Decimal("0"))


def tally(activities: Iterable[Any], *, cycle_start: dt.date, cycle_end: dt.date, rule: RuleSpec) -> Tally:
    """Approved hours dated within the cycle (from its start to the end of the grace period)
    and not already used for an earlier renewal, earliest first:

    * when the rule says so, the same course counts once per cycle (its first occurrence);
    * hours of a delivery mode with a cap count until the cap is reached (an activity that
      crosses it counts in part, later ones not at all).

    `activities` are approved CEActivity rows of one supporter (``date``, ``hours``,
    ``category``, ``delivery``, ``title``, ``provider``, ``renewal_id``)."""
    grace_end = cycle_end + dt.timedelta(days=rule.grace_days)
    result = Tally(cycle_start=cycle_start, cycle_end=cycle_end, grace_end=grace_end)
    seen: set[str] = set()
    for activity in sorted(activities, key=lambda a: (a.date, a.pk or 0)):
        if activity.renewal_id is not None or not cycle_start <= activity.date <= grace_end:
            continue
        key = course_key(activity.title, activity.provider)
        if rule.same_course_once and key in seen:
            result.repeats.append(activity)
            continue
        seen.add(key)
        delivery = getattr(activity, "delivery", LIVE) or LIVE
        hours = Decimal(activity.hours)
        cap = rule.cap(delivery)
        if cap is not None:
            hours = min(hours, max(Decimal("0"), cap - result.by_delivery.get(delivery, Decimal("0"))))
        if hours <= 0:
            result.over_cap.append(activity)
            continue
        result.counted.append(activity)
        result.counted_hours[activity.pk or id(activity)] = hours
        result.total += hours
        result.by_subject[activity.category] = result.by_subject.get(activity.category, Decimal("0")) + hours
        result.by_delivery[delivery] = result.by_delivery.get(delivery, Decimal("0")) + hours
    return result


@dataclass(frozen=True)
class Line:
    """One requirement of the rule against what is counted: "Ethics: 4 of 6 h"."""

    label: str
    counted: Decimal
    required: Decimal

    @property
    def missing(self) -> Decimal:
        return max(Decimal("0"), self.required - self.counted)

    @property
    def met(self) -> bool:
        return self.counted >= self.required


def requirement_lines(counted: Tally, rule: RuleSpec) -> list[Line]:
    """The total, each subject minimum and the live minimum, as lines to show."""
    lines = [Line(str(_("Total")), counted.total, rule.total_hours)]
    lines += [Line(m.name, counted.subject(m.subject), m.hours) for m in rule.minimums]
    if rule.live_minimum_hours > 0:
        lines.append(Line(str(_("Live")), counted.by_delivery.get(LIVE, Decimal("0")), rule.live_minimum_hours))
    return lines


def missing(counted: Tally, rule: RuleSpec) -> list[str]:
    """Exactly what is still missing, as the supporter reads it: "2 h confidentiality, 1 h live".

    Each subject minimum short, the live hours short, then the hours still needed in any
    subject: the total short beyond what the named ones add up to (a live hour of
    confidentiality counts for both, so the larger of the two sums is taken)."""
    parts: list[str] = []
    subject_short = Decimal("0")
    for m in rule.minimums:
        short = max(Decimal("0"), m.hours - counted.subject(m.subject))
        if short > 0:
            subject_short += short
            parts.append(str(_("%(hours)s h %(subject)s")) % {"hours": hours_text(short), "subject": m.name.lower()})
    live_short = max(Decimal("0"), rule.live_minimum_hours - counted.by_delivery.get(LIVE, Decimal("0")))
    if live_short > 0:
        parts.append(str(_("%(hours)s h live")) % {"hours": hours_text(live_short)})
    any_short = max(Decimal("0"), rule.total_hours - counted.total) - max(subject_short, live_short)
    if any_short > 0:
        text = _("%(hours)s h more in any subject") if parts else _("%(hours)s h in any subject")
        parts.append(str(text) % {"hours": hours_text(any_short)})
    return parts


@dataclass
class StandingResult:
    standing: str
    tally: Tally
    rule: RuleSpec
    days_to_expiry: int
    explanation: str
    missing: list[str] = field(default_factory=list)

    @property
    def required(self) -> Decimal:
        return self.rule.total_hours

    @property
    def ethics_required(self) -> Decimal:
        return next((m.hours for m in self.rule.minimums if m.subject == "ethics"), Decimal("0"))

    @property
    def lines(self) -> list[Line]:
        return requirement_lines(self.tally, self.rule)

    @property
    def missing_text(self) -> str:
        return ", ".join(self.missing)

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
    def renewable(self) -> bool:
        """Requirements met and within the renewal window (or the grace period)."""
        return self.met and self.days_to_expiry <= RENEWAL_WINDOW_DAYS


def standing(
    activities: Iterable[Any],
    *,
    cycle_start: dt.date,
    expires_on: dt.date,
    today: dt.date,
    rule: RuleSpec,
) -> StandingResult:
    """Where a certified supporter stands against the renewal rule their cycle runs under.

    * requirements met: nothing missing (the total, every subject minimum, the live minimum);
    * lapsed: not met and the grace period after expiry is over;
    * at risk: not met and the certificate expires within 90 days or is in its grace period,
      or more than half the cycle has gone with less than half the hours;
    * on track: otherwise.
    """
    counted = tally(activities, cycle_start=cycle_start, cycle_end=expires_on, rule=rule)
    required = rule.total_hours
    short = missing(counted, rule)
    days_left = (expires_on - today).days
    cycle_days = max((expires_on - cycle_start).days, 1)
    elapsed = (today - cycle_start).days / cycle_days
    why: str
    if not short:
        result, why = Standing.MET, str(_("The hours for this cycle are in."))
    elif today > counted.grace_end:
        result, why = Standing.LAPSED, str(_("The certificate expired and the grace period is over."))
    elif days_left < 0:
        result = Standing.AT_RISK
        why = str(_("Expired %(days)s days ago; renewable until %(date)s.")) % {
            "days": -days_left,
            "date": counted.grace_end.isoformat(),
        }
    elif days_left <= RENEWAL_WINDOW_DAYS:
        result, why = (
            Standing.AT_RISK,
            str(_("Expires in %(days)s days with hours still missing.")) % {"days": days_left},
        )
    elif elapsed > 0.5 and counted.total < required / 2:
        result, why = Standing.AT_RISK, str(_("More than half the cycle has gone with less than half the hours."))
    else:
        result, why = Standing.ON_TRACK, str(_("On pace for renewal."))
    return StandingResult(result, counted, rule, days_left, why, short)
