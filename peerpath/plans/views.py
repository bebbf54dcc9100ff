"""The plan's pages: a relationship's plan, a goal with its steps and progress, the plan review,
supervisors' and coordinators' view of goal progress, and the plan settings. Each view checks the
role (the decorator), then the relationship and its state (`plans.access`)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peerpath.core.forms import add_service_errors
from peerpath.core.idempotency import creates_once
from peerpath.core.permissions import program_view
from peerpath.plans import access, queries, services
from peerpath.plans.defaults import get_settings
from peerpath.plans.forms import GoalForm, GoalMoveForm, PlanSettingsForm, ProgressForm, ReviewForm, StepForm
from peerpath.plans.lifecycle import GOAL
from peerpath.plans.models import Goal
from peerpath.programs.http import ProgramRequest
from peerpath.programs.models import Program
from peerpath.support.models import SupportRelationship
from peerpath.support.services.participants import record_list_view


def _plan_page(
    request: ProgramRequest,
    program: Program,
    relationship: SupportRelationship,
    found: access.PlanAccess,
    status: int = 200,
    **forms: Any,
) -> HttpResponse:
    context = {
        "program": program,
        "relationship": relationship,
        "access": found,
        **queries.plan(relationship),
        "review_form": ReviewForm(initial={"reviewed_on": timezone.localdate()}),
        **forms,
    }
    return render(request, "plans/plan.html", context, status=status)


@program_view("plans.view")
def plan(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    relationship, found = access.get_plan(request, program, pk, page="plan")
    return _plan_page(request, program, relationship, found)


@program_view("plans.edit")
@creates_once
def goal_new(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    relationship, _found = access.get_plan(request, program, pk, page="new goal", change=True)
    form = GoalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            goal = services.save_goal(actor=request.user, relationship=relationship, goal=None, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Goal added. Add the first step while it is fresh."))
            return redirect("plans:goal", program.slug, goal.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "plans/goal_form.html", {"program": program, "relationship": relationship, "form": form}, status=status
    )


STEP_IDS = "id_step_%s"


def _goal_page(
    request: ProgramRequest, program: Program, goal: Goal, found: access.PlanAccess, status: int = 200, **forms: Any
) -> HttpResponse:
    detail = next(g for g in queries.goals_with_detail(goal.relationship) if g.pk == goal.pk)
    context = {
        "program": program,
        "relationship": goal.relationship,
        "goal": detail,
        "access": found,
        "moves": [(to, GOAL.labels[to]) for to in GOAL.allowed_from(goal.status)],
        "goal_form": GoalForm(initial={"text": goal.text, "target_on": goal.target_on}),
        # Its own ids: the goal's form on the same page has fields of the same names.
        "step_form": StepForm(auto_id=STEP_IDS),
        "progress_form": ProgressForm(initial={"noted_on": timezone.localdate()}),
        **forms,
    }
    return render(request, "plans/goal.html", context, status=status)


@program_view("plans.view")
def goal(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    """A goal with its steps and progress; its owner's changes to the words are posted here."""
    changing = request.method == "POST"
    found_goal, found = access.get_goal(request, program, pk, page="goal", change=changing)
    if not changing:
        return _goal_page(request, program, found_goal, found)
    form = GoalForm(request.POST)
    if form.is_valid():
        try:
            services.save_goal(
                actor=request.user, relationship=found_goal.relationship, goal=found_goal, data=form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Goal saved."))
            return redirect("plans:goal", program.slug, found_goal.pk)
    return _goal_page(request, program, found_goal, found, 400, goal_form=form)


@program_view("plans.edit")
@require_POST
def goal_move(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    found_goal, found = access.get_goal(request, program, pk, page="goal status", change=True)
    form = GoalMoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what happened to the goal."))
        return _goal_page(request, program, found_goal, found, 400)
    try:
        services.move_goal(actor=request.user, goal=found_goal, to=form.cleaned_data["to"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _goal_page(request, program, found_goal, found, 400)
    messages.success(request, _("The goal is now: %(status)s.") % {"status": found_goal.get_status_display()})
    return redirect("plans:goal", program.slug, found_goal.pk)


@program_view("plans.edit")
@require_POST
@creates_once
def step_new(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    found_goal, found = access.get_goal(request, program, pk, page="new step", change=True)
    form = StepForm(request.POST, auto_id=STEP_IDS)
    if form.is_valid():
        try:
            services.save_step(actor=request.user, goal=found_goal, step=None, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Step added."))
            return redirect("plans:goal", program.slug, found_goal.pk)
    return _goal_page(request, program, found_goal, found, 400, step_form=form)


@program_view("plans.edit")
def step_edit(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    step, _found = access.get_step(request, program, pk, page="step", change=True)
    initial = {"text": step.text, "owner": step.owner, "target_on": step.target_on, "done_on": step.done_on}
    form = StepForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_step(actor=request.user, goal=step.goal, step=step, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Step saved."))
            return redirect("plans:goal", program.slug, step.goal_id)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "plans/step_form.html",
        {"program": program, "relationship": step.goal.relationship, "goal": step.goal, "step": step, "form": form},
        status=status,
    )


@program_view("plans.edit")
@require_POST
@creates_once
def progress_new(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    found_goal, found = access.get_goal(request, program, pk, page="goal progress", change=True)
    form = ProgressForm(request.POST)
    if form.is_valid():
        try:
            services.record_progress(
                actor=request.user, goal=found_goal, note=form.cleaned_data["note"], on=form.cleaned_data["noted_on"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Progress noted."))
            return redirect("plans:goal", program.slug, found_goal.pk)
    return _goal_page(request, program, found_goal, found, 400, progress_form=form)


@program_view("plans.edit")
@require_POST
@creates_once
def review_new(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    relationship, found = access.get_plan(request, program, pk, page="plan review", change=True)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.record_review(
                actor=request.user,
                relationship=relationship,
                on=form.cleaned_data["reviewed_on"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Plan review recorded."))
            return redirect("plans:plan", program.slug, relationship.pk)
    return _plan_page(request, program, relationship, found, 400, review_form=form)


@program_view("plans.view_progress")
def progress(request: ProgramRequest, program: Program) -> HttpResponse:
    """Goal progress in the relationships a supervisor oversees (a coordinator: every one)."""
    data = queries.progress_overview(program, request.membership, request.user)
    record_list_view(
        actor=request.user, program=program, participants=[r.participant for r in data["rows"]], page="goal progress"
    )
    return render(request, "plans/progress.html", {"program": program, **data})


@program_view("plans.edit_settings")
def settings_edit(request: ProgramRequest, program: Program) -> HttpResponse:
    form = PlanSettingsForm(request.POST or None, instance=get_settings(program))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_settings(
                actor=request.user, program=program, data={n: form.cleaned_data[n] for n in form.fields}
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Plan settings saved."))
            return redirect("plans:settings", program.slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "plans/settings.html", {"program": program, "form": form}, status=status)
