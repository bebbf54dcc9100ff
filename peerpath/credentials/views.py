from __future__ import annotations

from decimal import Decimal
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
from peerpath.core.permissions import can, program_view
from peerpath.credentials import access, queries, services
from peerpath.credentials.forms import (
    CredentialSettingsForm,
    DomainForm,
    ExamForm,
    ExternalTrainingForm,
    LearningSettingsForm,
    MaterialForm,
    ModuleForm,
    QualificationTypeForm,
    QuestionForm,
    QuizForm,
    RecordForm,
    ResetForm,
    SignForm,
)
from peerpath.credentials.holds import facilitation_holds, matching_holds
from peerpath.credentials.models import ExternalTraining, TrainingDomain
from peerpath.credentials.packet import packet_csv, packet_pdf, summary_lines
from peerpath.credentials.progress import get_settings, progress
from peerpath.credentials.services import learning as learning_services
from peerpath.programs.http import ProgramRequest
from peerpath.programs.models import Program
from peerpath.recruitment.access import own_supporter_record
from peerpath.training.services import ce_subject_choices


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


# --- Self-paced learning: writing modules (trainers and coordinators) ---------------------------


def _library_page(
    request: ProgramRequest, program: Program, form: LearningSettingsForm | None = None, status: int = 200
) -> HttpResponse:
    makes_up = get_settings(program).self_paced_makes_up_sessions
    return render(
        request,
        "credentials/learning/library.html",
        {
            "program": program,
            "modules": queries.library(program),
            "makes_up_sessions": makes_up,
            "can_manage": can(request.membership, "credentials.manage"),
            "settings_form": form or LearningSettingsForm(initial={"self_paced_makes_up_sessions": makes_up}),
        },
        status=status,
    )


@program_view("credentials.teach")
def learning(request: ProgramRequest, program: Program) -> HttpResponse:
    """The program's learning library: every module, published or not, and (coordinators)
    whether a completed module makes up a missed course session."""
    return _library_page(request, program)


