"""Supporter care's list pages as downloads: the same rows, filters and object rules as each
page (a supervisor's download holds only the people they supervise)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from peerpath.care.models import CareTask, Newsletter, Recognition, SupervisionMeeting, TaskStatus
from peerpath.care.queries import CareRow
from peerpath.care.stages import Audience
from peerpath.core.exports import Table


def supporters(rows: Iterable[CareRow], *, coordinator: bool) -> Table:
    headers = ["Name", "Stage"]
    if coordinator:
        headers.append("Supervisor")
    headers += [
        "Last supervision",
        "Supervision due",
        "Supervision overdue",
        "Last check-in",
        "Last check-in of high concern",
        "Check-in due",
        "Check-in overdue",
        "On break",
        "Open tasks",
    ]
    table = Table(headers, [])
    for r in rows:
        s = r.supporter
        row: list[Any] = [s.full_name, s.get_stage_display()]
        if coordinator:
            row.append(s.supervisor.full_name if s.supervisor else "")
        row += [
            r.last_supervised,
            r.supervision_due,
            r.supervision_overdue,
            r.last_checkin,
            r.last_concern,
            r.checkin_due,
            r.checkin_overdue,
            r.on_break,
            r.open_tasks,
        ]
        table.rows.append(row)
    return table


def tasks(rows: Iterable[CareTask], *, status: str, coordinator: bool) -> Table:
    done = status != TaskStatus.OPEN
    headers = ["Task", "Detail", "Supporter", "Kind", "Done" if done else "Due"]
    if coordinator:
        headers.append("Assigned to")
    if done:
        headers.append("Outcome")
    table = Table(headers, [])
    for t in rows:
        row: list[Any] = [
            t.title,
            t.detail,
            t.supporter.full_name if t.supporter else "",
            t.get_kind_display(),
            t.completed_at if done else t.due_on,
        ]
        if coordinator:
            row.append(t.assigned_to.full_name if t.assigned_to else "Coordinators")
        if done:
            row.append(t.outcome)
        table.rows.append(row)
    return table


def attention(rows: Iterable[tuple[CareRow, list[str]]], *, coordinator: bool) -> Table:
    headers = ["Supporter", "On break", "Why", "Last activity"] + (["Supervisor"] if coordinator else [])
    table = Table(headers, [])
    for row, reasons in rows:
        s = row.supporter
        out: list[Any] = [s.full_name, row.on_break, reasons, row.extra.get("last_activity")]
        if coordinator:
            out.append(s.supervisor.full_name if s.supervisor else "")
        table.rows.append(out)
    return table


def meetings(rows: Iterable[SupervisionMeeting]) -> Table:
    table = Table(["Date", "Kind", "Minutes", "Led by", "Attendees", "Topics"], [])
    for m in rows:
        table.rows.append(
            [
                m.held_on,
                m.get_kind_display(),
                m.duration_minutes,
                m.supervisor.full_name if m.supervisor else "",
                [a.full_name for a in m.attendees.all()],
                m.topics,
            ]
        )
    return table


def hours(rows: Iterable[tuple[Any, Any, int]], year: int) -> Table:
    table = Table(["Year", "Supporter", "Stage", "Meetings", "Hours"], [])
    for person, hours_, count in rows:
        table.rows.append([year, person.full_name, person.get_stage_display(), count, hours_])
    return table


def breaks(current: list[tuple[Any, Any]], upcoming: list[tuple[Any, Any]], past: Iterable[Any]) -> Table:
    """Breaks now, coming up and recently ended, with the relationships to cover (by reference)."""
    table = Table(["List", "Supporter", "From", "Until", "Recorded by staff", "Reason", "Relationships to cover"], [])
    for name, rows in (("On a break now", current), ("Coming up", upcoming)):
        for b, found in rows:
            cover = [str(r) for r in found]
            table.rows.append(
                [name, b.supporter.full_name, b.starts_on, b.ends_on, b.recorded_by_staff, b.reason, cover]
            )
    for b in past:
        table.rows.append(
            ["Recently ended", b.supporter.full_name, b.starts_on, b.ends_on, b.recorded_by_staff, "", []]
        )
    return table


def buddies(pairs: Iterable[dict[str, Any]], suggestions: Iterable[dict[str, Any]]) -> Table:
    table = Table(
        ["List", "Buddy", "Buddy active since", "Other buddy", "Other buddy active since", "Paired on", "Note"], []
    )
    for row in pairs:
        pair = row["pair"]
        table.rows.append(
            [
                "Current pair",
                pair.first.full_name,
                row["first_since"],
                pair.second.full_name,
                row["second_since"],
                pair.started_on,
                pair.note,
            ]
        )
    for s in suggestions:
        table.rows.append(
            [
                "Suggested pair",
                s["experienced"].full_name,
                s["experienced_since"],
                s["newer"].full_name,
                s["newer_since"],
                None,
                "",
            ]
        )
    return table


def recognition(
    reached: Iterable[dict[str, Any]], upcoming: Iterable[dict[str, Any]], records: Iterable[Recognition]
) -> Table:
    table = Table(["List", "Supporter", "Recognition", "Date", "Count", "Kind", "Event"], [])
    for name, rows in (("Reached, not yet recognised", reached), ("Coming up", upcoming)):
        for m in rows:
            table.rows.append([name, m["supporter"].full_name, m["label"], m.get("date"), m.get("count"), "", ""])
    for r in records:
        table.rows.append(
            ["Recorded", r.supporter.full_name, r.title, r.given_on, None, r.get_kind_display(), r.event_name]
        )
    return table


def newsletters(rows: Iterable[Newsletter], drafts: Iterable[Newsletter]) -> Table:
    table = Table(["Status", "Subject", "Sent", "Sent to", "Recipients"], [])
    for n in drafts:
        table.rows.append(["Draft", n.subject, None, [Audience.label(a) for a in n.audiences], None])
    for n in rows:
        table.rows.append(
            [n.get_status_display(), n.subject, n.sent_at, [Audience.label(a) for a in n.audiences], n.recipient_count]
        )
    return table


def topics(entries: Iterable[dict[str, Any]], plans: Iterable[Any]) -> Table:
    table = Table(["List", "Rank", "Topic", "Supporters", "Mentions", "Last mentioned", "From", "Also written as"], [])
    for entry in entries:
        s = entry["suggestion"]
        table.rows.append(
            ["Suggested", entry["n"], s.label, s.supporters, s.mentions, s.last_mentioned, s.sources, s.phrasings[1:]]
        )
    for p in plans:
        table.rows.append(["Already planned", None, p.label, None, None, p.planned_at, [p.event_label], []])
    return table


def supervisors(people: Iterable[Any]) -> Table:
    table = Table(["Supporter", "Stage", "Supervisor"], [])
    for p in people:
        table.rows.append([p.full_name, p.get_stage_display(), p.supervisor.full_name if p.supervisor else ""])
    return table
