"""Supervision meetings and hours."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from peerpath.care import access, exports, queries
from peerpath.care.forms import (
    MeetingForm,
    YearForm,
)
from peerpath.care.models import (
    SupervisionMeeting,
    TaskStatus,
)
from peerpath.care.services import common as care_common
from peerpath.care.services import supervision
from peerpath.care.stages import SUPERVISED_STAGES
from peerpath.care.views.common import PAGE_SIZE, is_coordinator, local_today, member_user, posted_data
from peerpath.core.exports import download_table, requested_format
from peerpath.core.forms import add_service_errors
from peerpath.core.idempotency import creates_once
from peerpath.core.permissions import program_view
from peerpath.programs.http import ProgramRequest
from peerpath.programs.models import Program


def _attendee_choices(request: ProgramRequest) -> Any:
    return access.visible_supporters(request).filter(stage__in=SUPERVISED_STAGES).order_by("full_name")


@program_view("care.log_supervision")
def meetings(request: ProgramRequest, program: Program) -> HttpResponse:
    rows = SupervisionMeeting.objects.filter(program=program).select_related("supervisor").prefetch_related("attendees")
    if not is_coordinator(request):
        rows = rows.filter(Q(supervisor=request.user) | Q(logged_by=request.user))
    if fmt := requested_format(request):
        return download_table(
            f"{program.slug}-supervision-log", fmt, exports.meetings(rows.order_by("-held_on", "-id"))
        )
    page = Paginator(rows.order_by("-held_on", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "care/meetings.html", {"program": program, "page": page, "query": ""})


@program_view("care.log_supervision")
@creates_once
def meeting_new(request: ProgramRequest, program: Program) -> HttpResponse:
    attendees = _attendee_choices(request)
    task = None
    initial: dict[str, Any] = {
        "held_on": local_today(),
        "duration_minutes": 60,
        "supervisor": request.user.pk,
        "kind": "one_on_one",
    }
    task_id = request.POST.get("task") or request.GET.get("task")
    if task_id and str(task_id).isdigit():
        task = access.get_task(request, program, int(task_id))
        initial["task"] = task.pk
        if task.supporter_id:
            initial["attendees"] = [task.supporter_id]
    elif (supporter_id := request.GET.get("supporter")) and supporter_id.isdigit():
        initial["attendees"] = [access.get_supporter(request, program, int(supporter_id)).pk]
    form = MeetingForm(posted_data(request), program=program, attendees=attendees, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = supervision.log_meeting(
                actor=request.user,
                program=program,
                kind=data["kind"],
                held_on=data["held_on"],
                duration_minutes=data["duration_minutes"],
                supervisor=member_user(program, data["supervisor"]),
                attendees=data["attendees"],
                topics=data["topics"],
                notes=data["notes"],
                follow_ups=form.follow_up_lines(),
                follow_up_due_on=data["follow_up_due_on"],
                resolves=task if task is not None and task.status == TaskStatus.OPEN else None,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(meeting)s logged.") % {"meeting": meeting})
            people = list(meeting.attendees.all())
            if len(people) == 1:
                return redirect("care:supporter", program.slug, people[0].pk)
            return redirect("care:meetings", program.slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "care/meeting_form.html",
        {
            "program": program,
            "form": form,
            "task": task,
            "meeting": None,
        },
        status=status,
    )


@program_view("care.log_supervision")
def meeting_edit(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    meeting = access.get_meeting(request, program, pk)
    attendees = _attendee_choices(request) | meeting.attendees.all()
    initial = {
        "kind": meeting.kind,
        "held_on": meeting.held_on,
        "duration_minutes": meeting.duration_minutes,
        "supervisor": meeting.supervisor_id,
        "attendees": [s.pk for s in meeting.attendees.all()],
        "topics": meeting.topics,
        "notes": meeting.notes,
    }
    form = MeetingForm(
        posted_data(request), program=program, attendees=attendees.distinct(), initial=initial, edit=True
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            supervision.update_meeting(
                actor=request.user,
                meeting=meeting,
                kind=data["kind"],
                held_on=data["held_on"],
                duration_minutes=data["duration_minutes"],
                supervisor=member_user(program, data["supervisor"]),
                attendees=data["attendees"],
                topics=data["topics"],
                notes=data["notes"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Meeting saved."))
            return redirect("care:meetings", program.slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "care/meeting_form.html",
        {
            "program": program,
            "form": form,
            "meeting": meeting,
            "task": None,
            "follow_ups": meeting.follow_ups.select_related("assigned_to"),
        },
        status=status,
    )


@program_view("care.log_supervision")
def supervision_hours(request: ProgramRequest, program: Program) -> HttpResponse:
    years = queries.meeting_years(program)
    form = YearForm(request.GET or None, years=years, initial={"year": years[0]})
    year = form.cleaned_data["year"] if form.is_valid() else years[0]
    people = access.visible_supporters(request).filter(stage__in=SUPERVISED_STAGES).order_by("full_name")
    if fmt := requested_format(request):
        every = queries.hours_in_year(program, people, year)
        table = exports.hours([(p, *every.get(p.pk, (0, 0))) for p in people], year)
        return download_table(f"{program.slug}-supervision-hours-{year}", fmt, table)
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    hours = queries.hours_in_year(program, people.filter(pk__in=[p.pk for p in page]), year)
    rows = [(p, *hours.get(p.pk, (0, 0))) for p in page]
    settings = care_common.get_settings(program)
    return render(
        request,
        "care/hours.html",
        {
            "program": program,
            "form": form,
            "year": year,
            "rows": rows,
            "page": page,
            "query": f"year={year}",
            "settings": settings,
        },
    )
