"""What the groups pages show, and what later apps read (the service-hours ledger reads
`sessions_held`). A fixed number of queries each, whatever the number of groups or members."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from peerpath.groups.models import (
    Attendance,
    Audience,
    CoverRequest,
    CoverStatus,
    Group,
    GroupMember,
    GroupSession,
    MemberStatus,
    Rsvp,
    SessionStatus,
)
from peerpath.programs.models import Program
from peerpath.recruitment.models import Supporter
from peerpath.support.models import Participant, ParticipantStatus, SupportWanted


def groups_with_counts(rows: QuerySet[Group]) -> list[Group]:
    """Groups with their kind, lead, co-facilitators, member count and next session."""
    now = timezone.now()
    groups: list[Group] = list(
        rows.select_related("kind", "lead")
        .prefetch_related("co_facilitators")
        .annotate(
            member_count=Count("members", filter=Q(members__status=MemberStatus.ACTIVE), distinct=True),
            request_count=Count("members", filter=Q(members__status=MemberStatus.REQUESTED), distinct=True),
        )
        .order_by("-is_active", "name", "pk")
    )
    upcoming: dict[int, GroupSession] = {}
    for session in GroupSession.objects.filter(
        group__in=[g.pk for g in groups], status=SessionStatus.SCHEDULED, starts_at__gte=now
    ).order_by("group_id", "starts_at"):
        upcoming.setdefault(session.group_id, session)
    for group in groups:
        group.next_session = upcoming.get(group.pk)  # type: ignore[attr-defined]
    return groups


def sessions_of(group: Group, *, upcoming: bool, limit: int = 12) -> list[GroupSession]:
    now = timezone.now()
    rows = GroupSession.objects.filter(group=group).annotate(
        present=Count("attendance", distinct=True),
        open_cover=Count("cover_requests", filter=Q(cover_requests__status=CoverStatus.OPEN), distinct=True),
    )
    if upcoming:
        return list(rows.filter(starts_at__gte=now - dt.timedelta(hours=12)).order_by("starts_at")[:limit])
    return list(rows.filter(starts_at__lt=now - dt.timedelta(hours=12)).order_by("-starts_at")[:limit])


def members_of(group: Group) -> list[GroupMember]:
    """Members and requests (not those who left), with their participant record."""
    return list(
        GroupMember.objects.filter(group=group)
        .exclude(status=MemberStatus.LEFT)
        .select_related("participant")
        .annotate(sessions_attended=Count("attendance"))
        .order_by("status", "joined_on", "pk")
    )


def waiting_for_a_group(program: Program) -> list[Participant]:
    """Participants who asked for a group (or both) whose support has not ended and who are not
    yet in one (as a member or a request), longest waiting first."""
    in_a_group = GroupMember.objects.filter(
        participant=OuterRef("pk"), status__in=[MemberStatus.ACTIVE, MemberStatus.REQUESTED]
    )
    return list(
        Participant.objects.filter(program=program, support_wanted__in=[SupportWanted.GROUP, SupportWanted.BOTH])
        .exclude(status=ParticipantStatus.ENDED)
        .exclude(Exists(in_a_group))
        .prefetch_related("focus_areas")
        .order_by("waiting_since", "pk")
    )


def my_groups(supporter: Supporter) -> list[Group]:
    rows = Group.objects.filter(Q(lead=supporter) | Q(co_facilitators=supporter), is_active=True).distinct()
    return groups_with_counts(Group.objects.filter(pk__in=rows.values("pk")))


def my_sessions(supporter: Supporter, *, days: int = 35) -> list[GroupSession]:
    """Sessions a supporter facilitates in the coming weeks (their groups, and cover taken),
    with any cover they asked for."""
    now = timezone.now()
    groups = Group.objects.filter(Q(lead=supporter) | Q(co_facilitators=supporter)).values("pk")
    covered = CoverRequest.objects.filter(taken_by=supporter, status=CoverStatus.TAKEN).values("session_id")
    return list(
        GroupSession.objects.filter(
            Q(group__in=groups) | Q(pk__in=covered),
            starts_at__gte=now - dt.timedelta(hours=12),
            starts_at__lte=now + dt.timedelta(days=days),
        )
        .select_related("group__kind")
        .prefetch_related(
            Prefetch(
                "cover_requests",
                queryset=CoverRequest.objects.filter(facilitator=supporter, status=CoverStatus.OPEN),
                to_attr="my_open_cover",
            )
        )
        .order_by("starts_at")
    )


def sessions_awaiting_attendance(supporter: Supporter) -> list[GroupSession]:
    """Sessions that have started, in the last four weeks, whose attendance is not taken yet."""
    now = timezone.now()
    groups = Group.objects.filter(Q(lead=supporter) | Q(co_facilitators=supporter)).values("pk")
    return list(
        GroupSession.objects.filter(
            group__in=groups,
            group__kind__audience=Audience.PARTICIPANTS,
            status=SessionStatus.SCHEDULED,
            starts_at__lte=now,
            starts_at__gte=now - dt.timedelta(days=28),
        )
        .select_related("group")
        .order_by("starts_at")
    )


def upcoming_events(program: Program, supporter: Supporter | None, *, days: int = 120) -> list[GroupSession]:
    """Sessions of events for supporters in the coming months, with the supporter's answer and
    the number going."""
    now = timezone.now()
    rows: list[GroupSession] = list(
        GroupSession.objects.filter(
            group__program=program,
            group__is_active=True,
            group__kind__audience=Audience.SUPPORTERS,
            starts_at__gte=now,
            starts_at__lte=now + dt.timedelta(days=days),
        )
        .select_related("group__kind")
        .annotate(going=Count("rsvps", filter=Q(rsvps__answer="yes")))
        .order_by("starts_at")
    )
    answers: dict[int, str] = {}
    if supporter is not None and rows:
        answers = dict(
            Rsvp.objects.filter(supporter=supporter, session__in=[s.pk for s in rows]).values_list(
                "session_id", "answer"
            )
        )
    for session in rows:
        session.my_answer = answers.get(session.pk, "")  # type: ignore[attr-defined]
    return rows


def public_groups(program: Program) -> list[Group]:
    """Listed, active groups for participants that take members or drop-ins, with their next session."""
    return groups_with_counts(
        Group.objects.filter(program=program, listed=True, is_active=True, kind__audience=Audience.PARTICIPANTS)
    )


def attendance_of(session: GroupSession) -> set[int]:
    return set(Attendance.objects.filter(session=session).values_list("member_id", flat=True))


# --- For the service-hours ledger (and any later reader) ------------------------------------------


@dataclass(frozen=True)
class HeldSession:
    """One session that was held: when, how long, who facilitated, who came (counts only)."""

    session_id: int
    group_id: int
    group_name: str
    kind: str
    audience: str
    starts_at: dt.datetime
    duration_minutes: int
    facilitator_ids: tuple[int, ...]
    members_present: int
    member_participant_ids: tuple[int, ...]
    first_time_drop_ins: int
    returning_drop_ins: int
    area_names: tuple[str, ...] = ()  # the group's lived-experience areas, in the program's order


def sessions_held(
    program: Program, start: dt.date | None = None, end: dt.date | None = None, members: bool = True
) -> list[HeldSession]:
    """Every session held in the program (attendance taken), optionally between two local dates
    (inclusive): its length, facilitators (pathway record ids, cover included), the participant
    ids of members present, drop-ins counted (first time / returning) and the group's
    lived-experience areas. Four queries (three with ``members`` False: no member is read, and
    each session shows none present; one when none was held)."""
    rows = GroupSession.objects.filter(group__program=program, status=SessionStatus.HELD)
    tz = timezone.get_current_timezone()
    if start is not None:
        rows = rows.filter(starts_at__gte=dt.datetime.combine(start, dt.time.min, tzinfo=tz))
    if end is not None:
        rows = rows.filter(starts_at__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
    # Plain rows, not model instances: a program holds hundreds of sessions a year, and the
    # funder report reads them all on a dashboard's first view.
    sessions = list(
        rows.order_by("starts_at", "pk").values_list(
            "pk",
            "group_id",
            "group__name",
            "group__kind__name",
            "group__kind__audience",
            "starts_at",
            "duration_minutes",
            "first_time_drop_ins",
            "returning_drop_ins",
        )
    )
    if not sessions:
        return []
    # The sessions as a subquery, not a list of hundreds of ids: binding those costs more than the query.
    ids = rows.values("pk")
    facilitators: dict[int, list[int]] = {}
    for session_id, supporter_id in GroupSession.facilitators.through.objects.filter(
        groupsession_id__in=ids
    ).values_list("groupsession_id", "supporter_id"):
        facilitators.setdefault(session_id, []).append(supporter_id)
    areas: dict[int, list[str]] = {}
    for group_id, name in (
        Group.focus_areas.through.objects.filter(group_id__in=rows.values("group_id"))
        .order_by("focusarea__position", "focusarea__name")
        .values_list("group_id", "focusarea__name")
    ):
        areas.setdefault(group_id, []).append(name)
    present: dict[int, list[int]] = {}
    attendance = Attendance.objects.filter(session_id__in=ids) if members else Attendance.objects.none()
    for session_id, participant_id in attendance.values_list("session_id", "member__participant_id"):
        present.setdefault(session_id, []).append(participant_id)
    return [
        HeldSession(
            session_id=pk,
            group_id=group_id,
            group_name=group_name,
            kind=kind,
            audience=audience,
            starts_at=starts_at,
            duration_minutes=duration,
            facilitator_ids=tuple(sorted(facilitators.get(pk, []))),
            members_present=len(present.get(pk, [])),
            member_participant_ids=tuple(sorted(present.get(pk, []))),
            first_time_drop_ins=first_time,
            returning_drop_ins=returning,
            area_names=tuple(areas.get(group_id, [])),
        )
        for pk, group_id, group_name, kind, audience, starts_at, duration, first_time, returning in sessions
    ]


def attendance_at_sessions_held(program: Program, start: dt.date, end: dt.date, audience: str) -> QuerySet[Attendance]:
    """Members present at the program's sessions held between two local dates (inclusive), at
    groups for ``audience``: the same sessions as `sessions_held`, for counting in the database."""
    tz = timezone.get_current_timezone()
    return Attendance.objects.filter(
        session__group__program=program,
        session__group__kind__audience=audience,
        session__status=SessionStatus.HELD,
        session__starts_at__gte=dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        session__starts_at__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )


def memberships_of(participant: Participant) -> list[GroupMember]:
    """A participant's groups (requests and past memberships too), with sessions attended."""
    return list(
        GroupMember.objects.filter(participant=participant)
        .select_related("group")
        .annotate(sessions_attended=Count("attendance"))
        .order_by("-joined_on", "pk")
    )


