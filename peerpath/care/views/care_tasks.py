"""Care tasks and the supporters who may need attention."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peerpath.care import access, exports, queries
from peerpath.care.forms import (
    TaskDoneForm,
    TaskFilterForm,
)
from peerpath.care.models import (
    CareTask,
    TaskStatus,
)
from peerpath.care.services import care_tasks
from peerpath.care.services import common as care_common
from peerpath.care.views.common import PAGE_SIZE, filter_query, is_coordinator, local_today
from peerpath.core.exports import download_table, requested_format
from peerpath.core.permissions import program_view
from peerpath.programs.http import ProgramRequest
from peerpath.programs.models import Program


@program_view("care.view_tasks")
def tasks(request: ProgramRequest, program: Program) -> HttpResponse:
    coordinator = is_coordinator(request)
    form = TaskFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    status = data.get("status") or TaskStatus.OPEN
    who = data.get("who") or ("all" if coordinator else "mine")
    rows = CareTask.objects.filter(program=program, status=status).select_related("supporter", "assigned_to")
    if not coordinator or who == "mine":
        rows = rows.filter(assigned_to=request.user)
    elif who == "unassigned":
        rows = rows.filter(assigned_to__isnull=True)
    rows = rows.order_by("due_on", "created_at") if status == TaskStatus.OPEN else rows.order_by("-completed_at")
    if fmt := requested_format(request):
        return download_table(
            f"{program.slug}-care-tasks", fmt, exports.tasks(rows, status=status, coordinator=coordinator)
        )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "care/tasks.html",
        {
            "program": program,
            "form": form,
            "page": page,
            "query": filter_query(request),
            "coordinator": coordinator,
            "done_form": TaskDoneForm(),
            "status": status,
            "today": local_today(),
        },
    )


@program_view("care.view_tasks")
@require_POST
def task_done(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    task = access.get_task(request, program, pk)
    form = TaskDoneForm(request.POST)
    if form.is_valid():
        try:
            care_tasks.complete_task(actor=request.user, task=task, outcome=form.cleaned_data["outcome"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Done: %(task)s") % {"task": task.title})
    else:
        messages.error(request, _("The note is too long."))
    return redirect(request.POST["next"] if _safe_next(request) else reverse("care:tasks", args=[program.slug]))


def _safe_next(request: HttpRequest) -> bool:
    target = request.POST.get("next", "")
    return target.startswith("/p/") and "//" not in target


@program_view("care.view_attention")
def attention(request: ProgramRequest, program: Program) -> HttpResponse:
    settings = care_common.get_settings(program)
    rows = queries.attention(program, access.visible_supporters(request), settings, local_today())
    if fmt := requested_format(request):
        table = exports.attention(rows, coordinator=is_coordinator(request))
        return download_table(f"{program.slug}-may-need-attention", fmt, table)
    return render(
        request,
        "care/attention.html",
        {
            "program": program,
            "rows": rows,
            "settings": settings,
            "coordinator": is_coordinator(request),
        },
    )
