"""The participant's side: outcome measures, as paired change (first against latest answer)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from peerpath.reports.base import Chart, Column, Period, Report, register
from peerpath.voice.services.outcomes import SMALL_GROUP, program_change


def fewer() -> str:
    return gettext("fewer than %(n)s") % {"n": SMALL_GROUP}


@register
class OutcomeChange(Report):
    slug = "outcome-change"
    title = _("Outcome change")
    description = _(
        "Per outcome measure and subscale: the people who answered it at least twice in the period, their "
        "mean first and latest scores, the mean change, and how many scored higher, the same or lower."
    )
    columns = [
        Column("measure", _("Measure")),
        Column("people", _("People (paired)"), "int"),
        Column("first", _("Mean first score"), "decimal"),
        Column("latest", _("Mean latest score"), "decimal"),
        Column("change", _("Mean change"), "decimal"),
        Column("higher", _("Scored higher"), "int"),
        Column("same", _("Same"), "int"),
        Column("lower", _("Scored lower"), "int"),
    ]
    chart = Chart("bar", "measure", ("first", "latest"))
    order = 160

    def rows(self, program: Any, period: Period) -> list[dict[str, Any]]:
        rows = []
        for change in program_change(program, period.start_at, period.end_at):
            hidden = change.hidden
            rows.append(
                {
                    "measure": f"{change.questionnaire}: {change.name}",
                    "people": fewer() if hidden else change.people,
                    "first": None if hidden else change.first,
                    "latest": None if hidden else change.latest,
                    "change": None if hidden else change.change,
                    "higher": None if hidden else change.higher,
                    "same": None if hidden else change.same,
                    "lower": None if hidden else change.lower,
                }
            )
        return rows

    def notes(self, program: Any, period: Period, rows: list[dict[str, Any]]) -> list[str]:
        return [
            gettext(
                "Each person counts once: their first and their latest answer in the period. To protect privacy, "
                "a measure answered twice by fewer than %(n)s people shows only “%(fewer)s”."
            )
            % {"n": SMALL_GROUP, "fewer": fewer()}
        ]

    def summary(self, rows: list[dict[str, Any]]) -> str:
        if not rows:
            return gettext("No outcome measure was answered twice by anyone in the period.")
        shown = [r for r in rows if isinstance(r["people"], int)]
        if not shown:
            return ngettext(
                "Outcome change across %(n)s subscale: every group has %(fewer)s people.",
                "Outcome change across %(n)s subscales: every group has %(fewer)s people.",
                len(rows),
            ) % {"n": len(rows), "fewer": fewer()}
        parts = [
            gettext("%(measure)s: %(first)s to %(latest)s (%(people)s people)")
            % {"measure": r["measure"], "first": r["first"], "latest": r["latest"], "people": r["people"]}
            for r in shown
        ]
        return gettext("Mean first and latest scores. %(parts)s.") % {"parts": "; ".join(parts)}
