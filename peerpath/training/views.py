from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from peerpath.core.exports import as_download, download_table, requested_format
from peerpath.core.forms import add_service_errors
from peerpath.core.idempotency import creates_once
from peerpath.core.permissions import Role, has_role, program_view, public
from peerpath.programs.http import ProgramRequest
from peerpath.programs.models import Membership, Program
from peerpath.recruitment.access import own_supporter_record
from peerpath.recruitment.models import Supporter
from peerpath.training import access, exports, extensions, queries, services
from peerpath.training.access import can_run_cohort, cohorts_visible_to
from peerpath.training.calendar import build_calendar
from peerpath.training.forms import (
    AttendanceForm,
    CancelForm,
    CohortForm,
    EnrolForm,
    FeedbackForm,
    ModuleForm,
    RefresherForm,
    RolePlayForm,
    SessionForm,
    ShadowingCommentForm,
    ShadowingForm,
    TopicForm,
    WithdrawForm,
)
from peerpath.training.models import (
    Attendance,
    CalendarFeed,
    Cohort,
    Enrolment,
    EnrolmentStatus,
    Shadowing,
    TrainingSession,
)

# "My cohorts" details the trainer's current cohorts (a fixed number of queries each); older
# ones are listed as links.
MY_COHORTS_RECENT_DAYS = 120
MY_COHORTS_DETAILED = 4


def _status(request: HttpRequest) -> int:
    return 400 if request.method == "POST" else 200


# --- Curriculum ------------------------------------------------------------------------------


@program_view("training.view_curriculum")
def curriculum(request: ProgramRequest, program: Program) -> HttpResponse:
    modules = queries.curriculum(program)
    if fmt := requested_format(request):
        return download_table(f"{program.slug}-curriculum", fmt, exports.curriculum(modules))
    return render(request, "training/curriculum.html", {"program": program, "modules": modules})


@program_view("training.view_curriculum")
def coverage(request: ProgramRequest, program: Program) -> HttpResponse:
    return render(request, "training/coverage.html", {"program": program, **queries.coverage_matrix(program)})


