"""Newsletters: writing, the archive and unsubscribing."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from peerpath.care import access, exports
from peerpath.care.forms import (
    NewsletterForm,
)
from peerpath.care.models import (
    Newsletter,
    NewsletterPreference,
    NewsletterStatus,
)
from peerpath.care.services import newsletters as care_newsletters
from peerpath.care.stages import Audience
from peerpath.care.tasks import read_unsubscribe_token
from peerpath.care.views.common import posted_data
from peerpath.core.actors import SystemActor
from peerpath.core.exports import download_table, requested_format
from peerpath.core.forms import add_service_errors
from peerpath.core.idempotency import creates_once
from peerpath.core.permissions import Role, has_role, program_view, public
from peerpath.programs.http import ProgramRequest
from peerpath.programs.models import Program
from peerpath.recruitment.models import Supporter


@program_view("care.read_newsletters")
def newsletters(request: ProgramRequest, program: Program) -> HttpResponse:
    sent = Newsletter.objects.filter(program=program, status__in=[NewsletterStatus.SENDING, NewsletterStatus.SENT])
    can_write = has_role(request.membership, Role.COORDINATOR)
    drafts = Newsletter.objects.filter(program=program, status=NewsletterStatus.DRAFT) if can_write else []
    if fmt := requested_format(request):
        return download_table(
            f"{program.slug}-newsletters", fmt, exports.newsletters(sent.order_by("-sent_at"), drafts)
        )
    page = Paginator(sent.order_by("-sent_at"), 20).get_page(request.GET.get("page"))
    own = Supporter.objects.filter(program=program, user=request.user).first()
    return render(
        request,
        "care/newsletters.html",
        {"program": program, "page": page, "query": "", "drafts": drafts, "can_write": can_write, "own": own},
    )


@program_view("care.read_newsletters")
def newsletter(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    found = access.get_sent_newsletter(program, pk)
    return render(
        request,
        "care/newsletter.html",
        {"program": program, "newsletter": found, "audiences": [Audience.label(a) for a in found.audiences]},
    )


@program_view("care.write_newsletters")
@creates_once
def newsletter_new(request: ProgramRequest, program: Program) -> HttpResponse:
    return _newsletter_form(request, program, None)


@program_view("care.write_newsletters")
def newsletter_edit(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    found = access.get_newsletter(program, pk)
    if found.status != NewsletterStatus.DRAFT:
        return redirect("care:newsletter", program.slug, found.pk)
    return _newsletter_form(request, program, found)


def _newsletter_form(request: ProgramRequest, program: Program, found: Newsletter | None) -> HttpResponse:
    initial = {"subject": found.subject, "body": found.body, "audiences": found.audiences} if found else {}
    form = NewsletterForm(posted_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = care_newsletters.save_newsletter(
                actor=request.user, program=program, newsletter=found, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Draft saved. Check it, then send it."))
            return redirect("care:newsletter_edit", program.slug, saved.pk)
    counts = []
    if found is not None:
        for key in found.audiences:
            counts.append((Audience.label(key), care_newsletters.newsletter_recipients(program, [key]).count()))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "care/newsletter_form.html",
        {
            "program": program,
            "form": form,
            "newsletter": found,
            "counts": counts,
            "total": care_newsletters.newsletter_recipients(program, found.audiences).count() if found else 0,
        },
        status=status,
    )


@program_view("care.write_newsletters")
@require_POST
def newsletter_send(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    found = access.get_newsletter(program, pk)
    try:
        care_newsletters.send_newsletter(actor=request.user, newsletter=found)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("care:newsletter_edit", program.slug, found.pk)
    messages.success(
        request,
        _("Sending to %(recipient_count)s people in the background.") % {"recipient_count": found.recipient_count},
    )
    return redirect("care:newsletters", program.slug)


@public
@csrf_exempt
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """One-click unsubscribe from the link in each update (signed; no login).

    GET shows one button; POST (the button, or a mail client's RFC 8058 one-click request)
    records the choice. Resubscribing uses the same link. CSRF is not needed: the signed
    token is the credential and the only effect is this person's own choice.
    """
    supporter_id = read_unsubscribe_token(token)
    found = Supporter.objects.select_related("program").filter(pk=supporter_id).first() if supporter_id else None
    if found is None:
        return render(request, "care/unsubscribe.html", {"invalid": True}, status=404)
    preference = NewsletterPreference.objects.filter(supporter=found).first()
    receiving = preference.receive if preference else True
    if request.method == "POST":
        receive = request.POST.get("action") == "resubscribe"
        care_newsletters.set_newsletter_preference(
            actor=SystemActor(f"{found.full_name} (e-mail link)"), supporter=found, receive=receive, via="e-mail link"
        )
        receiving = receive
    return render(
        request,
        "care/unsubscribe.html",
        {
            "person": found,
            "program_name": found.program.name,
            "receiving": receiving,
            "posted": request.method == "POST",
        },
    )
