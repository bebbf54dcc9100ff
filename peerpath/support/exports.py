"""Support's list pages as downloads: the same rows, filters and object rules as each page.

Each function takes what the page's view already computed and returns a `Table` with the
page's columns (plus the participant reference where the page links to a participant) and the
ids of the participants it names, for the audit entry every such download leaves.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from peerpath.core.exports import Table
from peerpath.support.models import AgeBand, Availability, Mode, Participant, ParticipantStatus

FLAG_LABELS = {
    "unreachable": "Unreachable",
    "quiet": "No contact lately",
    "overdue": "Follow-up overdue",
    "due": "Follow-up due",
}
CHOICES = {"mode": Mode, "availability": Availability, "age": AgeBand}


def labels(values: Iterable[str], kind: str) -> list[str]:
    choices = CHOICES[kind]
    return [str(choices(v).label) if v in choices.values else v for v in values]


def flags(values: Iterable[str]) -> list[str]:
    return [FLAG_LABELS.get(f, f) for f in values]


def participants(rows: Iterable[Participant]) -> Table:
    """The participant list (any filter, every page)."""
    table = Table(
        ["Reference", "Participant", "Status", "Supporter", "Relationship", "Wants support with", "Waiting since"], []
    )
    for p in rows:
        open_relationships = list(p.open_relationships)
        table.rows.append(
            [
                p.reference,
                p.full_name,
                p.get_status_display(),
                [r.supporter.full_name for r in open_relationships],
                [r.get_state_display() for r in open_relationships],
                [a.name for a in p.focus_areas.all()],
                p.waiting_since if p.status == ParticipantStatus.WAITING else None,
            ]
        )
        table.participant_ids.append(p.pk)
    return table


def caseload(offers: Iterable[Any], working: Iterable[Any], closed: Iterable[Any]) -> Table:
    """A supporter's own participants: offers to answer, the people they support, closed ones."""
    table = Table(
        ["Section", "Reference", "Participant", "State", "Last contact", "Next follow-up", "Flags", "Closed", "Reason"],
        [],
    )
    for r in offers:
        table.rows.append(
            [
                "New match offer",
                r.participant.reference,
                r.shown.name,
                r.get_state_display(),
                None,
                None,
                [],
                None,
                "",
            ]
        )
        table.participant_ids.append(r.participant_id)
    for r in working:
        table.rows.append(
            [
                "Supporting",
                r.participant.reference,
                r.shown.name,
                r.get_state_display(),
                r.last_contact_on,
                r.next_follow_up,
                flags(r.flags),
                None,
                "",
            ]
        )
        table.participant_ids.append(r.participant_id)
    for r in closed:
        table.rows.append(
            [
                "Closed",
                r.participant.reference,
                "",
                r.get_state_display(),
                None,
                None,
                [],
                r.closed_at,
                r.get_close_reason_display(),
            ]
        )
        table.participant_ids.append(r.participant_id)
    return table


def supporters(rows: Iterable[dict[str, Any]]) -> Table:
    """Active supporters with caseload against capacity and whether they can take someone new."""
    table = Table(
        ["Supporter", "Languages", "Lived experience", "Caseload", "Capacity", "Meets", "Area", "New matches"], []
    )
    for row in rows:
        s = row["supporter"]
        table.rows.append(
            [
                s.full_name,
                s.languages,
                [a.name for a in s.focus_areas.all()],
                row["load"],
                row["profile"].capacity,
                labels(row["profile"].modes, "mode"),
                row["profile"].area,
                "Can take someone" if row["eligible"] else row["reason"],
            ]
        )
    return table


def attention(data: dict[str, Any]) -> Table:
    """The three lists of the 'needs attention' page, one after the other."""
    table = Table(
        [
            "List",
            "Reference",
            "Participant",
            "Supporter",
            "Last contact",
            "Not reached lately",
            "Reached lately",
            "Next follow-up",
        ],
        [],
    )
    for name, key in (
        ("Cannot be reached", "unreachable"),
        ("Follow-up overdue", "overdue"),
        ("No contact lately", "quiet"),
    ):
        for r in data[key]:
            table.rows.append(
                [
                    name,
                    r.participant.reference,
                    r.shown.name,
                    r.supporter.full_name,
                    r.last_contact_on,
                    r.failed_recently,
                    r.reached_recently,
                    r.next_follow_up,
                ]
            )
            table.participant_ids.append(r.participant_id)
    return table


def concerns(rows: Iterable[Any], now: Any) -> Table:
    table = Table(
        ["What", "Reference", "Participant", "Supporter", "Raised", "State", "Overdue", "Escalated", "On call"], []
    )
    for c in rows:
        table.rows.append(
            [
                c.get_kind_display(),
                c.participant.reference,
                c.shown.name,
                c.supporter.full_name,
                c.raised_at,
                c.get_state_display(),
                c.is_overdue(now),
                c.escalated_at is not None,
                c.on_call.full_name if c.on_call else "Coordinators",
            ]
        )
        table.participant_ids.append(c.participant_id)
    return table


def supervision(relationships: Iterable[Any]) -> Table:
    """A supervisor's supporters' relationships with their flags."""
    table = Table(["Supporter", "Reference", "Participant", "State", "Last contact", "Next follow-up", "Flags"], [])
    for r in relationships:
        table.rows.append(
            [
                r.supporter.full_name,
                r.participant.reference,
                r.shown.name,
                r.get_state_display(),
                r.last_contact_on,
                r.next_follow_up,
                flags(r.flags),
            ]
        )
        table.participant_ids.append(r.participant_id)
    return table


def match_run(proposals: Iterable[Any], left_over: Iterable[Any]) -> Table:
    """A batch match under review: the proposed matches, then those left unmatched and why."""
    table = Table(["Proposal", "Reference", "Participant", "Supporter", "Score", "Why"], [])
    for p in proposals:
        table.rows.append(
            ["Match", p.participant.reference, p.participant.full_name, p.supporter.full_name, p.score, p.explanation]
        )
        table.participant_ids.append(p.participant_id)
    for p in left_over:
        table.rows.append(["Left unmatched", p.participant.reference, p.participant.full_name, "", None, p.reason])
        table.participant_ids.append(p.participant_id)
    return table
