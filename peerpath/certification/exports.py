"""Certification's list pages as downloads: the same rows as each page."""

from __future__ import annotations

from typing import Any

from peerpath.core.exports import Table


def overview(data: dict[str, Any]) -> Table:
    """Every list of the coordinator's overview, one after the other, with the list named."""
    table = Table(
        ["List", "Person", "Detail", "Date", "Days to expiry", "Hours", "Hours required", "Still missing", "Standing"],
        [],
    )
    for a in data["awaiting"]:
        detail = a.title + (f" ({a.provider})" if a.provider else "")
        table.rows.append(
            [
                "CE awaiting approval",
                a.supporter.full_name,
                detail,
                a.date,
                None,
                a.hours,
                None,
                None,
                a.get_category_display(),
            ]
        )
    for a in data["provisional"]:
        passed = a.reassessment_due < data["today"]
        table.rows.append(
            [
                "Provisional deadline",
                a.supporter.full_name,
                f"{a.cohort.name}; plan: {a.plan_what} (with {a.plan_who})",
                a.reassessment_due,
                None,
                None,
                None,
                None,
                "deadline passed" if passed else "",
            ]
        )
    sections = [
        ("Expiring within 90 days", "expiring"),
        ("Expired, in the grace period", "in_grace"),
        ("Lapsed", "lapsed"),
        ("At risk", "at_risk"),
        ("Requirements met", "met"),
    ]
    for name, key in sections:
        for certificate, standing in data[key]:
            table.rows.append(
                [
                    name,
                    certificate.holder_name,
                    standing.explanation,
                    certificate.expires_on,
                    standing.days_to_expiry,
                    standing.tally.total,
                    standing.required,
                    standing.missing_text,
                    standing.label,
                ]
            )
    for certificate in data["recent_revoked"]:
        table.rows.append(
            [
                "Recently revoked",
                certificate.holder_name,
                certificate.revocation_reason,
                certificate.revoked_at,
                None,
                None,
                None,
                None,
                "revoked",
            ]
        )
    return table


def my_ce(data: dict[str, Any]) -> Table:
    """A supporter's own continuing-education activities and whether each counts this cycle."""
    table = Table(["Date", "Activity", "Provider", "Hours", "Category", "Status", "Counts this cycle", "Comment"], [])
    for a in data["activities"]:
        if a.pk in data["repeat_ids"]:
            status = "same course: counted once"
        elif a.pk in data.get("over_cap_ids", ()):
            status = "over the cap for its delivery mode: not counted"
        elif a.status == "approved" and a.renewal_id:
            status = "approved, used for a renewal"
        else:
            status = a.get_status_display()
        table.rows.append(
            [
                a.date,
                a.title,
                a.provider,
                a.hours,
                a.get_category_display(),
                status,
                a.pk in data["counted_ids"],
                a.review_comment if a.status == "returned" else "",
            ]
        )
    return table
