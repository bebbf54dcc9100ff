"""Every change to groups: kinds, settings, groups and their series, sessions moved or
cancelled, members, attendance, notes and debriefs, cover and RSVPs. Each change is validated,
made in one transaction and audited; each function's docstring states its rule."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from peerpath.care.models import DebriefKind
from peerpath.care.services import debriefs as care_debriefs
from peerpath.certification import services as certification
from peerpath.certification.models import AssessmentStatus, CompetencyRating, Level
from peerpath.certification.queries import credential_standing
from peerpath.core import audit
from peerpath.core.actors import Actor, SystemActor
from peerpath.core.mail import queue_email
from peerpath.core.models import User
from peerpath.core.program_settings import ProgramSettings
from peerpath.groups.facilitation import facilitation_holds
from peerpath.groups.lifecycle import COVER, MEMBER, SESSION
from peerpath.groups.models import (
    Answer,
    Attendance,
    Audience,
    CoverRequest,
    CoverStatus,
    Group,
    GroupKind,
    GroupMember,
    GroupSession,
    GroupSettings,
    MemberSource,
    MemberStatus,
    Rsvp,
    SessionStatus,
)
from peerpath.groups.schedule import occurrences
from peerpath.notifications.services import tell
from peerpath.programs.models import FocusArea, Program
from peerpath.recruitment.models import Stage, Supporter
from peerpath.support.defaults import get_settings as support_settings
from peerpath.support.models import Participant, SupportWanted
from peerpath.support.notify import language_of
from peerpath.support.services import participants as support_participants
from peerpath.training.services import ce_subject_keys

SYSTEM = SystemActor("PeerPath (groups)")
PUBLIC_ACTOR = SystemActor("the participant, on the public groups page")

# What a new program starts with: the kinds of group the source material names.
DEFAULT_KINDS: list[tuple[str, str]] = [
    ("Peer support group", Audience.PARTICIPANTS),
    ("Recovery group", Audience.PARTICIPANTS),
    ("Education workshop", Audience.PARTICIPANTS),
    ("Information session", Audience.PARTICIPANTS),
    ("Outreach event", Audience.PARTICIPANTS),
    ("Social gathering", Audience.SUPPORTERS),
    ("Supporters' teleconference", Audience.SUPPORTERS),
    ("Supporters' own peer group", Audience.SUPPORTERS),
]

SETTINGS_FIELDS = [
    "public_listing",
    "public_intro",
    "facilitation_competency",
    "weeks_ahead",
    "ce_category",
    "ce_for_events",
    "ce_for_facilitating",
]
GROUP_FIELDS = [
    "kind",
    "name",
    "description",
    "frequency",
    "weekday",
    "nth",
    "starts_on",
    "ends_on",
    "start_time",
    "duration_minutes",
    "place",
    "online_url",
    "capacity",
    "admission",
    "listed",
    "lead",
    "is_active",
]
SERIES_FIELDS = {"frequency", "weekday", "nth", "starts_on", "ends_on", "start_time", "duration_minutes"}

_SETTINGS = ProgramSettings(GroupSettings, related="facilitation_competency")


def get_settings(program: Program) -> GroupSettings:
    """The program's group settings, created with the defaults on first use."""
    return _SETTINGS.get(program)


def _user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) else None


# --- Kinds and settings -------------------------------------------------------------------------


def seed_kinds(*, program: Program, actor: Actor = SYSTEM, **_ignored: Any) -> int:
    """Give a program the default kinds of group (idempotent: kinds it has are kept). Connected
    to ``program_created``; returns how many were added."""
    have = set(GroupKind.objects.filter(program=program).values_list("name", flat=True))
    new = [
        GroupKind(program=program, name=name, audience=audience, position=position)
        for position, (name, audience) in enumerate(DEFAULT_KINDS)
        if name not in have
    ]
    with transaction.atomic():
        GroupKind.objects.bulk_create(new)
        if new:
            audit.record(
                actor=actor,
                program=program,
                action="group_kind.seed",
                target_type="groups.groupkind",
                target_label=f"{len(new)} kinds of group",
            )
    return len(new)


