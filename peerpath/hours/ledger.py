"""A supporter's service ledger, read from the records each area already keeps.

Computed on read, never stored. Each source below is one query over records another app owns
(contacts logged in support, supervision meetings in care, training sessions taught, group
sessions facilitated) or over the approved "other duties" this app keeps, and each entry it
gives carries the key of the record it came from. Why on read:

- nothing is typed twice and nothing can drift: a corrected contact, a meeting's changed length
  or an attendee removed shows in the ledger at once, with no copy to keep in step;
- an erased participant's contacts leave every ledger with them, as they leave support's own
  pages (support keeps only anonymous counts, `ErasureTally`);
- a page costs one query per source whatever the size of the program (the sources are few and
  fixed; group sessions take the groups app's four), so the query-bound crawl holds.

Minutes are whole numbers throughout; hours are shown with two decimals.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from peerpath.care.models import MeetingKind, SupervisionMeeting
from peerpath.groups.queries import sessions_held
from peerpath.hours.models import DutyStatus, Kind, OtherDuty
from peerpath.hours.services import get_settings
from peerpath.programs.models import Program
from peerpath.recruitment.models import Supporter
from peerpath.support.models import Channel, Contact
from peerpath.training.models import TrainingSession

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

SupervisionAttendance = SupervisionMeeting.attendees.through


@dataclass(frozen=True)
class Entry:
    """One line of a ledger: who, when, how long, what kind, and the record it came from."""

    supporter_id: int
    day: dt.date
    minutes: int
    kind: str
    source: str  # the record's key, e.g. "support.contact:12" (unique within a program)
    description: str  # where it came from, in words
    url: str = ""  # the record's page, where there is one every reader of the ledger may open
    participant_id: int | None = None  # one-to-one work: the participant supported
    group_id: int | None = None  # group work: the group
    members: tuple[int, ...] = ()  # group work: the participants (registered members) present
    drop_ins: int = 0  # group work: drop-ins counted, without names
    areas: tuple[str, ...] = ()  # group work: the group's lived-experience areas

    @property
    def kind_label(self) -> str:
        return str(Kind(self.kind).label)

    @property
    def hours(self) -> Decimal:
        return as_hours(self.minutes)


@dataclass(frozen=True)
class Scope:
    """Which entries to read: a program, optionally some supporters (their ids, or a query of
    them) and an inclusive date range; ``members`` False leaves out who was present at group
    sessions (a reader that only sums hours need not read every attendance)."""

    program: Program
    supporter_ids: Collection[int] | QuerySet[Any, Any] | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    members: bool = True


type SourceReader = Callable[[Scope], Iterable[Entry]]


@dataclass(frozen=True)
class Source:
    key: str
    label: StrOrPromise
    read: SourceReader
    summed: bool | None = None  # True: `minutes_by_supporter` sums it in the database


def as_hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / Decimal(60)).quantize(Decimal("0.01"))


def _dated(q: Q, name: str, scope: Scope) -> Q:
    if scope.start is not None:
        q &= Q(**{f"{name}__gte": scope.start})
    if scope.end is not None:
        q &= Q(**{f"{name}__lte": scope.end})
    return q


def _moments(q: Q, name: str, scope: Scope) -> Q:
    """The same range on a date-time field, in the program's time zone."""
    if scope.start is not None:
        q &= Q(**{f"{name}__gte": timezone.make_aware(dt.datetime.combine(scope.start, dt.time.min))})
    if scope.end is not None:
        end = scope.end + dt.timedelta(days=1)
        q &= Q(**{f"{name}__lt": timezone.make_aware(dt.datetime.combine(end, dt.time.min))})
    return q


# --- the sources -----------------------------------------------------------------------------


def contacts(scope: Scope) -> Iterable[Entry]:
    """One-to-one support: contacts that reached the participant, for the minutes logged. An
    attempt that did not reach them, or a contact logged without its length, adds no hours."""
    q = _dated(Q(program=scope.program, reached=True, duration_minutes__gt=0), "contacted_on", scope)
    if scope.supporter_ids is not None:
        q &= Q(relationship__supporter_id__in=scope.supporter_ids)
    rows = Contact.objects.filter(q).values_list(
        "pk",
        "relationship__supporter_id",
        "contacted_on",
        "duration_minutes",
        "channel",
        "relationship_id",
        "relationship__participant_id",
    )
    # Labels and the sentence translated once, not for each of thousands of rows.
    channels = {value: str(label) for value, label in Channel.choices}
    with_participant = gettext("%(channel)s with %(participant)s")
    for pk, supporter_id, day, minutes, channel, relationship_id, participant_id in rows:
        yield Entry(
            supporter_id=supporter_id,
            day=day,
            minutes=minutes or 0,
            kind=Kind.ONE_TO_ONE,
            source=f"support.contact:{pk}",
            description=with_participant
            % {"channel": channels.get(channel, channel), "participant": f"P-{participant_id:04d}"},
            url=reverse("support:relationship", args=[scope.program.slug, relationship_id]),
            participant_id=participant_id,
        )


