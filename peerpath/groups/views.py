"""The groups pages: coordinators run groups and events; facilitators take attendance, write
notes and debriefs and ask for cover; supporters RSVP to events; the public page lists open
groups. Thin: access.py fetches what a person may see, services.py changes it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peerpath.core.exports import as_download
from peerpath.core.forms import add_service_errors
from peerpath.core.idempotency import creates_once
from peerpath.core.limits import limit_accepted_submissions
from peerpath.core.permissions import program_view, public
from peerpath.groups import access, queries, services
from peerpath.groups.calendar import build_calendar
from peerpath.groups.forms import (
    AddMemberForm,
    AttendanceForm,
    CancelForm,
    CoverForm,
    EventAttendanceForm,
    ExtraSessionForm,
    GroupDebriefForm,
    GroupForm,
    JoinForm,
    KindForm,
    MemberConcernForm,
    MoveForm,
    NotesForm,
    RestoreForm,
    RsvpForm,
    SettingsForm,
)
from peerpath.groups.models import (
    Answer,
    Audience,
    CoverStatus,
    Group,
    GroupKind,
    GroupMember,
    GroupSession,
    MemberSource,
    MemberStatus,
    SessionStatus,
)
from peerpath.groups.schedule import describe
from peerpath.programs.http import ProgramRequest
from peerpath.programs.models import Program
from peerpath.recruitment.access import own_supporter_record
from peerpath.support.defaults import get_settings as support_settings
from peerpath.support.models import ConcernKind, Participant, ParticipantStatus, SupportWanted, lines
from peerpath.support.services import concerns as support_concerns
from peerpath.support.services import participants as support_participants


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _status(request: HttpRequest) -> int:
    return 400 if request.method == "POST" else 200


def _audit_names(request: ProgramRequest, program: Program, participants: list[Participant], page: str) -> None:
    """Pages that name group members leave one audit entry, as support's lists do."""
    support_participants.record_list_view(actor=request.user, program=program, participants=participants, page=page)


# --- Coordinators: groups, kinds, settings, the waiting list ----------------------------------------


@program_view("groups.manage")
def groups(request: ProgramRequest, program: Program) -> HttpResponse:
    rows = queries.groups_with_counts(Group.objects.filter(program=program))
    return render(
        request,
        "groups/groups.html",
        {
            "program": program,
            "groups": [g for g in rows if not g.is_event],
            "events": [g for g in rows if g.is_event],
            "waiting": len(queries.waiting_for_a_group(program)),
        },
    )


