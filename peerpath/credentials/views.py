from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peerpath.core.exports import as_download
from peerpath.core.forms import add_service_errors
from peerpath.core.idempotency import creates_once
from peerpath.core.permissions import program_view
from peerpath.credentials import access, queries, services
from peerpath.credentials.forms import (
    CredentialSettingsForm,
    DomainForm,
    ExamForm,
    ExternalTrainingForm,
    QualificationTypeForm,
    RecordForm,
    SignForm,
)
from peerpath.credentials.holds import facilitation_holds, matching_holds
from peerpath.credentials.models import ExternalTraining, TrainingDomain
from peerpath.credentials.packet import packet_csv, packet_pdf, summary_lines
from peerpath.credentials.progress import get_settings, progress
from peerpath.programs.http import ProgramRequest
from peerpath.programs.models import Program
from peerpath.recruitment.access import own_supporter_record


@program_view("credentials.manage")
def qualifications(request: ProgramRequest, program: Program) -> HttpResponse:
    today = timezone.localdate()
    people = queries.people(program)
    found = queries.statuses(program, [p.pk for p in people], today)
    held = matching_holds(program, today)
    no_facilitating = facilitation_holds(program, today)
    rows = [
        {"person": p, "statuses": found[p.pk], "held": held.get(p.pk), "no_facilitating": no_facilitating.get(p.pk)}
        for p in people
    ]
    return render(
        request,
        "credentials/qualifications.html",
        {
            "program": program,
            "types": queries.active_types(program),
            "rows": rows,
            "expiring": queries.expiring_records(program, today, 60),
        },
    )


