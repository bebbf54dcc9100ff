"""Recruitment reports: the funnel by source, and active supporters over time (retention)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from peerpath.recruitment.models import Source, Stage, StageChange, Supporter
from peerpath.reports.base import Chart, Column, Period, Report, as_date, aware, percent, register


@register
class RecruitmentFunnel(Report):
    slug = "recruitment-funnel"
    title = _("Recruitment funnel by source")
    description = _(
        "People who first applied in the period, by how they heard of the program, and how far along the "
        "pathway they have come since."
    )
    columns = [
        Column("source", _("Source")),
        Column("applied", _("Applied"), "int"),
        Column("screened", _("Screened"), "int"),
        Column("accepted", _("Accepted"), "int"),
        Column("trained", _("Certified or provisional"), "int"),
        Column("active", _("Became active"), "int"),
        Column("accept_rate", _("Accepted (%)"), "percent"),
    ]
    chart = Chart("bar", "source", ("applied", "screened", "accepted", "trained", "active"))
    order = 10

    def rows(self, program: Any, period: Period) -> list[dict[str, Any]]:
        def reached(*stages: str) -> Count:
            return Count("id", filter=Q(stage_changes__to_stage__in=stages), distinct=True)

        counts = {
            row["source"]: row
            for row in Supporter.objects.filter(
                program=program, created_at__gte=period.start_at, created_at__lt=period.end_at
            )
            .values("source")
            .annotate(
                applied=Count("id", distinct=True),
                screened=reached(Stage.SCREENING),
                accepted=reached(Stage.ACCEPTED),
                trained=reached(Stage.CERTIFIED, Stage.PROVISIONAL),
                active=reached(Stage.ACTIVE),
            )
        }
        rows = []
        for source in Source:
            row: Mapping[str, Any] = counts.get(source.value, {})
            applied = row.get("applied", 0)
            rows.append(
                {
                    "source": str(source.label),
                    "applied": applied,
                    "screened": row.get("screened", 0),
                    "accepted": row.get("accepted", 0),
                    "trained": row.get("trained", 0),
                    "active": row.get("active", 0),
                    "accept_rate": percent(row.get("accepted", 0), applied),
                }
            )
        return rows

    def summary(self, rows: list[dict[str, Any]]) -> str:
        applied = sum(r["applied"] for r in rows)
        accepted = sum(r["accepted"] for r in rows)
        return gettext("%(applied)s people applied in the period; %(accepted)s were accepted into training.") % {
            "applied": applied,
            "accepted": accepted,
        }


LEAVING = (Stage.INACTIVE, Stage.ALUMNI)


@register
class SupporterRetention(Report):
    slug = "supporter-retention"
    title = _("Active supporters over time")
    description = _(
        "Each month: supporters who became active (new or returning from a break), who left (inactive or "
        "alumni), and how many were active at the end of the month."
    )
    columns = [
        Column("month", _("Month")),
        Column("joined", _("Became active"), "int"),
        Column("left", _("Left"), "int"),
        Column("active_at_end", _("Active at month end"), "int"),
    ]
    chart = Chart("line", "month", ("active_at_end", "joined", "left"))
    order = 120

    def rows(self, program: Any, period: Period) -> list[dict[str, Any]]:
        months = period.months()
        first = months[0]
        # Flows into and out of 'active' from the first month to today, so that the count at the
        # end of each month can be walked back from today's count.
        flows = (
            StageChange.objects.filter(supporter__program=program, created_at__gte=aware(first))
            .filter(Q(to_stage=Stage.ACTIVE) | Q(from_stage=Stage.ACTIVE) | Q(to_stage__in=LEAVING))
            .annotate(month=TruncMonth("created_at"))
            .values("month")
            .annotate(
                into_active=Count("id", filter=Q(to_stage=Stage.ACTIVE)),
                out_of_active=Count("id", filter=Q(from_stage=Stage.ACTIVE)),
                left=Count("id", filter=Q(to_stage__in=LEAVING)),
            )
        )
        by_month: dict[dt.date, dict[str, int]] = defaultdict(lambda: {"in": 0, "out": 0, "left": 0})
        for row in flows:
            month = as_date(row["month"]).replace(day=1)
            by_month[month]["in"] += row["into_active"]
            by_month[month]["out"] += row["out_of_active"]
            by_month[month]["left"] += row["left"]
        active_now = Supporter.objects.filter(program=program, stage=Stage.ACTIVE).count()
        rows, running = [], active_now
        later_months = sorted((m for m in by_month if m > months[-1]), reverse=True)
        for month in later_months:
            running -= by_month[month]["in"] - by_month[month]["out"]
        for month in reversed(months):
            rows.append(
                {
                    "month": month.strftime("%Y-%m"),
                    "joined": by_month[month]["in"],
                    "left": by_month[month]["left"],
                    "active_at_end": running,
                }
            )
            running -= by_month[month]["in"] - by_month[month]["out"]
        rows.reverse()
        return rows

    def summary(self, rows: list[dict[str, Any]]) -> str:
        if not rows:
            return gettext("No months in the period.")
        return gettext(
            "From %(first)s to %(last)s: %(joined)s became active, %(left)s left; %(active)s active at the end."
        ) % {
            "first": rows[0]["month"],
            "last": rows[-1]["month"],
            "joined": sum(r["joined"] for r in rows),
            "left": sum(r["left"] for r in rows),
            "active": rows[-1]["active_at_end"],
        }