@program_view("training.edit_curriculum")
@creates_once
def module_edit(request: ProgramRequest, program: Program, pk: int | None = None) -> HttpResponse:
    module = access.get_module(program, pk) if pk else None
    initial = (
        {
            "title": module.title,
            "description": module.description,
            "position": module.position,
            "is_active": module.is_active,
        }
        if module
        else None
    )
    form = ModuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_module(actor=request.user, program=program, module=module, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Module saved."))
            return redirect("training:curriculum", program.slug)
    return render(
        request,
        "training/item_form.html",
        {
            "program": program,
            "form": form,
            "title": _("Edit module") if module else _("New module"),
            "cancel_url": reverse("training:curriculum", args=[program.slug]),
        },
        status=_status(request),
    )


@program_view("training.edit_curriculum")
@creates_once
def topic_edit(request: ProgramRequest, program: Program, pk: int | None = None) -> HttpResponse:
    topic = access.get_topic(program, pk) if pk else None
    initial: dict[str, Any] = {"module": request.GET.get("module")}
    if topic:
        initial = {
            "module": topic.module_id,
            "title": topic.title,
            "description": topic.description,
            "position": topic.position,
            "is_active": topic.is_active,
            "competencies": list(topic.competencies.values_list("pk", flat=True)),
        }
    form = TopicForm(request.POST or None, program=program, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        competencies = data.pop("competencies")
        try:
            services.save_topic(actor=request.user, program=program, topic=topic, data=data, competencies=competencies)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Topic saved."))
            return redirect("training:curriculum", program.slug)
    return render(
        request,
        "training/item_form.html",
        {
            "program": program,
            "form": form,
            "title": _("Edit topic") if topic else _("New topic"),
            "cancel_url": reverse("training:curriculum", args=[program.slug]),
        },
        status=_status(request),
    )


# --- Cohorts ---------------------------------------------------------------------------------


@program_view("training.view_cohorts")
def cohorts(request: ProgramRequest, program: Program) -> HttpResponse:
    rows = queries.cohort_rows(cohorts_visible_to(request.membership))
    if fmt := requested_format(request):
        return download_table(f"{program.slug}-cohorts", fmt, exports.cohorts(rows))
    return render(request, "training/cohorts.html", {"program": program, "cohorts": rows})


@program_view("training.manage_cohorts")
@creates_once
def cohort_edit(request: ProgramRequest, program: Program, pk: int | None = None) -> HttpResponse:
    cohort = access.get_cohort(request.membership, pk) if pk else None
    initial = None
    if cohort:
        initial = {
            "name": cohort.name,
            "description": cohort.description,
            "starts_on": cohort.starts_on,
            "ends_on": cohort.ends_on,
            "default_location": cohort.default_location,
            "trainers": [t.pk for t in cohort.trainers.all()],
        }
    form = CohortForm(request.POST or None, program=program, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        trainers = data.pop("trainers")
        try:
            saved = services.save_cohort(
                actor=request.user, program=program, cohort=cohort, data=data, trainers=trainers
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Cohort saved."))
            return redirect("training:cohort", program.slug, saved.pk)
    return render(
        request,
        "training/item_form.html",
        {
            "program": program,
            "form": form,
            "title": _("Edit %(name)s") % {"name": cohort.name} if cohort else _("New cohort"),
            "cancel_url": reverse("training:cohorts", args=[program.slug]),
        },
        status=_status(request),
    )


def _cohort_page(
    request: ProgramRequest, program: Program, cohort: Cohort, status: int = 200, **forms: Any
) -> HttpResponse:
    grid = queries.attendance_grid(cohort)
    supporter_ids = [row["enrolment"].supporter_id for row in grid["rows"]]
    statuses = extensions.roster_status(program, cohort, supporter_ids, request.membership)
    evidence = queries.evidence_for(supporter_ids)
    for row in grid["rows"]:
        sid = row["enrolment"].supporter_id
        row["statuses"] = statuses.get(sid, [])
        row["role_plays"] = evidence["role_plays"].get(sid, [])
        row["shadowings"] = evidence["shadowings"].get(sid, [])
    if status == 200 and (fmt := requested_format(request)):
        return download_table(
            f"{program.slug}-cohort-{cohort.pk}-roster", fmt, exports.roster(grid["sessions"], grid["rows"])
        )
    candidates = queries.candidates_for_enrolment(cohort)
    trainees = Supporter.objects.filter(enrolments__cohort=cohort, enrolments__status__in=services.ON_ROSTER)
    context = {
        "program": program,
        "cohort": cohort,
        **grid,
        "can_run": can_run_cohort(request.membership, cohort),
        "enrol_form": EnrolForm(candidates=candidates),
        "role_play_form": RolePlayForm(cohort=cohort, trainees=trainees, initial={"held_on": timezone.localdate()}),
        "shadowing_form": ShadowingForm(
            program=program, trainees=trainees, initial={"shadowed_on": timezone.localdate()}
        ),
        "now": timezone.now(),
        **forms,
    }
    return render(request, "training/cohort.html", context, status=status)


@program_view("training.view_cohorts")
def cohort(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    return _cohort_page(request, program, access.get_cohort(request.membership, pk))


def _cohort_to_run(request: ProgramRequest, pk: int) -> Cohort:
    cohort = access.get_cohort(request.membership, pk)
    if not can_run_cohort(request.membership, cohort):
        raise Http404(_("No such cohort."))
    return cohort


@program_view("training.run_cohort")
@require_POST
@creates_once
def cohort_enrol(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    cohort = _cohort_to_run(request, pk)
    form = EnrolForm(request.POST, candidates=queries.candidates_for_enrolment(cohort))
    if form.is_valid():
        try:
            services.enrol_trainee(actor=request.user, cohort=cohort, supporter=form.cleaned_data["supporter"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{form.cleaned_data['supporter'].full_name} is enrolled.")
            return redirect("training:cohort", program.slug, cohort.pk)
    return _cohort_page(request, program, cohort, 400, enrol_form=form)


@program_view("training.run_cohort")
def enrolment_withdraw(request: ProgramRequest, program: Program, pk: int, enrolment_pk: int) -> HttpResponse:
    cohort = _cohort_to_run(request, pk)
    enrolment = access.get_enrolment(request.membership, cohort, enrolment_pk)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_enrolment(
                actor=request.user,
                enrolment=enrolment,
                to_status=EnrolmentStatus.WITHDRAWN,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{enrolment.supporter.full_name} has left the course.")
            return redirect("training:cohort", program.slug, cohort.pk)
    return render(
        request,
        "training/item_form.html",
        {
            "program": program,
            "form": form,
            "title": _("%(name)s leaves %(cohort)s") % {"name": enrolment.supporter.full_name, "cohort": cohort.name},
            "submit": _("Record leaving"),
            "cancel_url": reverse("training:cohort", args=[program.slug, cohort.pk]),
        },
        status=_status(request),
    )


@program_view("training.run_cohort")
@creates_once
def session_edit(request: ProgramRequest, program: Program, pk: int, session_pk: int | None = None) -> HttpResponse:
    cohort = _cohort_to_run(request, pk)
    session = None
    if session_pk:
        session = get_object_or_404(TrainingSession, cohort=cohort, pk=session_pk)
    initial: dict[str, Any] = {"location": cohort.default_location}
    if session:
        initial = {
            "title": session.title,
            "starts_at": timezone.localtime(session.starts_at),
            "ends_at": timezone.localtime(session.ends_at),
            "location": session.location,
            "online_url": session.online_url,
            "topics": list(session.topics.values_list("pk", flat=True)),
            "makeup_for": session.makeup_for_id,
            "description": session.description,
        }
    elif request.GET.get("makeup_for"):
        initial["makeup_for"] = request.GET["makeup_for"]
        initial["title"] = "Make-up session"
    form = SessionForm(request.POST or None, cohort=cohort, exclude=session, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        topics = data.pop("topics")
        try:
            saved = services.save_session(actor=request.user, cohort=cohort, session=session, data=data, topics=topics)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Session saved; subscribed calendars will update."))
            return redirect("training:session", program.slug, saved.pk)
    return render(
        request,
        "training/item_form.html",
        {
            "program": program,
            "form": form,
            "title": (_("Edit session · %(name)s") if session else _("Schedule a session · %(name)s"))
            % {"name": cohort.name},
            "cancel_url": reverse("training:cohort", args=[program.slug, cohort.pk]),
        },
        status=_status(request),
    )


def _session_page(
    request: ProgramRequest, program: Program, session: TrainingSession, status: int = 200, **forms: Any
) -> HttpResponse:
    roster = services.roster_for(session)
    marks = {a.supporter_id: a for a in Attendance.objects.filter(session=session)}
    context = {
        "program": program,
        "session": session,
        "topics": session.topics.select_related("module"),
        "makeups": session.makeups.filter(is_cancelled=False),
        "attendance_form": AttendanceForm(roster=roster, marks=marks),
        "cancel_form": CancelForm(),
        "can_take_attendance": not session.is_cancelled and session.has_started,
        "can_run": (
            can_run_cohort(request.membership, session.cohort)
            if session.cohort_id
            else has_role(request.membership, Role.COORDINATOR, Role.TRAINER)
        ),
        "marked": len(marks),
        **forms,
    }
    return render(request, "training/session.html", context, status=status)


@program_view("training.run_cohort")
def session(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    """A session with its attendance form (POST records attendance)."""
    session = access.get_session(request.membership, pk)
    if session.cohort_id and not can_run_cohort(request.membership, session.cohort):
        raise Http404(_("No such session."))
    if request.method != "POST":
        return _session_page(request, program, session)
    roster = services.roster_for(session)
    form = AttendanceForm(request.POST, roster=roster, marks={})
    if form.is_valid():
        try:
            services.record_attendance(actor=request.user, session=session, marks=form.marks())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Attendance saved."))
            return redirect("training:session", program.slug, session.pk)
    return _session_page(request, program, session, 400, attendance_form=form)


@program_view("training.run_cohort")
@require_POST
def session_cancel(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    session = access.get_session(request.membership, pk)
    if session.cohort_id and not can_run_cohort(request.membership, session.cohort):
        raise Http404(_("No such session."))
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.cancel_session(actor=request.user, session=session, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Session cancelled; subscribed calendars will show it as cancelled."))
            return redirect("training:session", program.slug, session.pk)
    return _session_page(request, program, session, 400, cancel_form=form)


@program_view("training.run_cohort")
@require_POST
@creates_once
def role_play_add(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    cohort = _cohort_to_run(request, pk)
    trainees = Supporter.objects.filter(enrolments__cohort=cohort, enrolments__status__in=services.ON_ROSTER)
    form = RolePlayForm(request.POST, cohort=cohort, trainees=trainees)
    if form.is_valid():
        try:
            services.record_role_play(actor=request.user, cohort=cohort, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Role play logged as evidence."))
            return redirect("training:cohort", program.slug, cohort.pk)
    return _cohort_page(request, program, cohort, 400, role_play_form=form)


@program_view("training.run_cohort")
@require_POST
@creates_once
def shadowing_add(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    cohort = _cohort_to_run(request, pk)
    trainees = Supporter.objects.filter(enrolments__cohort=cohort, enrolments__status__in=services.ON_ROSTER)
    form = ShadowingForm(request.POST, program=program, trainees=trainees)
    if form.is_valid():
        try:
            services.record_shadowing(actor=request.user, cohort=cohort, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Shadowing logged as evidence."))
            return redirect("training:cohort", program.slug, cohort.pk)
    return _cohort_page(request, program, cohort, 400, shadowing_form=form)


@program_view("training.view_feedback")
def feedback(request: ProgramRequest, program: Program) -> HttpResponse:
    """Aggregates of trainees' feedback: all cohorts for coordinators, their own for trainers."""
    visible = cohorts_visible_to(request.membership)
    chosen = request.GET.get("cohort", "")
    cohort = None
    if chosen.isdigit():
        cohort = get_object_or_404(visible, pk=int(chosen))
    ids = (
        [cohort.pk]
        if cohort
        else (None if has_role(request.membership, Role.COORDINATOR) else visible.values_list("pk", flat=True))
    )
    summary = queries.feedback_summary(program, ids)
    if fmt := requested_format(request):
        name = f"{program.slug}-training-feedback" + (f"-cohort-{cohort.pk}" if cohort else "")
        return download_table(name, fmt, exports.feedback(summary))
    return render(
        request,
        "training/feedback.html",
        {
            "program": program,
            "cohorts": visible.order_by("-starts_on"),
            "cohort": cohort,
            "query": f"cohort={cohort.pk}" if cohort else "",
            **summary,
        },
    )


@program_view("training.my_cohorts")
def my_cohorts(request: ProgramRequest, program: Program) -> HttpResponse:
    """A trainer's cohorts, each with its roster, attendance, evidence and assessment status."""
    rows = []
    cohorts = queries.trainer_cohorts(program, request.user)
    recent_from = timezone.localdate() - dt.timedelta(days=MY_COHORTS_RECENT_DAYS)
    current = [c for c in cohorts if c.ends_on >= recent_from][:MY_COHORTS_DETAILED]
    for cohort in current:
        grid = queries.attendance_grid(cohort)
        ids = [row["enrolment"].supporter_id for row in grid["rows"]]
        statuses = extensions.roster_status(program, cohort, ids, request.membership)
        evidence = queries.evidence_for(ids)
        for row in grid["rows"]:
            sid = row["enrolment"].supporter_id
            row["statuses"] = statuses.get(sid, [])
            row["role_plays"] = evidence["role_plays"].get(sid, [])
            row["shadowings"] = evidence["shadowings"].get(sid, [])
        rows.append({"cohort": cohort, **grid})
    older = [c for c in cohorts if c not in current]
    if fmt := requested_format(request):
        return download_table(f"{program.slug}-my-cohorts", fmt, exports.my_cohorts(rows))
    return render(
        request,
        "training/my_cohorts.html",
        {"program": program, "cohorts": rows, "older": older, "now": timezone.now()},
    )


# --- Trainee / supporter ---------------------------------------------------------------------


@program_view("training.my_training")
def my_training(request: ProgramRequest, program: Program) -> HttpResponse:
    supporter = own_supporter_record(program, request.user)
    now = timezone.now()
    enrolments = queries.trainee_enrolments(supporter)
    rates = {}
    for enrolment in enrolments:
        rates[enrolment.cohort_id] = queries.attendance_rates(enrolment.cohort, [supporter.pk])[supporter.pk]
    evidence = queries.evidence_for([supporter.pk])
    ways = queries.ways_to_make_up(
        program, supporter, [rates[e.cohort_id] for e in enrolments if e.status == EnrolmentStatus.ENROLLED]
    )
    context = {
        "program": program,
        "supporter": supporter,
        "enrolments": [
            {
                "enrolment": e,
                "rate": rates[e.cohort_id],
                "missed": [{"session": s, "ways": ways.get(s.pk, [])} for s in rates[e.cohort_id].missed],
            }
            for e in enrolments
        ],
        "upcoming": list(queries.schedule_for_supporter(supporter, since=now)[:20]),
        "attendance": queries.my_attendance(supporter),
        "role_plays": evidence["role_plays"].get(supporter.pk, []),
        "shadowings": evidence["shadowings"].get(supporter.pk, []),
        "to_comment": Shadowing.objects.filter(program=program, experienced_supporter=supporter)
        .select_related("trainee")
        .order_by("-shadowed_on"),
        "due": queries.feedback_to_give(supporter),
        "sections": extensions.trainee_sections(request, program, supporter),
        "on_course": any(e.status != EnrolmentStatus.WITHDRAWN for e in enrolments),
    }
    return render(request, "training/my_training.html", context)


def _feedback_page(
    request: ProgramRequest, program: Program, cohort: Cohort, session: TrainingSession | None
) -> HttpResponse:
    supporter = own_supporter_record(program, request.user)
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.give_feedback(
                actor=request.user, supporter=supporter, cohort=cohort, session=session, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Thank you for your feedback."))
            return redirect("training:my_training", program.slug)
    return render(
        request,
        "training/feedback_form.html",
        {"program": program, "cohort": cohort, "session": session, "form": form},
        status=_status(request),
    )


@program_view("training.my_training")
@creates_once
def feedback_session(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    supporter = own_supporter_record(program, request.user)
    session = access.own_session(supporter, pk)
    assert session.cohort is not None  # own_session finds only sessions of the supporter's courses
    return _feedback_page(request, program, session.cohort, session)


@program_view("training.my_training")
@creates_once
def feedback_course(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    supporter = own_supporter_record(program, request.user)
    return _feedback_page(request, program, access.own_enrolment_cohort(supporter, pk), None)


@program_view("training.my_training")
@creates_once
def my_shadowing_add(request: ProgramRequest, program: Program) -> HttpResponse:
    """A trainee logs time they shadowed an experienced supporter, with their reflection."""
    supporter = own_supporter_record(program, request.user)
    enrolment = (
        Enrolment.objects.filter(supporter=supporter, status=EnrolmentStatus.ENROLLED)
        .select_related("cohort")
        .order_by("-cohort__starts_on")
        .first()
    )
    if enrolment is None:
        raise Http404(_("You are not enrolled in a course."))
    form = ShadowingForm(
        request.POST or None, program=program, trainees=None, initial={"shadowed_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.record_shadowing(
                actor=request.user, cohort=enrolment.cohort, trainee=supporter, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Shadowing logged. The supporter you shadowed can add a comment."))
            return redirect("training:my_training", program.slug)
    return render(
        request,
        "training/item_form.html",
        {
            "program": program,
            "form": form,
            "title": _("Log shadowing"),
            "cancel_url": reverse("training:my_training", args=[program.slug]),
        },
        status=_status(request),
    )


@program_view("training.my_training")
def shadowing_comment(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    shadowing = access.shadowing_to_comment(program, request.user, pk)
    form = ShadowingCommentForm(request.POST or None, initial={"comment": shadowing.supporter_comment})
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_on_shadowing(actor=request.user, shadowing=shadowing, comment=form.cleaned_data["comment"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Comment saved."))
            return redirect("training:my_training", program.slug)
    return render(
        request,
        "training/shadowing_comment.html",
        {"program": program, "shadowing": shadowing, "form": form},
        status=_status(request),
    )


# --- Refresher events ------------------------------------------------------------------------


@program_view("training.manage_refreshers")
def refreshers(request: ProgramRequest, program: Program) -> HttpResponse:
    events = queries.refresher_events(program)
    if fmt := requested_format(request):
        return download_table(f"{program.slug}-refreshers", fmt, exports.refreshers(events))
    return render(request, "training/refreshers.html", {"program": program, **events})


@program_view("training.manage_refreshers")
@creates_once
def refresher_edit(request: ProgramRequest, program: Program, pk: int | None = None) -> HttpResponse:
    event = access.get_refresher(program, pk) if pk else None
    initial: dict[str, Any] = {"credited_hours": 1, "ce_category": "peer-specific"}
    if event:
        initial = {
            "title": event.title,
            "starts_at": timezone.localtime(event.starts_at),
            "ends_at": timezone.localtime(event.ends_at),
            "location": event.location,
            "online_url": event.online_url,
            "credited_hours": event.credited_hours,
            "ce_category": event.ce_category,
            "description": event.description,
        }
    form = RefresherForm(request.POST or None, initial=initial, program=program)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_refresher_event(
                actor=request.user, program=program, event=event, data=form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Refresher event saved."))
            return redirect("training:session", program.slug, saved.pk)
    return render(
        request,
        "training/item_form.html",
        {
            "program": program,
            "form": form,
            "title": _("Edit refresher event") if event else _("New refresher event"),
            "cancel_url": reverse("training:refreshers", args=[program.slug]),
        },
        status=_status(request),
    )


# --- Calendar feeds --------------------------------------------------------------------------


def _feed_cohorts(membership: Membership, supporter: Supporter | None) -> list[Cohort]:
    visible = list(cohorts_visible_to(membership).order_by("-starts_on"))
    if supporter is not None:
        mine = Cohort.objects.filter(enrolments__supporter=supporter).exclude(
            enrolments__supporter=supporter, enrolments__status=EnrolmentStatus.WITHDRAWN
        )
        visible += [c for c in mine if c not in visible]
    return visible


@program_view("training.calendar")
def calendar(request: ProgramRequest, program: Program) -> HttpResponse:
    """The person's calendar subscription addresses: their own schedule and each cohort's."""
    supporter = Supporter.objects.filter(program=program, user=request.user).first()
    personal = services.calendar_feed(actor=request.user, program=program, owner=request.user)
    cohorts = _feed_cohorts(request.membership, supporter)
    feeds = {
        f.cohort_id: f
        for f in CalendarFeed.objects.filter(
            program=program, owner=request.user, cohort__isnull=False, revoked_at__isnull=True
        )
    }
    rows = [{"cohort": c, "feed": feeds.get(c.pk)} for c in cohorts]
    return render(request, "training/calendar.html", {"program": program, "personal": personal, "rows": rows})


@program_view("training.calendar")
@require_POST
def calendar_subscribe(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    supporter = Supporter.objects.filter(program=program, user=request.user).first()
    cohort = next((c for c in _feed_cohorts(request.membership, supporter) if c.pk == pk), None)
    if cohort is None:
        raise Http404(_("No such cohort."))
    services.calendar_feed(actor=request.user, program=program, owner=request.user, cohort=cohort)
    messages.success(request, f"Your subscription address for {cohort.name} is ready.")
    return redirect("training:calendar", program.slug)


@program_view("training.calendar")
@require_POST
def calendar_renew(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    feed = access.own_feed(program, request.user, pk)
    services.renew_calendar_feed(actor=request.user, feed=feed)
    messages.success(request, _("The old address no longer works. Subscribe again with the new one."))
    return redirect("training:calendar", program.slug)


@public
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """An iCalendar feed for calendar apps, which cannot log in: the secret token in the address
    is the key. Revoked tokens, and people who have since lost access, get 404."""
    found = (
        CalendarFeed.objects.select_related("program", "owner", "cohort")
        .filter(token=token, revoked_at__isnull=True, program__is_active=True, owner__is_active=True)
        .first()
    )
    if found is None:
        raise Http404(_("No such calendar."))
    program, owner = found.program, found.owner
    membership = (
        Membership.objects.filter(program=program, user=owner, is_active=True).select_related("program").first()
    )
    if membership is None:
        raise Http404(_("No such calendar."))
    supporter = Supporter.objects.filter(program=program, user=owner).first()
    if found.cohort_id:
        if found.cohort not in _feed_cohorts(membership, supporter):
            raise Http404(_("No such calendar."))
        sessions = list(
            TrainingSession.objects.filter(cohort=found.cohort).select_related("cohort").order_by("starts_at")
        )
        name = f"{found.cohort.name} · {program.name}"
    else:
        chosen: dict[int, TrainingSession] = {}
        if supporter is not None:
            chosen.update({s.pk: s for s in queries.schedule_for_supporter(supporter)})
        if has_role(membership, Role.TRAINER, Role.COORDINATOR):
            chosen.update({s.pk: s for s in queries.schedule_for_trainer(program, owner)})
        sessions = sorted(chosen.values(), key=lambda s: s.starts_at)
        name = f"My training · {program.name}"
    now = timezone.now()
    if found.last_used_at is None or (now - found.last_used_at).total_seconds() > 3600:
        CalendarFeed.objects.filter(pk=found.pk).update(last_used_at=now)
    extra = [] if found.cohort_id else extensions.feed_events(program, owner)
    response = HttpResponse(
        build_calendar(name, sessions, program_slug=program.slug, extra=extra),
        content_type="text/calendar; charset=utf-8",
    )
    as_download(response, "training.ics", inline=True)
    return response