@program_view("credentials.manage")
@creates_once
def type_edit(request: ProgramRequest, program: Program, pk: int | None = None) -> HttpResponse:
    qtype = access.get_type(program, pk) if pk else None
    form = QualificationTypeForm(request.POST or None, instance=qtype)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_type(actor=request.user, program=program, qtype=qtype, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Qualification saved."))
            return redirect("credentials:qualifications", program.slug)
    return render(
        request,
        "credentials/type_form.html",
        {"program": program, "form": form, "qtype": qtype},
        status=400 if request.method == "POST" else 200,
    )


@program_view("credentials.manage")
@creates_once
def person(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    supporter = access.get_supporter(program, pk)
    form = RecordForm(request.POST or None, request.FILES or None, program=program)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_qualification(actor=request.user, supporter=supporter, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Qualification recorded."))
            return redirect("credentials:person", program.slug, supporter.pk)
    today = timezone.localdate()
    return render(
        request,
        "credentials/person.html",
        {
            "program": program,
            "supporter": supporter,
            "statuses": queries.statuses(program, [supporter.pk], today)[supporter.pk],
            "held": matching_holds(program, today).get(supporter.pk),
            "no_facilitating": facilitation_holds(program, today).get(supporter.pk),
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


@program_view("credentials.manage")
def evidence(request: ProgramRequest, program: Program, pk: int) -> FileResponse:
    record = access.get_record(program, pk)
    if not record.evidence:
        raise Http404("No evidence file.")
    try:
        handle = record.evidence.open("rb")
    except FileNotFoundError:
        raise Http404("The evidence file is missing.") from None
    return as_download(FileResponse(handle), record.evidence_name or "evidence")


def _sign_form(pk: int, data: Any = None) -> SignForm:
    return SignForm(data, auto_id=f"id_sign{pk}_%s")  # one form per agreement on the page


def _mine_context(
    program: Program, supporter: Any, failed: SignForm | None = None, failed_pk: int = 0
) -> dict[str, Any]:
    today = timezone.localdate()
    statuses = queries.statuses(program, [supporter.pk], today)[supporter.pk]
    return {
        "program": program,
        "supporter": supporter,
        "statuses": statuses,
        "held": matching_holds(program, today).get(supporter.pk),
        "no_facilitating": facilitation_holds(program, today).get(supporter.pk),
        "to_sign": [
            (s, failed if failed is not None and failed_pk == s.qtype.pk else _sign_form(s.qtype.pk))
            for s in statuses
            if s.qtype.kind == "agreement"
            and (s.state != "valid" or not any(r.agreement_version == s.qtype.agreement_version for r in s.records))
        ],
    }


@program_view("credentials.own")
def mine(request: ProgramRequest, program: Program) -> HttpResponse:
    supporter = own_supporter_record(program, request.user)
    return render(request, "credentials/mine.html", _mine_context(program, supporter))


@program_view("credentials.own")
@require_POST
@creates_once
def sign(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    supporter = own_supporter_record(program, request.user)
    qtype = access.get_agreement(program, pk)
    form = _sign_form(qtype.pk, request.POST)
    if form.is_valid():
        try:
            services.sign_agreement(
                actor=request.user, supporter=supporter, qtype=qtype, typed_name=form.cleaned_data["typed_name"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Signed: %(name)s.") % {"name": qtype.name})
            return redirect("credentials:mine", program.slug)
    return render(request, "credentials/mine.html", _mine_context(program, supporter, form, qtype.pk), status=400)


# --- The initial credential ------------------------------------------------------------------


@program_view("credentials.manage")
def setup(request: ProgramRequest, program: Program) -> HttpResponse:
    """The initial credential (hours, documents, exam) and its training domains."""
    form = CredentialSettingsForm(request.POST or None, instance=get_settings(program), program=program)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_credential_settings(actor=request.user, program=program, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Credential saved."))
            return redirect("credentials:setup", program.slug)
    return render(
        request,
        "credentials/setup.html",
        {
            "program": program,
            "form": form,
            "domains": TrainingDomain.objects.filter(program=program).prefetch_related("topics"),
        },
        status=400 if request.method == "POST" else 200,
    )


@program_view("credentials.manage")
@creates_once
def domain_edit(request: ProgramRequest, program: Program, pk: int | None = None) -> HttpResponse:
    domain = get_object_or_404(TrainingDomain, program=program, pk=pk) if pk else None
    form = DomainForm(request.POST or None, instance=domain, program=program)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_domain(actor=request.user, program=program, domain=domain, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Domain saved."))
            return redirect("credentials:setup", program.slug)
    return render(
        request,
        "credentials/domain_form.html",
        {"program": program, "form": form, "domain": domain},
        status=400 if request.method == "POST" else 200,
    )


def _progress_page(
    request: ProgramRequest, program: Program, supporter: Any, *, own: bool, forms: dict[str, Any], status: int = 200
) -> HttpResponse:
    found = progress(supporter)
    return render(
        request,
        "credentials/progress.html",
        {
            "program": program,
            "supporter": supporter,
            "progress": found,
            "summary": summary_lines(found),
            "own": own,
            "pending": ExternalTraining.objects.filter(supporter=supporter, status="submitted").select_related(
                "domain"
            ),
            "external_form": forms.get("external") or ExternalTrainingForm(program=program),
            "exam_form": forms.get("exam") or ExamForm(auto_id="id_exam_%s"),
        },
        status=status,
    )


@program_view("credentials.manage")
@creates_once
def person_progress(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    """A supporter's progress toward the credential; the coordinator records external trainings
    (approved at once), approves those the supporter logged, and records exam results."""
    supporter = access.get_supporter(program, pk)
    if request.method != "POST":
        return _progress_page(request, program, supporter, own=False, forms={})
    what = request.POST.get("what")
    if what == "approve":
        external = get_object_or_404(ExternalTraining, program=program, supporter=supporter, pk=request.POST.get("pk"))
        try:
            services.approve_external_training(actor=request.user, external=external)
        except ValidationError as error:
            messages.error(request, "; ".join(error.messages))
        return redirect("credentials:progress", program.slug, supporter.pk)
    if what == "exam":
        exam_form = ExamForm(request.POST, auto_id="id_exam_%s")
        if exam_form.is_valid():
            try:
                services.record_exam(actor=request.user, supporter=supporter, **exam_form.cleaned_data)
            except ValidationError as error:
                add_service_errors(exam_form, error)
            else:
                return redirect("credentials:progress", program.slug, supporter.pk)
        return _progress_page(request, program, supporter, own=False, forms={"exam": exam_form}, status=400)
    return _log_external(request, program, supporter, own=False)


def _log_external(request: ProgramRequest, program: Program, supporter: Any, *, own: bool) -> HttpResponse:
    form = ExternalTrainingForm(request.POST, program=program)
    if form.is_valid():
        try:
            services.log_external_training(actor=request.user, supporter=supporter, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Training logged."))
            if own:
                return redirect("credentials:my_progress", program.slug)
            return redirect("credentials:progress", program.slug, supporter.pk)
    return _progress_page(request, program, supporter, own=own, forms={"external": form}, status=400)


@program_view("credentials.own")
@creates_once
def my_progress(request: ProgramRequest, program: Program) -> HttpResponse:
    supporter = own_supporter_record(program, request.user)
    if request.method != "POST":
        return _progress_page(request, program, supporter, own=True, forms={})
    return _log_external(request, program, supporter, own=True)


def _packet(supporter: Any, kind: str) -> HttpResponse:
    if kind not in ("pdf", "csv"):
        raise Http404("A packet is a PDF summary or a CSV of the records.")
    found = progress(supporter)
    name = f"credential-application-{supporter.pk}"
    if kind == "pdf":
        response = HttpResponse(packet_pdf(found), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    else:
        response = HttpResponse(packet_csv(found), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


@program_view("credentials.manage")
def packet(request: ProgramRequest, program: Program, pk: int, kind: str) -> HttpResponse:
    return _packet(access.get_supporter(program, pk), kind)


@program_view("credentials.own")
def my_packet(request: ProgramRequest, program: Program, kind: str) -> HttpResponse:
    return _packet(own_supporter_record(program, request.user), kind)
