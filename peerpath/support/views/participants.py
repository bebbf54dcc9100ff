"""Participants: the list, adding and editing, a participant's page, export and erasure."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from peerpath.core.exports import as_download, download, requested_format
from peerpath.core.forms import add_service_errors
from peerpath.core.idempotency import creates_once
from peerpath.core.kept_search import keep_search, kept_search
from peerpath.core.permissions import can, program_view
from peerpath.notifications import sms
from peerpath.programs.http import ProgramRequest
from peerpath.programs.models import Program
from peerpath.support import access, exports, extensions, queries
from peerpath.support.forms import (
    ConflictForm,
    EraseForm,
    ParticipantForm,
    ParticipantSearchForm,
    TextConsentForm,
)
from peerpath.support.models import (
    Participant,
    ParticipantStatus,
)
from peerpath.support.services import participants as support_participants
from peerpath.support.services import profiles, texts
from peerpath.support.views.common import PAGE_SIZE, download_list, is_coordinator


@program_view("support.view_participants")
def participants(request: ProgramRequest, program: Program) -> HttpResponse:
    """The participant list. The search (a name, an e-mail, a phone) is sent by POST and kept in
    the session (`peerpath.core.kept_search`), never in a URL: the page redirects to itself with the
    status filter alone, and its pages and downloads read the search back from the session."""
    scope = f"support.participants:{program.pk}"
    if request.method == "POST":
        form = ParticipantSearchForm(request.POST)
        if form.is_valid():
            keep_search(request, scope, "" if request.POST.get("clear") else form.cleaned_data["q"].strip())
            return HttpResponseRedirect(_list_url(program, form.cleaned_data["status"]))
        return _participant_list(request, program, form, q="", status="", http_status=400)
    status = request.GET.get("status", "")
    if status not in ParticipantStatus.values:
        status = ""
    q = kept_search(request, scope)
    form = ParticipantSearchForm(initial={"q": q, "status": status})
    return _participant_list(request, program, form, q=q, status=status)


def _list_url(program: Program, status: str) -> str:
    url = reverse("support:participants", args=[program.slug])
    return f"{url}?{urlencode({'status': status})}" if status else url


def _participant_list(
    request: ProgramRequest,
    program: Program,
    form: ParticipantSearchForm,
    *,
    q: str,
    status: str,
    http_status: int = 200,
) -> HttpResponse:
    rows = queries.participant_rows(program, request.membership, request.user, q=q, status=status)
    if fmt := requested_format(request):
        return download_list(request, program, fmt, "participants", exports.participants(rows.iterator(chunk_size=500)))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    support_participants.record_list_view(
        actor=request.user, program=program, participants=page, page=gettext_noop("participant list")
    )
    context = {
        "program": program,
        "form": form,
        "page": page,
        "searching": bool(q),
        "query": urlencode({"status": status}) if status else "",
        "status_tabs": _status_tabs(program) if is_coordinator(request) else [],
        "current_status": status,
    }
    if request.headers.get("HX-Request"):
        return render(request, "support/_participant_rows.html", context, status=http_status)
    return render(request, "support/participants.html", context, status=http_status)


def _status_tabs(program: Program) -> list[tuple[str, str, int]]:
    counts = queries.status_counts(program)
    return [(value, str(label), counts.get(value, 0)) for value, label in ParticipantStatus.choices]


@program_view("support.manage_participants")
@creates_once
def participant_new(request: ProgramRequest, program: Program) -> HttpResponse:
    form = ParticipantForm(request.POST or None, program=program, initial={"must_haves": ["language"]})
    already_held: list[Participant] = []
    if request.method == "POST" and form.is_valid():
        if not request.POST.get("add_anyway"):
            # Someone held under the same e-mail or phone is most often the same person entered twice.
            already_held = queries.participants_sharing_contact(
                program, email=form.cleaned_data.get("email", ""), phone=form.cleaned_data.get("phone", "")
            )
        if not already_held:
            try:
                participant = support_participants.save_participant(
                    actor=request.user, program=program, participant=None, data=form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, _("%(reference)s is on the waiting list.") % {"reference": participant.reference}
                )
                if not participant.consent_given:
                    messages.warning(
                        request, _("No consent is recorded, so they cannot be matched until you record it.")
                    )
                return redirect("support:participant", program.slug, participant.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "support/participant_form.html",
        {"program": program, "form": form, "participant": None, "already_held": already_held},
        status=status,
    )


@program_view("support.view_participants")
def participant(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    record = access.get_participant(request, program, pk, page=gettext_noop("participant record"))
    return _participant_page(request, program, record)


READS_PER_PAGE = 20


def _participant_page(request: ProgramRequest, program: Program, record: Any, status: int = 200, **forms: Any) -> Any:
    context = {
        "program": program,
        "participant": record,
        **queries.participant_detail(program, request.membership, request.user, record),
        # What the apps built on support add (the needs checklist, from intake on).
        "sections": extensions.sections("participant", request, program, record, None),
        "conflict_form": ConflictForm(program=program) if is_coordinator(request) else None,
        **_texts_context(request, record),
        # Who saw this person, as one can ask of a health record: for coordinators only.
        "reads": Paginator(queries.read_history(program, record), READS_PER_PAGE).get_page(request.GET.get("reads"))
        if can(request.membership, "support.view_read_history")
        else None,
        **forms,
    }
    return render(request, "support/participant.html", context, status=status)


def _texts_context(request: ProgramRequest, record: Participant) -> dict[str, Any]:
    """The participant's consent to texts, and the form to record it for those who may."""
    consent = texts.consent_of(record)
    form = None
    if can(request.membership, "support.record_text_consent"):
        initial = {
            "phone": consent.phone if consent else record.phone,
            "agreed": bool(consent and consent.texts_allowed),
        }
        form = TextConsentForm(initial=initial)
    return {"text_consent": consent, "text_form": form, "texts_on": sms.enabled()}


