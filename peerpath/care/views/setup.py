"""Coordinator: assigning supervisors, care settings, questionnaires."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from peerpath.care import access, exports, instruments
from peerpath.care.forms import (
    CareSettingsForm,
    QuestionnaireImportForm,
    supervisor_only_choices,
)
from peerpath.care.models import (
    Questionnaire,
)
from peerpath.care.services import checkins
from peerpath.care.services import common as care_common
from peerpath.care.stages import SUPERVISED_STAGES
from peerpath.care.views.common import PAGE_SIZE, posted_data
from peerpath.core.exports import as_download, download_table, requested_format
from peerpath.core.forms import add_service_errors
from peerpath.core.idempotency import creates_once
from peerpath.core.permissions import program_view
from peerpath.programs.http import ProgramRequest
from peerpath.programs.models import Program
from peerpath.recruitment.models import Supporter
from peerpath.recruitment.services import assign_supervisor


@program_view("care.assign_supervisors")
def supervisors(request: ProgramRequest, program: Program) -> HttpResponse:
    only_unassigned = request.GET.get("unassigned") == "1"
    people = Supporter.objects.filter(program=program, stage__in=SUPERVISED_STAGES).select_related("supervisor")
    if only_unassigned:
        people = people.filter(supervisor__isnull=True)
    if request.method == "GET" and (fmt := requested_format(request)):
        return download_table(f"{program.slug}-supervisors", fmt, exports.supervisors(people.order_by("full_name")))
    page = Paginator(people.order_by("full_name"), PAGE_SIZE).get_page(request.GET.get("page"))
    choices = supervisor_only_choices(program)
    valid = {pk for pk, _name in choices}
    errors: dict[int, str] = {}
    status = 200
    if request.method == "POST":
        chosen: dict[int, int | None] = {}
        rows = {p.pk: p for p in Supporter.objects.filter(program=program, stage__in=SUPERVISED_STAGES)}
        for key, value in request.POST.dict().items():
            if not key.startswith("supervisor_"):
                continue
            pk_text = key.removeprefix("supervisor_")
            if not pk_text.isdigit() or int(pk_text) not in rows:
                raise Http404("No such supporter.")
            if value == "":
                chosen[int(pk_text)] = None
            elif value.isdigit() and int(value) in valid:
                chosen[int(pk_text)] = int(value)
            else:
                errors[int(pk_text)] = _("Choose a supervisor of this program.")
        changed = 0
        if not errors:
            users = {m.user_id: m.user for m in program.memberships.select_related("user").filter(user_id__in=valid)}
            with transaction.atomic():
                for pk, user_id in chosen.items():
                    person = rows[pk]
                    if person.supervisor_id == user_id:
                        continue
                    try:
                        assign_supervisor(
                            actor=request.user, supporter=person, supervisor=users.get(user_id) if user_id else None
                        )
                    except ValidationError as error:
                        errors[pk] = " ".join(error.messages)
                    else:
                        changed += 1
                if errors:
                    transaction.set_rollback(True)  # all or nothing
        if not errors:
            messages.success(request, _("Supervisors saved (%(changed)s changed).") % {"changed": changed})
            return redirect(request.get_full_path())
        status = 400
        messages.error(request, _("Nothing was saved: fix the rows marked below."))
    selected = {int(k.removeprefix("supervisor_")): v for k, v in request.POST.items() if k.startswith("supervisor_")}
    rows_out = [
        {
            "person": p,
            "selected": str(selected.get(p.pk, p.supervisor_id or "")),
            "error": errors.get(p.pk, ""),
        }
        for p in page
    ]
    return render(
        request,
        "care/supervisors.html",
        {
            "program": program,
            "rows": rows_out,
            "choices": [(str(pk), name) for pk, name in choices],
            "page": page,
            "query": "unassigned=1" if only_unassigned else "",
            "only_unassigned": only_unassigned,
        },
        status=status,
    )


@program_view("care.edit_settings")
def settings_edit(request: ProgramRequest, program: Program) -> HttpResponse:
    current = care_common.get_settings(program)
    form = CareSettingsForm(posted_data(request), instance=current, program=program)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.fields}
        try:
            care_common.update_settings(actor=request.user, program=program, data=data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Care settings saved."))
            return redirect("care:settings", program.slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "care/settings.html",
        {"program": program, "form": form},
        status=status,
    )


@program_view("care.manage_questionnaires")
def questionnaires(request: ProgramRequest, program: Program) -> HttpResponse:
    settings = care_common.get_settings(program)
    rows = Questionnaire.objects.filter(program=program).order_by("-is_active", "name")
    return render(
        request,
        "care/questionnaires.html",
        {"program": program, "rows": rows, "in_use": settings.checkin_questionnaire_id},
    )


@program_view("care.manage_questionnaires")
def questionnaire(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    found = access.get_questionnaire(program, pk)
    found = Questionnaire.objects.prefetch_related("subscales__bands", "items__subscale").get(pk=found.pk)
    settings = care_common.get_settings(program)
    subscales = []
    for subscale in found.subscales.all():
        bands = list(subscale.bands.all())
        form = instruments.form_of(found)
        low, high = form.score_range(next(s for s in form.subscales if s.key == subscale.key))
        ranges = []
        for i, band in enumerate(bands):
            upper = bands[i + 1].min_score if i + 1 < len(bands) else None
            ranges.append({"band": band, "upper": upper})
        subscales.append({"subscale": subscale, "bands": ranges, "low": low, "high": high})
    return render(
        request,
        "care/questionnaire.html",
        {
            "program": program,
            "questionnaire": found,
            "subscales": subscales,
            "in_use": settings.checkin_questionnaire_id == found.pk,
            "answered": found.checkins.count(),
        },
    )


@program_view("care.manage_questionnaires")
@creates_once
def questionnaire_import(request: ProgramRequest, program: Program) -> HttpResponse:
    form = QuestionnaireImportForm(posted_data(request), (request.FILES if request.method == "POST" else None))
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > instruments.MAX_BYTES:
                raise instruments.InstrumentErrors(
                    [_("File: larger than %(MAX_BYTES)s kB.") % {"MAX_BYTES": instruments.MAX_BYTES // 1000}]
                )
            parsed = instruments.parse(upload.read())
        except instruments.InstrumentErrors as error:
            problems = error.errors
        else:
            created = checkins.install_questionnaire(
                actor=request.user,
                program=program,
                form=parsed,
                use_for_checkins=form.cleaned_data["use_for_checkins"],
            )
            messages.success(
                request,
                ngettext(
                    "Imported '%(name)s' with %(count)s item.",
                    "Imported '%(name)s' with %(count)s items.",
                    len(parsed.items),
                )
                % {"name": created.name, "count": len(parsed.items)},
            )
            return redirect("care:questionnaire", program.slug, created.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "care/questionnaire_import.html",
        {"program": program, "form": form, "problems": problems},
        status=status,
    )


@program_view("care.manage_questionnaires")
def questionnaire_export(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    found = access.get_questionnaire(program, pk)
    found = Questionnaire.objects.prefetch_related("subscales__bands", "items").get(pk=found.pk)
    data = instruments.to_data(instruments.form_of(found))
    response = JsonResponse(data, json_dumps_params={"indent": 2, "ensure_ascii": False})
    as_download(response, f"questionnaire-{found.pk}.json")
    return response


@program_view("care.manage_questionnaires")
@require_POST
def questionnaire_active(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    found = access.get_questionnaire(program, pk)
    try:
        checkins.set_questionnaire_active(actor=request.user, questionnaire=found, active=not found.is_active)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            (_("'%(name)s' is now in the list.") if found.is_active else _("'%(name)s' is now retired."))
            % {"name": found.name},
        )
    return redirect("care:questionnaire", program.slug, found.pk)


@program_view("care.manage_questionnaires")
@require_POST
def questionnaire_use(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    found = access.get_questionnaire(program, pk)
    try:
        checkins.use_for_checkins(actor=request.user, questionnaire=found)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Check-ins now use '%(found)s'.") % {"found": found.name})
    return redirect("care:questionnaire", program.slug, found.pk)
