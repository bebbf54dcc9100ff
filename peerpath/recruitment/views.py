from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peerpath.core.exports import download, requested_format
from peerpath.core.forms import add_service_errors
from peerpath.core.idempotency import creates_once
from peerpath.core.limits import limit_accepted_submissions
from peerpath.core.permissions import program_view, public
from peerpath.programs.http import ProgramRequest
from peerpath.programs.models import Program
from peerpath.recruitment import access, queries, services
from peerpath.recruitment.forms import (
    ApplicationForm,
    ApplicationReviewForm,
    BoardFilterForm,
    DecisionForm,
    InterviewScheduleForm,
    MilestoneForm,
    RedFlagForm,
    ReopenForm,
    ScreeningQuestionForm,
    ScreeningRecordForm,
    StageMoveForm,
    SupervisorForm,
)
from peerpath.recruitment.models import (
    Application,
    InterviewStatus,
    RedFlag,
    ScreeningInterview,
    ScreeningQuestion,
    Source,
    Stage,
    Supporter,
)
from peerpath.recruitment.pathway import allowed_next, move_to_stage

BOARD_PAGE_SIZE = 25


@public
@limit_accepted_submissions("recruitment.apply")
@creates_once
def apply(request: HttpRequest, program_slug: str) -> HttpResponse:
    program = get_object_or_404(Program, slug=program_slug, is_active=True)
    # An invitation names how the person heard of the program (a former participant's link).
    source = request.GET.get("source", "")
    initial = {"source": source} if source in Source.values else None
    form = ApplicationForm(request.POST or None, program=program, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_application(program=program, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("recruitment:apply_thanks", program.slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "recruitment/apply.html", {"program": program, "form": form}, status=status)


@public
def apply_thanks(request: HttpRequest, program_slug: str) -> HttpResponse:
    program = get_object_or_404(Program, slug=program_slug, is_active=True)
    return render(request, "recruitment/apply_thanks.html", {"program": program})


@program_view("recruitment.view_board")
def board(request: ProgramRequest, program: Program) -> HttpResponse:
    form = BoardFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = queries.board_rows(
        program, q=filters.get("q", ""), stage=filters.get("stage", ""), source=filters.get("source", "")
    )
    if fmt := requested_format(request):
        return download(
            f"{program.slug}-recruitment",
            fmt,
            ["Name", "E-mail", "Phone", "Stage", "Source", "Applications", "Last applied"],
            (
                [
                    p.full_name,
                    p.email,
                    p.phone,
                    p.get_stage_display(),
                    p.get_source_display(),
                    p.applications_count,
                    p.last_applied,
                ]
                for p in rows.iterator()
            ),
        )
    page = Paginator(rows, BOARD_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    context = {
        "program": program,
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "stages": queries.stage_counts(program),
        "sources": queries.source_counts(program),
        "awaiting_review": queries.applications_awaiting_review(program),
        "current_stage": filters.get("stage", ""),
    }
    if request.headers.get("HX-Request"):
        return render(request, "recruitment/_board_rows.html", context)
    return render(request, "recruitment/board.html", context)


@program_view("recruitment.view_person")
def person(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    return _person_page(request, program, access.get_supporter(program, pk))


def _person_page(
    request: HttpRequest, program: Program, supporter: Supporter, status: int = 200, **forms: object
) -> HttpResponse:
    """The person page; a failed action passes its bound form in ``forms`` to show the errors."""
    supporter.refresh_from_db()
    context = {
        "program": program,
        "person": supporter,
        **queries.person_detail(program, supporter),
        "schedule_form": InterviewScheduleForm(program=program, initial={"interviewer": request.user.pk}),
        "move_form": StageMoveForm(choices=[(s.value, str(s.label)) for s in allowed_next(supporter.stage)]),
        "milestone_form": MilestoneForm(initial={"achieved_on": timezone.localdate()}),
        "can_schedule": supporter.stage in services.SCREENABLE_STAGES,
        "supervisor_form": SupervisorForm(program=program, initial={"supervisor": supporter.supervisor_id}),
        **forms,
    }
    return render(request, "recruitment/person.html", context, status=status)


@program_view("recruitment.screen")
@require_POST
@creates_once
def interview_schedule(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    supporter = access.get_supporter(program, pk)
    form = InterviewScheduleForm(request.POST, program=program)
    if form.is_valid():
        try:
            interview = services.schedule_interview(
                actor=request.user,
                supporter=supporter,
                scheduled_for=form.cleaned_data["scheduled_for"],
                location=form.cleaned_data["location"],
                interviewer=program.memberships.get(user_id=form.cleaned_data["interviewer"]).user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Interview scheduled; the applicant has been e-mailed."))
            return redirect("recruitment:interview", program.slug, interview.pk)
    return _person_page(request, program, supporter, 400, schedule_form=form)


@program_view("recruitment.move_pathway")
@require_POST
def person_move(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    supporter = access.get_supporter(program, pk)
    form = StageMoveForm(request.POST, choices=[(s.value, str(s.label)) for s in allowed_next(supporter.stage)])
    if form.is_valid():
        try:
            move_to_stage(
                actor=request.user,
                supporter=supporter,
                to_stage=form.cleaned_data["to_stage"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{supporter.full_name} is now '{supporter.get_stage_display()}'.")
            return redirect("recruitment:person", program.slug, supporter.pk)
    return _person_page(request, program, supporter, 400, move_form=form)


@program_view("recruitment.assign_supervisor")
@require_POST
def person_supervisor(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    supporter = access.get_supporter(program, pk)
    form = SupervisorForm(request.POST, program=program)
    if form.is_valid():
        supervisor_id = form.cleaned_data["supervisor"]
        supervisor = program.memberships.get(user_id=supervisor_id).user if supervisor_id else None
        try:
            services.assign_supervisor(actor=request.user, supporter=supporter, supervisor=supervisor)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Supervisor saved."))
            return redirect("recruitment:person", program.slug, supporter.pk)
    return _person_page(request, program, supporter, 400, supervisor_form=form)


@program_view("recruitment.move_pathway")
@require_POST
@creates_once
def milestone_add(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    supporter = access.get_supporter(program, pk)
    form = MilestoneForm(request.POST)
    if form.is_valid():
        try:
            services.record_milestone(actor=request.user, supporter=supporter, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Milestone recorded."))
            return redirect("recruitment:person", program.slug, supporter.pk)
    return _person_page(request, program, supporter, 400, milestone_form=form)


@program_view("recruitment.view_person")
def application(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    return _application_page(request, program, access.get_application(program, pk))


def _application_page(
    request: ProgramRequest, program: Program, found: Application, status: int = 200, **forms: object
) -> HttpResponse:
    """One application as sent; for a repeat awaiting review, what differs from the record and the
    coordinator's choices (a failed action passes its bound form in ``forms``)."""
    differences = found.differences() if found.needs_review else []
    person = found.supporter
    context = {
        "program": program,
        "application": found,
        "person": person,
        "differences": differences,
        "review_form": ApplicationReviewForm(differences=differences),
        "reopen_form": ReopenForm(),
        "can_reopen": person.stage == Stage.WITHDRAWN
        or (
            person.stage == Stage.DECLINED
            and (person.may_reapply_after is None or person.may_reapply_after <= timezone.localdate())
        ),
        **forms,
    }
    return render(request, "recruitment/application.html", context, status=status)


@program_view("recruitment.review_application")
@require_POST
def application_review(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    found = access.get_application(program, pk)
    form = ApplicationReviewForm(request.POST, differences=found.differences())
    if form.is_valid():
        try:
            if request.POST.get("action") == "dismiss":
                services.dismiss_application(actor=request.user, application=found)
                messages.success(request, _("Dismissed: the record stays as it was."))
            else:
                services.accept_application_changes(
                    actor=request.user, application=found, fields=form.cleaned_data["accept"]
                )
                messages.success(request, _("The chosen changes are now on the record."))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("recruitment:person", program.slug, found.supporter_id)
    return _application_page(request, program, found, 400, review_form=form)


@program_view("recruitment.move_pathway")
@require_POST
def application_reopen(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    found = access.get_application(program, pk)
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            services.reopen_from_application(actor=request.user, application=found, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s is an applicant again.") % {"name": found.supporter.full_name})
            return redirect("recruitment:person", program.slug, found.supporter_id)
    return _application_page(request, program, found, 400, reopen_form=form)


@program_view("recruitment.screen")
def interview(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    interview = access.get_interview(program, pk)
    record_form = ScreeningRecordForm(request.POST or None, program=program, interview=interview)
    decision_form = DecisionForm()
    status = 200
    if request.method == "POST":
        if record_form.is_valid():
            try:
                services.record_screening(
                    actor=request.user,
                    interview=interview,
                    answers=record_form.answers(),
                    red_flags=record_form.red_flags(),
                    notes=record_form.cleaned_data["notes"],
                )
            except ValidationError as error:
                add_service_errors(record_form, error)
            else:
                messages.success(request, _("Screening recorded. You can now record the decision."))
                return redirect("recruitment:interview", program.slug, interview.pk)
        status = 400
    return _interview_page(request, program, interview, record_form, decision_form, status)


def _interview_page(
    request: HttpRequest,
    program: Program,
    interview: ScreeningInterview,
    record_form: ScreeningRecordForm,
    decision_form: DecisionForm,
    status: int,
) -> HttpResponse:
    interview = queries.interview_with_people(interview)
    return render(
        request,
        "recruitment/interview.html",
        {
            "program": program,
            "interview": interview,
            "record_form": record_form,
            "decision_form": decision_form,
            "can_record": interview.status != InterviewStatus.CANCELLED and not interview.decision,
            "can_decide": interview.status == InterviewStatus.COMPLETED and not interview.decision,
        },
        status=status,
    )


@program_view("recruitment.screen")
@require_POST
def interview_decide(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    interview = access.get_interview(program, pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.decide(actor=request.user, interview=interview, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Decision recorded."))
            return redirect("recruitment:person", program.slug, interview.supporter_id)
    record_form = ScreeningRecordForm(program=program, interview=interview)
    return _interview_page(request, program, interview, record_form, form, 400)


@program_view("recruitment.screen")
@require_POST
def interview_cancel(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    interview = access.get_interview(program, pk)
    reason = request.POST.get("reason", "").strip() or "No reason given"
    try:
        services.cancel_interview(actor=request.user, interview=interview, reason=reason)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Interview cancelled."))
    return redirect("recruitment:person", program.slug, interview.supporter_id)


@program_view("recruitment.edit_screening_setup")
def setup(request: ProgramRequest, program: Program) -> HttpResponse:
    return render(
        request,
        "recruitment/setup.html",
        {
            "program": program,
            "questions": ScreeningQuestion.objects.filter(program=program),
            "flags": RedFlag.objects.filter(program=program),
        },
    )


@program_view("recruitment.edit_screening_setup")
@creates_once
def question_edit(request: ProgramRequest, program: Program, pk: int | None = None) -> HttpResponse:
    question = access.get_question(program, pk) if pk else None
    form = ScreeningQuestionForm(request.POST or None, instance=question)
    if request.method == "POST" and form.is_valid():
        services.save_screening_question(actor=request.user, program=program, question=question, data=form.cleaned_data)
        messages.success(request, _("Screening question saved."))
        return redirect("recruitment:setup", program.slug)
    return render(
        request,
        "programs/item_edit.html",
        {
            "program": program,
            "form": form,
            "title": _("Screening question"),
            "item": question,
            "cancel_url": reverse("recruitment:setup", args=[program.slug]),
        },
    )


@program_view("recruitment.edit_screening_setup")
@creates_once
def red_flag_edit(request: ProgramRequest, program: Program, pk: int | None = None) -> HttpResponse:
    red_flag = access.get_red_flag(program, pk) if pk else None
    form = RedFlagForm(request.POST or None, instance=red_flag)
    if request.method == "POST" and form.is_valid():
        services.save_red_flag(actor=request.user, program=program, red_flag=red_flag, data=form.cleaned_data)
        messages.success(request, _("Red flag saved."))
        return redirect("recruitment:setup", program.slug)
    return render(
        request,
        "programs/item_edit.html",
        {
            "program": program,
            "form": form,
            "title": _("Red flag"),
            "item": red_flag,
            "cancel_url": reverse("recruitment:setup", args=[program.slug]),
        },
    )


@program_view("recruitment.view_own_pathway")
def my_pathway(request: ProgramRequest, program: Program) -> HttpResponse:
    supporter = access.own_supporter_record(program, request.user)
    return render(
        request,
        "recruitment/my_pathway.html",
        {
            "program": program,
            "person": supporter,
            "history": supporter.stage_changes.select_related("actor"),
            "milestones": supporter.milestones.all(),
        },
    )
