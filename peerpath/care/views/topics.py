"""Refresher topics and planning a refresher from them."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peerpath.care import exports, queries
from peerpath.care.forms import (
    RefresherForm,
    default_refresher_times,
)
from peerpath.care.services import common as care_common
from peerpath.care.services import topics as care_topics
from peerpath.core.exports import download_table, requested_format
from peerpath.core.forms import add_service_errors
from peerpath.core.idempotency import creates_once
from peerpath.core.permissions import can, program_view
from peerpath.programs.http import ProgramRequest
from peerpath.programs.models import Program


@program_view("care.view_topics")
def topics(request: ProgramRequest, program: Program) -> HttpResponse:
    return _topics_page(request, program)


def _topics_page(
    request: ProgramRequest, program: Program, failed: RefresherForm | None = None, status: int = 200
) -> HttpResponse:
    settings = care_common.get_settings(program)
    suggestions = queries.topic_suggestions(program, settings, timezone.now())[:25]
    can_plan = can(request.membership, "care.plan_refresher")
    start, end = default_refresher_times()
    entries = []
    for n, suggestion in enumerate(suggestions, start=1):
        form = None
        if can_plan:
            if failed is not None and failed.data.get("topic_key") == suggestion.key:
                form = failed
            else:
                form = RefresherForm(
                    auto_id=f"id_s{n}_%s",
                    initial={
                        "topic_key": suggestion.key,
                        "label": suggestion.label,
                        "title": f"Refresher: {suggestion.label}",
                        "starts_at": start,
                        "ends_at": end,
                        "location": "",
                        "description": _("Suggested by supporters: ") + "; ".join(suggestion.phrasings),
                        "credited_hours": 1,
                    },
                )
        entries.append({"suggestion": suggestion, "form": form, "n": n})
    plans = program.topic_plans.select_related("planned_by")[:10]
    if status == 200 and (fmt := requested_format(request)):
        return download_table(f"{program.slug}-refresher-topics", fmt, exports.topics(entries, plans))
    return render(
        request,
        "care/topics.html",
        {
            "program": program,
            "entries": entries,
            "settings": settings,
            "can_plan": can_plan,
            "plans": plans,
            "failed": failed,
        },
        status=status,
    )


@program_view("care.plan_refresher")
@require_POST
@creates_once
def topic_plan(request: ProgramRequest, program: Program) -> HttpResponse:
    n = request.POST.get("n", "0")
    form = RefresherForm(request.POST, auto_id=f"id_s{n if n.isdigit() else 0}_%s")
    if form.is_valid():
        try:
            plan = care_topics.plan_refresher(actor=request.user, program=program, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Refresher event planned: %(event_label)s.") % {"event_label": plan.event_label}
            )
            return redirect("care:topics", program.slug)
    if not form.non_field_errors() and not form.errors:
        form.add_error(None, _("The event could not be planned."))
    return _topics_page(request, program, failed=form, status=400)
