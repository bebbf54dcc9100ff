from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peerpath.core.exports import download
from peerpath.core.permissions import program_view
from peerpath.programs.http import ProgramRequest
from peerpath.programs.models import Program
from peerpath.reports import cache, library  # noqa: F401  (library registers the reports)
from peerpath.reports.base import REPORTS, ordered_reports
from peerpath.reports.forms import period_form, period_from, requested_period


@program_view("reports.view")
def dashboard(request: ProgramRequest, program: Program) -> HttpResponse:
    period, valid, form = requested_period(request.GET)
    reports = [report for report in ordered_reports() if report.is_available_to(request.membership)]
    key = cache.page_key(request, program, reports, period) if valid else None
    generation = None
    if key:
        page, generation = cache.kept_page(program, key)
        if page is not None:
            return HttpResponse(page)
    generation = generation or cache.generation_of(program)
    results = cache.results(program, reports, period, generation)
    computed = [r.computed_at for r in results if r.computed_at is not None]
    computed_at = min(computed) if computed else None
    query = f"start={period.start.isoformat()}&end={period.end.isoformat()}"
    response = render(
        request,
        "reports/dashboard.html",
        {
            "program": program,
            "form": form or period_form(period),
            "period": period,
            "results": results,
            "query": query,
            "computed_at": computed_at,
            "cache_minutes": settings.REPORT_CACHE_SECONDS // 60,
            "cache_seconds": settings.REPORT_CACHE_SECONDS,
        },
        status=200 if valid else 400,
    )
    if key:
        cache.keep_page(key, generation, response.content, computed_at)
    return response


@program_view("reports.view")
@require_POST
def refresh(request: ProgramRequest, program: Program) -> HttpResponse:
    """Drop the program's cached figures so the dashboard computes them again, then go back."""
    cache.clear(program)
    _form, period, valid = period_from(request.POST)
    messages.success(request, _("The figures have been computed again."))
    url = reverse("reports:dashboard", args=[program.slug])
    if valid and ("start" in request.POST or "end" in request.POST):
        url += f"?start={period.start.isoformat()}&end={period.end.isoformat()}"
    return HttpResponseRedirect(url)


@program_view("reports.view")
def report_download(request: ProgramRequest, program: Program, slug: str, fmt: str) -> HttpResponse:
    report_class = REPORTS.get(slug)
    if report_class is None or fmt not in ("csv", "xlsx") or not report_class.is_available_to(request.membership):
        raise Http404("No such report.")
    form, period, valid = period_from(request.GET)
    if not valid:
        return HttpResponse("; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in form.errors.items()), status=400)
    result = cache.result(program, report_class, period)
    name = f"{program.slug}-{slug}-{period.start}-{period.end}"
    return download(name, fmt, [str(c.label) for c in report_class.columns], result.table())