def save_kind(*, actor: Actor, program: Program, kind: GroupKind | None, data: dict[str, Any]) -> GroupKind:
    """Add or rename a kind of group. Rules: a name, unique in the program; who it is for."""
    name = (data.get("name") or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the kind a name.")})
    if data.get("audience") not in Audience.values:
        raise ValidationError({"audience": _("Choose who this kind of group is for.")})
    clash = GroupKind.objects.filter(program=program, name__iexact=name)
    if kind is not None:
        clash = clash.exclude(pk=kind.pk)
    if clash.exists():
        raise ValidationError({"name": _("The program already has a kind with this name.")})
    with transaction.atomic():
        is_new = kind is None
        kind = kind or GroupKind(program=program)
        before = audit.snapshot(kind, ["name", "audience", "position", "is_active"])
        kind.name = name
        kind.audience = data["audience"]
        kind.position = int(data.get("position") or 0)
        kind.is_active = bool(data.get("is_active", True))
        kind.save()
        audit.record(
            actor=actor,
            program=program,
            action="group_kind.create" if is_new else "group_kind.update",
            target=kind,
            changes=audit.diff(before, audit.snapshot(kind, ["name", "audience", "position", "is_active"])),
        )
    return kind


def update_settings(*, actor: Actor, program: Program, data: dict[str, Any]) -> GroupSettings:
    """Change the program's group settings. Rules: the competency is the program's own; the
    series are laid out one to 52 weeks ahead; continuing-education credits name one of the
    program's CE categories."""
    row = get_settings(program)
    competency = data.get("facilitation_competency")
    if competency is not None and competency.program_id != program.pk:
        raise ValidationError({"facilitation_competency": _("Choose one of the program's competencies.")})
    weeks = int(data.get("weeks_ahead") or 0)
    if not 1 <= weeks <= 52:
        raise ValidationError({"weeks_ahead": _("Between 1 and 52 weeks.")})
    category = data.get("ce_category", row.ce_category) or ""
    if category and category not in ce_subject_keys(program):
        raise ValidationError({"ce_category": _("Choose one of the program's continuing-education categories.")})
    if (data.get("ce_for_events") or data.get("ce_for_facilitating")) and not category:
        raise ValidationError({"ce_category": _("Choose the category the hours are credited under.")})
    with transaction.atomic():
        before = audit.snapshot(row, SETTINGS_FIELDS)
        for name in SETTINGS_FIELDS:
            if name in data:
                setattr(row, name, data[name])
        row.save()
        audit.record(
            actor=actor,
            program=program,
            action="group_settings.update",
            target=row,
            changes=audit.diff(before, audit.snapshot(row, SETTINGS_FIELDS)),
        )
    return row


# --- Who may facilitate -------------------------------------------------------------------------


def eligible_facilitators(program: Program) -> list[Supporter]:
    """Supporters who may facilitate: active on the pathway with a login, credential current
    (certified, or provisionally when the program lets provisional supporters take matches),
    and, when the program requires a competency, rated competent or strong in it at their
    latest decided assessment; not held back by a registered check (`groups.facilitation`:
    a qualification required for facilitating has expired). A fixed number of queries."""
    candidates = list(
        Supporter.objects.filter(program=program, stage=Stage.ACTIVE, user__isnull=False).order_by("full_name")
    )
    if not candidates:
        return []
    standing = credential_standing(program, [s.pk for s in candidates])
    allowed = {"certified"} | ({"provisional"} if support_settings(program).allow_provisional else set())
    held = facilitation_holds(program, timezone.localdate())  # e.g. a required qualification expired
    chosen = [s for s in candidates if standing.get(s.pk) in allowed and s.pk not in held]
    competency_id = get_settings(program).facilitation_competency_id
    if competency_id is not None and chosen:
        latest: dict[int, str] = {}
        for supporter_id, level in (
            CompetencyRating.objects.filter(
                competency_id=competency_id,
                assessment__supporter_id__in=[s.pk for s in chosen],
                assessment__status=AssessmentStatus.DECIDED,
            )
            .order_by("assessment__supporter_id", "-assessment__decided_at", "-assessment_id")
            .values_list("assessment__supporter_id", "level")
        ):
            latest.setdefault(supporter_id, level)
        chosen = [s for s in chosen if latest.get(s.pk) in (Level.COMPETENT, Level.STRONG)]
    return chosen


# --- Groups and their series --------------------------------------------------------------------


def _validate_group(program: Program, data: dict[str, Any], co_facilitators: list[Supporter]) -> None:
    errors: dict[str, str] = {}
    kind = data.get("kind")
    if kind is None or kind.program_id != program.pk:
        errors["kind"] = _("Choose one of the program's kinds of group.")
    if not (data.get("name") or "").strip():
        errors["name"] = _("Give the group a name.")
    starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
    if starts_on is None:
        errors["starts_on"] = _("Give the date of the first session.")
    elif ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = _("The series cannot end before it starts.")
    if not 15 <= int(data.get("duration_minutes") or 0) <= 720:
        errors["duration_minutes"] = _("Between 15 minutes and 12 hours.")
    if data.get("capacity") is not None and int(data["capacity"]) < 1:
        errors["capacity"] = _("At least one place, or leave it empty for no limit.")
    if not (data.get("place") or "").strip() and not (data.get("online_url") or "").strip():
        errors["place"] = _("Say where it meets, or give the online link.")
    eligible = {s.pk for s in eligible_facilitators(program)}
    lead = data.get("lead")
    if lead is not None and (lead.program_id != program.pk or lead.pk not in eligible):
        errors["lead"] = _("Choose a supporter whose credential is current (and who may facilitate).")
    if any(s.program_id != program.pk or s.pk not in eligible for s in co_facilitators):
        errors["co_facilitators"] = _("Co-facilitators must be supporters whose credential is current.")
    elif lead is not None and lead in co_facilitators:
        errors["co_facilitators"] = _("The lead is not also a co-facilitator.")
    if errors:
        raise ValidationError(errors)


def save_group(
    *,
    actor: Actor,
    program: Program,
    group: Group | None,
    data: dict[str, Any],
    co_facilitators: Iterable[Supporter] = (),
    focus_areas: Iterable[FocusArea] | None = None,
) -> Group:
    """Create or edit a group and lay out its series.

    Rules: a kind of this program, a name, a first date, a length of 15 minutes to 12 hours, a
    place or an online link; the lead and co-facilitators are eligible facilitators and the lead
    is not also a co-facilitator; the lived-experience areas (None: unchanged) are the
    program's. When the series changes, the sessions still to come that
    nobody moved, cancelled or held are laid out again; moved, cancelled and held ones stay.
    """
    co = list(co_facilitators)
    _validate_group(program, data, co)
    areas = None if focus_areas is None else list(focus_areas)
    if areas is not None and any(a.program_id != program.pk for a in areas):
        raise ValidationError({"focus_areas": _("Choose the program's own lived-experience areas.")})
    is_new = group is None
    group = group or Group(program=program)
    with transaction.atomic():
        before = {} if is_new else audit.snapshot(group, GROUP_FIELDS)
        series_changed = is_new or any(name in data and getattr(group, name) != data[name] for name in SERIES_FIELDS)
        for name in GROUP_FIELDS:
            if name in data:
                setattr(group, name, data[name])
        group.name = group.name.strip()
        group.updated_at = timezone.now()
        group.save()
        group.co_facilitators.set(co)
        areas_before = [] if is_new else sorted(a.name for a in group.focus_areas.all())
        if areas is not None:
            group.focus_areas.set(areas)
        areas_after = sorted(a.name for a in areas) if areas is not None else areas_before
        if series_changed and not is_new:
            _untouched_future(group).delete()
        lay_out(group)
        audit.record(
            actor=actor,
            program=program,
            action="group.create" if is_new else "group.update",
            target=group,
            changes={
                **audit.diff(before, audit.snapshot(group, GROUP_FIELDS)),
                "co_facilitators": [s.full_name for s in co],
                **({"focus_areas": [areas_before, areas_after]} if areas_before != areas_after else {}),
            },
        )
    return group


def _untouched_future(group: Group) -> Any:
    """Sessions of the series still to come that nobody moved, cancelled or held, and that were
    not added by hand (a queryset)."""
    from django.db.models import F

    return GroupSession.objects.filter(
        group=group,
        status=SessionStatus.SCHEDULED,
        starts_at__gt=timezone.now(),
        starts_at=F("planned_for"),
        is_extra=False,
    ).exclude(cover_requests__isnull=False)


def lay_out(group: Group, today: dt.date | None = None) -> int:
    """Create the series' sessions from today to the program's horizon that do not exist yet
    (idempotent); returns how many were added. An inactive group lays out nothing."""
    if not group.is_active:
        return 0
    today = today or timezone.localdate()
    weeks = get_settings(group.program).weeks_ahead
    start = today if group.starts_on <= today else group.starts_on
    moments = occurrences(group, start, start + dt.timedelta(weeks=weeks))
    have = set(GroupSession.objects.filter(group=group, planned_for__in=moments).values_list("planned_for", flat=True))
    new = [
        GroupSession(group=group, planned_for=m, starts_at=m, duration_minutes=group.duration_minutes)
        for m in moments
        if m not in have
    ]
    GroupSession.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def lay_out_all() -> int:
    """Extend every active group's series to its program's horizon (the daily job)."""
    added = 0
    for group in Group.objects.filter(is_active=True, program__is_active=True).select_related("program"):
        with transaction.atomic():
            added += lay_out(group)
    return added


def add_one_off_session(
    *, actor: Actor, group: Group, starts_at: dt.datetime, place: str = "", online_url: str = "", note: str = ""
) -> GroupSession:
    """An extra session outside the series (a make-up, a special evening).

    Rules: the group is running; the session is in the future; the group has no session at that
    very moment already (the series' own or another extra one). Those registered are e-mailed
    the note, as for a moved session; the group's calendar carries the new session.
    """
    if not group.is_active:
        raise ValidationError(_("This group is not running: start it again before adding a session."))
    if starts_at <= timezone.now():
        raise ValidationError({"starts_at": _("An extra session is in the future.")})
    if GroupSession.objects.filter(group=group).filter(Q(planned_for=starts_at) | Q(starts_at=starts_at)).exists():
        raise ValidationError({"starts_at": _("The group already has a session at that time.")})
    with transaction.atomic():
        session = GroupSession.objects.create(
            group=group,
            planned_for=starts_at,
            starts_at=starts_at,
            duration_minutes=group.duration_minutes,
            place=place.strip(),
            online_url=online_url.strip(),
            change_note=note.strip()[:500],
            is_extra=True,
        )
        audit.record(
            actor=actor,
            program=group.program,
            action="group_session.create",
            target=session,
            changes={"starts_at": ["", starts_at.isoformat()]},
            note=session.change_note,
        )
        _tell_registered(session, template="groups/email/session_added", note=session.change_note)
    return session


# --- Moving and cancelling one session ------------------------------------------------------------


def _tell_registered(session: GroupSession, *, template: str, note: str) -> None:
    """E-mail the session's change to the group's active members who gave an e-mail address
    (greeted without their name) and to its facilitators; events tell those who RSVPed yes or
    maybe. Queued in the caller's transaction."""
    group = session.group
    program = group.program
    context = {
        "program": program,
        "group": group,
        "session": session,
        "note": note,
        "when": timezone.localtime(session.starts_at),
        "was": timezone.localtime(session.planned_for),
    }
    readers: list[Supporter] = []
    if group.is_event:
        readers += [
            r.supporter
            for r in Rsvp.objects.filter(session=session, answer__in=[Answer.YES, Answer.MAYBE]).select_related(
                "supporter__user"
            )
        ]
    else:
        for member in GroupMember.objects.filter(group=group, status=MemberStatus.ACTIVE).select_related("participant"):
            if member.participant.email:
                queue_email(
                    to=member.participant.email,
                    template=template,
                    context={**context, "member": True},
                    language=language_of(member.participant),
                )
    facilitators = [group.lead, *group.co_facilitators.all()] if group.lead_id else list(group.co_facilitators.all())
    readers += [s for s in facilitators if s is not None]
    for person in sorted({s.pk: s for s in readers}.values(), key=lambda s: s.pk):
        tell(
            kind="groups.session_change",
            template=template,
            person=person,
            program=program,
            context={key: value for key, value in context.items() if key != "program"},
            url=session.get_absolute_url(),
            key=f"groups.session_change:{session.pk}:{session.sequence}:{template.rsplit('/', 1)[-1]}",
            reply_to=program.contact_email,
        )


def move_session(
    *, actor: Actor, session: GroupSession, starts_at: dt.datetime, place: str, online_url: str, note: str
) -> GroupSession:
    """Move one session (another time, place or link). Rules: a scheduled session; a note for
    those registered; the new time is in the future. Members and facilitators are e-mailed the
    note; subscribed calendars see the change (the sequence goes up)."""
    if session.status != SessionStatus.SCHEDULED:
        raise ValidationError(_("Only a scheduled session can be moved."))
    if not note.strip():
        raise ValidationError({"note": _("Write a short note for those registered.")})
    if starts_at <= timezone.now():
        raise ValidationError({"starts_at": _("Move it to a time still to come.")})
    with transaction.atomic():
        before = audit.snapshot(session, ["starts_at", "place", "online_url"])
        session.starts_at = starts_at
        session.place = place.strip()
        session.online_url = online_url.strip()
        session.change_note = note.strip()[:500]
        session.sequence += 1
        session.updated_at = timezone.now()
        session.save()
        audit.record(
            actor=actor,
            program=session.group.program,
            action="group_session.move",
            target=session,
            changes=audit.diff(before, audit.snapshot(session, ["starts_at", "place", "online_url"])),
            note=session.change_note,
        )
        _tell_registered(session, template="groups/email/session_moved", note=session.change_note)
    return session


def cancel_session(*, actor: Actor, session: GroupSession, note: str) -> GroupSession:
    """Cancel one session. Rules: a scheduled session; a note for those registered, who are
    e-mailed it; calendars show it cancelled."""
    if not note.strip():
        raise ValidationError({"note": _("Write a short note for those registered.")})
    SESSION.check(session, SessionStatus.CANCELLED)
    with transaction.atomic():
        SESSION.move(
            actor=actor,
            obj=session,
            to=SessionStatus.CANCELLED,
            note=note.strip()[:500],
            changes={"change_note": note.strip()[:500], "sequence": session.sequence + 1, "updated_at": timezone.now()},
        )
        _tell_registered(session, template="groups/email/session_cancelled", note=session.change_note)
    return session


def restore_session(*, actor: Actor, session: GroupSession, note: str = "") -> GroupSession:
    """Put a cancelled session back on. Rules: a cancelled session still to come (one whose time
    has passed stays cancelled); those registered are e-mailed that it takes place after all,
    with the note if one is given; calendars show it on again (the sequence goes up)."""
    SESSION.check(session, SessionStatus.SCHEDULED)
    if session.starts_at <= timezone.now():
        raise ValidationError(_("This session's time has passed: it stays cancelled."))
    note = note.strip()[:500]
    with transaction.atomic():
        SESSION.move(
            actor=actor,
            obj=session,
            to=SessionStatus.SCHEDULED,
            note=note,
            changes={"change_note": note, "sequence": session.sequence + 1, "updated_at": timezone.now()},
        )
        _tell_registered(session, template="groups/email/session_restored", note=note)
    return session


# --- Members ------------------------------------------------------------------------------------


def active_member_count(group: Group) -> int:
    return GroupMember.objects.filter(group=group, status=MemberStatus.ACTIVE).count()


def add_member(
    *, actor: Actor, group: Group, participant: Participant, source: str = MemberSource.STAFF
) -> GroupMember:
    """Register a participant in a group (from the waiting list, a request, or by staff).

    Rules: the same program; the group takes registrations and is active; not already a
    member; a place is free when the group has a capacity. A participant who left comes back.
    """
    if participant.program_id != group.program_id:
        raise ValidationError(_("The participant is not in this program."))
    if not group.is_active or not group.takes_members:
        raise ValidationError(_("This group does not take registrations."))
    existing = GroupMember.objects.filter(group=group, participant=participant).first()
    if existing is not None and existing.status == MemberStatus.ACTIVE:
        raise ValidationError(
            {"participant": _("%(reference)s is already a member.") % {"reference": participant.reference}}
        )
    if group.capacity is not None and active_member_count(group) >= group.capacity:
        raise ValidationError(_("The group is full (%(capacity)s places).") % {"capacity": group.capacity})
    today = timezone.localdate()
    with transaction.atomic():
        if existing is None:
            member = GroupMember.objects.create(
                group=group,
                participant=participant,
                status=MemberStatus.ACTIVE,
                source=source,
                joined_on=today,
                added_by=_user(actor),
            )
            audit.record(
                actor=actor,
                program=group.program,
                action="group_member.add",
                target=member,
                changes={"source": source},
            )
        else:
            member = existing
            MEMBER.move(actor=actor, obj=member, to=MemberStatus.ACTIVE, changes={"joined_on": today, "left_on": None})
    return member


def leave_group(*, actor: Actor, member: GroupMember) -> GroupMember:
    """A member leaves (or a request to join is declined). Rule: an active member or a request."""
    MEMBER.move(actor=actor, obj=member, to=MemberStatus.LEFT, changes={"left_on": timezone.localdate()})
    return member


def request_to_join(*, program: Program, group: Group, data: dict[str, Any]) -> GroupMember:
    """Someone asks on the public page to join a listed group: they become a participant who
    asked for a group (on the program's records, like the 'ask for support' form) with a
    request to join that a coordinator accepts or declines.

    Rules: the program lists groups publicly, the group is listed, active and takes members;
    consent to be contacted is given.
    """
    if not get_settings(program).public_listing or not (group.listed and group.is_active and group.takes_members):
        raise ValidationError(_("This group is not taking requests through this page."))
    if group.program_id != program.pk:
        raise ValidationError(_("This group is not taking requests through this page."))
    if not data.get("consent_given"):
        raise ValidationError({"consent_given": _("We can only reply if we may contact you.")})
    with transaction.atomic():
        participant = support_participants.save_participant(
            actor=PUBLIC_ACTOR,
            program=program,
            participant=None,
            data={
                "full_name": data.get("full_name", ""),
                "email": data.get("email", ""),
                "phone": data.get("phone", ""),
                "preferred_contact": data.get("preferred_contact") or "email",
                "support_wanted": SupportWanted.GROUP,
                "consent_given": True,
                "consent_scope": _(
                    "To be contacted by the program about joining %(group)s, and that the program keeps these details."
                )
                % {"group": group.name},
            },
            source="request",
        )
        member = GroupMember.objects.create(
            group=group, participant=participant, status=MemberStatus.REQUESTED, source=MemberSource.REQUEST
        )
        audit.record(actor=PUBLIC_ACTOR, program=program, action="group_member.request", target=member)
    return member


def accept_request(*, actor: Actor, member: GroupMember) -> GroupMember:
    """Accept a request to join. Rules: a place is free when the group has a capacity."""
    group = member.group
    if group.capacity is not None and active_member_count(group) >= group.capacity:
        raise ValidationError(_("The group is full (%(capacity)s places).") % {"capacity": group.capacity})
    MEMBER.move(
        actor=actor,
        obj=member,
        to=MemberStatus.ACTIVE,
        only_from=[MemberStatus.REQUESTED],
        changes={"joined_on": timezone.localdate()},
    )
    return member


# --- After a session ----------------------------------------------------------------------------


def session_facilitators(session: GroupSession) -> list[Supporter]:
    """Who facilitates a session: the lead and co-facilitators, with anyone who asked for cover
    replaced by the colleague who took it."""
    group = session.group
    people = [s for s in [group.lead, *group.co_facilitators.all()] if s is not None]
    for cover in CoverRequest.objects.filter(session=session, status=CoverStatus.TAKEN).select_related("taken_by"):
        people = [p for p in people if p.pk != cover.facilitator_id]
        if cover.taken_by is not None and cover.taken_by not in people:
            people.append(cover.taken_by)
    return people


def take_attendance(
    *,
    actor: Actor,
    session: GroupSession,
    present: Iterable[GroupMember],
    first_time_drop_ins: int,
    returning_drop_ins: int,
) -> GroupSession:
    """Record who came: registered members present, and drop-ins counted (first time,
    returning) without names. Rules: not a cancelled session, nor one that has not started;
    members of this group only; drop-ins only where the group takes them. The session becomes
    held, with its facilitators (cover included) recorded; taking it again corrects it."""
    if session.status == SessionStatus.CANCELLED:
        raise ValidationError(_("This session was cancelled."))
    if session.starts_at > timezone.now():
        raise ValidationError(_("Attendance is taken once the session has started."))
    members = list(present)
    if any(m.group_id != session.group_id or m.status != MemberStatus.ACTIVE for m in members):
        raise ValidationError({"present": _("Only the group's members can be marked present.")})
    if first_time_drop_ins < 0 or returning_drop_ins < 0:
        raise ValidationError(_("Drop-ins are counted from zero."))
    if (first_time_drop_ins or returning_drop_ins) and not session.group.takes_drop_ins:
        raise ValidationError(_("This group is for registered members only."))
    with transaction.atomic():
        before = {
            "present": sorted(Attendance.objects.filter(session=session).values_list("member_id", flat=True)),
            "first_time_drop_ins": session.first_time_drop_ins,
            "returning_drop_ins": session.returning_drop_ins,
        }
        Attendance.objects.filter(session=session).delete()
        Attendance.objects.bulk_create(Attendance(session=session, member=m) for m in members)
        values = {
            "first_time_drop_ins": first_time_drop_ins,
            "returning_drop_ins": returning_drop_ins,
            "attendance_taken_at": timezone.now(),
            "attendance_taken_by": _user(actor),
            "updated_at": timezone.now(),
        }
        after = {
            "present": sorted(m.pk for m in members),
            "first_time_drop_ins": first_time_drop_ins,
            "returning_drop_ins": returning_drop_ins,
        }
        if session.status == SessionStatus.SCHEDULED:
            SESSION.move(
                actor=actor, obj=session, to=SessionStatus.HELD, changes=values, audit_changes=audit.diff(before, after)
            )
        else:
            for name, value in values.items():
                setattr(session, name, value)
            session.save()
            audit.record(
                actor=actor,
                program=session.group.program,
                action="group_session.attendance",
                target=session,
                changes=audit.diff(before, after),
            )
        facilitators = session_facilitators(session)
        earlier = set(session.facilitators.values_list("pk", flat=True))
        session.facilitators.set(facilitators)
        _credit_ce(actor, session, "facilitated", credit=facilitators, withdraw=earlier)
    return session


def _credit_ce(
    actor: Actor, session: GroupSession, what: str, *, credit: Iterable[Supporter], withdraw: Iterable[int]
) -> None:
    """Credit the session's length as continuing-education hours (certification's automatic,
    approved activities, one per session and supporter) to ``credit``, and take them back from
    the supporter ids in ``withdraw`` no longer among them, as the program's group settings say
    (``what``: "facilitated" or "attended"). Nothing when the program credits none."""
    program = session.group.program
    row = get_settings(program)
    wanted = row.ce_for_facilitating if what == "facilitated" else row.ce_for_events
    credited = {s.pk for s in credit}
    if wanted and row.ce_category:
        hours = (Decimal(session.duration_minutes) / Decimal(60)).quantize(Decimal("0.01"))
        label = _("Facilitated") if what == "facilitated" else _("Attended")
        for supporter in credit:
            certification.record_automatic_ce(
                actor=actor,
                program=program,
                supporter=supporter,
                date=timezone.localtime(session.starts_at).date(),
                title=f"{label}: {session.group.name}",
                hours=hours,
                category=row.ce_category,
                source_key=f"groups.{what}:{session.pk}:{supporter.pk}",
            )
    for supporter_id in set(withdraw) - credited:
        certification.withdraw_automatic_ce(
            actor=actor, program=program, source_key=f"groups.{what}:{session.pk}:{supporter_id}"
        )


def take_event_attendance(*, actor: Actor, session: GroupSession, present: Iterable[Supporter]) -> GroupSession:
    """Mark who came to a session of an event (a group for supporters). Rules: an event; a
    session that has started and was not cancelled; those marked answered its RSVP (any
    answer). Taking it again corrects it. Each supporter who came is credited the session's
    length as continuing-education hours when the program's group settings say so (and
    un-credited when corrected to absent)."""
    group = session.group
    if not group.is_event:
        raise ValidationError(_("Only events take supporters' attendance."))
    if session.status == SessionStatus.CANCELLED:
        raise ValidationError(_("This session was cancelled."))
    if session.starts_at > timezone.now():
        raise ValidationError(_("Attendance is taken once the session has started."))
    came = list(present)
    answered = {r.supporter_id: r for r in Rsvp.objects.filter(session=session).select_related("supporter")}
    if any(s.pk not in answered for s in came):
        raise ValidationError({"present": _("Only those who answered the RSVP can be marked present.")})
    with transaction.atomic():
        before = sorted(pk for pk, r in answered.items() if r.attended)
        ids = {s.pk for s in came}
        Rsvp.objects.filter(session=session).update(attended=False)
        Rsvp.objects.filter(session=session, supporter_id__in=ids).update(attended=True)
        session.attendance_taken_at, session.attendance_taken_by = timezone.now(), _user(actor)
        session.updated_at = timezone.now()
        session.save(update_fields=["attendance_taken_at", "attendance_taken_by", "updated_at"])
        audit.record(
            actor=actor,
            program=group.program,
            action="group_session.event_attendance",
            target=session,
            changes={"present": [before, sorted(ids)]},
        )
        _credit_ce(actor, session, "attended", credit=[answered[pk].supporter for pk in sorted(ids)], withdraw=before)
    return session


def save_notes(*, actor: Actor, session: GroupSession, notes: str, topics: str) -> GroupSession:
    """The facilitators' notes and the topics discussed (both encrypted). Rule: a session that was
    held (attendance taken first)."""
    if session.status != SessionStatus.HELD:
        raise ValidationError(_("Take attendance first: notes are for a session that was held."))
    with transaction.atomic():
        session.notes = notes.strip()
        session.topics = topics.strip()
        session.updated_at = timezone.now()
        session.save(update_fields=["notes", "topics", "updated_at"])
        audit.record(
            actor=actor,
            program=session.group.program,
            action="group_session.notes",
            target=session,
            changes={"notes": [audit.CHANGED, audit.CHANGED], "topics": [audit.CHANGED, audit.CHANGED]},
        )
    return session


def file_debrief(*, actor: Actor, session: GroupSession, supporter: Supporter, data: dict[str, Any]) -> GroupSession:
    """A facilitator's 'after a support group' debrief (supporter care's own), linked to the
    session, so its topics reach the refresher agenda. Rules: the session was held; the
    supporter facilitated it; one debrief per session; care's own rules for debriefs."""
    if session.status != SessionStatus.HELD:
        raise ValidationError(_("Take attendance first: the debrief follows a session that was held."))
    if session.debrief_id is not None:
        raise ValidationError(_("This session's debrief has been filed."))
    if supporter not in session_facilitators(session):
        raise ValidationError(_("Only a facilitator of this session files its debrief."))
    with transaction.atomic():
        debrief = care_debriefs.submit_debrief(
            actor=actor,
            supporter=supporter,
            kind=DebriefKind.SUPPORT_GROUP,
            occurred_on=timezone.localtime(session.starts_at).date(),
            what_happened=data.get("what_happened", ""),
            went_well=data.get("went_well", ""),
            was_hard=data.get("was_hard", ""),
            topics=data.get("topics", ""),
            wants_to_talk=bool(data.get("wants_to_talk")),
        )
        session.debrief = debrief
        session.save(update_fields=["debrief"])
        audit.record(actor=actor, program=session.group.program, action="group_session.debrief", target=session)
    return session


# --- Cover --------------------------------------------------------------------------------------


def ask_for_cover(*, actor: Actor, session: GroupSession, facilitator: Supporter, note: str = "") -> CoverRequest:
    """A facilitator who cannot come asks for cover. Rules: a scheduled session still to come;
    they facilitate it; one open request each. Eligible colleagues who do not already
    facilitate it are e-mailed; the first to accept takes it."""
    if session.status != SessionStatus.SCHEDULED or session.starts_at <= timezone.now():
        raise ValidationError(_("Cover is asked for a scheduled session still to come."))
    if facilitator not in session_facilitators(session):
        raise ValidationError(_("Only a facilitator of this session asks for cover."))
    if CoverRequest.objects.filter(session=session, facilitator=facilitator, status=CoverStatus.OPEN).exists():
        raise ValidationError(_("You have already asked for cover for this session."))
    program = session.group.program
    with transaction.atomic():
        cover = CoverRequest.objects.create(session=session, facilitator=facilitator, note=note.strip()[:300])
        audit.record(actor=actor, program=program, action="group_cover.ask", target=cover)
        taken = {s.pk for s in session_facilitators(session)}
        url = reverse("groups:mine", args=[program.slug])
        for colleague in eligible_facilitators(program):
            if colleague.pk in taken:
                continue
            tell(
                kind="groups.cover",
                person=colleague,
                program=program,
                context={"session": session, "when": timezone.localtime(session.starts_at), "note": cover.note},
                url=url,
                key=f"groups.cover_asked:{cover.pk}:{colleague.pk}",
                reply_to=program.contact_email,
            )
    return cover


def open_cover_for(supporter: Supporter) -> list[CoverRequest]:
    """Open cover requests a supporter could take (eligible, not already facilitating)."""
    program = supporter.program
    if supporter.pk not in {s.pk for s in eligible_facilitators(program)}:
        return []
    rows = list(
        CoverRequest.objects.filter(
            session__group__program=program, status=CoverStatus.OPEN, session__starts_at__gt=timezone.now()
        )
        .exclude(facilitator=supporter)
        .select_related("session__group", "facilitator")
        .order_by("session__starts_at")
    )
    return rows


def take_cover(*, actor: Actor, cover: CoverRequest, supporter: Supporter) -> CoverRequest:
    """Take a colleague's session. Rules: the request is open (the first to accept takes it: the
    row is locked, a second taker is refused); the taker is an eligible facilitator who does not
    already facilitate the session. The asker is told by e-mail."""
    program = cover.session.group.program
    if supporter.pk not in {s.pk for s in eligible_facilitators(program)}:
        raise ValidationError(_("Only a supporter who may facilitate can take cover."))
    if supporter in session_facilitators(cover.session):
        raise ValidationError(_("You already facilitate this session."))
    with transaction.atomic():
        COVER.move(
            actor=actor,
            obj=cover,
            to=CoverStatus.TAKEN,
            changes={"taken_by": supporter, "closed_at": timezone.now()},
        )
        tell(
            kind="groups.cover",
            template="groups/email/cover_taken",
            person=cover.facilitator,
            program=program,
            context={"session": cover.session, "when": timezone.localtime(cover.session.starts_at), "taker": supporter},
            url=reverse("groups:mine", args=[program.slug]),
            key=f"groups.cover_taken:{cover.pk}",
        )
    return cover


def withdraw_cover(*, actor: Actor, cover: CoverRequest) -> CoverRequest:
    """The asker can come after all. Rule: the request is still open."""
    COVER.move(actor=actor, obj=cover, to=CoverStatus.WITHDRAWN, changes={"closed_at": timezone.now()})
    return cover


# --- Events -------------------------------------------------------------------------------------


def rsvp(*, actor: Actor, session: GroupSession, supporter: Supporter, answer: str) -> Rsvp:
    """A supporter answers an event's session. Rules: an event (a group for supporters) of their
    program; a scheduled session still to come; going, maybe or not going. Answering again
    changes the answer."""
    group = session.group
    if not group.is_event or group.program_id != supporter.program_id:
        raise ValidationError(_("Only events for supporters take RSVPs."))
    if session.status != SessionStatus.SCHEDULED or session.starts_at <= timezone.now():
        raise ValidationError(_("RSVPs are for sessions still to come."))
    if answer not in Answer.values:
        raise ValidationError({"answer": _("Choose going, maybe or not going.")})
    with transaction.atomic():
        row, _created = Rsvp.objects.update_or_create(
            session=session, supporter=supporter, defaults={"answer": answer, "answered_at": timezone.now()}
        )
        audit.record(
            actor=actor, program=group.program, action="group_rsvp.answer", target=row, changes={"answer": answer}
        )
    return row


def last_held(group: Group) -> dt.datetime | None:
    found: dt.datetime | None = GroupSession.objects.filter(group=group, status=SessionStatus.HELD).aggregate(
        last=Max("starts_at")
    )["last"]
    return found


def offers_groups(program: Program) -> bool:
    """Whether the 'ask for support' form offers a group: the program runs an active group for
    participants that takes registrations (support.offerings asks)."""
    return (
        Group.objects.filter(program=program, is_active=True, kind__audience=Audience.PARTICIPANTS)
        .exclude(admission="drop_in")
        .exists()
    )
