from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from peerpath.care import access, bridges, exports, instruments, pdf, queries, services
from peerpath.care.forms import (
    BreakRecordForm,
    BreakRequestForm,
    BuddyPairForm,
    CareSettingsForm,
    CheckInForm,
    DebriefForm,
    MeetingForm,
    NewsletterForm,
    NewsletterPreferenceForm,
    QuestionnaireImportForm,
    RecognitionForm,
    RefresherForm,
    SupportersFilterForm,
    TaskDoneForm,
    TaskFilterForm,
    YearForm,
    default_refresher_times,
    supervisor_only_choices,
)
from peerpath.care.models import (
    Break,
    BreakStatus,
    BuddyPair,
    CareTask,
    CheckIn,
    CheckInStatus,
    Debrief,
    Newsletter,
    NewsletterPreference,
    NewsletterStatus,
    Questionnaire,
    Recognition,
    RecognitionKind,
    SupervisionMeeting,
    TaskStatus,
)
from peerpath.care.stages import CURRENT_STAGES, RECOGNISABLE_STAGES, SUPERVISED_STAGES, Audience
from peerpath.care.tasks import read_unsubscribe_token
from peerpath.core import audit
from peerpath.core.exports import download_table, requested_format
from peerpath.core.forms import add_service_errors
from peerpath.core.permissions import Role, can, has_role, program_view, public
from peerpath.programs.models import Program
from peerpath.recruitment.models import Supporter
from peerpath.recruitment.services import assign_supervisor

PAGE_SIZE = 50


def _today() -> Any:
    return timezone.localdate()


def _posted(request: HttpRequest) -> Any:
    """The form data of a POST (even an empty one, so its errors show), or None for a GET."""
    return request.POST if request.method == "POST" else None


def _member_user(program: Program, user_id: int) -> Any:
    membership = program.memberships.select_related("user").filter(user_id=user_id, is_active=True).first()
    return membership.user if membership else None


def _is_coordinator(request: HttpRequest) -> bool:
    return has_role(request.membership, Role.COORDINATOR)


def _query(request: HttpRequest) -> str:
    """The page's filters, for its pagination and download links."""
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    return query.urlencode()


# =============================================================================================
# The supporter's own pages


@program_view("care.own_care")
def my_care(request: HttpRequest, program: Program) -> HttpResponse:
    record = access.own_record(request, program)
    settings = services.get_settings(program)
    today = _today()
    row = queries.checkin_status(program, record, settings, today)
    latest = (
        CheckIn.objects.filter(supporter=record, status=CheckInStatus.COMPLETED)
        .select_related("questionnaire")
        .order_by("-completed_at")
        .first()
    )
    pair = services.current_pair(record)
    context = {
        "program": program,
        "person": record,
        "row": row,
        "latest": latest,
        "follow_up": _open_follow_up(latest),
        "charts": queries.checkin_trends(record),
        "buddy": pair.other(record.pk) if pair else None,
        "breaks": Break.objects.filter(supporter=record).exclude(status=BreakStatus.CANCELLED)[:5],
        "debriefs": Debrief.objects.filter(supporter=record)[:5],
        "hours": queries.hours_by_year(record),
        "last_meeting": record.supervision_meetings.order_by("-held_on").first(),
        "recognitions": Recognition.objects.filter(supporter=record),
        "settings": settings,
    }
    return render(request, "care/my_care.html", context)


def _open_follow_up(checkin: CheckIn | None) -> CareTask | None:
    if checkin is None or not checkin.asks_for_follow_up:
        return None
    return checkin.tasks.select_related("assigned_to").order_by("-created_at").first()