def supervision(scope: Scope) -> Iterable[Entry]:
    """Supervision received: each meeting's length, for every supporter who attended it."""
    q = _dated(Q(supervisionmeeting__program=scope.program), "supervisionmeeting__held_on", scope)
    if scope.supporter_ids is not None:
        q &= Q(supporter_id__in=scope.supporter_ids)
    rows = SupervisionAttendance.objects.filter(q).values_list(
        "supervisionmeeting_id",
        "supporter_id",
        "supervisionmeeting__held_on",
        "supervisionmeeting__duration_minutes",
        "supervisionmeeting__kind",
        "supervisionmeeting__supervisor__full_name",
    )
    # Labels and sentences translated once, not for each of the year's attendances.
    kinds = {value: str(label).lower() for value, label in MeetingKind.choices}
    with_supervisor, alone = gettext("Supervision (%(kind)s) with %(supervisor)s"), gettext("Supervision (%(kind)s)")
    for pk, supporter_id, day, minutes, kind, supervisor in rows:
        what = kinds[kind] if kind in kinds else str(kind).lower()
        yield Entry(
            supporter_id=supporter_id,
            day=day,
            minutes=minutes,
            kind=Kind.SUPERVISION,
            source=f"care.supervision:{pk}",
            description=(
                with_supervisor % {"kind": what, "supervisor": supervisor} if supervisor else alone % {"kind": what}
            ),
        )


