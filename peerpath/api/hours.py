# No "from __future__ import annotations": django-ninja reads these annotations at import time.
"""The service-hours ledger: a supporter's own hours, and the ledgers staff may see (as the
pages: coordinators every supporter's, supervisors their supervisees'). Entries name
participants only by reference, as the ledger page does."""

import datetime as dt
from typing import Any

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from peerpath.api.auth import ApiRequest, require
from peerpath.api.common import ERRORS, Id, PageIn, paged
from peerpath.hours import access, queries, services
from peerpath.hours.ledger import Entry
from peerpath.hours.models import Kind
from peerpath.recruitment.access import own_supporter_record
from peerpath.recruitment.models import Supporter

router = Router(tags=["hours"])


class YearIn(Schema):
    year: int = Field(default_factory=lambda: timezone.localdate().year, ge=2000, le=2100)


class KindHours(Schema):
    kind: str = Field(description="one_to_one, group, outreach, training, supervision or other")
    hours: str


class MonthOut(Schema):
    month: str = Field(description="YYYY-MM")
    hours: str
    by_kind: list[KindHours]


class EntryOut(Schema):
    """One line of the ledger and the record it came from (its key, e.g. support.contact:12)."""

    date: dt.date
    kind: str
    minutes: int
    source: str
    description: str


class LedgerOut(Schema):
    supporter: int
    year: int
    hours: str
    by_kind: list[KindHours]
    goal_hours: int = Field(description="The program's yearly goal per supporter; 0 for none.")
    people_supported: int = Field(
        description="Participants reached in the year, one-to-one or as members present at a group session."
    )
    months: list[MonthOut]
    entries: list[EntryOut]


class LedgerRowOut(Schema):
    supporter: int
    full_name: str
    hours: str
    by_kind: list[KindHours]


def _by_kind(hours: list[Any]) -> list[dict[str, Any]]:
    return [{"kind": kind, "hours": str(h)} for kind, h in zip(Kind.values, hours, strict=True)]


def _entry(entry: Entry) -> dict[str, Any]:
    return {
        "date": entry.day,
        "kind": entry.kind,
        "minutes": entry.minutes,
        "source": entry.source,
        "description": entry.description,
    }


def _ledger(supporter: Supporter, year: int) -> dict[str, Any]:
    data = queries.supporter_ledger(supporter, services.get_settings(supporter.program), year)
    return {
        "supporter": supporter.pk,
        "year": year,
        "hours": str(data["year_totals"].hours),
        "by_kind": _by_kind(data["year_totals"].hours_by_kind()),
        "goal_hours": data["goal"],
        "people_supported": data["people_year"],
        "months": [
            {"month": f"{row.month:%Y-%m}", "hours": str(row.totals.hours), "by_kind": _by_kind(row.hours_by_kind)}
            for row in data["rows"]
        ],
        "entries": [_entry(e) for e in data["year_entries"]],
    }


@router.get("/{program}/hours/me", response={200: LedgerOut, **ERRORS})
def my_hours(request: ApiRequest, program: str, year: Query[YearIn]) -> dict[str, Any]:
    """The caller's own ledger in a year: hours by kind and month, people supported, every entry."""
    membership = require(request, program, "hours.own")
    try:
        supporter = own_supporter_record(membership.program, request.auth)
    except Http404 as error:
        raise HttpError(404, _("Not found.")) from error
    return _ledger(supporter, year.year)


@router.get("/{program}/hours/supporters", response={200: paged(LedgerRowOut), **ERRORS})
def ledgers(request: ApiRequest, program: str, year: Query[YearIn], page: Query[PageIn]) -> dict[str, Any]:
    """Each visible supporter's hours by kind in a year (serving or having served), by name."""
    membership = require(request, program, "hours.view_ledgers")
    people = (
        access.ledgers_visible_to(membership, request.auth)
        .filter(stage__in=services.LOGGING_STAGES)
        .order_by("full_name", "id")
    )
    shown = list(people[page.offset : page.offset + page.limit])
    settings = services.get_settings(membership.program)
    rows = queries.ledger_rows(membership.program, shown, settings, year.year, people)
    return {
        "count": people.count(),
        "items": [
            {
                "supporter": row.supporter.pk,
                "full_name": row.supporter.full_name,
                "hours": str(row.totals.hours),
                "by_kind": _by_kind(row.totals.hours_by_kind()),
            }
            for row in rows
        ],
    }


@router.get("/{program}/hours/supporters/{supporter}", response={200: LedgerOut, **ERRORS})
def ledger(request: ApiRequest, program: str, supporter: Id, year: Query[YearIn]) -> dict[str, Any]:
    """One visible supporter's ledger in a year, as /hours/me gives the caller's own."""
    membership = require(request, program, "hours.view_ledgers")
    person = access.ledgers_visible_to(membership, request.auth).select_related("program").filter(pk=supporter).first()
    if person is None:
        raise HttpError(404, _("Not found."))
    return _ledger(person, year.year)
