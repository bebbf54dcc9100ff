"""The plan's pages: a relationship's plan, a goal with its steps and progress, the plan review,
supervisors' and coordinators' view of goal progress, and the plan settings. Each view checks the
role (the decorator), then the relationship and its state (`plans.access`)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from peerpath.core.forms import add_service_errors
from peerpath.core.idempotency import creates_once
from peerpath.core.permissions import can, program_view
from peerpath.plans import access, queries, services
from peerpath.plans.defaults import get_settings
from peerpath.plans.forms import (
    DirectorySearchForm,
    GoalForm,
    GoalMoveForm,
    NeedsForm,
    PlanSettingsForm,
    ProgressForm,
    ReferralForm,
    ReferralMoveForm,
    ResourceForm,
    ReviewForm,
    StepForm,
)
from peerpath.plans.lifecycle import GOAL, REFERRAL
from peerpath.plans.models import Goal, Referral, Resource
from peerpath.programs.http import ProgramRequest
from peerpath.programs.models import Program
from peerpath.support.models import WORKING_STATES, SupportRelationship
from peerpath.support.services.participants import record_list_view

PAGE_SIZE = 25


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
    relationship, found = access.get_plan(request, program, pk, page=gettext_noop("plan"))
    return _plan_page(request, program, relationship, found)


@program_view("plans.edit")
@creates_once
def goal_new(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    relationship, _found = access.get_plan(request, program, pk, page=gettext_noop("new goal"), change=True)
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
        "goal_form": GoalForm(initial={"text": goal.text, "target_on": goal.target_on}, auto_id="goal_%s"),
        "step_form": StepForm(auto_id="step_%s"),
        "progress_form": ProgressForm(initial={"noted_on": timezone.localdate()}, auto_id="progress_%s"),
        **forms,
    }
    return render(request, "plans/goal.html", context, status=status)


@program_view("plans.view")
def goal(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    """A goal with its steps and progress; its owner's changes to the words are posted here."""
    changing = request.method == "POST"
    found_goal, found = access.get_goal(request, program, pk, page=gettext_noop("goal"), change=changing)
    if not changing:
        return _goal_page(request, program, found_goal, found)
    form = GoalForm(request.POST, auto_id="goal_%s")
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
    found_goal, found = access.get_goal(request, program, pk, page=gettext_noop("goal status"), change=True)
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
    found_goal, found = access.get_goal(request, program, pk, page=gettext_noop("new step"), change=True)
    form = StepForm(request.POST, auto_id="step_%s")
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
    step, _found = access.get_step(request, program, pk, page=gettext_noop("step"), change=True)
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
    found_goal, found = access.get_goal(request, program, pk, page=gettext_noop("goal progress"), change=True)
    form = ProgressForm(request.POST, auto_id="progress_%s")
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
    relationship, found = access.get_plan(request, program, pk, page=gettext_noop("plan review"), change=True)
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
        actor=request.user,
        program=program,
        participants=[r.participant for r in data["rows"]],
        page=gettext_noop("goal progress"),
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


# --- Needs ----------------------------------------------------------------------------------------