def _group_form(request: ProgramRequest, program: Program, group: Group | None) -> HttpResponse:
    eligible = services.eligible_facilitators(program)
    form = GroupForm(_posted(request), instance=group, program=program, eligible=eligible)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in services.GROUP_FIELDS if name in form.cleaned_data}
        try:
            saved = services.save_group(
                actor=request.user,
                program=program,
                group=Group.objects.get(pk=group.pk) if group else None,
                data=data,
                co_facilitators=form.cleaned_data["co_facilitators"],
                focus_areas=form.cleaned_data["focus_areas"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Group saved; its sessions are laid out."))
            return redirect("groups:group", program.slug, saved.pk)
    return render(
        request,
        "groups/group_form.html",
        {"program": program, "form": form, "group": group, "eligible": eligible},
        status=_status(request),
    )


@program_view("groups.manage")
@creates_once
def group_new(request: ProgramRequest, program: Program) -> HttpResponse:
    return _group_form(request, program, None)


@program_view("groups.manage")
def group_edit(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    return _group_form(request, program, access.get_group(request, program, pk))


@program_view("groups.facilitate")
def group(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    found = access.get_group(request, program, pk)
    members = queries.members_of(found)
    _audit_names(request, program, [m.participant for m in members], "group members")
    feed = request.build_absolute_uri(f"/groups/feed/{found.feed_token}.ics")
    return render(
        request,
        "groups/group.html",
        {
            "program": program,
            "group": found,
            "series": describe(found),
            "co_facilitators": list(found.co_facilitators.all()),
            "areas": [a.name for a in found.focus_areas.order_by("position", "name")],
            "upcoming": queries.sessions_of(found, upcoming=True),
            "past": queries.sessions_of(found, upcoming=False),
            "members": [m for m in members if m.status == MemberStatus.ACTIVE],
            "requests": [m for m in members if m.status == MemberStatus.REQUESTED],
            "manage": access.is_coordinator(request.membership),
            "can_add_session": access.can_add_session(request.membership, request.user, found),
            "feed": feed,
        },
    )


@program_view("groups.manage")
@creates_once
def member_add(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    found = access.get_group(request, program, pk)
    taken = set(
        GroupMember.objects.filter(group=found, status__in=[MemberStatus.ACTIVE, MemberStatus.REQUESTED]).values_list(
            "participant_id", flat=True
        )
    )
    candidates = [
        p
        for p in Participant.objects.filter(program=program)
        .exclude(status=ParticipantStatus.ENDED)
        .order_by("waiting_since", "pk")
        if p.pk not in taken
    ]
    # Those who asked for a group first, then everyone else the program supports.
    candidates.sort(key=lambda p: p.support_wanted == SupportWanted.ONE_TO_ONE)
    chosen = request.GET.get("participant", "")
    form = AddMemberForm(
        _posted(request), participants=candidates, initial={"participant": chosen} if chosen.isdigit() else None
    )
    if request.method == "POST" and form.is_valid():
        participant = form.cleaned_data["participant"]
        source = (
            MemberSource.STAFF if participant.support_wanted == SupportWanted.ONE_TO_ONE else MemberSource.WAITING_LIST
        )
        try:
            services.add_member(actor=request.user, group=found, participant=participant, source=source)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(who)s joined %(group)s.") % {"who": participant.reference, "group": found})
            return redirect("groups:group", program.slug, found.pk)
    _audit_names(request, program, candidates, "register a group member")
    return render(
        request,
        "groups/member_add.html",
        {
            "program": program,
            "group": found,
            "form": form,
            "full": found.capacity is not None and services.active_member_count(found) >= found.capacity,
        },
        status=_status(request),
    )


def _member_move(request: ProgramRequest, program: Program, pk: int, *, accept: bool) -> HttpResponse:
    member = access.get_member(program, pk)
    try:
        if accept:
            services.accept_request(actor=request.user, member=member)
            messages.success(request, _("%(who)s is now a member.") % {"who": member.participant.reference})
        else:
            services.leave_group(actor=request.user, member=member)
            messages.success(request, _("%(who)s left the group.") % {"who": member.participant.reference})
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("groups:group", program.slug, member.group_id)


@program_view("groups.manage")
@require_POST
def member_leave(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    return _member_move(request, program, pk, accept=False)


@program_view("groups.manage")
@require_POST
def member_accept(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    return _member_move(request, program, pk, accept=True)


@program_view("groups.manage")
def waiting(request: ProgramRequest, program: Program) -> HttpResponse:
    """Participants who asked for a group and are not in one yet."""
    rows = queries.waiting_for_a_group(program)
    _audit_names(request, program, rows, "waiting for a group")
    open_groups = [
        g
        for g in queries.groups_with_counts(Group.objects.filter(program=program, is_active=True))
        if g.takes_members and not g.is_event
    ]
    return render(request, "groups/waiting.html", {"program": program, "rows": rows, "groups": open_groups})


@program_view("groups.manage")
@creates_once
def kinds(request: ProgramRequest, program: Program) -> HttpResponse:
    form = KindForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.save_kind(actor=request.user, program=program, kind=None, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Kind added."))
            return redirect("groups:kinds", program.slug)
    return render(
        request,
        "groups/kinds.html",
        {"program": program, "form": form, "kinds": GroupKind.objects.filter(program=program)},
        status=_status(request),
    )


@program_view("groups.manage")
def kind_edit(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    kind = access.get_kind(program, pk)
    initial = {"name": kind.name, "audience": kind.audience, "position": kind.position, "is_active": kind.is_active}
    form = KindForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_kind(actor=request.user, program=program, kind=kind, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Kind saved."))
            return redirect("groups:kinds", program.slug)
    return render(
        request, "groups/kind_edit.html", {"program": program, "form": form, "kind": kind}, status=_status(request)
    )


@program_view("groups.edit_settings")
def settings_edit(request: ProgramRequest, program: Program) -> HttpResponse:
    row = services.get_settings(program)
    form = SettingsForm(_posted(request), instance=row, program=program)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_settings(actor=request.user, program=program, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Group settings saved."))
            return redirect("groups:settings", program.slug)
    return render(request, "groups/settings.html", {"program": program, "form": form}, status=_status(request))


# --- Sessions ---------------------------------------------------------------------------------------


def _own(request: ProgramRequest, program: Program) -> Any:
    return access.own_supporter(program, request.user)


@program_view("groups.facilitate")
def session(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    found = access.get_session(request, program, pk)
    me = _own(request, program)
    facilitators = services.session_facilitators(found)
    present = queries.attendance_of(found)
    members = [m for m in queries.members_of(found.group) if m.status == MemberStatus.ACTIVE]
    _audit_names(request, program, [m.participant for m in members], "group session")
    covers = list(found.cover_requests.select_related("facilitator", "taken_by"))
    protocol = support_settings(program)
    return render(
        request,
        "groups/session.html",
        {
            "program": program,
            "session": found,
            "group": found.group,
            "facilitators": facilitators,
            "members": members,
            "present": present,
            "covers": covers,
            "started": found.starts_at <= timezone.now(),
            "event_came": [r.supporter.full_name for r in found.rsvps.select_related("supporter") if r.attended]
            if found.group.is_event
            else [],
            "can_change": access.can_change_session(request.membership, request.user, found)
            and found.status == SessionStatus.SCHEDULED,
            "can_restore": access.can_change_session(request.membership, request.user, found)
            and found.status == SessionStatus.CANCELLED
            and found.starts_at > timezone.now(),
            "is_facilitator": me is not None and me in facilitators,
            # A worry about a member follows the program's own crisis protocol (support settings).
            "crisis_steps": lines(protocol.crisis_steps),
            "emergency_number": protocol.emergency_number,
            "crisis_line": protocol.crisis_line,
            "my_open_cover": next(
                (c for c in covers if me is not None and c.facilitator_id == me.pk and c.status == CoverStatus.OPEN),
                None,
            ),
        },
    )


@program_view("groups.facilitate")
def session_attendance(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    found = access.get_session(request, program, pk)
    members = [m for m in queries.members_of(found.group) if m.status == MemberStatus.ACTIVE]
    _audit_names(request, program, [m.participant for m in members], "group attendance")
    initial = {
        "present": list(queries.attendance_of(found)),
        "first_time_drop_ins": found.first_time_drop_ins,
        "returning_drop_ins": found.returning_drop_ins,
    }
    form = AttendanceForm(_posted(request), initial=initial, members=members, takes_drop_ins=found.group.takes_drop_ins)
    if request.method == "POST" and form.is_valid():
        try:
            services.take_attendance(
                actor=request.user,
                session=found,
                present=form.cleaned_data["present"],
                first_time_drop_ins=form.cleaned_data.get("first_time_drop_ins") or 0,
                returning_drop_ins=form.cleaned_data.get("returning_drop_ins") or 0,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Attendance saved."))
            return redirect("groups:session", program.slug, found.pk)
    return render(
        request,
        "groups/attendance.html",
        {"program": program, "session": found, "group": found.group, "form": form},
        status=_status(request),
    )


@program_view("groups.facilitate")
def session_event_attendance(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    """Who came to a session of an event (coordinators and the event's facilitators)."""
    found = access.get_session(request, program, pk)
    if not found.group.is_event:
        raise Http404("Not an event.")
    answers = list(found.rsvps.select_related("supporter").order_by("supporter__full_name"))
    form = EventAttendanceForm(
        _posted(request),
        answered=[r.supporter for r in answers],
        initial={"present": [r.supporter_id for r in answers if r.attended]},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.take_event_attendance(actor=request.user, session=found, present=form.cleaned_data["present"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Attendance saved."))
            return redirect("groups:session", program.slug, found.pk)
    return render(
        request,
        "groups/event_attendance.html",
        {
            "program": program,
            "session": found,
            "group": found.group,
            "form": form,
            "answers": answers,
            "ce": services.get_settings(program),
        },
        status=_status(request),
    )


@program_view("groups.facilitate")
def session_notes(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    found = access.get_session(request, program, pk)
    form = NotesForm(_posted(request), initial={"notes": found.notes, "topics": found.topics})
    if request.method == "POST" and form.is_valid():
        try:
            services.save_notes(actor=request.user, session=found, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Notes saved."))
            return redirect("groups:session", program.slug, found.pk)
    return render(
        request,
        "groups/notes.html",
        {"program": program, "session": found, "group": found.group, "form": form},
        status=_status(request),
    )


@program_view("groups.mine")
@creates_once
def session_debrief(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    found = access.get_session(request, program, pk)
    me = own_supporter_record(program, request.user)
    form = GroupDebriefForm(_posted(request), initial={"topics": found.topics})
    if request.method == "POST" and form.is_valid():
        try:
            services.file_debrief(actor=request.user, session=found, supporter=me, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Debrief saved. Its topics go to the refresher agenda."))
            return redirect("groups:session", program.slug, found.pk)
    return render(
        request,
        "groups/debrief.html",
        {"program": program, "session": found, "group": found.group, "form": form},
        status=_status(request),
    )


def _changeable(request: ProgramRequest, program: Program, pk: int) -> GroupSession:
    found = access.get_session(request, program, pk)
    if not access.can_change_session(request.membership, request.user, found):
        raise Http404("No such session.")
    return found


@program_view("groups.facilitate")
def session_move(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    found = _changeable(request, program, pk)
    initial = {"starts_at": timezone.localtime(found.starts_at), "place": found.place, "online_url": found.online_url}
    form = MoveForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.move_session(actor=request.user, session=found, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Session moved; those registered are being told."))
            return redirect("groups:session", program.slug, found.pk)
    return render(
        request,
        "groups/session_change.html",
        {"program": program, "session": found, "group": found.group, "form": form, "cancel": False},
        status=_status(request),
    )


@program_view("groups.facilitate")
def session_cancel(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    found = _changeable(request, program, pk)
    form = CancelForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.cancel_session(actor=request.user, session=found, note=form.cleaned_data["note"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Session cancelled; those registered are being told."))
            return redirect("groups:session", program.slug, found.pk)
    return render(
        request,
        "groups/session_change.html",
        {"program": program, "session": found, "group": found.group, "form": form, "cancel": True},
        status=_status(request),
    )


@program_view("groups.facilitate")
def session_restore(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    found = access.get_session(request, program, pk)
    if not access.can_change_session(request.membership, request.user, found):
        raise Http404("No such session.")
    form = RestoreForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.restore_session(actor=request.user, session=found, note=form.cleaned_data["note"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The session is on again; those registered are being told."))
            return redirect("groups:session", program.slug, found.pk)
    return render(
        request,
        "groups/session_restore.html",
        {"program": program, "session": found, "group": found.group, "form": form},
        status=_status(request),
    )


@program_view("groups.facilitate")
@creates_once
def session_add(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    found = access.get_group(request, program, pk)
    if not access.can_add_session(request.membership, request.user, found):
        raise Http404("No such group.")
    form = ExtraSessionForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            added = services.add_one_off_session(actor=request.user, group=found, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Extra session added; those registered are being told."))
            return redirect("groups:session", program.slug, added.pk)
    return render(
        request,
        "groups/session_add.html",
        {"program": program, "group": found, "form": form},
        status=_status(request),
    )


@program_view("groups.mine")
@creates_once
def session_concern(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    """A facilitator raises a concern or crisis about a member of the session's group, with or
    without a support relationship: support's crisis protocol, on-call chain and audit."""
    found = access.get_session(request, program, pk)
    me = own_supporter_record(program, request.user)
    members = [m for m in queries.members_of(found.group) if m.status == MemberStatus.ACTIVE]
    _audit_names(request, program, [m.participant for m in members], "group concern")
    kind = request.GET.get("kind") or request.POST.get("kind") or ConcernKind.CONCERN
    form = MemberConcernForm(_posted(request), program=program, members=members, initial={"kind": kind})
    if request.method == "POST" and form.is_valid():
        try:
            concern = support_concerns.raise_concern_outside_relationship(
                actor=request.user,
                participant=form.cleaned_data["member"].participant,
                supporter=me,
                kind=form.cleaned_data["kind"],
                answers=form.answers(),
                notes=form.cleaned_data["notes"],
            )
        except PermissionDenied:
            form.add_error("member", _("You do not facilitate this member's group."))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The person on call has been told and will get back to you. Add what you know when you can.")
                if concern.is_crisis
                else _("Your concern was passed on to the person on call."),
            )
            return redirect("support:concern", program.slug, concern.pk)
    protocol = support_settings(program)
    return render(
        request,
        "groups/concern.html",
        {
            "program": program,
            "session": found,
            "group": found.group,
            "form": form,
            "crisis": kind == ConcernKind.CRISIS,
            "crisis_steps": lines(protocol.crisis_steps),
            "emergency_number": protocol.emergency_number,
            "crisis_line": protocol.crisis_line,
        },
        status=_status(request),
    )


# --- Cover ----------------------------------------------------------------------------------------


@program_view("groups.mine")
@require_POST
def cover_ask(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    found = access.get_session(request, program, pk)
    me = own_supporter_record(program, request.user)
    form = CoverForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("The note is too long."))
        services.ask_for_cover(actor=request.user, session=found, facilitator=me, note=form.cleaned_data["note"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your colleagues have been asked; you will hear when someone takes it."))
    return redirect("groups:session", program.slug, found.pk)


@program_view("groups.mine")
@require_POST
def cover_take(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    cover = access.get_cover(program, pk)
    me = own_supporter_record(program, request.user)
    try:
        services.take_cover(actor=request.user, cover=cover, supporter=me)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("groups:mine", program.slug)
    messages.success(request, _("Thank you: the session is yours."))
    return redirect("groups:session", program.slug, cover.session_id)


@program_view("groups.mine")
@require_POST
def cover_withdraw(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    cover = access.get_cover(program, pk)
    me = own_supporter_record(program, request.user)
    if cover.facilitator_id != me.pk:
        raise Http404("No such request.")
    try:
        services.withdraw_cover(actor=request.user, cover=cover)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your request for cover is withdrawn."))
    return redirect("groups:session", program.slug, cover.session_id)


# --- The supporter's own pages ------------------------------------------------------------------------


@program_view("groups.mine")
def mine(request: ProgramRequest, program: Program) -> HttpResponse:
    me = own_supporter_record(program, request.user)
    return render(
        request,
        "groups/mine.html",
        {
            "program": program,
            "groups": queries.my_groups(me),
            "sessions": queries.my_sessions(me),
            "awaiting": queries.sessions_awaiting_attendance(me),
            "covers": services.open_cover_for(me),
        },
    )


@program_view("groups.events")
def events(request: ProgramRequest, program: Program) -> HttpResponse:
    me = access.own_supporter(program, request.user)
    rows = queries.upcoming_events(program, me)
    series = {s.group_id: s.group for s in rows}
    return render(
        request,
        "groups/events.html",
        {
            "program": program,
            "sessions": rows,
            "can_answer": me is not None,
            "answers": Answer.choices,
            "feeds": [(g, request.build_absolute_uri(f"/groups/feed/{g.feed_token}.ics")) for g in series.values()],
        },
    )


@program_view("groups.events")
@require_POST
def event_rsvp(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    found = access.get_event_session(program, pk)
    me = own_supporter_record(program, request.user)
    form = RsvpForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Choose going, maybe or not going."))
        services.rsvp(actor=request.user, session=found, supporter=me, answer=form.cleaned_data["answer"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Thank you for answering."))
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("groups:events", program.slug)


# --- Public -----------------------------------------------------------------------------------------


def _listing_program(program_slug: str) -> Program:
    program = get_object_or_404(Program, slug=program_slug, is_active=True)
    if not services.get_settings(program).public_listing:
        raise Http404("This program does not list its groups.")
    return program


@public
def public_groups(request: HttpRequest, program_slug: str) -> HttpResponse:
    program = _listing_program(program_slug)
    rows = queries.public_groups(program)
    return render(
        request,
        "groups/public_groups.html",
        {
            "program": program,
            "groups": [(g, describe(g)) for g in rows],
            "intro": services.get_settings(program).public_intro,
        },
    )


@public
@limit_accepted_submissions("groups.join_form")
@creates_once
def public_join(request: HttpRequest, program_slug: str, pk: int) -> HttpResponse:
    program = _listing_program(program_slug)
    found = get_object_or_404(
        Group, program=program, pk=pk, listed=True, is_active=True, kind__audience=Audience.PARTICIPANTS
    )
    if not found.takes_members:
        raise Http404("This group is drop-in only.")
    form = JoinForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.request_to_join(program=program, group=found, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("groups:public_thanks", program.slug)
    return render(
        request,
        "groups/public_join.html",
        {"program": program, "group": found, "series": describe(found), "form": form},
        status=_status(request),
    )


@public
def public_thanks(request: HttpRequest, program_slug: str) -> HttpResponse:
    program = _listing_program(program_slug)
    return render(request, "groups/public_thanks.html", {"program": program})


@public
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """A group's sessions for calendar apps, which cannot log in: the unguessable token in the
    address is the key (shown to the group's facilitators and coordinators, and on the events
    page for events). An inactive program's feeds answer 404."""
    found = get_object_or_404(Group.objects.select_related("program"), feed_token=token, program__is_active=True)
    sessions = list(
        GroupSession.objects.filter(group=found, starts_at__gte=timezone.now() - dt.timedelta(days=90))
        .select_related("group")
        .order_by("starts_at")
    )
    response = HttpResponse(
        build_calendar(f"{found.name} · {found.program.name}", sessions), content_type="text/calendar; charset=utf-8"
    )
    as_download(response, "group.ics", inline=True)
    return response
