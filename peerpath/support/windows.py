"""The time windows every page, digest and reminder uses: defined once, from the program's settings.

* **Unreachable**: at least N attempts that did not reach the participant within the last D
  days (counting the day D days ago), and no attempt in those days that did (default 3
  over 14 days).
* **Quiet**: nothing logged at all (neither contact nor attempt) for N days since the last
  contact, or since the relationship started (default 21).
* **Follow-up due / overdue**: the follow-up date set at the latest contact that set one has
  come (due), or is more than the grace days past (overdue). A later contact that reached
  the participant settles it (or sets the next one); a failed attempt leaves it standing
  unless it sets a new date.

Each is a filter on `tracked_relationships`, a queryset of the working (active or closing)
relationships annotated in one SQL statement, so a page costs one query whatever the caseload.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Count, DateField, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.translation import ngettext_lazy

from peerpath.core.languages import later
from peerpath.programs.models import Program
from peerpath.support.defaults import get_settings
from peerpath.support.models import WORKING_STATES, Contact, SupportRelationship

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class Tracked(TypedDict):
    """What `tracked_relationships` adds to each relationship."""

    last_contact_on: dt.date | None
    failed_recently: int
    reached_recently: int
    next_follow_up: dt.date | None
    quiet_since: dt.date


# The working relationships with the annotations the windows read.
type TrackedRows = QuerySet[WithAnnotations[SupportRelationship, Tracked]]


@dataclass(frozen=True)
class Windows:
    unreachable_attempts: int
    unreachable_days: int
    quiet_days: int
    followup_grace_days: int
    today: dt.date

    @classmethod
    def for_program(cls, program: Program, today: dt.date | None = None) -> Windows:
        row = get_settings(program)
        return cls(
            unreachable_attempts=row.unreachable_attempts,
            unreachable_days=row.unreachable_days,
            quiet_days=row.quiet_days,
            followup_grace_days=row.followup_grace_days,
            today=today or timezone.localdate(),
        )

    @property
    def unreachable_from(self) -> dt.date:
        return self.today - dt.timedelta(days=self.unreachable_days)

    @property
    def quiet_before(self) -> dt.date:
        return self.today - dt.timedelta(days=self.quiet_days)

    @property
    def overdue_before(self) -> dt.date:
        return self.today - dt.timedelta(days=self.followup_grace_days)

    def describe(self) -> dict[str, str]:
        """The three rules in words, read in the language of whoever reads them (a digest made by a
        task is rendered in each coordinator's language)."""
        return {
            "unreachable": later(
                ngettext_lazy(
                    "%(attempts)s attempts without reaching them in %(days)s day",
                    "%(attempts)s attempts without reaching them in %(days)s days",
                    "days",
                ),
                attempts=self.unreachable_attempts,
                days=self.unreachable_days,
            ),
            "quiet": later(
                ngettext_lazy("nothing logged for %(days)s day", "nothing logged for %(days)s days", "days"),
                days=self.quiet_days,
            ),
            "overdue": later(
                ngettext_lazy(
                    "follow-up more than %(days)s day past its date",
                    "follow-up more than %(days)s days past its date",
                    "days",
                ),
                days=self.followup_grace_days,
            ),
        }


def tracked_relationships(program: Program, windows: Windows) -> TrackedRows:
    """Working relationships with what the windows need, annotated in one statement.

    Each figure is a subquery on the relationship's own contacts (the index on relationship and
    date), not a join grouped by relationship: grouped by every column the lists select, the
    join led PostgreSQL to read every relationship of every program at full scale."""
    contacts = Contact.objects.filter(relationship=OuterRef("pk")).order_by()
    latest = contacts.filter(Q(next_follow_up__isnull=False) | Q(reached=True)).order_by("-contacted_on", "-id")
    recent = contacts.filter(contacted_on__gte=windows.unreachable_from)

    def counted(rows: QuerySet[Contact]) -> Coalesce:
        found = rows.values("relationship").annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(found, output_field=IntegerField()), Value(0))

    return (
        SupportRelationship.objects.filter(program=program, state__in=WORKING_STATES)
        .select_related("participant", "supporter", "supporter__user")
        .annotate(
            last_contact_on=Subquery(contacts.order_by("-contacted_on").values("contacted_on")[:1]),
            failed_recently=counted(recent.filter(reached=False)),
            reached_recently=counted(recent.filter(reached=True)),
            next_follow_up=Subquery(latest.values("next_follow_up")[:1]),
            quiet_since=Coalesce(
                F("last_contact_on"), Cast("activated_at", DateField()), Cast("proposed_at", DateField())
            ),
        )
        .order_by("next_follow_up", "id")
    )


def rules(windows: Windows) -> dict[str, Q]:
    """Each window as a condition on the annotated relationships (see `tracked_relationships`):
    the lists filter by it and `summary` counts by it."""
    return {
        "unreachable": Q(failed_recently__gte=windows.unreachable_attempts, reached_recently=0),
        "quiet": Q(quiet_since__lt=windows.quiet_before),
        # A follow-up whose date has come but that is not yet overdue.
        "due": Q(next_follow_up__lte=windows.today, next_follow_up__gte=windows.overdue_before),
        "overdue": Q(next_follow_up__lt=windows.overdue_before),
    }


def unreachable(rows: TrackedRows, windows: Windows) -> TrackedRows:
    return rows.filter(rules(windows)["unreachable"])


def quiet(rows: TrackedRows, windows: Windows) -> TrackedRows:
    return rows.filter(rules(windows)["quiet"])


def followups_due(rows: TrackedRows, windows: Windows) -> TrackedRows:
    """Follow-ups whose date has come but that are not yet overdue."""
    return rows.filter(rules(windows)["due"])


def followups_overdue(rows: TrackedRows, windows: Windows) -> TrackedRows:
    return rows.filter(rules(windows)["overdue"])


def flags_for(relationship: Any, windows: Windows) -> list[str]:
    """The window flags of one annotated relationship, for showing beside it."""
    flags = []
    if relationship.failed_recently >= windows.unreachable_attempts and relationship.reached_recently == 0:
        flags.append("unreachable")
    if relationship.quiet_since and relationship.quiet_since < windows.quiet_before:
        flags.append("quiet")
    if relationship.next_follow_up:
        if relationship.next_follow_up < windows.overdue_before:
            flags.append("overdue")
        elif relationship.next_follow_up <= windows.today:
            flags.append("due")
    return flags


def summary(program: Program, windows: Windows, rows: TrackedRows | None = None) -> dict[str, Any]:
    """Counts for digests and panels."""
    rows = rows if rows is not None else tracked_relationships(program, windows)
    # One pass over the annotated relationships instead of one query per count: each pass
    # aggregates every working relationship's contacts.
    return rows.order_by().aggregate(**{name: Count("pk", filter=rule) for name, rule in rules(windows).items()})
