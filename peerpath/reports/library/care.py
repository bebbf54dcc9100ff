"""Supporter-care reports: supervision coverage, and well-being bands in aggregate only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.fields.json import KeyTextTransform
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from peerpath.care.models import CheckIn, CheckInStatus, Subscale, SupervisionMeeting
from peerpath.care.queries import supporters_on_break
from peerpath.care.services.common import get_settings
from peerpath.care.stages import SERVING_STAGES
from peerpath.recruitment.models import Supporter
from peerpath.reports.base import Chart, Column, Period, Report, aware, percent, register

Attendance = SupervisionMeeting.attendees.through
# Counts below this are never shown, so that nobody's well-being can be singled out.
SMALL_NUMBER = 5


def fewer() -> str:
    return gettext("fewer than %(n)s") % {"n": SMALL_NUMBER}


def hidden() -> str:
    return gettext("not shown")


@register
class SupervisionCoverage(Report):
    slug = "supervision-coverage"
    title = _("Supervision coverage")
    description = _(
        "Today, per supervisor: supporters giving support (shadowing, provisional or active, not on a break), "
        "those supervised within the program's minimum frequency, those new since then and not yet due, and "
        "those overdue; and the meetings each supervisor logged in the period."
    )
    columns = [
        Column("supervisor", _("Supervisor")),
        Column("supporters", _("Supporters"), "int"),
        Column("within", _("Supervised in time"), "int"),
        Column("not_yet_due", _("New, not yet due"), "int"),
        Column("overdue", _("Overdue"), "int"),
        Column("covered", _("Covered (%)"), "percent"),
        Column("meetings", _("Meetings in the period"), "int"),
    ]
    chart = Chart("bar", "supervisor", ("within", "not_yet_due", "overdue"), stacked=True, horizontal=True)
    order = 100

    def rows(self, program: Any, period: Period) -> list[dict[str, Any]]:
        today = timezone.localdate()
        self.every_days = get_settings(program).supervision_every_days
        cutoff = today - dt.timedelta(days=self.every_days)
        last = (
            Attendance.objects.filter(supporter_id=OuterRef("pk"))
            .order_by("-supervisionmeeting__held_on")
            .values("supervisionmeeting__held_on")[:1]
        )
        # The same rule as the supervisor's care page (care.queries.care_row): due every N days
        # after the last meeting, or after starting in the current stage when there was none.
        supporters = (
            Supporter.objects.filter(program=program, stage__in=SERVING_STAGES)
            .exclude(pk__in=supporters_on_break(program, today))
            .annotate(last_supervised=Subquery(last))
            .values("supervisor_id", "supervisor__full_name")
            .annotate(
                supporters=Count("id"),
                within=Count("id", filter=Q(last_supervised__gte=cutoff)),
                not_yet_due=Count("id", filter=Q(last_supervised__isnull=True, stage_changed_at__gte=aware(cutoff))),
            )
            .order_by("supervisor__full_name")
        )
        meetings = dict(
            SupervisionMeeting.objects.filter(program=program, held_on__gte=period.start, held_on__lte=period.end)
            .values_list("supervisor_id")
            .annotate(n=Count("id"))
            .values_list("supervisor_id", "n")
        )
        rows = []
        nobody = gettext("No supervisor assigned")
        for row in supporters:
            covered = row["within"] + row["not_yet_due"]
            rows.append(
                {
                    "supervisor": row["supervisor__full_name"] or nobody,
                    "assigned": bool(row["supervisor__full_name"]),
                    "supporters": row["supporters"],
                    "within": row["within"],
                    "not_yet_due": row["not_yet_due"],
                    "overdue": row["supporters"] - covered,
                    "covered": percent(covered, row["supporters"]),
                    "meetings": meetings.pop(row["supervisor_id"], 0),
                }
            )
        rows.sort(key=lambda r: (not r["assigned"], r["supervisor"]))
        return rows

    def notes(self, program: Any, period: Period, rows: list[dict[str, Any]]) -> list[str]:
        return [
            gettext("The program's minimum: supervision at least every %(days)s days (Care settings).")
            % {"days": self.every_days}
        ]

    def summary(self, rows: list[dict[str, Any]]) -> str:
        people = sum(r["supporters"] for r in rows)
        overdue = sum(r["overdue"] for r in rows)
        if not people:
            return gettext("Nobody is giving support today.")
        return ngettext(
            "%(overdue)s of %(people)s supporter giving support are overdue for supervision.",
            "%(overdue)s of %(people)s supporters giving support are overdue for supervision.",
            people,
        ) % {"overdue": overdue, "people": people}


@register
class WellbeingBands(Report):
    slug = "wellbeing-bands"
    title = _("Well-being check-ins by band")
    description = _(
        "Each supporter's latest well-being check-in completed in the period, counted by the band of each "
        "subscale. Only counts of people, never individuals."
    )
    columns = [
        Column("subscale", _("Subscale")),
        Column("band", _("Band")),
        Column("concern", _("Highest concern")),
        Column("people", _("People"), "int"),
    ]
    chart = Chart("bar", "label", ("people",))
    order = 110

    def rows(self, program: Any, period: Period) -> list[dict[str, Any]]:
        in_period = CheckIn.objects.filter(
            program=program,
            status=CheckInStatus.COMPLETED,
            completed_at__gte=period.start_at,
            completed_at__lt=period.end_at,
        )
        same_time_later_id = Q(completed_at=OuterRef("completed_at"), pk__gt=OuterRef("pk"))
        later = in_period.filter(supporter=OuterRef("supporter")).filter(
            Q(completed_at__gt=OuterRef("completed_at")) | same_time_later_id
        )
        latest = in_period.filter(~Exists(later))
        used = latest.order_by().values("questionnaire_id").distinct()
        subscales = list(
            Subscale.objects.filter(questionnaire_id__in=used)
            .select_related("questionnaire")
            .prefetch_related("bands")
            .order_by("questionnaire__name", "questionnaire_id", "position", "id")
        )
        cells = [(s, band) for s in subscales for band in s.bands.all()]
        counts = (
            latest.aggregate(
                **{
                    f"c{i}": Count(
                        "id",
                        filter=Q(
                            Exact(KeyTextTransform(s.key, "bands"), band.label),
                            questionnaire_id=s.questionnaire_id,
                        ),
                    )
                    for i, (s, band) in enumerate(cells)
                }
            )
            if cells
            else {}
        )
        several = len({s.questionnaire_id for s in subscales}) > 1
        rows = []
        for i, (s, band) in enumerate(cells):
            name = f"{s.questionnaire.name}: {s.name}" if several else s.name
            rows.append(
                {
                    "subscale": name,
                    "band": band.label,
                    "label": f"{s.name}: {band.label}",
                    "concern": gettext("yes") if band.is_highest_concern else "",
                    "people": counts[f"c{i}"],
                }
            )
        return suppress_small_numbers(rows)

    def notes(self, program: Any, period: Period, rows: list[dict[str, Any]]) -> list[str]:
        return [
            gettext(
                "To protect privacy, a band with fewer than %(n)s people (or none) shows “%(fewer)s”; when that "
                "hides a single band of a subscale, the next smallest is “%(hidden)s” too, so no count can be "
                "worked out from the others. No totals are shown."
            )
            % {"n": SMALL_NUMBER, "fewer": fewer(), "hidden": hidden()}
        ]

    def summary(self, rows: list[dict[str, Any]]) -> str:
        subscales = len({r["subscale"] for r in rows})
        if not subscales:
            return gettext("No well-being check-in was completed in the period.")
        shown = [r for r in rows if isinstance(r["people"], int)]
        if not shown:
            return ngettext(
                "Check-ins in the period across %(n)s subscale: every band has fewer than %(small)s people.",
                "Check-ins in the period across %(n)s subscales: every band has fewer than %(small)s people.",
                subscales,
            ) % {"n": subscales, "small": SMALL_NUMBER}
        top = max(shown, key=lambda r: r["people"])
        return ngettext(
            "Latest check-ins in the period across %(n)s subscale; the largest group: %(people)s people in "
            "%(subscale)s, %(band)s. Small counts are not shown.",
            "Latest check-ins in the period across %(n)s subscales; the largest group: %(people)s people in "
            "%(subscale)s, %(band)s. Small counts are not shown.",
            subscales,
        ) % {"n": subscales, "people": top["people"], "subscale": top["subscale"], "band": top["band"]}


def suppress_small_numbers(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Replace counts below SMALL_NUMBER (zero included, so an empty band says nothing about the
    others) with a phrase. Where that hides exactly one band of a subscale, hide the next smallest
    as well: the same people answer every subscale, so one hidden count could otherwise be worked
    out by subtraction."""
    by_subscale: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_subscale.setdefault(row["subscale"], []).append(row)
    for group in by_subscale.values():
        small = [r for r in group if r["people"] < SMALL_NUMBER]
        shown = sorted((r for r in group if r["people"] >= SMALL_NUMBER), key=lambda r: r["people"])
        for row in small:
            row["people"] = fewer()
        if len(small) == 1 and shown:
            shown[0]["people"] = hidden()
    return rows
