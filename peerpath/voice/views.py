"""The participant's answer page (no account) and the coordinators' feedback pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from peerpath.care.models import Questionnaire
from peerpath.core.exports import as_download
from peerpath.core.forms import add_service_errors
from peerpath.core.idempotency import creates_once
from peerpath.core.limits import limit_accepted_submissions
from peerpath.core.permissions import can, program_view, public
from peerpath.programs.http import ProgramRequest
from peerpath.programs.models import Program
from peerpath.support import access as support_access
from peerpath.support.services.participants import record_list_view
from peerpath.voice import access, links, pdf, queries
from peerpath.voice.forms import AnswerForm, ConsentForm, OutcomeForm, RematchForm, SettingsForm, SummaryForm
from peerpath.voice.models import PeerInterest, ShareConsent
from peerpath.voice.services import common, feedback, former, outcomes, sharing

PAGE_SIZE = 25


@public
@limit_accepted_submissions("voice.answer")
def answer(request: HttpRequest, token: str) -> HttpResponse:
    """The participant's link: the feedback questions and any outcome measures due, once.

    A forged, used or expired link shows a kind page, never an error; nothing of the
    participant is shown on any of them."""
    link = links.find(token)
    if link is None:
        return render(request, "voice/link_closed.html", {"reason": "unknown"}, status=404)
    if not link.is_open():
        reason = "used" if link.used_at else "expired"
        return render(request, "voice/link_closed.html", {"reason": reason, "program": link.program}, status=410)
    questionnaires = feedback.link_questionnaires(link)
    form = AnswerForm(request.POST or None, questionnaires=questionnaires)
    if request.method == "POST" and form.is_valid():
        try:
            feedback.answer(
                link=link,
                felt_heard=form.cleaned_data["felt_heard"],
                good_fit=form.cleaned_data["good_fit"],
                message=form.cleaned_data["message"],
                measures=form.measure_answers(),
            )
        except feedback.LinkClosed:
            return render(request, "voice/link_closed.html", {"reason": "used", "program": link.program}, status=410)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("voice:answer", token)
    status = 400 if request.method == "POST" else 200
    return render(request, "voice/answer.html", {"program": link.program, "form": form, "link": link}, status=status)


@program_view("voice.view_feedback")
def feedback_list(request: ProgramRequest, program: Program) -> HttpResponse:
    show = request.GET.get("show", "")
    page = Paginator(queries.feedback_rows(program, show), PAGE_SIZE).get_page(request.GET.get("page"))
    record_list_view(
        actor=request.user,
        program=program,
        participants=[a.participant for a in page],
        page=gettext_noop("participant feedback"),
    )
    return render(
        request,
        "voice/feedback.html",
        {"program": program, "page": page, "show": show, "counts": queries.feedback_counts(program)},
    )


@program_view("voice.view_feedback")
def answer_detail(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    item = access.get_answer(request, program, pk, page=gettext_noop("feedback answer"))
    feedback.mark_read(actor=request.user, answer=item)
    return render(
        request, "voice/answer_detail.html", {"program": program, "answer": item, "rematch_form": RematchForm()}
    )


@program_view("voice.view_feedback")
@require_POST
def answer_rematch(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    item = access.get_answer(request, program, pk, page=gettext_noop("feedback answer: rematch"))
    form = RematchForm(request.POST)
    if form.is_valid():
        try:
            feedback.open_rematch(actor=request.user, answer=item, note=form.cleaned_data["note"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The relationship is closed and the participant is back on the waiting list."))
            return redirect("voice:answer_detail", program.slug, item.pk)
    return render(
        request, "voice/answer_detail.html", {"program": program, "answer": item, "rematch_form": form}, status=400
    )


@program_view("voice.edit_settings")
def settings_edit(request: ProgramRequest, program: Program) -> HttpResponse:
    current = common.get_settings(program)
    form = SettingsForm(request.POST if request.method == "POST" else None, instance=current, program=program)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.fields}
        try:
            common.update_settings(actor=request.user, program=program, data=data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Settings saved."))
            return redirect("voice:settings", program.slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "voice/settings.html", {"program": program, "form": form}, status=status)


@program_view("voice.edit_settings")
@require_POST
def add_project_measure(request: ProgramRequest, program: Program) -> HttpResponse:
    questionnaire = outcomes.add_project_measure(actor=request.user, program=program)
    messages.success(request, _("%(name)s is now asked as an outcome measure.") % {"name": questionnaire.name})
    return redirect("voice:settings", program.slug)


@program_view("voice.record_outcome")
@creates_once
def outcome_new(request: ProgramRequest, program: Program, pk: int, questionnaire_pk: int) -> HttpResponse:
    """The supporter (or a coordinator) records an outcome measure completed with the participant."""
    relationship = support_access.get_own_relationship(request, program, pk, page=gettext_noop("outcome measure"))
    chosen = {q.pk: q for q in common.measures_of(common.get_settings(program))}
    if questionnaire_pk not in chosen:
        raise Http404("Not one of the program's outcome measures.")
    questionnaire = get_object_or_404(
        Questionnaire.objects.prefetch_related("items"), pk=questionnaire_pk, program=program
    )
    form = OutcomeForm(request.POST or None, questionnaire=questionnaire)
    if request.method == "POST" and form.is_valid():
        try:
            outcomes.record_outcome(
                actor=request.user,
                relationship=relationship,
                questionnaire=questionnaire,
                point=form.cleaned_data["point"],
                answers=form.answers(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Recorded. Thank you both."))
            return redirect("support:relationship", program.slug, relationship.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "voice/outcome_form.html",
        {"program": program, "relationship": relationship, "questionnaire": questionnaire, "form": form},
        status=status,
    )


def _summary_scope(request: ProgramRequest, program: Program, pk: int, page: str) -> tuple[Any, list[Any]]:
    """The participant (read audited) and the relationships the reader oversees or coordinates."""
    participant = support_access.get_participant(request, program, pk, page=page)
    overseen = support_access.overseen_ids(program, request.membership, request.user)
    rows = []
    for relationship in (
        support_access.relationships_visible_to(program, request.membership, request.user)
        .filter(participant=participant)
        .select_related("supporter", "participant", "program")
        .order_by("proposed_at")
    ):
        viewer = support_access.viewer_of(request.membership, request.user, relationship, overseen_ids=overseen)
        if viewer in (support_access.Viewer.COORDINATOR, support_access.Viewer.SUPERVISOR):
            rows.append((relationship, viewer))
    if not rows:
        raise Http404("No relationship of this participant is yours to summarise.")
    return participant, rows


def _summary(request: ProgramRequest, program: Program, pk: int, fmt: str) -> tuple[Any, Any, Any]:
    participant, relationships = _summary_scope(request, program, pk, f"progress summary ({fmt})")
    today = timezone.localdate()
    consents = ShareConsent.objects.filter(
        participant=participant, withdrawn_at__isnull=True, expires_on__gte=today
    ).order_by("-created_at")
    data = request.GET if "start" in request.GET else None
    form = SummaryForm(data, consents=consents, initial={"start": today - dt.timedelta(days=90), "end": today})
    summary = None
    if data is None or form.is_valid():
        chosen: dict[str, Any] = (
            form.cleaned_data if data is not None else {"start": today - dt.timedelta(days=90), "end": today}
        )
        try:
            summary = sharing.build_summary(
                participant=participant,
                relationships=relationships,
                start=chosen["start"],
                end=chosen["end"],
                consent=chosen.get("consent"),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            sharing.audit_generation(actor=request.user, summary=summary, fmt=fmt)
    return participant, form, summary


@program_view("voice.view_summary")
def summary(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    """The progress summary on screen, for a date range (every one prepared is audited)."""
    participant, form, built = _summary(request, program, pk, "screen")
    context = {
        "program": program,
        "participant": participant,
        "form": form,
        "summary": built,
        "lines": sharing.summary_lines(built) if built else [],
        "may_manage_consents": can(request.membership, "voice.manage_consents"),
        "query": request.GET.urlencode(),
    }
    return render(request, "voice/summary.html", context, status=200 if built else 400)


@program_view("voice.view_summary")
def summary_pdf(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    participant, _form, built = _summary(request, program, pk, "PDF")
    if built is None:
        return redirect(f"{reverse('voice:summary', args=[program.slug, participant.pk])}?{request.GET.urlencode()}")
    return _pdf_response(built)


def _pdf_response(built: sharing.Summary) -> HttpResponse:
    """The summary's PDF, as a file to save (a document, not a list of rows)."""
    response = HttpResponse(pdf.progress_summary(built), content_type="application/pdf")
    name = f"progress-summary-{built.participant.reference}-{built.start}-{built.end}.pdf"
    return as_download(response, name)


