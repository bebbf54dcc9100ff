from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from peerpath.core import audit, health, outbox, second_factor, taskqueue
from peerpath.core.exports import download, requested_format
from peerpath.core.forms import AuditFilterForm, add_service_errors
from peerpath.core.http import AuthenticatedRequest
from peerpath.core.idempotency import creates_once
from peerpath.core.models import AuditEntry
from peerpath.core.navigation import HOME_PANELS
from peerpath.core.permissions import login_required_view, program_view
from peerpath.programs import access, fragments, queries, retention, services
from peerpath.programs.forms import (
    CompetencyForm,
    FocusAreaForm,
    MemberInviteForm,
    MembershipForm,
    ProgramSettingsForm,
    RetentionSettingsForm,
    SecondFactorSettingsForm,
)
from peerpath.programs.http import ProgramRequest
from peerpath.programs.models import Competency, FocusArea, Membership, Program


@login_required_view
def start(request: AuthenticatedRequest) -> HttpResponse:
    """Send a person to the program they last worked in, or let them choose one."""
    memberships = access.current_memberships(request.user.pk)
    slugs = {m.program.slug for m in memberships}
    current = request.session.get("current_program")
    if current in slugs:
        return redirect("programs:home", current)
    if len(memberships) == 1:
        return redirect("programs:home", memberships[0].program.slug)
    return redirect("programs:choose")


@login_required_view
def choose(request: AuthenticatedRequest) -> HttpResponse:
    """The programs a person works in, to choose one."""
    return render(request, "programs/choose.html", {"memberships": access.current_memberships(request.user.pk)})


@program_view("audit.view")
def audit_log(request: ProgramRequest, program: Program) -> HttpResponse:
    entries = AuditEntry.objects.filter(program=program).select_related("actor")
    actors = [
        (str(m.user_id), m.user.full_name)
        for m in Membership.objects.filter(program=program).select_related("user").order_by("user__full_name")
    ]
    target_types = list(
        AuditEntry.objects.filter(program=program)
        .order_by("target_type")
        .values_list("target_type", flat=True)
        .distinct()
    )
    form = AuditFilterForm(request.GET or None, actors=actors, target_types=target_types)
    if form.is_valid():
        data = form.cleaned_data
        if data["actor"]:
            entries = entries.filter(actor_id=data["actor"])
        if data["target_type"]:
            entries = entries.filter(target_type=data["target_type"])
        if data["target_id"]:
            entries = entries.filter(target_id=data["target_id"])
        if data["action"]:
            # Matches the code or what it did, in the reader's language (peerpath.core.audit_actions).
            wanted = data["action"].lower()
            codes = AuditEntry.objects.filter(program=program).values_list("action", flat=True).distinct()
            entries = entries.filter(
                action__in=[c for c in codes if wanted in c.lower() or wanted in audit.action_label(c).lower()]
            )
    if fmt := requested_format(request):
        return download(
            f"{program.slug}-audit-log",
            fmt,
            ["When", "Who", "Action", "Record type", "Record id", "Record", "Changes", "Note"],
            (
                [e.created_at, e.actor_label, e.action, e.target_type, e.target_id, e.target_label, e.changes, e.note]
                for e in entries.iterator()
            ),
        )
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    return render(
        request, "programs/audit_log.html", {"program": program, "form": form, "page": page, "query": query.urlencode()}
    )


@program_view("program.home")
def home(request: ProgramRequest, program: Program) -> HttpResponse:
    panels = []
    fresh = False
    cached = fragments.kept_panels(request, program, [panel for panel in HOME_PANELS if panel.cached])
    for panel in HOME_PANELS:
        if panel.cached:
            html = cached.get(panel.name)
            if html is None:
                html = cached[panel.name] = fragments.render_panel(request, program, panel)
                fresh = True
            if html:
                panels.append({"name": panel.name, "kept": True, "html": html})
            continue
        rendered = panel.render(request, program, request.membership)
        if rendered is not None:
            panels.append({"name": panel.name, "template": rendered[0], "context": rendered[1]})
    if fresh:
        fragments.keep_panels(request, program, cached)
    return render(request, "programs/home.html", {"program": program, "panels": panels})


@program_view("program.edit_settings")
def settings_edit(request: ProgramRequest, program: Program) -> HttpResponse:
    """The program's details: name, contact, whether applications are open."""
    form = ProgramSettingsForm(request.POST or None, instance=Program.objects.get(pk=program.pk))
    if request.method == "POST" and form.is_valid():
        services.update_program(actor=request.user, program=program, data=form.cleaned_data)
        messages.success(request, _("Program details saved."))
        return redirect("programs:settings", program.slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "programs/settings.html", {"program": program, "form": form}, status=status)


@program_view("program.edit_settings")
@require_GET
def settings_index(request: ProgramRequest, program: Program) -> HttpResponse:
    """The settings area: every section the person may open (the apps register them)."""
    return render(request, "programs/settings_index.html", {"program": program})


@program_view("program.edit_settings")
def second_factor_settings(request: ProgramRequest, program: Program) -> HttpResponse:
    """Which roles must use two-factor sign-in in the program."""
    form = SecondFactorSettingsForm(request.POST or None, instance=Program.objects.get(pk=program.pk))
    if request.method == "POST" and form.is_valid():
        services.update_program(actor=request.user, program=program, data=form.cleaned_data)
        messages.success(request, _("Two-factor sign-in settings saved."))
        return redirect("programs:second_factor_settings", program.slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "programs/second_factor_settings.html", {"program": program, "form": form}, status=status)


