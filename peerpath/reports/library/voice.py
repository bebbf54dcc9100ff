"""The participant's side: outcome measures, as paired change (first against latest answer)."""

from __future__ import annotations

from typing import Any

from peerpath.reports.base import Chart, Column, Period, Report, plural, register
from peerpath.voice.services.outcomes import SMALL_GROUP, program_change

FEWER = f"fewer than {SMALL_GROUP}"


@register
class OutcomeChange(Report):
    slug = "outcome-change"
    title = "Outcome change"
    description = (
        "Per outcome measure and subscale: the people who answered it at least twice in the period, their "
        "mean first and latest scores, the mean change, and how many scored higher, the same or lower."
    )
    columns = [
        Column("measure", "Measure"),
        Column("people", "People (paired)", "int"),
        Column("first", "Mean first score", "decimal"),
        Column("latest", "Mean latest score", "decimal"),
        Column("change", "Mean change", "decimal"),
        Column("higher", "Scored higher", "int"),
        Column("same", "Same", "int"),
        Column("lower", "Scored lower", "int"),
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
                    "people": FEWER if hidden else change.people,
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
            "Each person counts once: their first and their latest answer in the period. To protect privacy, a "
            f"measure answered twice by fewer than {SMALL_GROUP} people shows only “{FEWER}”."
        ]

    def summary(self, rows: list[dict[str, Any]]) -> str:
        if not rows:
            return "No outcome measure was answered twice by anyone in the period."
        shown = [r for r in rows if isinstance(r["people"], int)]
        if not shown:
            return f"Outcome change across {plural(len(rows), 'subscale')}: every group has {FEWER} people."
        parts = [f"{r['measure']}: {r['first']} to {r['latest']} ({r['people']} people)" for r in shown]
        return "Mean first and latest scores. " + "; ".join(parts) + "."