def participant_export(participant: Participant) -> list[dict[str, Any]]:
    """What groups hold about one participant, for their own export (a subject access request)."""
    attended: dict[int, list[str]] = {}
    for member_id, starts_at in Attendance.objects.filter(member__participant=participant).values_list(
        "member_id", "session__starts_at"
    ):
        attended.setdefault(member_id, []).append(timezone.localtime(starts_at).isoformat())
    return [
        {
            "group": m.group.name,
            "status": m.get_status_display(),
            "how_they_joined": m.get_source_display(),
            "joined_on": m.joined_on.isoformat() if m.joined_on else "",
            "left_on": m.left_on.isoformat() if m.left_on else "",
            "sessions_attended": sorted(attended.get(m.pk, [])),
        }
        for m in memberships_of(participant)
    ]


def feed_sessions(program: Program, owner: Any) -> list[GroupSession]:
    """For a person's own calendar feed: the sessions they facilitate (their groups and cover
    taken) and the events they said they are going to (or may), from 30 days back."""
    supporter = Supporter.objects.filter(program=program, user=owner).first()
    if supporter is None:
        return []
    since = timezone.now() - dt.timedelta(days=30)
    groups = Group.objects.filter(Q(lead=supporter) | Q(co_facilitators=supporter)).values("pk")
    covered = CoverRequest.objects.filter(taken_by=supporter, status=CoverStatus.TAKEN).values("session_id")
    going = Rsvp.objects.filter(supporter=supporter, answer__in=["yes", "maybe"]).values("session_id")
    return list(
        GroupSession.objects.filter(Q(group__in=groups) | Q(pk__in=covered) | Q(pk__in=going), starts_at__gte=since)
        .select_related("group")
        .order_by("starts_at")
    )


def concern_grounds(participant: Participant, supporter: Supporter) -> str:
    """Where a facilitator works with a participant outside a support relationship, for raising a
    concern about them (support.extensions): an active member of a group the supporter leads or
    co-facilitates, or of a group one of whose sessions they took as cover. The group's name, or
    "" when none. One query."""
    member = (
        GroupMember.objects.filter(
            participant=participant, status=MemberStatus.ACTIVE, group__program=supporter.program
        )
        .filter(
            Q(group__lead=supporter)
            | Q(group__co_facilitators=supporter)
            | Q(group__sessions__cover_requests__taken_by=supporter)
        )
        .select_related("group")
        .order_by("group__name")
        .first()
    )
    return str(_("Member of the group “%(name)s”") % {"name": member.group.name}) if member else ""
