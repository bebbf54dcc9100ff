"""Supervisors and coordinators: the supporters they look after, check-ins and debriefs."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peerpath.care import access, exports, queries
from peerpath.care.forms import (
    SupportersFilterForm,
)
from peerpath.care.models import (
    Break,
    BreakStatus,
    CareTask,
    CheckIn,
    CheckInStatus,
    Debrief,
    MatchPause,
    Recognition,
)
from peerpath.care.services import buddies as care_buddies
from peerpath.care.services import common as care_common
from peerpath.care.services import match_pause as match_pauses
from peerpath.care.stages import CURRENT_STAGES, SUPERVISED_STAGES
from peerpath.care.views.common import PAGE_SIZE, filter_query, is_coordinator, local_today
from peerpath.core import audit
from peerpath.core.exports import download_table, requested_format
from peerpath.core.permissions import program_view
from peerpath.programs.http import ProgramRequest
from peerpath.programs.models import Program
from peerpath.support import availability


def _supporters_for(request: ProgramRequest, program: Program, form: SupportersFilterForm) -> Any:
    rows = access.visible_supporters(request)
    data = form.cleaned_data if form.is_valid() else {}
    stages = SUPERVISED_STAGES if data.get("include_trainees") else CURRENT_STAGES
    rows = rows.filter(stage__in=stages)
    if data.get("q"):
        rows = rows.filter(full_name__icontains=data["q"])
    if data.get("supervisor") == 0:
        rows = rows.filter(supervisor__isnull=True)
    elif data.get("supervisor"):
        rows = rows.filter(supervisor_id=data["supervisor"])
    return rows.order_by("full_name")


@program_view("care.view_supporters")
def supporters(request: ProgramRequest, program: Program) -> HttpResponse:
    settings = care_common.get_settings(program)
    form = SupportersFilterForm(request.GET or None, program=program, coordinator=is_coordinator(request))
    rows = _supporters_for(request, program, form)
    today = local_today()
    if fmt := requested_format(request):
        table = exports.supporters(
            queries.care_rows(program, rows, settings, today), coordinator=is_coordinator(request)
        )
        return download_table(f"{program.slug}-supporter-care", fmt, table)
    page = Paginator(queries.annotate_care(rows), PAGE_SIZE).get_page(request.GET.get("page"))
    on_break = queries.supporters_on_break(program, today)
    care_rows = [queries.care_row(s, settings, today, on_break) for s in page]
    return render(
        request,
        "care/supporters.html",
        {
            "program": program,
            "form": form,
            "page": page,
            "rows": care_rows,
            "query": filter_query(request),
            "coordinator": is_coordinator(request),
            "settings": settings,
        },
    )


@program_view("care.view_supporters")
def supporter(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    person = access.get_supporter(request, program, pk)
    settings = care_common.get_settings(program)
    today = local_today()
    audit.record(actor=request.user, program=program, action="care.view_supporter", target=person)
    pair = care_buddies.current_pair(person)
    context = {
        "program": program,
        "person": person,
        "row": queries.checkin_status(program, person, settings, today),
        "charts": queries.checkin_trends(person),
        "checkins": CheckIn.objects.filter(supporter=person, status=CheckInStatus.COMPLETED)
        .select_related("questionnaire")
        .order_by("-completed_at")[:12],
        "tasks": CareTask.objects.filter(supporter=person)
        .select_related("assigned_to")
        .order_by("status", "-created_at")[:20],
        "debriefs": Debrief.objects.filter(supporter=person)[:20],
        "meetings": person.supervision_meetings.select_related("supervisor").order_by("-held_on")[:20],
        "hours": queries.hours_by_year(person),
        "breaks": Break.objects.filter(supporter=person).exclude(status=BreakStatus.CANCELLED)[:10],
        "buddy": pair.other(person.pk) if pair else None,
        "hard_events": person.hard_events.all()[:10],
        "recognitions": Recognition.objects.filter(supporter=person)[:10],
        "settings": settings,
        "match_paused": MatchPause.objects.filter(supporter=person).first(),
        "holds": availability.hold_backs(program, today).get(person.pk, []),
    }
    return render(request, "care/supporter.html", context)


@program_view("care.view_supporters")
@require_POST
def match_pause(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    """The supervisor's "pause new matches" switch (the supporter's supervisor or a coordinator)."""
    person = access.get_supporter(request, program, pk)
    paused = request.POST.get("paused") == "1"
    try:
        match_pauses.set_match_pause(actor=request.user, supporter=person, paused=paused)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if paused:
            messages.success(request, _("New matches paused for %(name)s.") % {"name": person.full_name})
        else:
            messages.success(request, _("New matches resumed for %(name)s.") % {"name": person.full_name})
    return redirect("care:supporter", program.slug, person.pk)


@program_view("care.view_supporters")
def checkin_detail(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    done = access.get_checkin(request, program, pk)
    audit.record(actor=request.user, program=program, action="checkin.view", target=done)
    answers = done.answers.select_related("item").order_by("item__number")
    labels = {int(o["value"]): o["label"] for o in (done.questionnaire.scale if done.questionnaire else [])}
    rows = [(a.item, a.value, labels.get(a.value, "")) for a in answers]
    return render(
        request,
        "care/checkin_detail.html",
        {"program": program, "checkin": done, "rows": rows, "tasks": done.tasks.select_related("assigned_to")},
    )


@program_view("care.view_supporters")
def debrief(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    found = access.get_debrief(request, program, pk)
    audit.record(actor=request.user, program=program, action="debrief.view", target=found)
    return render(
        request,
        "care/debrief.html",
        {"program": program, "debrief": found, "tasks": found.tasks.select_related("assigned_to")},
    )