@program_view("program.edit_settings")
def retention_settings(request: ProgramRequest, program: Program) -> HttpResponse:
    """How long the program keeps closed participants, audit entries and drafts, and what goes
    in the next 30 days under those settings."""
    row = retention.get_settings(program)
    form = RetentionSettingsForm(request.POST or None, instance=type(row).objects.get(pk=row.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_retention_settings(
                actor=request.user, program=program, data={k: form.cleaned_data[k] for k in form.changed_data}
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Retention settings saved."))
            return redirect("programs:retention", program.slug)
    labels = {rule.key: rule.label for rule in retention.rules()}
    context = {
        "program": program,
        "form": form,
        "forecast": retention.forecast(program),
        "horizon": retention.HORIZON_DAYS,
        "task_days": taskqueue.finished_tasks_keep_days(),
        "runs": [
            (when, [(labels.get(key, key), n) for key, n in counts.items() if n])
            for when, counts in retention.recent_runs(program)
        ],
    }
    return render(request, "programs/retention.html", context, status=400 if request.method == "POST" else 200)


@program_view("program.manage_members")
@creates_once
def members(request: ProgramRequest, program: Program) -> HttpResponse:
    form = MemberInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_member(actor=request.user, program=program, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{form.cleaned_data['full_name']} was added and e-mailed.")
            return redirect("programs:members", program.slug)
    rows = Membership.objects.filter(program=program).select_related("user").order_by("-is_active", "user__full_name")
    if fmt := requested_format(request):
        return download(
            f"{program.slug}-members",
            fmt,
            ["Name", "E-mail", "Roles", "Active"],
            ([m.user.full_name, m.user.email, m.role_labels, m.is_active] for m in rows),
        )
    return render(request, "programs/members.html", {"program": program, "form": form, "rows": rows})


@program_view("program.manage_members")
def member_edit(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    membership = access.get_membership(program, pk)
    initial = {"roles": [r.value for r in membership.roles], "is_active": membership.is_active}
    form = MembershipForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_membership(
                actor=request.user,
                membership=membership,
                roles=form.cleaned_data["roles"],
                is_active=form.cleaned_data["is_active"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Roles of {membership.user} saved.")
            return redirect("programs:members", program.slug)
    context = {
        "program": program,
        "form": form,
        "membership": membership,
        "second_factor": second_factor.app_device(membership.user),
    }
    return render(request, "programs/member_edit.html", context)


@program_view("program.manage_members")
@require_POST
def member_second_factor_reset(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    """Remove a member's authenticator app and recovery codes (a lost phone); audited here."""
    membership = access.get_membership(program, pk)
    second_factor.reset(actor=request.user, person=membership.user, program=program)
    messages.success(
        request,
        _("Two-factor sign-in of %(name)s was reset: they set it up again at their next sign-in.")
        % {"name": membership.user.full_name},
    )
    return redirect("programs:member_edit", program.slug, membership.pk)


@program_view("program.view_competencies")
def competencies(request: ProgramRequest, program: Program) -> HttpResponse:
    rows = Competency.objects.filter(program=program)
    areas = FocusArea.objects.filter(program=program)
    return render(request, "programs/competencies.html", {"program": program, "rows": rows, "areas": areas})


@program_view("program.edit_competencies")
@creates_once
def competency_edit(request: ProgramRequest, program: Program, pk: int | None = None) -> HttpResponse:
    competency = access.get_competency(program, pk) if pk else None
    form = CompetencyForm(request.POST or None, instance=competency)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_competency(actor=request.user, program=program, competency=competency, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Competency saved."))
            return redirect("programs:competencies", program.slug)
    return render(
        request,
        "programs/item_edit.html",
        {
            "program": program,
            "form": form,
            "title": _("Competency"),
            "item": competency,
            "cancel_url": reverse("programs:competencies", args=[program.slug]),
        },
    )


@program_view("program.edit_competencies")
@creates_once
def focus_area_edit(request: ProgramRequest, program: Program, pk: int | None = None) -> HttpResponse:
    area = access.get_focus_area(program, pk) if pk else None
    form = FocusAreaForm(request.POST or None, instance=area)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_focus_area(actor=request.user, program=program, area=area, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Area saved."))
            return redirect("programs:competencies", program.slug)
    return render(
        request,
        "programs/item_edit.html",
        {
            "program": program,
            "form": form,
            "title": _("Lived-experience area"),
            "item": area,
            "cancel_url": reverse("programs:competencies", args=[program.slug]),
        },
    )


@program_view("program.view_health")
def system_health(request: ProgramRequest, program: Program) -> HttpResponse:
    """The readiness checks (/health/ready/), as coordinators read them, and this program's
    undelivered e-mail."""
    checks = health.run_checks()
    return render(
        request,
        "programs/system_health.html",
        {
            "program": program,
            "ok": all(check.ok for check in checks),
            "checks": checks,
            "undelivered": queries.undelivered_emails(program).count(),
        },
    )


@program_view("program.resend_email")
def undelivered(request: ProgramRequest, program: Program) -> HttpResponse:
    """The program's e-mails that could not be delivered after every attempt, to resend."""
    page = Paginator(queries.undelivered_emails(program), 50).get_page(request.GET.get("page"))
    return render(request, "programs/undelivered.html", {"program": program, "page": page})


@program_view("program.resend_email")
@require_POST
def undelivered_resend(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    """Send an undelivered e-mail again (a fresh set of attempts, the same Message-ID); audited."""
    message = access.get_undelivered_email(program, pk)
    try:
        outbox.resend(actor=request.user, message=message)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The e-mail is queued to be sent again."))
    return redirect("programs:undelivered", program.slug)
