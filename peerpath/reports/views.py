from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from peerpath.core.exports import download
from peerpath.core.permissions import program_view
from peerpath.programs.models import Program
from peerpath.reports import library  # noqa: F401  (registers the reports)
from peerpath.reports.base import REPORTS
from peerpath.reports.forms import period_from


@program_view("reports.view")
def dashboard(request: HttpRequest, program: Program) -> HttpResponse:
    form, period, valid = period_from(request.GET)
    results = [
        report().run(program, period) for report in REPORTS.values() if report.is_available_to(request.membership)
    ]
    query = f"start={period.start.isoformat()}&end={period.end.isoformat()}"
    return render(
        request,
        "reports/dashboard.html",
        {"program": program, "form": form, "period": period, "results": results, "query": query},
        status=200 if valid else 400,
    )


@program_view("reports.view")
def report_download(request: HttpRequest, program: Program, slug: str, fmt: str) -> HttpResponse:
    report_class = REPORTS.get(slug)
    if report_class is None or fmt not in ("csv", "xlsx") or not report_class.is_available_to(request.membership):
        raise Http404("No such report.")
    form, period, valid = period_from(request.GET)
    if not valid:
        return HttpResponse("; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()), status=400)
    result = report_class().run(program, period)
    name = f"{program.slug}-{slug}-{period.start}-{period.end}"
    return download(name, fmt, [c.label for c in report_class.columns], result.table())
