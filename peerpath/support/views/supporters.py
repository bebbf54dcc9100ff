"""Supporters: their caseload, matching profiles and supervision."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from peerpath.core.exports import requested_format
from peerpath.core.forms import add_service_errors
from peerpath.core.idempotency import creates_once
from peerpath.core.permissions import program_view
from peerpath.programs.http import ProgramRequest
from peerpath.programs.models import Program
from peerpath.recruitment.access import own_supporter_record
from peerpath.support import access, eligibility, exports, queries
from peerpath.support.forms import (
    CoverForm,
    ProfileForm,
)
from peerpath.support.services import cover as support_cover
from peerpath.support.services import participants as support_participants
from peerpath.support.services import profiles
from peerpath.support.views.common import download_list


@program_view("support.view_caseload")
def caseload(request: ProgramRequest, program: Program) -> HttpResponse:
    data = queries.caseload(program, request.user)
    if fmt := requested_format(request):
        table = exports.caseload(data["offers"], data["working"], data["closed"])
        return download_list(request, program, fmt, "my participants", table)
    support_participants.record_list_view(
        actor=request.user,
        program=program,
        participants=[r.participant for r in [*data["offers"], *data["working"]]],
        page=gettext_noop("my participants"),
    )
    return render(request, "support/caseload.html", {"program": program, **data})


@program_view("support.edit_own_profile")
def my_profile(request: ProgramRequest, program: Program) -> HttpResponse:
    supporter = own_supporter_record(program, request.user)
    return _profile_page(request, program, supporter, own=True)


@program_view("support.edit_supporter_profiles")
def supporter_profile(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    supporter = access.get_active_supporter(program, pk)
    return _profile_page(request, program, supporter, own=False)


def _profile_page(request: ProgramRequest, program: Program, supporter: Any, *, own: bool) -> HttpResponse:
    profile = eligibility.profile_of(supporter)
    form = ProfileForm(request.POST or None, program=program, initial=ProfileForm.initial_for(supporter, profile))
    if request.method == "POST" and form.is_valid():
        try:
            profiles.save_matching_profile(actor=request.user, supporter=supporter, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Matching profile saved."))
            return redirect("support:my_profile" if own else "support:supporters", program.slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "support/profile.html",
        {"program": program, "supporter": supporter, "form": form, "own": own, "profile": profile},
        status=status,
    )


@program_view("support.view_supporters")
def supporters(request: ProgramRequest, program: Program) -> HttpResponse:
    data = queries.supporters_overview(program)
    if fmt := requested_format(request):
        return download_list(request, program, fmt, "supporters", exports.supporters(data["rows"]))
    return render(request, "support/supporters.html", {"program": program, **data})


@program_view("support.supervise")
def supervision(request: ProgramRequest, program: Program) -> HttpResponse:
    data = queries.supervision(program, request.user)
    if fmt := requested_format(request):
        return download_list(request, program, fmt, "supervision", exports.supervision(data["relationships"]))
    support_participants.record_list_view(
        actor=request.user,
        program=program,
        participants=[r.participant for r in data["relationships"]],
        page=gettext_noop("supervision"),
    )
    form = CoverForm(program=program, user=request.user)
    return render(request, "support/supervision.html", {"program": program, "cover_form": form, **data})


@program_view("support.supervise")
@require_POST
@creates_once
def cover_add(request: ProgramRequest, program: Program) -> HttpResponse:
    form = CoverForm(request.POST, program=program, user=request.user)
    if form.is_valid():
        backup = program.memberships.filter(user_id=form.cleaned_data["backup"]).select_related("user").first()
        try:
            support_cover.name_backup(
                actor=request.user,
                program=program,
                backup=backup.user if backup else None,
                starts_on=form.cleaned_data["starts_on"],
                ends_on=form.cleaned_data["ends_on"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Backup named."))
            return redirect("support:supervision", program.slug)
    data = queries.supervision(program, request.user)
    return render(request, "support/supervision.html", {"program": program, "cover_form": form, **data}, status=400)


@program_view("support.supervise")
@require_POST
def cover_end(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    cover = access.get_own_cover(program, request.user, pk)
    support_cover.end_cover(actor=request.user, cover=cover)
    messages.success(request, _("Cover ended."))
    return redirect("support:supervision", program.slug)
