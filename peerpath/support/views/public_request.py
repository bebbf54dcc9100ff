"""The public form through which someone asks for a peer supporter."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from peerpath.core.forms import add_service_errors
from peerpath.core.idempotency import creates_once
from peerpath.core.limits import limit_accepted_submissions
from peerpath.core.permissions import public
from peerpath.programs.models import Program
from peerpath.support.defaults import get_settings
from peerpath.support.forms import (
    RequestForm,
)
from peerpath.support.services import participants as support_participants


@public
@limit_accepted_submissions("support.request_form")
@creates_once
def request_form(request: HttpRequest, program_slug: str) -> HttpResponse:
    program = get_object_or_404(Program, slug=program_slug, is_active=True)
    support_settings = get_settings(program)
    form = RequestForm(request.POST or None, program=program)
    if request.method == "POST" and support_settings.requests_open and form.is_valid():
        try:
            support_participants.submit_request(program=program, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("support:request_thanks", program.slug)
    status = 400 if request.method == "POST" else 200
    if not support_settings.requests_open:
        status = 404 if request.method == "POST" else 200
    return render(
        request,
        "support/request.html",
        {"program": program, "form": form, "support_settings": support_settings},
        status=status,
    )


@public
def request_thanks(request: HttpRequest, program_slug: str) -> HttpResponse:
    program = get_object_or_404(Program, slug=program_slug, is_active=True)
    return render(request, "support/request_thanks.html", {"program": program})