@program_view("voice.manage_consents")
def consents(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    """Record or withdraw the participant's consent to share their summary."""
    participant = support_access.get_participant(request, program, pk, page=gettext_noop("consent to share"))
    form = ConsentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and "withdraw" in request.POST:
        consent = get_object_or_404(ShareConsent, participant=participant, pk=request.POST.get("withdraw"))
        try:
            sharing.withdraw_consent(actor=request.user, consent=consent)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The consent is withdrawn."))
        return redirect("voice:consents", program.slug, participant.pk)
    if request.method == "POST" and form.is_valid():
        try:
            sharing.record_consent(actor=request.user, participant=participant, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The consent is recorded."))
            return redirect("voice:consents", program.slug, participant.pk)
    rows = ShareConsent.objects.filter(participant=participant).select_related("recorded_by")
    return render(
        request,
        "voice/consents.html",
        {"program": program, "participant": participant, "form": form, "consents": rows, "today": timezone.localdate()},
        status=400 if request.method == "POST" else 200,
    )


@program_view("voice.ask_former_participant")
@require_POST
def peer_interest(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    """The supporter (or a coordinator) records the answer to "would you like to hear about
    becoming a peer supporter later?" after a 'goals met' closing."""
    relationship = support_access.get_own_relationship(request, program, pk, page=gettext_noop("becoming a supporter"))
    answer = request.POST.get("consented")
    if answer not in ("yes", "no"):
        messages.error(request, _("Choose yes or no."))
        return redirect("support:relationship", program.slug, relationship.pk)
    try:
        former.record_interest(actor=request.user, relationship=relationship, consented=answer == "yes")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Their answer is recorded. Thank you for asking."))
    return redirect("support:relationship", program.slug, relationship.pk)


@program_view("voice.invite_former_participants")
def former_participants(request: ProgramRequest, program: Program) -> HttpResponse:
    rows = (
        PeerInterest.objects.filter(program=program, consented=True)
        .select_related("participant", "relationship__supporter")
        .order_by("invited_at", "-asked_at")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    record_list_view(
        actor=request.user,
        program=program,
        participants=[i.participant for i in page],
        page=gettext_noop("former participants"),
    )
    return render(request, "voice/former_participants.html", {"program": program, "page": page})


@program_view("voice.invite_former_participants")
@require_POST
def invite_former(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    interest = get_object_or_404(PeerInterest.objects.select_related("participant", "program"), program=program, pk=pk)
    try:
        former.invite_to_apply(actor=request.user, interest=interest)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The invitation is on its way."))
    return redirect("voice:former_participants", program.slug)