@program_view("credentials.manage")
@require_POST
def learning_settings(request: ProgramRequest, program: Program) -> HttpResponse:
    form = LearningSettingsForm(request.POST)
    if form.is_valid():
        try:
            learning_services.save_learning_settings(
                actor=request.user,
                program=program,
                makes_up_sessions=form.cleaned_data["self_paced_makes_up_sessions"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Learning settings saved."))
            return redirect("credentials:learning", program.slug)
    return _library_page(request, program, form, status=400)


@program_view("credentials.teach")
@creates_once
def module_edit(request: ProgramRequest, program: Program, pk: int | None = None) -> HttpResponse:
    module = access.get_module(program, pk) if pk else None
    form = ModuleForm(request.POST or None, instance=module, program=program)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        competencies = list(data.pop("competencies", []))
        try:
            saved = learning_services.save_module(
                actor=request.user, program=program, module=module, data=data, competencies=competencies
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Module saved."))
            return redirect("credentials:module", program.slug, saved.pk)
    return render(
        request,
        "credentials/learning/module_form.html",
        {"program": program, "form": form, "module": module},
        status=400 if request.method == "POST" else 200,
    )


def _module_page(
    request: ProgramRequest,
    program: Program,
    module: Any,
    *,
    material_form: MaterialForm | None = None,
    question_form: QuestionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "credentials/learning/module.html",
        {
            "program": program,
            "module": module,
            "materials": list(module.materials.all()),
            "questions": list(module.questions.prefetch_related("choices")),
            "material_form": material_form or MaterialForm(auto_id="id_material_%s"),
            "question_form": question_form or QuestionForm(auto_id="id_question_%s"),
            "subject": dict(ce_subject_choices(program)).get(module.ce_subject, ""),
        },
        status=status,
    )


@program_view("credentials.teach")
@creates_once
def module(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    """A module's materials and quiz: add a material or a question, take one out."""
    found = access.get_module(program, pk)
    if request.method != "POST":
        return _module_page(request, program, found)
    what = request.POST.get("what")
    if what == "remove_material":
        material = get_object_or_404(found.materials, pk=request.POST.get("pk"))
        learning_services.remove_material(actor=request.user, material=material)
        messages.success(request, _("Material removed."))
        return redirect("credentials:module", program.slug, found.pk)
    if what == "remove_question":
        question = access.get_question(found, _int(request.POST.get("pk")))
        learning_services.remove_question(actor=request.user, question=question)
        messages.success(request, _("Question removed."))
        return redirect("credentials:module", program.slug, found.pk)
    if what == "question":
        question_form = QuestionForm(request.POST, auto_id="id_question_%s")
        if question_form.is_valid():
            try:
                learning_services.add_question(
                    actor=request.user,
                    module=found,
                    text=question_form.cleaned_data["text"],
                    choices=question_form.choices(),
                    correct=question_form.cleaned_data["correct"],
                    explanation=question_form.cleaned_data["explanation"],
                )
            except ValidationError as error:
                add_service_errors(question_form, error)
            else:
                messages.success(request, _("Question added."))
                return redirect("credentials:module", program.slug, found.pk)
        return _module_page(request, program, found, question_form=question_form, status=400)
    material_form = MaterialForm(request.POST, request.FILES, auto_id="id_material_%s")
    if material_form.is_valid():
        try:
            learning_services.add_material(actor=request.user, module=found, **material_form.cleaned_data)
        except ValidationError as error:
            add_service_errors(material_form, error)
        else:
            messages.success(request, _("Material added."))
            return redirect("credentials:module", program.slug, found.pk)
    return _module_page(request, program, found, material_form=material_form, status=400)


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404("No such record.") from None


def _material_file(material: Any) -> FileResponse:
    if not material.file:
        raise Http404("No file.")
    try:
        handle = material.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing.") from None
    return as_download(FileResponse(handle), material.file_name or "material")


@program_view("credentials.teach")
def material_file(request: ProgramRequest, program: Program, pk: int) -> FileResponse:
    return _material_file(access.get_material(program, pk, published_only=False))


@program_view("credentials.teach")
def learning_progress(request: ProgramRequest, program: Program) -> HttpResponse:
    """Where each learner stands on each published module: coordinators see everyone in training
    or at work, trainers the trainees of the cohorts they teach."""
    modules = queries.published_modules(program)
    people = list(access.learners_visible_to(request.membership))
    found = queries.standings(modules, [p.pk for p in people])
    rows = [{"person": p, "cells": [found[p.pk][m.pk] for m in modules]} for p in people]
    return render(request, "credentials/learning/progress.html", {"program": program, "modules": modules, "rows": rows})


@program_view("credentials.teach")
def learner(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    """One learner's modules, attempts and completions; a fresh start on a module (reset)."""
    person = access.get_learner(request.membership, pk)
    failed: tuple[int, ResetForm] | None = None
    if request.method == "POST":
        the_module = access.get_module(program, _int(request.POST.get("module")))
        form = ResetForm(request.POST, auto_id=f"id_reset{the_module.pk}_%s")
        if form.is_valid():
            try:
                learning_services.reset(
                    actor=request.user, module=the_module, supporter=person, reason=form.cleaned_data["reason"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("%(module)s starts afresh.") % {"module": the_module.title})
                return redirect("credentials:learner", program.slug, person.pk)
        failed = (the_module.pk, form)
    modules = queries.published_modules(program)
    standings = queries.standings(modules, [person.pk])[person.pk]
    cells = []
    for m in modules:
        form = failed[1] if failed and failed[0] == m.pk else ResetForm(auto_id=f"id_reset{m.pk}_%s")
        cells.append((standings[m.pk], form))
    return render(
        request,
        "credentials/learning/learner.html",
        {"program": program, "person": person, "cells": cells},
        status=400 if failed else 200,
    )


# --- Self-paced learning: taking modules (trainees and supporters) -------------------------------


@program_view("credentials.learn")
def my_learning(request: ProgramRequest, program: Program) -> HttpResponse:
    """The supporter's modules: what is left to do first, then what is done."""
    supporter = own_supporter_record(program, request.user)
    found = queries.my_modules(supporter)
    return render(
        request,
        "credentials/learning/mine.html",
        {
            "program": program,
            "standings": found,
            "left": [s for s in found if s.state != "done"],
            "done_hours": sum((s.completion.hours for s in found if s.completion), Decimal("0")),
        },
    )


@program_view("credentials.learn")
@creates_once
def my_module(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    """A module to work through: its materials, then its quiz (or "mark as done" without one)."""
    supporter = own_supporter_record(program, request.user)
    found = access.get_published_module(program, pk)
    questions = list(found.questions.prefetch_related("choices"))
    form = QuizForm(request.POST if request.method == "POST" else None, questions=questions, auto_id="id_quiz_%s")
    if request.method == "POST":
        try:
            if request.POST.get("what") == "done":
                learning_services.mark_done(actor=request.user, supporter=supporter, module=found)
                messages.success(request, _("Well done: %(module)s is complete.") % {"module": found.title})
                return redirect("credentials:my_module", program.slug, found.pk)
            if form.is_valid():
                attempt = learning_services.submit_quiz(
                    actor=request.user, supporter=supporter, module=found, answers=form.answers()
                )
                if attempt.passed:
                    messages.success(
                        request,
                        _("You passed with %(score)d%%: %(module)s is complete.")
                        % {"score": attempt.score, "module": found.title},
                    )
                else:
                    messages.warning(
                        request,
                        _("You scored %(score)d%%; the pass mark is %(mark)d%%. Look over the answers below.")
                        % {"score": attempt.score, "mark": found.pass_mark},
                    )
                return redirect("credentials:my_module", program.slug, found.pk)
        except ValidationError as error:
            add_service_errors(form, error)
    standing = queries.standings([found], [supporter.pk])[supporter.pk][found.pk]
    last = standing.last
    review = []
    if last is not None and request.method != "POST":
        for question in questions:
            chosen = _int_or_none(last.answers.get(str(question.pk)))
            choices = list(question.choices.all())
            review.append(
                {
                    "question": question,
                    "chosen": next((c for c in choices if c.pk == chosen), None),
                    "right": next((c for c in choices if c.is_correct), None),
                }
            )
    return render(
        request,
        "credentials/learning/take.html",
        {
            "program": program,
            "module": found,
            "materials": list(found.materials.all()),
            "questions": questions,
            "form": form,
            "standing": standing,
            "review": review,
        },
        status=400 if request.method == "POST" else 200,
    )


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@program_view("credentials.learn")
def my_material_file(request: ProgramRequest, program: Program, pk: int) -> FileResponse:
    own_supporter_record(program, request.user)
    return _material_file(access.get_material(program, pk, published_only=True))