@program_view("plans.view")
def needs(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    """A participant's needs checklist: read by whoever may open their record; changed by a
    coordinator (at intake and any time) or their supporter while working with them."""
    changing = request.method == "POST"
    participant, found = access.get_needs(request, program, pk, page=gettext_noop("needs"), change=changing)
    form = NeedsForm(request.POST if changing else None, rows=queries.checklist(program, participant))
    if changing and form.is_valid():
        try:
            services.save_needs(
                actor=request.user, participant=participant, rows=form.values(), relationship=found.relationship
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for name, errors in error.error_dict.items():
                    form.add_error(form.field_of(name), errors)
            else:
                form.add_error(None, error)
        else:
            messages.success(request, _("Needs saved."))
            return redirect("plans:needs", program.slug, participant.pk)
    relationship = (
        found.relationship
        or SupportRelationship.objects.filter(participant=participant, state__in=WORKING_STATES).first()
    )
    return render(
        request,
        "plans/needs.html",
        {"program": program, "participant": participant, "access": found, "form": form, "relationship": relationship},
        status=400 if changing else 200,
    )


# --- The resource directory -----------------------------------------------------------------------


@program_view("plans.view_resources")
def directory(request: ProgramRequest, program: Program) -> HttpResponse:
    need_names = get_settings(program).need_list()
    form = DirectorySearchForm(
        request.GET or None, need_names=need_names, languages=queries.directory_languages(program)
    )
    search = form.cleaned_data if form.is_valid() else {}
    rows = queries.directory(
        program,
        q=search.get("q", ""),
        need=search.get("need", ""),
        language=search.get("language", ""),
        area=search.get("area", ""),
        listed_only=not can(request.membership, "plans.manage_resources"),
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "plans/directory.html",
        {
            "program": program,
            "form": form,
            "page": page,
            "manage": can(request.membership, "plans.manage_resources"),
            "refer_to": request.GET.get("for", "") if request.GET.get("for", "").isdigit() else "",
            "query": query.urlencode(),
        },
    )


@program_view("plans.view_resources")
def resource(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    found = get_object_or_404(Resource, program=program, pk=pk)
    if not found.is_active and not can(request.membership, "plans.manage_resources"):
        raise Http404("No such resource.")
    return render(
        request,
        "plans/resource.html",
        {"program": program, "resource": found, "manage": can(request.membership, "plans.manage_resources")},
    )


def _resource_form(request: ProgramRequest, program: Program, found: Resource | None) -> HttpResponse:
    initial: dict[str, Any] = {"is_active": True}
    if found is not None:
        initial = {name: getattr(found, name) for name in services.RESOURCE_FIELDS}
        initial["languages"] = ", ".join(found.languages)
    form = ResourceForm(request.POST or None, initial=initial, need_names=get_settings(program).need_list())
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_resource(actor=request.user, program=program, resource=found, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s saved.") % {"name": saved.name})
            return redirect("plans:resource", program.slug, saved.pk)
    return render(
        request,
        "plans/resource_form.html",
        {"program": program, "resource": found, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@program_view("plans.manage_resources")
@creates_once
def resource_new(request: ProgramRequest, program: Program) -> HttpResponse:
    return _resource_form(request, program, None)


@program_view("plans.manage_resources")
def resource_edit(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    return _resource_form(request, program, get_object_or_404(Resource, program=program, pk=pk))


# --- Referrals ------------------------------------------------------------------------------------


@program_view("plans.edit")
@creates_once
def referral_new(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    """Suggest a referral from the relationship (or one of its concerns) to a resource."""
    relationship, _found = access.get_plan(request, program, pk, page=gettext_noop("new referral"), change=True)
    need_names = get_settings(program).need_list()
    initial = {key: request.GET[key] for key in ("resource", "need", "concern") if request.GET.get(key)}
    form = ReferralForm(request.POST or None, initial=initial, relationship=relationship, need_names=need_names)
    if request.method == "POST" and form.is_valid():
        try:
            made = services.save_referral(
                actor=request.user, relationship=relationship, referral=None, data=form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Referral suggested. Mark it made once you have made the call together."))
            return redirect("plans:referral", program.slug, made.pk)
    return render(
        request,
        "plans/referral_form.html",
        {"program": program, "relationship": relationship, "form": form, "referral": None},
        status=400 if request.method == "POST" else 200,
    )


def _referral_page(
    request: ProgramRequest,
    program: Program,
    found_referral: Referral,
    found: access.PlanAccess,
    status: int = 200,
    **forms: Any,
) -> HttpResponse:
    relationship = found_referral.relationship
    initial = {
        "resource": found_referral.resource_id,
        "resource_name": "" if found_referral.resource_id else found_referral.resource_name,
        "need": found_referral.need,
        "concern": found_referral.concern_id,
        "follow_up_on": found_referral.follow_up_on,
        "handoff_notes": found_referral.handoff_notes,
    }
    context = {
        "program": program,
        "relationship": relationship,
        "referral": found_referral,
        "access": found,
        "moves": [(to, REFERRAL.labels[to]) for to in REFERRAL.allowed_from(found_referral.state)],
        "move_form": ReferralMoveForm(auto_id="move_%s"),
        "edit_form": ReferralForm(
            initial=initial, relationship=relationship, need_names=get_settings(program).need_list(), auto_id="edit_%s"
        ),
        **forms,
    }
    return render(request, "plans/referral.html", context, status=status)


@program_view("plans.view")
def referral(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    """A referral: where it stands, its warm-handoff notes; its details are changed here."""
    changing = request.method == "POST"
    found_referral, found = access.get_referral(request, program, pk, page=gettext_noop("referral"), change=changing)
    if not changing:
        return _referral_page(request, program, found_referral, found)
    form = ReferralForm(
        request.POST,
        relationship=found_referral.relationship,
        need_names=get_settings(program).need_list(),
        auto_id="edit_%s",
    )
    if form.is_valid():
        try:
            services.save_referral(
                actor=request.user,
                relationship=found_referral.relationship,
                referral=found_referral,
                data=form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Referral saved."))
            return redirect("plans:referral", program.slug, found_referral.pk)
    return _referral_page(request, program, found_referral, found, 400, edit_form=form)


@program_view("plans.edit")
@require_POST
def referral_move(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    found_referral, found = access.get_referral(request, program, pk, page=gettext_noop("referral state"), change=True)
    form = ReferralMoveForm(request.POST, auto_id="move_%s")
    if form.is_valid():
        try:
            services.move_referral(
                actor=request.user,
                referral=found_referral,
                to=form.cleaned_data["to"],
                note=form.cleaned_data["note"],
                follow_up_on=form.cleaned_data["follow_up_on"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("The referral is now: %(state)s.") % {"state": found_referral.get_state_display()}
            )
            return redirect("plans:referral", program.slug, found_referral.pk)
    return _referral_page(request, program, found_referral, found, 400, move_form=form)