@program_view("support.record_text_consent")
@require_POST
def participant_texts(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    """Record that the participant agreed to texts (or no longer does), with how they agreed."""
    record = access.get_participant(request, program, pk, page="text-message consent")
    form = TextConsentForm(request.POST)
    if form.is_valid():
        try:
            texts.record_text_consent(
                actor=request.user,
                participant=record,
                phone=form.cleaned_data["phone"],
                agreed=form.cleaned_data["agreed"],
                source=form.cleaned_data["source"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Text-message consent saved."))
            return redirect("support:participant", program.slug, record.pk)
    return _participant_page(request, program, record, 400, text_form=form)


@program_view("support.manage_participants")
def participant_edit(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    record = access.get_participant(request, program, pk, page=gettext_noop("participant edit"))
    form = ParticipantForm(request.POST or None, program=program, initial=ParticipantForm.initial_for(record))
    if request.method == "POST" and form.is_valid():
        try:
            support_participants.save_participant(
                actor=request.user, program=program, participant=record, data=form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(reference)s saved.") % {"reference": record.reference})
            return redirect("support:participant", program.slug, record.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "support/participant_form.html",
        {"program": program, "form": form, "participant": record},
        status=status,
    )


@program_view("support.export_participant")
def participant_export(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    record = access.get_participant_for_staff(program, pk)
    data = support_participants.export_participant(actor=request.user, participant=record)
    filename = f"participant-{record.reference}"
    if request.GET.get("format") == "csv":
        headers, *rows = queries.export_rows(data)
        return download(filename, "csv", headers, rows)
    response = JsonResponse(data, json_dumps_params={"indent": 2, "ensure_ascii": False})
    as_download(response, f"{filename}.json")
    return response


@program_view("support.erase_participant")
def participant_erase(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    record = access.get_participant(request, program, pk, page=gettext_noop("erasure"))
    form = EraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            support_participants.erase_participant(
                actor=request.user, participant=record, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The participant was erased. Only anonymous counts remain."))
            return redirect("support:participants", program.slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "support/participant_erase.html",
        {"program": program, "participant": record, "form": form},
        status=status,
    )


@program_view("support.declare_conflict")
@require_POST
@creates_once
def conflict_add(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    if not is_coordinator(request):
        # Supporters declare a conflict on their own offer or relationship.
        return redirect("support:caseload", program.slug)
    record = access.get_participant(request, program, pk, page=gettext_noop("declare conflict"))
    form = ConflictForm(request.POST, program=program)
    if form.is_valid():
        supporter = get_object_or_404(program.supporters, pk=form.cleaned_data["supporter"])
        try:
            profiles.declare_conflict(
                actor=request.user, supporter=supporter, participant=record, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(supporter)s will never be matched with %(reference)s.")
                % {"supporter": supporter.full_name, "reference": record.reference},
            )
            return redirect("support:participant", program.slug, record.pk)
    return _participant_page(request, program, record, 400, conflict_form=form)