def training_delivered(scope: Scope) -> Iterable[Entry]:
    """Training delivered: the course sessions (held, not cancelled) of the cohorts a supporter
    teaches, for each session's length. Trainers are accounts; a trainer counts here when that
    account is also a supporter's in the program."""
    people = Supporter.objects.filter(program=scope.program, user__isnull=False)
    if scope.supporter_ids is not None:
        people = people.filter(pk__in=scope.supporter_ids)
    teachers = dict(people.values_list("user_id", "pk"))
    if not teachers:
        return
    q = Q(program=scope.program, cohort__isnull=False, is_cancelled=False, starts_at__lte=timezone.now())
    q &= Q(cohort__trainers__in=people.values("user_id"))  # a subquery: hundreds of ids cost more to bind
    rows = TrainingSession.objects.filter(_moments(q, "starts_at", scope)).values_list(
        "pk", "title", "starts_at", "ends_at", "cohort__name", "cohort__trainers"
    )
    taught = gettext("Taught “%(title)s” (%(cohort)s)")
    for pk, title, starts_at, ends_at, cohort, trainer in rows:
        minutes = max(0, int((ends_at - starts_at).total_seconds() // 60))
        if minutes:
            yield Entry(
                supporter_id=teachers[trainer],
                day=timezone.localtime(starts_at).date(),
                minutes=minutes,
                kind=Kind.TRAINING,
                source=f"training.session:{pk}",
                description=taught % {"title": title, "cohort": cohort},
            )


def group_sessions(scope: Scope) -> Iterable[Entry]:
    """Group sessions facilitated (held, attendance taken): each session's length plus the
    program's preparation time, for every facilitator (lead, co-facilitators, or whoever took
    the cover). Sessions of the kinds the hours settings name as information sessions and
    outreach count under that kind; the others as group sessions."""
    settings = get_settings(scope.program)
    outreach = {name.casefold() for name in settings.outreach_kinds}
    wanted = None if scope.supporter_ids is None else set(_ids(scope.supporter_ids))
    facilitated = gettext("Facilitated “%(group)s” (%(minutes)s min + %(preparation)s min preparation)")
    for held in sessions_held(scope.program, scope.start, scope.end, members=scope.members):
        kind = Kind.OUTREACH if held.kind.casefold() in outreach else Kind.GROUP
        for supporter_id in held.facilitator_ids:
            if wanted is not None and supporter_id not in wanted:
                continue
            yield Entry(
                supporter_id=supporter_id,
                day=timezone.localtime(held.starts_at).date(),
                minutes=held.duration_minutes + settings.group_preparation_minutes,
                kind=kind,
                source=f"groups.session:{held.session_id}",
                description=facilitated
                % {
                    "group": held.group_name,
                    "minutes": held.duration_minutes,
                    "preparation": settings.group_preparation_minutes,
                },
                group_id=held.group_id,
                members=held.member_participant_ids,
                drop_ins=held.first_time_drop_ins + held.returning_drop_ins,
                areas=held.area_names,
            )


def other_duties(scope: Scope) -> Iterable[Entry]:
    """Other duties the supporter logged, once a coordinator approved them."""
    q = _dated(Q(program=scope.program, status=DutyStatus.APPROVED), "date", scope)
    if scope.supporter_ids is not None:
        q &= Q(supporter_id__in=scope.supporter_ids)
    rows = OtherDuty.objects.filter(q).values_list(
        "pk", "supporter_id", "date", "minutes", "kind", "title", "reviewed_by__full_name"
    )
    approved_by, approved, logged = (
        gettext(", approved by %(reviewer)s"),
        gettext(", approved"),
        gettext("Logged: %(title)s%(approved)s"),
    )
    for pk, supporter_id, day, minutes, kind, title, reviewer in rows:
        by = approved_by % {"reviewer": reviewer} if reviewer else approved
        yield Entry(
            supporter_id=supporter_id,
            day=day,
            minutes=minutes,
            kind=kind,
            source=f"hours.duty:{pk}",
            description=logged % {"title": title, "approved": by},
        )


SOURCES: list[Source] = [
    Source("contacts", _("Contacts logged in support"), contacts, summed=True),
    Source("supervision", _("Supervision meetings logged in care"), supervision, summed=True),
    Source("training", _("Course sessions taught"), training_delivered),
    Source("groups", _("Group sessions facilitated"), group_sessions),
    Source("duties", _("Other duties, approved"), other_duties, summed=True),
]


def entries(scope: Scope) -> list[Entry]:
    """Every entry in scope, oldest first; one query per source."""
    found = [entry for source in SOURCES for entry in source.read(scope)]
    found.sort(key=lambda e: (e.day, e.kind, e.source))
    return found


# --- summing ---------------------------------------------------------------------------------


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


@dataclass
class Totals:
    """Minutes per kind (and their sum), as a ledger table's row shows them."""

    minutes: dict[str, int] = field(default_factory=dict)

    def add(self, entry: Entry) -> None:
        self.minutes[entry.kind] = self.minutes.get(entry.kind, 0) + entry.minutes

    @property
    def total(self) -> int:
        return sum(self.minutes.values())

    @property
    def hours(self) -> Decimal:
        return as_hours(self.total)

    def hours_by_kind(self) -> list[Decimal]:
        """Hours of each kind, in the order of `Kind`."""
        return [as_hours(self.minutes.get(kind, 0)) for kind in Kind.values]


def by_supporter(found: Iterable[Entry]) -> dict[int, Totals]:
    totals: dict[int, Totals] = defaultdict(Totals)
    for entry in found:
        totals[entry.supporter_id].add(entry)
    return totals


def by_month(found: Iterable[Entry]) -> dict[dt.date, Totals]:
    totals: dict[dt.date, Totals] = defaultdict(Totals)
    for entry in found:
        totals[month_of(entry.day)].add(entry)
    return totals


def people_supported(found: Iterable[Entry]) -> set[int]:
    """The participants reached in one-to-one work among the entries."""
    return {e.participant_id for e in found if e.participant_id is not None}


def everyone_reached(found: Iterable[Entry]) -> set[int]:
    """The participants reached one-to-one or as members present at a group session."""
    found = list(found)
    return people_supported(found) | group_members_reached(found)


def group_members_reached(found: Iterable[Entry]) -> set[int]:
    """The participants present (as registered members) at the group sessions among the entries."""
    return {pk for e in found for pk in e.members}


def _ids(ids: Collection[int] | QuerySet[Any, Any]) -> set[int]:
    """Supporter ids as a set (one query when they are given as a query)."""
    return set(ids.values_list("pk", flat=True)) if isinstance(ids, QuerySet) else set(ids)


def minutes_by_supporter(program: Program) -> dict[int, int]:
    """Each supporter's minutes of service, all time (recognition milestones by hours).

    The same sources as `entries`, summed by the database where a source's minutes are a
    column (so the home page's milestones do not read every contact ever logged); course
    sessions taught are few and read as entries. One query per source.
    """
    found: dict[int, int] = defaultdict(int)
    sums = [
        Contact.objects.filter(program=program, reached=True, duration_minutes__gt=0)
        .values_list("relationship__supporter_id")
        .annotate(n=Sum("duration_minutes")),
        SupervisionAttendance.objects.filter(supervisionmeeting__program=program)
        .values_list("supporter_id")
        .annotate(n=Sum("supervisionmeeting__duration_minutes")),
        OtherDuty.objects.filter(program=program, status=DutyStatus.APPROVED)
        .values_list("supporter_id")
        .annotate(n=Sum("minutes")),
    ]
    for rows in sums:
        for supporter_id, minutes in rows:
            found[supporter_id] += minutes or 0
    for source in SOURCES:
        if source.summed is None:
            for entry in source.read(Scope(program)):
                found[entry.supporter_id] += entry.minutes
    return dict(found)


def hours_by_supporter(program: Program) -> dict[int, int]:
    """Each supporter's whole hours of service, all time."""
    return {pk: minutes // 60 for pk, minutes in minutes_by_supporter(program).items()}
