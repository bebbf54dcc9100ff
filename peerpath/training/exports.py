"""Training's list pages as downloads: the same rows and object rules as each page.

Each function takes what the page's view already computed (so a trainer's download holds
only the cohorts they teach) and returns a `Table` with the page's columns.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from peerpath.core.exports import Table
from peerpath.training.models import Cohort, Module, SessionKind, TrainingSession

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    from peerpath.training.queries import CohortCounts, GridCell


def curriculum(modules: Iterable[Module]) -> Table:
    table = Table(["Module", "Module active", "Topic", "Topic active", "Competencies"], [])
    for module in modules:
        topics = list(module.topics.all())
        if not topics:
            table.rows.append([module.title, module.is_active, "", None, []])
        for topic in topics:
            table.rows.append(
                [
                    module.title,
                    module.is_active,
                    topic.title,
                    topic.is_active,
                    [str(c) for c in topic.competencies.all()],
                ]
            )
    return table


def cohorts(rows: Iterable[WithAnnotations[Cohort, CohortCounts]]) -> Table:
    table = Table(["Cohort", "Starts", "Ends", "Trainers", "Trainees", "Sessions"], [])
    for c in rows:
        table.rows.append(
            [c.name, c.starts_on, c.ends_on, [t.full_name for t in c.trainers.all()], c.trainees, c.session_count]
        )
    return table


def _session_heading(session: TrainingSession) -> str:
    label = f"{timezone.localtime(session.starts_at):%Y-%m-%d %H:%M} {session.title}"
    if session.kind == SessionKind.MAKE_UP:
        label += " (make-up)"
    if session.is_cancelled:
        label += " (cancelled)"
    return label


def _statuses(row: dict[str, Any]) -> list[str]:
    return [str(status.get("label", "")) for status in row.get("statuses", [])]


def _cell(cell: GridCell) -> str:
    """A grid cell in words: the mark, and what made the session up another way."""
    mark = cell.mark.get_status_display() if cell.mark else ""
    if cell.made_up_by is None:
        return mark
    made_up = "Made up by " + "; ".join(cell.made_up_by.labels)
    return f"{mark} ({made_up})" if mark else made_up


def roster(sessions: list[TrainingSession], rows: Iterable[dict[str, Any]]) -> Table:
    """The cohort's roster and attendance grid: one row per trainee, one column per session."""
    table = Table(
        [
            "Trainee",
            "Enrolment",
            "Attendance %",
            "Attended",
            "Held",
            "Made up",
            "Made up by self-paced learning",
            *[_session_heading(s) for s in sessions],
            "Role plays",
            "Shadowing",
            "Assessment",
        ],
        [],
    )
    for row in rows:
        enrolment, rate = row["enrolment"], row["rate"]
        table.rows.append(
            [
                enrolment.supporter.full_name,
                enrolment.get_status_display(),
                rate.percent,
                rate.attended,
                rate.held,
                rate.made_up,
                rate.self_paced,
                *[_cell(cell) for cell in row["cells"]],
                len(row.get("role_plays", [])),
                len(row.get("shadowings", [])),
                _statuses(row),
            ]
        )
    return table


def my_cohorts(cohorts: Iterable[dict[str, Any]]) -> Table:
    """A trainer's current cohorts: each trainee with attendance, evidence and assessment."""
    table = Table(
        ["Cohort", "Trainee", "Enrolment", "Attendance %", "Attended", "Held", "Role plays", "Shadowing", "Assessment"],
        [],
    )
    for item in cohorts:
        for row in item["rows"]:
            rate = row["rate"]
            table.rows.append(
                [
                    item["cohort"].name,
                    row["enrolment"].supporter.full_name,
                    row["enrolment"].get_status_display(),
                    rate.percent,
                    rate.attended,
                    rate.held,
                    len(row.get("role_plays", [])),
                    len(row.get("shadowings", [])),
                    _statuses(row),
                ]
            )
    return table


def feedback(summary: dict[str, Any]) -> Table:
    """The feedback page's sections one after the other: course, modules, sessions, subjects, comments."""
    table = Table(["Section", "Item", "Cohort", "Date", "How helpful (1-5)", "Answers", "Text"], [])
    course = summary["course"]
    if course.get("answers"):
        table.rows.append(["End of course", "", "", None, round(course["average"], 2), course["answers"], ""])
    for m in summary["per_module"]:
        table.rows.append(["Module", m["module"], "", None, round(m["average"], 2), m["answers"], ""])
    for s in summary["per_session"]:
        table.rows.append(
            [
                "Session",
                s["session__title"],
                s["cohort__name"],
                s["session__starts_at"],
                round(float(s["average"]), 2),
                s["answers"],
                "",
            ]
        )
    for g in summary["learn_more_groups"]:
        table.rows.append(["Learn more about", g["phrase"], "", None, None, g["count"], " | ".join(g["answers"])])
    for c in summary["comments"]:
        item = c["session__title"] or "End of course"
        table.rows.append(["Comment", item, c["cohort__name"], c["answered_at"], None, None, c["comments"]])
    return table


def refreshers(events: dict[str, list[TrainingSession]]) -> Table:
    table = Table(["When", "Event", "Starts", "Ends", "Hours credited", "Category", "Attended", "Cancelled"], [])
    for when, key in (("Coming up", "upcoming"), ("Past", "past")):
        for e in events[key]:
            table.rows.append(
                [
                    when,
                    e.title,
                    e.starts_at,
                    e.ends_at,
                    e.credited_hours,
                    e.get_ce_category_display(),
                    getattr(e, "attendees", None) if key == "past" else None,
                    e.is_cancelled,
                ]
            )
    return table
