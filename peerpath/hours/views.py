"""The service-hours ledger's pages: a supporter's own hours and other duties, the ledgers
staff may see, the coordinators' review of other duties, and the hours settings."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from peerpath.core.exports import Table, download_table, requested_format
from peerpath.core.forms import add_rule_errors, add_service_errors
from peerpath.core.idempotency import creates_once
from peerpath.core.permissions import program_view
from peerpath.hours import access, queries, services
from peerpath.hours.forms import DutyForm, HoursSettingsForm, ReviewForm, YearForm
from peerpath.hours.models import DutyStatus, OtherDuty
from peerpath.programs.http import ProgramRequest
from peerpath.programs.models import Program
from peerpath.recruitment.access import own_supporter_record
from peerpath.recruitment.models import Supporter

PAGE_SIZE = 50


def _year(request: ProgramRequest) -> tuple[YearForm, int]:
    years = queries.years()
    form = YearForm(request.GET or None, years=years, initial={"year": years[0]})
    return form, (form.cleaned_data["year"] if form.is_valid() else years[0])


def _month(request: ProgramRequest) -> dt.date | None:
    try:
        return dt.date.fromisoformat(request.GET.get("month", "") + "-01")
    except ValueError:
        return None


def _ledger_page(request: ProgramRequest, program: Program, supporter: Supporter, *, own: bool) -> HttpResponse:
    form, year = _year(request)
    settings = services.get_settings(program)
    data = queries.supporter_ledger(supporter, settings, year, _month(request))
    if fmt := requested_format(request):
        table = Table([str(h) for h in queries.ENTRY_HEADERS], queries.entry_table_rows(data["year_entries"]))
        name = "my-hours" if own else f"hours-{supporter.pk}"
        return download_table(f"{program.slug}-{name}-{year}", fmt, table)
    duties = OtherDuty.objects.filter(supporter=supporter).select_related("reviewed_by")[:20]
    return render(
        request,
        "hours/ledger.html",
        {
            "program": program,
            "person": supporter,
            "own": own,
            "form": form,
            "query": f"year={year}",
            "duties": duties,
            "settings": settings,
            **data,
        },
    )


@program_view("hours.own")
def mine(request: ProgramRequest, program: Program) -> HttpResponse:
    return _ledger_page(request, program, own_supporter_record(program, request.user), own=True)


@program_view("hours.own")
@creates_once
def duty_edit(request: ProgramRequest, program: Program, pk: int | None = None) -> HttpResponse:
    supporter = own_supporter_record(program, request.user)
    duty = access.own_duty(supporter, pk) if pk else None
    if duty is not None and duty.status == DutyStatus.APPROVED:
        raise Http404("Approved duties cannot be changed.")
    initial: dict[str, object] = {"date": timezone.localdate(), "kind": "other"}
    if duty is not None:
        initial = {f: getattr(duty, f) for f in ("date", "kind", "title", "minutes", "description")}
    form = DutyForm(request.POST or None, initial=initial)
    if request.method == "POST" and not form.is_valid():
        add_rule_errors(form, lambda data: services.check_duty(**{k: data.get(k) for k in _CHECKED}))
    elif request.method == "POST":
        try:
            if duty is None:
                services.log_duty(actor=request.user, supporter=supporter, **form.cleaned_data)
            else:
                services.resubmit_duty(actor=request.user, duty=duty, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Duty sent for approval."))
            return redirect("hours:mine", program.slug)
    return render(
        request,
        "hours/duty_form.html",
        {"program": program, "form": form, "duty": duty},
        status=400 if request.method == "POST" else 200,
    )


_CHECKED = ("date", "kind", "title", "minutes")


@program_view("hours.view_ledgers")
def ledgers(request: ProgramRequest, program: Program) -> HttpResponse:
    form, year = _year(request)
    settings = services.get_settings(program)
    people = (
        access.ledgers_visible_to(request.membership, request.user)
        .filter(stage__in=services.LOGGING_STAGES)
        .order_by("full_name")
    )
    if fmt := requested_format(request):
        rows = queries.ledger_rows(program, people, settings, year, people)
        headers = [_("Supporter"), *[label for _key, label in queries.kinds()], _("Total hours")]
        table = Table(headers, [[r.supporter.full_name, *r.totals.hours_by_kind(), r.totals.hours] for r in rows])
        return download_table(f"{program.slug}-hours-{year}", fmt, table)
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "hours/ledgers.html",
        {
            "program": program,
            "form": form,
            "year": year,
            "rows": queries.ledger_rows(program, page, settings, year, people),
            "page": page,
            "query": f"year={year}",
            "kinds": queries.kinds(),
            "settings": settings,
            "awaiting": queries.duties_awaiting(program).count(),
        },
    )


@program_view("hours.view_ledgers")
def ledger(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    supporter = access.get_visible_supporter(request.membership, request.user, pk)
    return _ledger_page(request, program, supporter, own=False)


@program_view("hours.review_duties")
def duties(request: ProgramRequest, program: Program) -> HttpResponse:
    page = Paginator(queries.duties_reviewed(program), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "hours/duties.html",
        {"program": program, "awaiting": queries.duties_awaiting(program), "page": page, "query": ""},
    )


@program_view("hours.review_duties")
def duty_review(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    duty = access.get_duty(program, pk)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_duty(
                actor=request.user,
                duty=duty,
                approve=form.cleaned_data["decision"] == "approve",
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Duty %(status)s.") % {"status": duty.get_status_display().lower()})
            return redirect("hours:duties", program.slug)
    return render(
        request,
        "hours/duty_review.html",
        {
            "program": program,
            "duty": duty,
            "form": form,
            "history": duty.changes.select_related("actor"),
            "can_review": duty.status == DutyStatus.SUBMITTED,
        },
        status=400 if request.method == "POST" else 200,
    )


@program_view("hours.edit_settings")
def settings_edit(request: ProgramRequest, program: Program) -> HttpResponse:
    form = HoursSettingsForm(request.POST or None, instance=services.get_settings(program), program=program)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_settings(actor=request.user, program=program, data=dict(form.cleaned_data))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Hours settings saved."))
            return redirect("hours:settings", program.slug)
    return render(
        request,
        "hours/settings.html",
        {"program": program, "form": form},
        status=400 if request.method == "POST" else 200,
    )
