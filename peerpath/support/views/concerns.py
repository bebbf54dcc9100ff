"""Concerns, crises and hard events."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from peerpath.core.exports import requested_format
from peerpath.core.forms import add_service_errors
from peerpath.core.idempotency import creates_once
from peerpath.core.permissions import program_view
from peerpath.programs.http import ProgramRequest
from peerpath.programs.models import Program
from peerpath.support import access, exports, extensions, queries
from peerpath.support.defaults import get_settings
from peerpath.support.forms import (
    AdverseEventForm,
    ConcernDetailsForm,
    ConcernForm,
    FollowUpForm,
)
from peerpath.support.models import (
    ConcernKind,
    lines,
)
from peerpath.support.services import adverse_events
from peerpath.support.services import concerns as support_concerns
from peerpath.support.services import participants as support_participants
from peerpath.support.views.common import download_list


@program_view("support.raise_concern")
@creates_once
def concern_new(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    record = access.get_own_relationship(request, program, pk, page=gettext_noop("raise concern"))
    access.require_write(record, access.Write.CONCERN)
    kind = request.GET.get("kind") or request.POST.get("kind") or ConcernKind.CONCERN
    form = ConcernForm(request.POST or None, program=program, initial={"kind": kind})
    if request.method == "POST" and form.is_valid():
        try:
            concern = support_concerns.raise_concern(
                actor=request.user,
                relationship=record,
                kind=form.cleaned_data["kind"],
                answers=form.answers(),
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Your supervisor has been told and will get back to you. Add what you know below when you can.")
                if concern.is_crisis
                else _("Your concern was passed on to your supervisor."),
            )
            return redirect("support:concern", program.slug, concern.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "support/concern_form.html",
        {
            "program": program,
            "relationship": record,
            "form": form,
            "crisis": kind == ConcernKind.CRISIS,
            "protocol": _protocol(program),
        },
        status=status,
    )


def dial_number(text: str) -> str:
    """The number to dial in a written phone number or crisis line ("988 Suicide & Crisis
    Lifeline (call or text 988)" → "988"; "+44 116 123" → "+44116123"); empty when there is none."""
    found = re.search(r"\+?\d[\d\s().-]*\d|\d", text or "")
    if not found:
        return ""
    number = found.group(0)
    return ("+" if number.startswith("+") else "") + re.sub(r"\D", "", number)


def _protocol(program: Program) -> dict[str, Any]:
    row = get_settings(program)
    return {
        "steps": lines(row.crisis_steps),
        "emergency_number": row.emergency_number,
        "emergency_dial": dial_number(row.emergency_number),
        "crisis_line": row.crisis_line,
        "crisis_dial": dial_number(row.crisis_line),
        "referrals": lines(row.referral_options),
    }


@program_view("support.view_relationships")
def concern(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    record = access.get_concern(request, program, pk)
    return _concern_page(request, program, record)


def _concern_page(request: ProgramRequest, program: Program, record: Any, status: int = 200, **forms: Any) -> Any:
    viewer = access.concern_viewer(program, request.membership, request.user, record)
    sight = access.concern_sight(viewer, record) or access.Sight.NOTHING_IDENTIFYING
    may_add = access.may_add_concern_details(request.user, record)
    if may_add and "details_form" not in forms:
        forms["details_form"] = ConcernDetailsForm(program=program, initial=_answers_initial(program, record))
    context = {
        "may_add_details": may_add,
        "program": program,
        "concern": record,
        # The participant is shown only through `shown` (support.access.VISIBILITY).
        "shown": access.shown_concern_participant(record, sight),
        "events": record.events.select_related("actor"),
        "protocol": _protocol(program),
        "can_handle": access.may_handle_concern(program, request.membership, request.user, record),
        "follow_up_form": FollowUpForm(program=program),
        "overdue": record.is_overdue(),
        "chain": queries.crisis_chain_rows(record),
        # What apps above support add (a referral from this concern: plans).
        "sections": extensions.sections("concern", request, program, record, viewer),
        **forms,
    }
    return render(request, "support/concern.html", context, status=status)


def _answers_initial(program: Program, record: Any) -> dict[str, str]:
    given = dict(record.answer_pairs())
    form = ConcernDetailsForm(program=program)
    return {f"q_{i}": given.get(q, "") for i, q in enumerate(form.questions)}


@program_view("support.raise_concern")
@require_POST
def concern_details(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    record = access.get_concern_to_add_to(request, program, pk)
    if record.relationship is not None:
        access.require_write(record.relationship, access.Write.CONCERN)
    form = ConcernDetailsForm(request.POST, program=program)
    if form.is_valid():
        try:
            support_concerns.add_concern_details(
                actor=request.user, concern=record, answers=form.answers(), notes=form.cleaned_data["notes"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your supervisor can read the details now."))
            return redirect("support:concern", program.slug, record.pk)
    return _concern_page(request, program, record, 400, details_form=form)


@program_view("support.view_concerns")
def concerns(request: ProgramRequest, program: Program) -> HttpResponse:
    rows = list(queries.concerns_for(program, request.membership, request.user))
    if fmt := requested_format(request):
        return download_list(request, program, fmt, "concerns", exports.concerns(rows, timezone.now()))
    support_participants.record_list_view(
        actor=request.user, program=program, participants=[c.participant for c in rows], page=gettext_noop("concerns")
    )
    return render(request, "support/concerns.html", {"program": program, "rows": rows, "now": timezone.now()})


@program_view("support.handle_concern")
@require_POST
def concern_acknowledge(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    record = access.get_concern_to_handle(request, program, pk)
    try:
        support_concerns.acknowledge_concern(actor=request.user, concern=record)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Acknowledged. Record the follow-up when it is done."))
    return redirect("support:concern", program.slug, record.pk)


@program_view("support.handle_concern")
@require_POST
def concern_follow_up(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    record = access.get_concern_to_handle(request, program, pk)
    form = FollowUpForm(request.POST, program=program)
    if form.is_valid():
        try:
            support_concerns.record_follow_up(actor=request.user, concern=record, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Follow-up recorded."))
            return redirect("support:concern", program.slug, record.pk)
    return _concern_page(request, program, record, 400, follow_up_form=form)


@program_view("support.record_adverse_event")
@creates_once
def adverse_event_new(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    record = access.get_relationship(request, program, pk, page=gettext_noop("record adverse event"))
    access.require_write(record, access.Write.HARD_EVENT)
    form = AdverseEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            adverse_events.record_adverse_event(actor=request.user, relationship=record, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Recorded. The supporter's supervisor and the coordinators have been told."))
            return redirect("support:relationship", program.slug, record.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "support/adverse_event_form.html",
        {"program": program, "relationship": record, "form": form},
        status=status,
    )
