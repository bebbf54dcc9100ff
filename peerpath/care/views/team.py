"""Coordinator: breaks, buddies and recognition across the program."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peerpath.care import access, exports, pdf, queries
from peerpath.care.forms import (
    BreakRecordForm,
    BuddyPairForm,
    RecognitionForm,
)
from peerpath.care.models import (
    Break,
    BreakStatus,
    BuddyPair,
    Recognition,
    RecognitionKind,
)
from peerpath.care.services import breaks as care_breaks
from peerpath.care.services import buddies as care_buddies
from peerpath.care.services import common as care_common
from peerpath.care.services import recognition as care_recognition
from peerpath.care.stages import CURRENT_STAGES, RECOGNISABLE_STAGES
from peerpath.care.views.common import PAGE_SIZE, local_today, posted_data
from peerpath.core import audit
from peerpath.core.exports import as_download, download_table, requested_format
from peerpath.core.forms import add_service_errors
from peerpath.core.idempotency import creates_once
from peerpath.core.permissions import program_view
from peerpath.programs.http import ProgramRequest
from peerpath.programs.models import Program
from peerpath.recruitment.models import Supporter


def _current_supporters(program: Program) -> Any:
    return Supporter.objects.filter(program=program, stage__in=CURRENT_STAGES).order_by("full_name")


@program_view("care.manage_breaks")
def breaks(request: ProgramRequest, program: Program) -> HttpResponse:
    today = local_today()
    current, upcoming, relationships = queries.breaks_to_cover(program, today)
    fmt = requested_format(request)
    shown = [r for rows in relationships.values() for r in rows]
    if shown:
        # Participants appear on this page: reading them is audited like any participant read.
        audit.record(
            actor=request.user,
            program=program,
            action="care.export_relationships_to_cover" if fmt else "care.view_relationships_to_cover",
            target_type="support.supportrelationship",
            target_id=",".join(str(r.pk) for r in shown)[:64],
            target_label=f"{len(shown)} relationships of supporters on a break",
            changes={"relationships": [r.pk for r in shown]},
        )
    context: dict[str, Any] = {
        "program": program,
        "current": [(b, relationships.get(b.supporter_id, [])) for b in current],
        "upcoming": [(b, relationships.get(b.supporter_id, [])) for b in upcoming],
        "past": Break.objects.filter(program=program, status=BreakStatus.ENDED)
        .select_related("supporter")
        .order_by("-ends_on")[:20],
    }
    if fmt:
        table = exports.breaks(context["current"], context["upcoming"], context["past"])
        return download_table(f"{program.slug}-breaks", fmt, table)
    return render(request, "care/breaks.html", context)


@program_view("care.manage_breaks")
@creates_once
def break_new(request: ProgramRequest, program: Program) -> HttpResponse:
    form = BreakRecordForm(
        posted_data(request), supporters=_current_supporters(program), initial={"starts_on": local_today()}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            care_breaks.request_break(
                actor=request.user,
                supporter=data["supporter"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                reason=data["reason"],
                by_staff=True,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Break recorded for %(data)s.") % {"data": data["supporter"].full_name})
            return redirect("care:breaks", program.slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "care/break_new.html", {"program": program, "form": form}, status=status)


@program_view("care.manage_breaks")
@require_POST
def break_end(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    brk = access.get_break(program, pk)
    try:
        care_breaks.end_break(actor=request.user, brk=brk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(supporter)s is back; a return check-in is waiting for them.") % {"supporter": brk.supporter.full_name},
        )
    return redirect("care:breaks", program.slug)


@program_view("care.manage_breaks")
@require_POST
def break_cancel(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    brk = access.get_break(program, pk)
    try:
        care_breaks.cancel_break(actor=request.user, brk=brk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The planned break is cancelled."))
    return redirect("care:breaks", program.slug)


@program_view("care.manage_buddies")
def buddies(request: ProgramRequest, program: Program) -> HttpResponse:
    return _buddies_page(request, program)


def _buddies_page(
    request: ProgramRequest, program: Program, form: BuddyPairForm | None = None, status: int = 200
) -> HttpResponse:
    today = local_today()
    paired = queries.paired_ids(program)
    unpaired = _current_supporters(program).exclude(pk__in=paired)
    pairs = list(BuddyPair.objects.filter(program=program, ended_on__isnull=True).select_related("first", "second"))
    since = queries.first_active_dates(program, [p.first_id for p in pairs] + [p.second_id for p in pairs])
    rows = [{"pair": p, "first_since": since.get(p.first_id), "second_since": since.get(p.second_id)} for p in pairs]
    suggestions = queries.buddy_suggestions(program, today)
    if status == 200 and (fmt := requested_format(request)):
        return download_table(f"{program.slug}-buddies", fmt, exports.buddies(rows, suggestions))
    return render(
        request,
        "care/buddies.html",
        {
            "program": program,
            "pairs": rows,
            "suggestions": suggestions,
            "form": form or BuddyPairForm(supporters=unpaired),
            "unpaired": unpaired,
        },
        status=status,
    )


@program_view("care.manage_buddies")
@require_POST
@creates_once
def buddy_pair(request: ProgramRequest, program: Program) -> HttpResponse:
    unpaired = _current_supporters(program).exclude(pk__in=queries.paired_ids(program))
    form = BuddyPairForm(request.POST, supporters=unpaired)
    if form.is_valid():
        try:
            pair = care_buddies.pair_buddies(actor=request.user, program=program, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(pair)s are now buddies; both have been e-mailed.") % {"pair": pair})
            return redirect("care:buddies", program.slug)
    return _buddies_page(request, program, form=form, status=400)


@program_view("care.manage_buddies")
@require_POST
def buddy_end(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    pair = access.get_pair(program, pk)
    try:
        care_buddies.end_buddy_pair(actor=request.user, pair=pair)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The pairing of %(pair)s has ended.") % {"pair": pair})
    return redirect("care:buddies", program.slug)


@program_view("care.manage_recognition")
def recognition(request: ProgramRequest, program: Program) -> HttpResponse:
    settings = care_common.get_settings(program)
    found = queries.milestones(program, settings, local_today())
    records = Recognition.objects.filter(program=program).select_related("supporter", "recorded_by")
    if fmt := requested_format(request):
        table = exports.recognition(found["reached"], found["upcoming"], records)
        return download_table(f"{program.slug}-recognition", fmt, table)
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "care/recognition.html",
        {
            "program": program,
            **found,
            "page": page,
            "query": "",
            "settings": settings,
        },
    )


@program_view("care.manage_recognition")
@creates_once
def recognition_new(request: ProgramRequest, program: Program) -> HttpResponse:
    people = Supporter.objects.filter(program=program, stage__in=RECOGNISABLE_STAGES).order_by("full_name")
    initial: dict[str, Any] = {"given_on": local_today(), "notify": True, "kind": RecognitionKind.CERTIFICATE}
    if (pk := request.GET.get("supporter", "")).isdigit():
        initial["supporter"] = access.get_any_supporter(program, int(pk)).pk
    if milestone := request.GET.get("milestone", ""):
        initial["milestone"] = milestone[:30]
        initial["title"] = request.GET.get("title", "")[:200]
    form = RecognitionForm(posted_data(request), supporters=people, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            made = care_recognition.record_recognition(actor=request.user, program=program, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Recognition recorded for %(supporter)s.") % {"supporter": made.supporter.full_name}
            )
            return redirect("care:recognition", program.slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "care/recognition_new.html", {"program": program, "form": form}, status=status)


@program_view("care.manage_recognition")
def recognition_certificate(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    return certificate_pdf(program, access.get_recognition(program, pk))


def certificate_pdf(program: Program, found: Recognition) -> HttpResponse:
    response = HttpResponse(pdf.certificate_of_appreciation(found), content_type="application/pdf")
    as_download(response, f"certificate-of-appreciation-{found.pk}.pdf", inline=True)
    return response
