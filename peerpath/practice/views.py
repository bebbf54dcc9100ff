"""The practice lab's pages: the library and one's own trend, playing a session with feedback
beside each reply, reviewing transcripts (comments, corrected codes, evidence), writing
scenarios with a branching editor and its preview, and the practice settings."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from peerpath.core.forms import add_service_errors
from peerpath.core.idempotency import creates_once
from peerpath.core.permissions import can, program_view
from peerpath.practice import access, coder, queries, services
from peerpath.practice.forms import (
    CommentForm,
    CorrectionForm,
    EvidenceForm,
    PracticeSettingsForm,
    ReplyForm,
    ScenarioForm,
    StepForm,
)
from peerpath.practice.models import PracticeSession, Scenario, SessionStatus, Step
from peerpath.programs.http import ProgramRequest
from peerpath.programs.models import Program
from peerpath.recruitment.models import Supporter


@program_view("practice.play")
def home(request: ProgramRequest, program: Program) -> HttpResponse:
    coder.warm_up()  # the coder learns in the background while the trainee reads the scenarios
    sessions = queries.own_sessions(program, request.user)
    return render(
        request,
        "practice/home.html",
        {
            "program": program,
            "scenarios": queries.library(program),
            "in_progress": [s for s in sessions if s.status == SessionStatus.IN_PROGRESS],
            "trend": queries.trend(sessions),
            "can_edit": can(request.membership, "practice.edit_scenarios"),
            "can_review": can(request.membership, "practice.review"),
        },
    )


@program_view("practice.play")
def start(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    if request.method != "POST":
        return redirect("practice:home", program.slug)
    scenario = access.get_playable_scenario(program, pk)
    supporter = Supporter.objects.filter(program=program, user=request.user).first()
    try:
        session = services.start_session(actor=request.user, program=program, scenario=scenario, supporter=supporter)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("practice:home", program.slug)
    return redirect(session)


def _session_context(request: ProgramRequest, session: PracticeSession, reply_form: ReplyForm | None = None) -> dict:
    program = request.program
    own = session.user_id == request.user.pk
    reviewer = not own and access.can_review(request.membership, request.user, session)
    playing = own and session.status == SessionStatus.IN_PROGRESS
    context = {
        "program": program,
        "session": session,
        "own": own,
        "reviewer": reviewer,
        "playing": playing,
        "rows": queries.transcript(session),
        "summary": session.summary if session.status != SessionStatus.IN_PROGRESS else None,
        "summary_rows": queries.summary_rows(session.summary) if session.summary else [],
        "form": reply_form or (ReplyForm() if playing else None),
        "correction_choices": services.counted_codes(),
    }
    if reviewer and session.status == SessionStatus.FINISHED and session.supporter_id:
        context["evidence_form"] = EvidenceForm(
            program=program, initial={"competencies": list(session.competencies.values_list("pk", flat=True))}
        )
    return context


@program_view("practice.play")
def session_page(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    session = access.get_session(request.membership, request.user, pk)
    return render(request, "practice/session.html", _session_context(request, session))


@program_view("practice.play")
def reply(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    session = access.get_own_session(program, request.user, pk)
    if request.method != "POST":
        return redirect(session)
    form = ReplyForm(request.POST)
    status = 200
    if form.is_valid():
        try:
            services.reply(actor=request.user, session=session, text=form.cleaned_data["text"])
        except ValidationError as error:
            add_service_errors(form, error)
            status = 400
        else:
            form = ReplyForm()
    else:
        status = 400
    session.refresh_from_db()
    if request.headers.get("HX-Request"):
        return render(
            request,
            "practice/_conversation.html",
            _session_context(request, session, form if status == 400 else None),
            status=status,
        )
    if status == 400:
        return render(request, "practice/session.html", _session_context(request, session, form), status=400)
    return redirect(session)


@program_view("practice.play")
def stop(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    session = access.get_own_session(program, request.user, pk)
    if request.method == "POST":
        try:
            services.stop_session(actor=request.user, session=session)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return redirect(session)


# --- Reviewing ----------------------------------------------------------------------------------


@program_view("practice.review")
def review(request: ProgramRequest, program: Program) -> HttpResponse:
    sessions = queries.sessions_to_review(access.reviewable_sessions(request.membership, request.user))
    return render(request, "practice/review.html", {"program": program, "sessions": sessions})


@program_view("practice.review")
def comment(request: ProgramRequest, program: Program, pk: int, reply_pk: int) -> HttpResponse:
    session = access.get_reviewable_session(request.membership, request.user, pk)
    target = access.get_reply(session, reply_pk)
    form = CommentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.comment(actor=request.user, reply=target, text=form.cleaned_data["text"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Comment added."))
            return redirect(f"{session.get_absolute_url()}#reply-{target.position}")
    if request.method != "POST":
        return redirect(session)
    return render(
        request,
        "practice/reply_form.html",
        {"program": program, "session": session, "reply": target, "form": form, "kind": "comment"},
        status=400,
    )


@program_view("practice.review")
def correct(request: ProgramRequest, program: Program, pk: int, reply_pk: int) -> HttpResponse:
    session = access.get_reviewable_session(request.membership, request.user, pk)
    target = access.get_reply(session, reply_pk)
    form = CorrectionForm(request.POST or None, initial={"codes": target.final_codes})
    if request.method == "POST" and form.is_valid():
        try:
            services.correct_codes(actor=request.user, reply=target, codes=form.cleaned_data["codes"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Codes corrected; the reply is kept as a new labelled example."))
            return redirect(f"{session.get_absolute_url()}#reply-{target.position}")
    if request.method != "POST":
        return redirect(session)
    return render(
        request,
        "practice/reply_form.html",
        {"program": program, "session": session, "reply": target, "form": form, "kind": "correct"},
        status=400,
    )


@program_view("practice.review")
def evidence(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    session = access.get_reviewable_session(request.membership, request.user, pk)
    if request.method != "POST":
        return redirect(session)
    form = EvidenceForm(request.POST, program=program)
    if form.is_valid():
        try:
            services.attach_evidence(
                actor=request.user, session=session, competencies=form.cleaned_data["competencies"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Evidence saved."))
        return redirect(session)
    messages.error(request, _("Choose among the program's competencies."))
    return redirect(session)


# --- Writing scenarios --------------------------------------------------------------------------


@program_view("practice.edit_scenarios")
def scenarios(request: ProgramRequest, program: Program) -> HttpResponse:
    if request.method == "POST":
        made = services.add_sample_scenarios(actor=request.user, program=program)
        messages.success(request, _("%(count)d sample scenarios added.") % {"count": len(made)})
        return redirect("practice:scenarios", program.slug)
    return render(request, "practice/scenarios.html", {"program": program, "scenarios": queries.all_scenarios(program)})


def _scenario_form(request: ProgramRequest, program: Program, scenario: Scenario | None) -> HttpResponse:
    form = ScenarioForm(request.POST or None, instance=scenario, program=program)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "competencies"}
        try:
            saved = services.save_scenario(
                actor=request.user,
                program=program,
                data=data,
                scenario=scenario,
                competencies=form.cleaned_data["competencies"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Scenario saved."))
            return redirect(saved)
    steps = list(Step.objects.filter(scenario=scenario).order_by("pk")) if scenario else []
    by_id = {s.pk: s for s in steps}
    return render(
        request,
        "practice/scenario.html",
        {
            "program": program,
            "scenario": scenario,
            "form": form,
            "steps": [
                {
                    "step": s,
                    "branches": [
                        (label, by_id.get(getattr(s, f"{field}_id")))
                        for field, label in (
                            ("on_open", _("Opens up")),
                            ("on_other", _("Otherwise")),
                            ("on_close", _("Closes down")),
                            ("on_missed_risk", _("Risk cue missed")),
                        )
                        if getattr(s, f"{field}_id")
                    ],
                }
                for s in steps
            ],
            "problems": services.scenario_problems(scenario) if scenario else [],
        },
        status=400 if request.method == "POST" else 200,
    )


@program_view("practice.edit_scenarios")
@creates_once
def scenario_new(request: ProgramRequest, program: Program) -> HttpResponse:
    return _scenario_form(request, program, None)


@program_view("practice.edit_scenarios")
def scenario(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    return _scenario_form(request, program, access.get_scenario(program, pk))


def _step_form(request: ProgramRequest, program: Program, target: Scenario, step: Step | None) -> HttpResponse:
    form = StepForm(request.POST or None, instance=step, scenario=target)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_step(actor=request.user, scenario=target, data=dict(form.cleaned_data), step=step)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Step saved."))
            return redirect(target)
    return render(
        request,
        "practice/step.html",
        {"program": program, "scenario": target, "step": step, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@program_view("practice.edit_scenarios")
@creates_once
def step_new(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    return _step_form(request, program, access.get_scenario(program, pk), None)


@program_view("practice.edit_scenarios")
def step_edit(request: ProgramRequest, program: Program, pk: int, step_pk: int) -> HttpResponse:
    target = access.get_scenario(program, pk)
    return _step_form(request, program, target, access.get_step(target, step_pk))


@program_view("practice.edit_scenarios")
def step_delete(request: ProgramRequest, program: Program, pk: int, step_pk: int) -> HttpResponse:
    target = access.get_scenario(program, pk)
    step = access.get_step(target, step_pk)
    if request.method == "POST":
        try:
            services.delete_step(actor=request.user, step=step)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Step removed."))
    return redirect(target)


@program_view("practice.edit_scenarios")
def preview(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    target = access.get_scenario(program, pk)
    if request.method != "POST":
        return redirect(target)
    try:
        session = services.start_session(
            actor=request.user, program=program, scenario=target, supporter=None, preview=True
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(target)
    return redirect(session)


@program_view("practice.edit_settings")
def settings_edit(request: ProgramRequest, program: Program) -> HttpResponse:
    form = PracticeSettingsForm(request.POST or None, instance=services.get_settings(program), program=program)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_settings(actor=request.user, program=program, data=dict(form.cleaned_data))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Practice settings saved."))
            return redirect("practice:settings", program.slug)
    return render(
        request,
        "practice/settings.html",
        {"program": program, "form": form},
        status=400 if request.method == "POST" else 200,
    )
