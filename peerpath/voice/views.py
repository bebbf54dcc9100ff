"""The participant's answer page (no account) and the coordinators' feedback pages."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peerpath.care.models import Questionnaire
from peerpath.core.forms import add_service_errors
from peerpath.core.limits import limit_accepted_submissions
from peerpath.core.permissions import program_view, public
from peerpath.programs.http import ProgramRequest
from peerpath.programs.models import Program
from peerpath.support import access as support_access
from peerpath.support.services.participants import record_list_view
from peerpath.voice import access, links, queries
from peerpath.voice.forms import AnswerForm, OutcomeForm, RematchForm, SettingsForm
from peerpath.voice.services import common, feedback, outcomes

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
        actor=request.user, program=program, participants=[a.participant for a in page], page="participant feedback"
    )
    return render(
        request,
        "voice/feedback.html",
        {"program": program, "page": page, "show": show, "counts": queries.feedback_counts(program)},
    )


@program_view("voice.view_feedback")
def answer_detail(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    item = access.get_answer(request, program, pk, page="feedback answer")
    feedback.mark_read(actor=request.user, answer=item)
    return render(
        request, "voice/answer_detail.html", {"program": program, "answer": item, "rematch_form": RematchForm()}
    )


@program_view("voice.view_feedback")
@require_POST
def answer_rematch(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    item = access.get_answer(request, program, pk, page="feedback answer: rematch")
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
def outcome_new(request: ProgramRequest, program: Program, pk: int, questionnaire_pk: int) -> HttpResponse:
    """The supporter (or a coordinator) records an outcome measure completed with the participant."""
    relationship = support_access.get_own_relationship(request, program, pk, page="outcome measure")
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
