"""The supporter's own pages: check-ins, debriefs, breaks, recognition, e-mail updates."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peerpath.care import access, queries
from peerpath.care.forms import (
    BreakRequestForm,
    CheckInForm,
    DebriefForm,
    NewsletterPreferenceForm,
)
from peerpath.care.models import (
    Break,
    BreakStatus,
    CareTask,
    CheckIn,
    CheckInStatus,
    Debrief,
    NewsletterPreference,
    Questionnaire,
    Recognition,
)
from peerpath.care.services import breaks as care_breaks
from peerpath.care.services import buddies as care_buddies
from peerpath.care.services import checkins, debriefs
from peerpath.care.services import common as care_common
from peerpath.care.services import newsletters as care_newsletters
from peerpath.care.stages import CURRENT_STAGES
from peerpath.care.views.common import local_today, posted_data
from peerpath.care.views.team import certificate_pdf
from peerpath.core.forms import add_service_errors
from peerpath.core.idempotency import creates_once
from peerpath.core.permissions import program_view
from peerpath.programs.http import ProgramRequest
from peerpath.programs.models import Program
from peerpath.support import availability


@program_view("care.own_care")
def my_care(request: ProgramRequest, program: Program) -> HttpResponse:
    record = access.own_record(request, program)
    settings = care_common.get_settings(program)
    today = local_today()
    row = queries.checkin_status(program, record, settings, today)
    latest = (
        CheckIn.objects.filter(supporter=record, status=CheckInStatus.COMPLETED)
        .select_related("questionnaire")
        .order_by("-completed_at")
        .first()
    )
    pair = care_buddies.current_pair(record)
    context = {
        "program": program,
        "person": record,
        "row": row,
        "latest": latest,
        "follow_up": _open_follow_up(latest),
        "charts": queries.checkin_trends(record),
        "buddy": pair.other(record.pk) if pair else None,
        "breaks": Break.objects.filter(supporter=record).exclude(status=BreakStatus.CANCELLED)[:5],
        "debriefs": Debrief.objects.filter(supporter=record)[:5],
        "hours": queries.hours_by_year(record),
        "last_meeting": record.supervision_meetings.order_by("-held_on").first(),
        "recognitions": Recognition.objects.filter(supporter=record),
        "settings": settings,
        "holds": [h for h in availability.hold_backs(program, today).get(record.pk, []) if h.for_supporter],
    }
    return render(request, "care/my_care.html", context)


def _open_follow_up(checkin: CheckIn | None) -> CareTask | None:
    if checkin is None or not checkin.asks_for_follow_up:
        return None
    return checkin.tasks.select_related("assigned_to").order_by("-created_at").first()


@program_view("care.own_care")
@creates_once
def checkin(request: ProgramRequest, program: Program) -> HttpResponse:
    record = access.own_record(request, program)
    settings = care_common.get_settings(program)
    questionnaire = settings.checkin_questionnaire
    if questionnaire is None or not questionnaire.is_active:
        messages.warning(request, _("The program has not set up a check-in yet. Please talk to your coordinator."))
        return redirect("care:my_care", program.slug)
    questionnaire = Questionnaire.objects.prefetch_related("items").get(pk=questionnaire.pk)
    form = CheckInForm(posted_data(request), questionnaire=questionnaire)
    if request.method == "POST" and form.is_valid():
        try:
            done = checkins.complete_checkin(
                actor=request.user,
                supporter=record,
                questionnaire=questionnaire,
                answers=form.answers(),
                needs_break=form.cleaned_data["needs_break"],
                wants_to_talk=form.cleaned_data["wants_to_talk"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Thank you for checking in."))
            return redirect("care:my_checkin", program.slug, done.pk)
    waiting = CheckIn.objects.filter(supporter=record, status=CheckInStatus.SCHEDULED).order_by("due_on").first()
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "care/checkin.html",
        {"program": program, "form": form, "questionnaire": questionnaire, "waiting": waiting},
        status=status,
    )


@program_view("care.own_care")
def my_checkin(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    done = access.own_checkin(request, program, pk)
    settings = care_common.get_settings(program)
    record = done.supporter
    return render(
        request,
        "care/my_checkin.html",
        {
            "program": program,
            "checkin": done,
            "follow_up": _open_follow_up(done),
            "row": queries.checkin_status(program, record, settings, local_today()),
            "settings": settings,
            "supervisor": care_common.active_supervisor(record),
        },
    )


@program_view("care.own_care")
@creates_once
def my_debriefs(request: ProgramRequest, program: Program) -> HttpResponse:
    record = access.own_record(request, program)
    form = DebriefForm(posted_data(request), initial={"occurred_on": local_today()})
    if request.method == "POST" and form.is_valid():
        try:
            debriefs.submit_debrief(actor=request.user, supporter=record, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if form.cleaned_data["wants_to_talk"]:
                messages.success(request, _("Debrief saved. We have asked your supervisor to get in touch."))
            else:
                messages.success(request, _("Debrief saved. Thank you."))
            return redirect("care:my_debriefs", program.slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "care/my_debriefs.html",
        {"program": program, "form": form, "debriefs": Debrief.objects.filter(supporter=record)[:50]},
        status=status,
    )


@program_view("care.own_breaks")
@creates_once
def my_breaks(request: ProgramRequest, program: Program) -> HttpResponse:
    record = access.own_record(request, program)
    form = BreakRequestForm(posted_data(request), initial={"starts_on": local_today()})
    if request.method == "POST" and form.is_valid():
        try:
            brk = care_breaks.request_break(actor=request.user, supporter=record, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if brk.status == BreakStatus.CURRENT:
                messages.success(
                    request, _("Your break has started. Take care of yourself; we will not match you meanwhile.")
                )
            else:
                messages.success(
                    request,
                    _("Your break is planned from %(date)s.") % {"date": date_format(brk.starts_on, "DATE_FORMAT")},
                )
            return redirect("care:my_breaks", program.slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "care/my_breaks.html",
        {
            "program": program,
            "person": record,
            "form": form,
            "breaks": Break.objects.filter(supporter=record).exclude(status=BreakStatus.CANCELLED),
            "can_request": record.stage in CURRENT_STAGES,
        },
        status=status,
    )


@program_view("care.own_breaks")
@require_POST
def my_break_back(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    brk = access.own_break(request, program, pk)
    try:
        care_breaks.end_break(actor=request.user, brk=brk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Welcome back! A short return check-in is waiting for you."))
    return redirect("care:my_breaks", program.slug)


@program_view("care.own_breaks")
@require_POST
def my_break_cancel(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    brk = access.own_break(request, program, pk)
    try:
        care_breaks.cancel_break(actor=request.user, brk=brk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The planned break is cancelled."))
    return redirect("care:my_breaks", program.slug)


@program_view("care.own_care")
def my_certificate(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    return certificate_pdf(program, access.own_recognition(request, program, pk))


@program_view("care.own_care")
def my_updates(request: ProgramRequest, program: Program) -> HttpResponse:
    record = access.own_record(request, program)
    preference = NewsletterPreference.objects.filter(supporter=record).first()
    form = NewsletterPreferenceForm(
        posted_data(request), initial={"receive": preference.receive if preference else True}
    )
    if request.method == "POST" and form.is_valid():
        care_newsletters.set_newsletter_preference(
            actor=request.user, supporter=record, receive=form.cleaned_data["receive"], via="preferences page"
        )
        messages.success(request, _("Your choice is saved."))
        return redirect("care:my_updates", program.slug)
    return render(request, "care/my_updates.html", {"program": program, "form": form, "person": record})
