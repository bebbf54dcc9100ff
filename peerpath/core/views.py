from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy

from peerpath.core.exports import download, requested_format
from peerpath.core.forms import AuditFilterForm, EmailLoginForm, QueuedPasswordResetForm
from peerpath.core.http import AuthenticatedRequest, ProgramRequest
from peerpath.core.models import AuditEntry
from peerpath.core.permissions import login_required_view, program_view, public
from peerpath.programs.models import Membership, Program

login = public(
    auth_views.LoginView.as_view(
        template_name="core/login.html", authentication_form=EmailLoginForm, redirect_authenticated_user=True
    )
)
logout = public(auth_views.LogoutView.as_view())
password_reset = public(
    auth_views.PasswordResetView.as_view(
        template_name="core/password_reset.html",
        form_class=QueuedPasswordResetForm,
        success_url=reverse_lazy("core:password_reset_done"),
        extra_email_context={"site_url": settings.SITE_URL},
    )
)
password_reset_done = public(auth_views.PasswordResetDoneView.as_view(template_name="core/password_reset_done.html"))
password_reset_confirm = public(
    auth_views.PasswordResetConfirmView.as_view(
        template_name="core/password_set.html",
        success_url=reverse_lazy("core:password_reset_complete"),
        extra_context={"title": "Choose a new password"},
    )
)
password_reset_complete = public(
    auth_views.PasswordResetCompleteView.as_view(template_name="core/password_reset_complete.html")
)
# An invitation is a password-set link for a new account; it logs the person in at once.
invitation = public(
    auth_views.PasswordResetConfirmView.as_view(
        template_name="core/password_set.html",
        success_url=reverse_lazy("core:home"),
        post_reset_login=True,
        post_reset_login_backend="peerpath.core.auth.ModelBackend",
        extra_context={"title": "Welcome: choose your password", "invitation": True},
    )
)


@login_required_view
def home(request: AuthenticatedRequest) -> HttpResponse:
    """Send a person to the program they last worked in, or let them choose one."""
    memberships = list(
        Membership.objects.select_related("program").filter(user=request.user, is_active=True, program__is_active=True)
    )
    slugs = {m.program.slug for m in memberships}
    current = request.session.get("current_program")
    if current in slugs:
        return redirect("programs:home", current)
    if len(memberships) == 1:
        return redirect("programs:home", memberships[0].program.slug)
    return redirect("core:programs")


@login_required_view
def programs(request: AuthenticatedRequest) -> HttpResponse:
    memberships = (
        Membership.objects.select_related("program")
        .filter(user=request.user, is_active=True, program__is_active=True)
        .order_by("program__name")
    )
    return render(request, "core/programs.html", {"memberships": memberships})


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
            entries = entries.filter(action__icontains=data["action"])
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
        request, "core/audit_log.html", {"program": program, "form": form, "page": page, "query": query.urlencode()}
    )


@public
def health(request: HttpRequest) -> HttpResponse:
    """A trivial page for load balancers and as the benchmark's yardstick."""
    return HttpResponse("ok", content_type="text/plain")


def rate_limited(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "core/rate_limited.html", status=429)