@program_view("care.own_care")
def checkin(request: HttpRequest, program: Program) -> HttpResponse:
    record = access.own_record(request, program)
    settings = services.get_settings(program)
    questionnaire = settings.checkin_questionnaire
    if questionnaire is None or not questionnaire.is_active:
        messages.warning(request, "The program has not set up a check-in yet. Please talk to your coordinator.")
        return redirect("care:my_care", program.slug)
    questionnaire = Questionnaire.objects.prefetch_related("items").get(pk=questionnaire.pk)
    form = CheckInForm(_posted(request), questionnaire=questionnaire)
    if request.method == "POST" and form.is_valid():
        try:
            done = services.complete_checkin(
                actor=request.user,
                supporter=record,
                questionnaire=questionnaire,
                answers=form.answers(),
                needs_break=form.cleaned_data["needs_break"],
                wants_to_talk=form.cleaned_data["wants_to_talk"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Thank you for checking in.")
            return redirect("care:my_checkin", program.slug, done.pk)
    waiting = CheckIn.objects.filter(supporter=record, status=CheckInStatus.SCHEDULED).order_by("due_on").first()
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "care/checkin.html",
        {"program": program, "form": form, "questionnaire": questionnaire, "waiting": waiting},
        status=status,
    )


@program_view("care.own_care")
def my_checkin(request: HttpRequest, program: Program, pk: int) -> HttpResponse:
    done = access.own_checkin(request, program, pk)
    settings = services.get_settings(program)
    record = done.supporter
    return render(
        request,
        "care/my_checkin.html",
        {
            "program": program,
            "checkin": done,
            "follow_up": _open_follow_up(done),
            "row": queries.checkin_status(program, record, settings, _today()),
            "settings": settings,
            "supervisor": services.active_supervisor(record),
        },
    )


@program_view("care.own_care")
def my_debriefs(request: HttpRequest, program: Program) -> HttpResponse:
    record = access.own_record(request, program)
    form = DebriefForm(_posted(request), initial={"occurred_on": _today()})
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_debrief(actor=request.user, supporter=record, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if form.cleaned_data["wants_to_talk"]:
                messages.success(request, "Debrief saved. We have asked your supervisor to get in touch.")
            else:
                messages.success(request, "Debrief saved. Thank you.")
            return redirect("care:my_debriefs", program.slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "care/my_debriefs.html",
        {"program": program, "form": form, "debriefs": Debrief.objects.filter(supporter=record)[:50]},
        status=status,
    )


@program_view("care.own_care")
def my_breaks(request: HttpRequest, program: Program) -> HttpResponse:
    record = access.own_record(request, program)
    form = BreakRequestForm(_posted(request), initial={"starts_on": _today()})
    if request.method == "POST" and form.is_valid():
        try:
            brk = services.request_break(actor=request.user, supporter=record, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if brk.status == BreakStatus.CURRENT:
                messages.success(
                    request, "Your break has started. Take care of yourself; we will not match you meanwhile."
                )
            else:
                messages.success(request, f"Your break is planned from {brk.starts_on:%d %B %Y}.")
            return redirect("care:my_breaks", program.slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "care/my_breaks.html",
        {
            "program": program,
            "person": record,
            "form": form,
            "breaks": Break.objects.filter(supporter=record).exclude(status=BreakStatus.CANCELLED),
            "can_request": record.stage in CURRENT_STAGES,
        },
        status=status,
    )


@program_view("care.own_care")
@require_POST
def my_break_back(request: HttpRequest, program: Program, pk: int) -> HttpResponse:
    brk = access.own_break(request, program, pk)
    try:
        services.end_break(actor=request.user, brk=brk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Welcome back! A short return check-in is waiting for you.")
    return redirect("care:my_breaks", program.slug)


@program_view("care.own_care")
@require_POST
def my_break_cancel(request: HttpRequest, program: Program, pk: int) -> HttpResponse:
    brk = access.own_break(request, program, pk)
    try:
        services.cancel_break(actor=request.user, brk=brk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The planned break is cancelled.")
    return redirect("care:my_breaks", program.slug)


@program_view("care.own_care")
def my_certificate(request: HttpRequest, program: Program, pk: int) -> HttpResponse:
    return _certificate(program, access.own_recognition(request, program, pk))


@program_view("care.own_care")
def my_updates(request: HttpRequest, program: Program) -> HttpResponse:
    record = access.own_record(request, program)
    preference = NewsletterPreference.objects.filter(supporter=record).first()
    form = NewsletterPreferenceForm(_posted(request), initial={"receive": preference.receive if preference else True})
    if request.method == "POST" and form.is_valid():
        services.set_newsletter_preference(
            actor=request.user, supporter=record, receive=form.cleaned_data["receive"], via="preferences page"
        )
        messages.success(request, "Your choice is saved.")
        return redirect("care:my_updates", program.slug)
    return render(request, "care/my_updates.html", {"program": program, "form": form, "person": record})


# =============================================================================================
# Supervisors and coordinators: supporters, check-ins, debriefs


def _supporters_for(request: HttpRequest, program: Program, form: SupportersFilterForm) -> Any:
    rows = access.visible_supporters(request)
    data = form.cleaned_data if form.is_valid() else {}
    stages = SUPERVISED_STAGES if data.get("include_trainees") else CURRENT_STAGES
    rows = rows.filter(stage__in=stages)
    if data.get("q"):
        rows = rows.filter(full_name__icontains=data["q"])
    if data.get("supervisor") == 0:
        rows = rows.filter(supervisor__isnull=True)
    elif data.get("supervisor"):
        rows = rows.filter(supervisor_id=data["supervisor"])
    return rows.order_by("full_name")


@program_view("care.view_supporters")
def supporters(request: HttpRequest, program: Program) -> HttpResponse:
    settings = services.get_settings(program)
    form = SupportersFilterForm(request.GET or None, program=program, coordinator=_is_coordinator(request))
    rows = _supporters_for(request, program, form)
    today = _today()
    if fmt := requested_format(request):
        table = exports.supporters(
            queries.care_rows(program, rows, settings, today), coordinator=_is_coordinator(request)
        )
        return download_table(f"{program.slug}-supporter-care", fmt, table)
    page = Paginator(queries.annotate_care(rows), PAGE_SIZE).get_page(request.GET.get("page"))
    on_break = queries.supporters_on_break(program, today)
    care_rows = [queries.care_row(s, settings, today, on_break) for s in page]
    return render(
        request,
        "care/supporters.html",
        {
            "program": program,
            "form": form,
            "page": page,
            "rows": care_rows,
            "query": _query(request),
            "coordinator": _is_coordinator(request),
            "settings": settings,
        },
    )


@program_view("care.view_supporters")
def supporter(request: HttpRequest, program: Program, pk: int) -> HttpResponse:
    person = access.get_supporter(request, program, pk)
    settings = services.get_settings(program)
    today = _today()
    audit.record(actor=request.user, program=program, action="care.view_supporter", target=person)
    pair = services.current_pair(person)
    context = {
        "program": program,
        "person": person,
        "row": queries.checkin_status(program, person, settings, today),
        "charts": queries.checkin_trends(person),
        "checkins": CheckIn.objects.filter(supporter=person, status=CheckInStatus.COMPLETED)
        .select_related("questionnaire")
        .order_by("-completed_at")[:12],
        "tasks": CareTask.objects.filter(supporter=person)
        .select_related("assigned_to")
        .order_by("status", "-created_at")[:20],
        "debriefs": Debrief.objects.filter(supporter=person)[:20],
        "meetings": person.supervision_meetings.select_related("supervisor").order_by("-held_on")[:20],
        "hours": queries.hours_by_year(person),
        "breaks": Break.objects.filter(supporter=person).exclude(status=BreakStatus.CANCELLED)[:10],
        "buddy": pair.other(person.pk) if pair else None,
        "hard_events": person.hard_events.all()[:10],
        "recognitions": Recognition.objects.filter(supporter=person)[:10],
        "settings": settings,
    }
    return render(request, "care/supporter.html", context)


@program_view("care.view_supporters")
def checkin_detail(request: HttpRequest, program: Program, pk: int) -> HttpResponse:
    done = access.get_checkin(request, program, pk)
    audit.record(actor=request.user, program=program, action="checkin.view", target=done)
    answers = done.answers.select_related("item").order_by("item__number")
    labels = {int(o["value"]): o["label"] for o in (done.questionnaire.scale if done.questionnaire else [])}
    rows = [(a.item, a.value, labels.get(a.value, "")) for a in answers]
    return render(
        request,
        "care/checkin_detail.html",
        {"program": program, "checkin": done, "rows": rows, "tasks": done.tasks.select_related("assigned_to")},
    )


@program_view("care.view_supporters")
def debrief(request: HttpRequest, program: Program, pk: int) -> HttpResponse:
    found = access.get_debrief(request, program, pk)
    audit.record(actor=request.user, program=program, action="debrief.view", target=found)
    return render(
        request,
        "care/debrief.html",
        {"program": program, "debrief": found, "tasks": found.tasks.select_related("assigned_to")},
    )


# =============================================================================================
# Supervision meetings and hours


def _attendee_choices(request: HttpRequest) -> Any:
    return access.visible_supporters(request).filter(stage__in=SUPERVISED_STAGES).order_by("full_name")


@program_view("care.log_supervision")
def meetings(request: HttpRequest, program: Program) -> HttpResponse:
    rows = SupervisionMeeting.objects.filter(program=program).select_related("supervisor").prefetch_related("attendees")
    if not _is_coordinator(request):
        rows = rows.filter(Q(supervisor=request.user) | Q(logged_by=request.user))
    if fmt := requested_format(request):
        return download_table(
            f"{program.slug}-supervision-log", fmt, exports.meetings(rows.order_by("-held_on", "-id"))
        )
    page = Paginator(rows.order_by("-held_on", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "care/meetings.html", {"program": program, "page": page, "query": ""})


@program_view("care.log_supervision")
def meeting_new(request: HttpRequest, program: Program) -> HttpResponse:
    attendees = _attendee_choices(request)
    task = None
    initial: dict[str, Any] = {
        "held_on": _today(),
        "duration_minutes": 60,
        "supervisor": request.user.pk,
        "kind": "one_on_one",
    }
    task_id = request.POST.get("task") or request.GET.get("task")
    if task_id and str(task_id).isdigit():
        task = access.get_task(request, program, int(task_id))
        initial["task"] = task.pk
        if task.supporter_id:
            initial["attendees"] = [task.supporter_id]
    elif (supporter_id := request.GET.get("supporter")) and supporter_id.isdigit():
        initial["attendees"] = [access.get_supporter(request, program, int(supporter_id)).pk]
    form = MeetingForm(_posted(request), program=program, attendees=attendees, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.log_meeting(
                actor=request.user,
                program=program,
                kind=data["kind"],
                held_on=data["held_on"],
                duration_minutes=data["duration_minutes"],
                supervisor=_member_user(program, data["supervisor"]),
                attendees=data["attendees"],
                topics=data["topics"],
                notes=data["notes"],
                follow_ups=form.follow_up_lines(),
                follow_up_due_on=data["follow_up_due_on"],
                resolves=task if task is not None and task.status == TaskStatus.OPEN else None,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{meeting} logged.")
            people = list(meeting.attendees.all())
            if len(people) == 1:
                return redirect("care:supporter", program.slug, people[0].pk)
            return redirect("care:meetings", program.slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "care/meeting_form.html",
        {
            "program": program,
            "form": form,
            "task": task,
            "meeting": None,
            "certification": bridges.certification_installed(),
        },
        status=status,
    )


@program_view("care.log_supervision")
def meeting_edit(request: HttpRequest, program: Program, pk: int) -> HttpResponse:
    meeting = access.get_meeting(request, program, pk)
    attendees = _attendee_choices(request) | meeting.attendees.all()
    initial = {
        "kind": meeting.kind,
        "held_on": meeting.held_on,
        "duration_minutes": meeting.duration_minutes,
        "supervisor": meeting.supervisor_id,
        "attendees": [s.pk for s in meeting.attendees.all()],
        "topics": meeting.topics,
        "notes": meeting.notes,
    }
    form = MeetingForm(_posted(request), program=program, attendees=attendees.distinct(), initial=initial, edit=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_meeting(
                actor=request.user,
                meeting=meeting,
                kind=data["kind"],
                held_on=data["held_on"],
                duration_minutes=data["duration_minutes"],
                supervisor=_member_user(program, data["supervisor"]),
                attendees=data["attendees"],
                topics=data["topics"],
                notes=data["notes"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Meeting saved.")
            return redirect("care:meetings", program.slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "care/meeting_form.html",
        {
            "program": program,
            "form": form,
            "meeting": meeting,
            "task": None,
            "follow_ups": meeting.follow_ups.select_related("assigned_to"),
            "certification": bridges.certification_installed(),
        },
        status=status,
    )


@program_view("care.log_supervision")
def supervision_hours(request: HttpRequest, program: Program) -> HttpResponse:
    years = queries.meeting_years(program)
    form = YearForm(request.GET or None, years=years, initial={"year": years[0]})
    year = form.cleaned_data["year"] if form.is_valid() else years[0]
    people = access.visible_supporters(request).filter(stage__in=SUPERVISED_STAGES).order_by("full_name")
    if fmt := requested_format(request):
        every = queries.hours_in_year(program, people, year)
        table = exports.hours([(p, *every.get(p.pk, (0, 0))) for p in people], year)
        return download_table(f"{program.slug}-supervision-hours-{year}", fmt, table)
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    hours = queries.hours_in_year(program, people.filter(pk__in=[p.pk for p in page]), year)
    rows = [(p, *hours.get(p.pk, (0, 0))) for p in page]
    settings = services.get_settings(program)
    return render(
        request,
        "care/hours.html",
        {
            "program": program,
            "form": form,
            "year": year,
            "rows": rows,
            "page": page,
            "query": f"year={year}",
            "settings": settings,
            "certification": bridges.certification_installed(),
        },
    )


# =============================================================================================
# Tasks and attention


@program_view("care.view_tasks")
def tasks(request: HttpRequest, program: Program) -> HttpResponse:
    coordinator = _is_coordinator(request)
    form = TaskFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    status = data.get("status") or TaskStatus.OPEN
    who = data.get("who") or ("all" if coordinator else "mine")
    rows = CareTask.objects.filter(program=program, status=status).select_related("supporter", "assigned_to")
    if not coordinator or who == "mine":
        rows = rows.filter(assigned_to=request.user)
    elif who == "unassigned":
        rows = rows.filter(assigned_to__isnull=True)
    rows = rows.order_by("due_on", "created_at") if status == TaskStatus.OPEN else rows.order_by("-completed_at")
    if fmt := requested_format(request):
        return download_table(
            f"{program.slug}-care-tasks", fmt, exports.tasks(rows, status=status, coordinator=coordinator)
        )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "care/tasks.html",
        {
            "program": program,
            "form": form,
            "page": page,
            "query": _query(request),
            "coordinator": coordinator,
            "done_form": TaskDoneForm(),
            "status": status,
            "today": _today(),
        },
    )


@program_view("care.view_tasks")
@require_POST
def task_done(request: HttpRequest, program: Program, pk: int) -> HttpResponse:
    task = access.get_task(request, program, pk)
    form = TaskDoneForm(request.POST)
    if form.is_valid():
        try:
            services.complete_task(actor=request.user, task=task, outcome=form.cleaned_data["outcome"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Done: {task.title}")
    else:
        messages.error(request, "The note is too long.")
    return redirect(request.POST.get("next") if _safe_next(request) else reverse("care:tasks", args=[program.slug]))


def _safe_next(request: HttpRequest) -> bool:
    target = request.POST.get("next", "")
    return target.startswith("/p/") and "//" not in target


@program_view("care.view_attention")
def attention(request: HttpRequest, program: Program) -> HttpResponse:
    settings = services.get_settings(program)
    rows = queries.attention(program, access.visible_supporters(request), settings, _today())
    if fmt := requested_format(request):
        table = exports.attention(rows, coordinator=_is_coordinator(request))
        return download_table(f"{program.slug}-may-need-attention", fmt, table)
    return render(
        request,
        "care/attention.html",
        {
            "program": program,
            "rows": rows,
            "settings": settings,
            "support": bridges.support_installed(),
            "coordinator": _is_coordinator(request),
        },
    )


# =============================================================================================
# Refresher topics


@program_view("care.view_topics")
def topics(request: HttpRequest, program: Program) -> HttpResponse:
    return _topics_page(request, program)


def _topics_page(
    request: HttpRequest, program: Program, failed: RefresherForm | None = None, status: int = 200
) -> HttpResponse:
    settings = services.get_settings(program)
    suggestions = queries.topic_suggestions(program, settings, timezone.now())[:25]
    can_plan = bridges.training_installed() and can(request.membership, "care.plan_refresher")
    start, end = default_refresher_times()
    entries = []
    for n, suggestion in enumerate(suggestions, start=1):
        form = None
        if can_plan:
            if failed is not None and failed.data.get("topic_key") == suggestion.key:
                form = failed
            else:
                form = RefresherForm(
                    auto_id=f"id_s{n}_%s",
                    initial={
                        "topic_key": suggestion.key,
                        "label": suggestion.label,
                        "title": f"Refresher: {suggestion.label}",
                        "starts_at": start,
                        "ends_at": end,
                        "location": "",
                        "description": "Suggested by supporters: " + "; ".join(suggestion.phrasings),
                        "credited_hours": 1,
                    },
                )
        entries.append({"suggestion": suggestion, "form": form, "n": n})
    plans = program.topic_plans.select_related("planned_by")[:10]
    if status == 200 and (fmt := requested_format(request)):
        return download_table(f"{program.slug}-refresher-topics", fmt, exports.topics(entries, plans))
    return render(
        request,
        "care/topics.html",
        {
            "program": program,
            "entries": entries,
            "settings": settings,
            "training": bridges.training_installed(),
            "can_plan": can_plan,
            "plans": plans,
            "failed": failed,
        },
        status=status,
    )


@program_view("care.plan_refresher")
@require_POST
def topic_plan(request: HttpRequest, program: Program) -> HttpResponse:
    n = request.POST.get("n", "0")
    form = RefresherForm(request.POST, auto_id=f"id_s{n if n.isdigit() else 0}_%s")
    if form.is_valid():
        try:
            plan = services.plan_refresher(actor=request.user, program=program, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Refresher event planned: {plan.event_label}.")
            return redirect("care:topics", program.slug)
    if not form.non_field_errors() and not form.errors:
        form.add_error(None, "The event could not be planned.")
    return _topics_page(request, program, failed=form, status=400)


# =============================================================================================
# Coordinator: supervisors, settings, questionnaires


@program_view("care.assign_supervisors")
def supervisors(request: HttpRequest, program: Program) -> HttpResponse:
    only_unassigned = request.GET.get("unassigned") == "1"
    people = Supporter.objects.filter(program=program, stage__in=SUPERVISED_STAGES).select_related("supervisor")
    if only_unassigned:
        people = people.filter(supervisor__isnull=True)
    if request.method == "GET" and (fmt := requested_format(request)):
        return download_table(f"{program.slug}-supervisors", fmt, exports.supervisors(people.order_by("full_name")))
    page = Paginator(people.order_by("full_name"), PAGE_SIZE).get_page(request.GET.get("page"))
    choices = supervisor_only_choices(program)
    valid = {pk for pk, _name in choices}
    errors: dict[int, str] = {}
    status = 200
    if request.method == "POST":
        chosen: dict[int, int | None] = {}
        rows = {p.pk: p for p in Supporter.objects.filter(program=program, stage__in=SUPERVISED_STAGES)}
        for key, value in request.POST.items():
            if not key.startswith("supervisor_"):
                continue
            pk_text = key.removeprefix("supervisor_")
            if not pk_text.isdigit() or int(pk_text) not in rows:
                raise Http404("No such supporter.")
            if value == "":
                chosen[int(pk_text)] = None
            elif value.isdigit() and int(value) in valid:
                chosen[int(pk_text)] = int(value)
            else:
                errors[int(pk_text)] = "Choose a supervisor of this program."
        changed = 0
        if not errors:
            users = {m.user_id: m.user for m in program.memberships.select_related("user").filter(user_id__in=valid)}
            with transaction.atomic():
                for pk, user_id in chosen.items():
                    person = rows[pk]
                    if person.supervisor_id == user_id:
                        continue
                    try:
                        assign_supervisor(
                            actor=request.user, supporter=person, supervisor=users.get(user_id) if user_id else None
                        )
                    except ValidationError as error:
                        errors[pk] = " ".join(error.messages)
                    else:
                        changed += 1
                if errors:
                    transaction.set_rollback(True)  # all or nothing
        if not errors:
            messages.success(request, f"Supervisors saved ({changed} changed).")
            return redirect(request.get_full_path())
        status = 400
        messages.error(request, "Nothing was saved: fix the rows marked below.")
    selected = {int(k.removeprefix("supervisor_")): v for k, v in request.POST.items() if k.startswith("supervisor_")}
    rows_out = [
        {
            "person": p,
            "selected": str(selected.get(p.pk, p.supervisor_id or "")),
            "error": errors.get(p.pk, ""),
        }
        for p in page
    ]
    return render(
        request,
        "care/supervisors.html",
        {
            "program": program,
            "rows": rows_out,
            "choices": [(str(pk), name) for pk, name in choices],
            "page": page,
            "query": "unassigned=1" if only_unassigned else "",
            "only_unassigned": only_unassigned,
        },
        status=status,
    )


@program_view("care.edit_settings")
def settings_edit(request: HttpRequest, program: Program) -> HttpResponse:
    current = services.get_settings(program)
    form = CareSettingsForm(_posted(request), instance=current, program=program)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.fields}
        try:
            services.update_settings(actor=request.user, program=program, data=data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Care settings saved.")
            return redirect("care:settings", program.slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "care/settings.html",
        {"program": program, "form": form, "certification": bridges.certification_installed()},
        status=status,
    )


@program_view("care.manage_questionnaires")
def questionnaires(request: HttpRequest, program: Program) -> HttpResponse:
    settings = services.get_settings(program)
    rows = Questionnaire.objects.filter(program=program).order_by("-is_active", "name")
    return render(
        request,
        "care/questionnaires.html",
        {"program": program, "rows": rows, "in_use": settings.checkin_questionnaire_id},
    )


@program_view("care.manage_questionnaires")
def questionnaire(request: HttpRequest, program: Program, pk: int) -> HttpResponse:
    found = access.get_questionnaire(program, pk)
    found = Questionnaire.objects.prefetch_related("subscales__bands", "items__subscale").get(pk=found.pk)
    settings = services.get_settings(program)
    subscales = []
    for subscale in found.subscales.all():
        bands = list(subscale.bands.all())
        form = instruments.form_of(found)
        low, high = form.score_range(next(s for s in form.subscales if s.key == subscale.key))
        ranges = []
        for i, band in enumerate(bands):
            upper = bands[i + 1].min_score if i + 1 < len(bands) else None
            ranges.append({"band": band, "upper": upper})
        subscales.append({"subscale": subscale, "bands": ranges, "low": low, "high": high})
    return render(
        request,
        "care/questionnaire.html",
        {
            "program": program,
            "questionnaire": found,
            "subscales": subscales,
            "in_use": settings.checkin_questionnaire_id == found.pk,
            "answered": found.checkins.count(),
        },
    )


@program_view("care.manage_questionnaires")
def questionnaire_import(request: HttpRequest, program: Program) -> HttpResponse:
    form = QuestionnaireImportForm(_posted(request), (request.FILES if request.method == "POST" else None))
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > instruments.MAX_BYTES:
                raise instruments.InstrumentErrors([f"File: larger than {instruments.MAX_BYTES // 1000} kB."])
            parsed = instruments.parse(upload.read())
        except instruments.InstrumentErrors as error:
            problems = error.errors
        else:
            created = services.install_questionnaire(
                actor=request.user,
                program=program,
                form=parsed,
                use_for_checkins=form.cleaned_data["use_for_checkins"],
            )
            messages.success(request, f"Imported '{created.name}' with {len(parsed.items)} items.")
            return redirect("care:questionnaire", program.slug, created.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "care/questionnaire_import.html",
        {"program": program, "form": form, "problems": problems},
        status=status,
    )


@program_view("care.manage_questionnaires")
def questionnaire_export(request: HttpRequest, program: Program, pk: int) -> HttpResponse:
    found = access.get_questionnaire(program, pk)
    found = Questionnaire.objects.prefetch_related("subscales__bands", "items").get(pk=found.pk)
    data = instruments.to_data(instruments.form_of(found))
    response = JsonResponse(data, json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="questionnaire-{found.pk}.json"'
    return response


@program_view("care.manage_questionnaires")
@require_POST
def questionnaire_active(request: HttpRequest, program: Program, pk: int) -> HttpResponse:
    found = access.get_questionnaire(program, pk)
    try:
        services.set_questionnaire_active(actor=request.user, questionnaire=found, active=not found.is_active)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"'{found.name}' is now {'in the list' if found.is_active else 'retired'}.")
    return redirect("care:questionnaire", program.slug, found.pk)


@program_view("care.manage_questionnaires")
@require_POST
def questionnaire_use(request: HttpRequest, program: Program, pk: int) -> HttpResponse:
    found = access.get_questionnaire(program, pk)
    try:
        services.use_for_checkins(actor=request.user, questionnaire=found)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Check-ins now use '{found.name}'.")
    return redirect("care:questionnaire", program.slug, found.pk)


# =============================================================================================
# Coordinator: breaks, buddies, recognition


def _current_supporters(program: Program) -> Any:
    return Supporter.objects.filter(program=program, stage__in=CURRENT_STAGES).order_by("full_name")


@program_view("care.manage_breaks")
def breaks(request: HttpRequest, program: Program) -> HttpResponse:
    today = _today()
    current, upcoming, relationships = queries.breaks_to_cover(program, today)
    fmt = requested_format(request)
    shown = [r for rows in (relationships or {}).values() for r in rows]
    if shown:
        # Participants appear on this page: reading them is audited like any participant read.
        audit.record(
            actor=request.user,
            program=program,
            action="care.export_relationships_to_cover" if fmt else "care.view_relationships_to_cover",
            target_type="support.supportrelationship",
            target_id=",".join(str(r.pk) for r in shown)[:64],
            target_label=f"{len(shown)} relationships of supporters on a break",
            changes={"relationships": [r.pk for r in shown]},
        )
    context = {
        "program": program,
        "current": [(b, None if relationships is None else relationships.get(b.supporter_id, [])) for b in current],
        "upcoming": [(b, None if relationships is None else relationships.get(b.supporter_id, [])) for b in upcoming],
        "support": relationships is not None,
        "past": Break.objects.filter(program=program, status=BreakStatus.ENDED)
        .select_related("supporter")
        .order_by("-ends_on")[:20],
    }
    if fmt:
        table = exports.breaks(context["current"], context["upcoming"], context["past"])
        return download_table(f"{program.slug}-breaks", fmt, table)
    return render(request, "care/breaks.html", context)


@program_view("care.manage_breaks")
def break_new(request: HttpRequest, program: Program) -> HttpResponse:
    form = BreakRecordForm(_posted(request), supporters=_current_supporters(program), initial={"starts_on": _today()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.request_break(
                actor=request.user,
                supporter=data["supporter"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                reason=data["reason"],
                by_staff=True,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Break recorded for {data['supporter'].full_name}.")
            return redirect("care:breaks", program.slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "care/break_new.html", {"program": program, "form": form}, status=status)


@program_view("care.manage_breaks")
@require_POST
def break_end(request: HttpRequest, program: Program, pk: int) -> HttpResponse:
    brk = access.get_break(program, pk)
    try:
        services.end_break(actor=request.user, brk=brk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{brk.supporter.full_name} is back; a return check-in is waiting for them.")
    return redirect("care:breaks", program.slug)


@program_view("care.manage_breaks")
@require_POST
def break_cancel(request: HttpRequest, program: Program, pk: int) -> HttpResponse:
    brk = access.get_break(program, pk)
    try:
        services.cancel_break(actor=request.user, brk=brk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The planned break is cancelled.")
    return redirect("care:breaks", program.slug)


@program_view("care.manage_buddies")
def buddies(request: HttpRequest, program: Program) -> HttpResponse:
    return _buddies_page(request, program)


def _buddies_page(
    request: HttpRequest, program: Program, form: BuddyPairForm | None = None, status: int = 200
) -> HttpResponse:
    today = _today()
    paired = queries.paired_ids(program)
    unpaired = _current_supporters(program).exclude(pk__in=paired)
    pairs = list(BuddyPair.objects.filter(program=program, ended_on__isnull=True).select_related("first", "second"))
    since = queries.first_active_dates(program, [p.first_id for p in pairs] + [p.second_id for p in pairs])
    rows = [{"pair": p, "first_since": since.get(p.first_id), "second_since": since.get(p.second_id)} for p in pairs]
    suggestions = queries.buddy_suggestions(program, today)
    if status == 200 and (fmt := requested_format(request)):
        return download_table(f"{program.slug}-buddies", fmt, exports.buddies(rows, suggestions))
    return render(
        request,
        "care/buddies.html",
        {
            "program": program,
            "pairs": rows,
            "suggestions": suggestions,
            "form": form or BuddyPairForm(supporters=unpaired),
            "unpaired": unpaired,
        },
        status=status,
    )


@program_view("care.manage_buddies")
@require_POST
def buddy_pair(request: HttpRequest, program: Program) -> HttpResponse:
    unpaired = _current_supporters(program).exclude(pk__in=queries.paired_ids(program))
    form = BuddyPairForm(request.POST, supporters=unpaired)
    if form.is_valid():
        try:
            pair = services.pair_buddies(actor=request.user, program=program, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{pair} are now buddies; both have been e-mailed.")
            return redirect("care:buddies", program.slug)
    return _buddies_page(request, program, form=form, status=400)


@program_view("care.manage_buddies")
@require_POST
def buddy_end(request: HttpRequest, program: Program, pk: int) -> HttpResponse:
    pair = access.get_pair(program, pk)
    try:
        services.end_buddy_pair(actor=request.user, pair=pair)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"The pairing of {pair} has ended.")
    return redirect("care:buddies", program.slug)


@program_view("care.manage_recognition")
def recognition(request: HttpRequest, program: Program) -> HttpResponse:
    settings = services.get_settings(program)
    found = queries.milestones(program, settings, _today())
    records = Recognition.objects.filter(program=program).select_related("supporter", "recorded_by")
    if fmt := requested_format(request):
        table = exports.recognition(found["reached"], found["upcoming"], records)
        return download_table(f"{program.slug}-recognition", fmt, table)
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "care/recognition.html",
        {
            "program": program,
            **found,
            "page": page,
            "query": "",
            "settings": settings,
            "support": bridges.support_installed(),
        },
    )


@program_view("care.manage_recognition")
def recognition_new(request: HttpRequest, program: Program) -> HttpResponse:
    people = Supporter.objects.filter(program=program, stage__in=RECOGNISABLE_STAGES).order_by("full_name")
    initial: dict[str, Any] = {"given_on": _today(), "notify": True, "kind": RecognitionKind.CERTIFICATE}
    if (pk := request.GET.get("supporter", "")).isdigit():
        initial["supporter"] = access.get_any_supporter(program, int(pk)).pk
    if milestone := request.GET.get("milestone", ""):
        initial["milestone"] = milestone[:30]
        initial["title"] = request.GET.get("title", "")[:200]
    form = RecognitionForm(_posted(request), supporters=people, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            made = services.record_recognition(actor=request.user, program=program, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Recognition recorded for {made.supporter.full_name}.")
            return redirect("care:recognition", program.slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "care/recognition_new.html", {"program": program, "form": form}, status=status)


@program_view("care.manage_recognition")
def recognition_certificate(request: HttpRequest, program: Program, pk: int) -> HttpResponse:
    return _certificate(program, access.get_recognition(program, pk))


def _certificate(program: Program, found: Recognition) -> HttpResponse:
    response = HttpResponse(pdf.certificate_of_appreciation(found), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-of-appreciation-{found.pk}.pdf"'
    return response


# =============================================================================================
# Newsletters


@program_view("care.read_newsletters")
def newsletters(request: HttpRequest, program: Program) -> HttpResponse:
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
def newsletter(request: HttpRequest, program: Program, pk: int) -> HttpResponse:
    found = access.get_sent_newsletter(program, pk)
    return render(
        request,
        "care/newsletter.html",
        {"program": program, "newsletter": found, "audiences": [Audience.label(a) for a in found.audiences]},
    )


@program_view("care.write_newsletters")
def newsletter_new(request: HttpRequest, program: Program) -> HttpResponse:
    return _newsletter_form(request, program, None)


@program_view("care.write_newsletters")
def newsletter_edit(request: HttpRequest, program: Program, pk: int) -> HttpResponse:
    found = access.get_newsletter(program, pk)
    if found.status != NewsletterStatus.DRAFT:
        return redirect("care:newsletter", program.slug, found.pk)
    return _newsletter_form(request, program, found)


def _newsletter_form(request: HttpRequest, program: Program, found: Newsletter | None) -> HttpResponse:
    initial = {"subject": found.subject, "body": found.body, "audiences": found.audiences} if found else {}
    form = NewsletterForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_newsletter(actor=request.user, program=program, newsletter=found, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Draft saved. Check it, then send it.")
            return redirect("care:newsletter_edit", program.slug, saved.pk)
    counts = []
    if found is not None:
        for key in found.audiences:
            counts.append((Audience.label(key), services.newsletter_recipients(program, [key]).count()))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "care/newsletter_form.html",
        {
            "program": program,
            "form": form,
            "newsletter": found,
            "counts": counts,
            "total": services.newsletter_recipients(program, found.audiences).count() if found else 0,
        },
        status=status,
    )


@program_view("care.write_newsletters")
@require_POST
def newsletter_send(request: HttpRequest, program: Program, pk: int) -> HttpResponse:
    found = access.get_newsletter(program, pk)
    try:
        services.send_newsletter(actor=request.user, newsletter=found)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("care:newsletter_edit", program.slug, found.pk)
    messages.success(request, f"Sending to {found.recipient_count} people in the background.")
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
        services.set_newsletter_preference(
            actor=f"{found.full_name} (e-mail link)", supporter=found, receive=receive, via="e-mail link"
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
