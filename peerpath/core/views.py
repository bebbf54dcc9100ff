from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import i18n as i18n_views
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from peerpath.core import health as health_checks
from peerpath.core import languages, second_factor
from peerpath.core.forms import (
    EmailLoginForm,
    LanguageForm,
    QueuedPasswordResetForm,
    SecondFactorCodeForm,
    add_service_errors,
)
from peerpath.core.http import AuthenticatedRequest
from peerpath.core.permissions import login_required_view, public

login = public(
    auth_views.LoginView.as_view(
        template_name="core/login.html", authentication_form=EmailLoginForm, redirect_authenticated_user=True
    )
)


class LogoutView(auth_views.LogoutView):
    """Log out, and tell the browser to forget what PeerPath stored in it: contact drafts kept on
    the device while typing (support/contact_draft.js) must not outlive the session on a shared
    computer. ``Clear-Site-Data: "storage"`` empties this site's local storage in every tab."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"storage"'
        return response


logout = public(LogoutView.as_view())
password_reset = public(
    auth_views.PasswordResetView.as_view(
        template_name="core/password_reset.html",
        form_class=QueuedPasswordResetForm,
        success_url=reverse_lazy("core:password_reset_done"),
    )
)
password_reset_done = public(auth_views.PasswordResetDoneView.as_view(template_name="core/password_reset_done.html"))


class AccountLinkView(auth_views.PasswordResetConfirmView):
    """Set a password through a one-time link: a password-reset link, or an invitation (which
    logs the new member in). A used or expired link says which it was and what to do next."""

    template_name = "core/password_set.html"
    invitation = False

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["invitation"] = self.invitation
        if self.invitation:
            welcome, used = _("Welcome: choose your password"), _("This invitation was already used")
        else:
            welcome, used = _("Choose a new password"), _("This link no longer works")
        context["title"] = welcome if self.validlink else used
        return context

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        if self.invitation:
            messages.success(
                self.request,
                _("Your password is saved and you are logged in. Next time, log in with %(email)s and this password.")
                % {"email": form.user.email},
            )
        return response


password_reset_confirm = public(AccountLinkView.as_view(success_url=reverse_lazy("core:password_reset_complete")))
password_reset_complete = public(
    auth_views.PasswordResetCompleteView.as_view(template_name="core/password_reset_complete.html")
)
# An invitation is a password-set link for a new account; it logs the person in at once.
invitation = public(
    AccountLinkView.as_view(
        invitation=True,
        success_url=reverse_lazy(settings.LOGIN_REDIRECT_URL),
        post_reset_login=True,
        post_reset_login_backend="peerpath.core.auth.ModelBackend",
    )
)


@public
def health(request: HttpRequest) -> HttpResponse:
    """Liveness: a constant, trivial page for load balancers and as the benchmark's yardstick."""
    return HttpResponse("ok", content_type="text/plain")


@public
@never_cache
def health_ready(request: HttpRequest) -> HttpResponse:
    """Readiness: every check of peerpath.core.health as JSON; 503 naming the failing ones."""
    ok, body = health_checks.report()
    return JsonResponse(body, status=200 if ok else 503)


def rate_limited(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "core/rate_limited.html", status=429)


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


# The language switch of the public pages: Django's view, which keeps the choice in a cookie and
# goes back to the page (a signed-in person's own choice, on their account page, wins over it).
set_language = public(require_POST(i18n_views.set_language))


@login_required_view
def account(request: AuthenticatedRequest) -> HttpResponse:
    """Your account: the language PeerPath speaks to you in, on every page and in what it sends."""
    form = LanguageForm(request.POST or None, initial={"language": request.user.language})
    if request.method == "POST":
        if form.is_valid():
            try:
                languages.choose_language(actor=request.user, language=form.cleaned_data["language"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                chosen = languages.language_for(request.user) if request.user.language else None
                if chosen:
                    translation.activate(chosen)
                messages.success(request, _("Your language is saved."))
                response = redirect("core:account")
                if not chosen:  # following the browser again: forget any earlier switch
                    response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
                return response
        return render(request, "core/account.html", {"form": form}, status=400)
    return render(request, "core/account.html", {"form": form})


def _owes_code(request: AuthenticatedRequest) -> bool:
    """Signed in with the password only, while an app is set up: the code is still owed."""
    return second_factor.is_enrolled(request.user) and not second_factor.is_verified(request.user)


@login_required_view
def second_factor_overview(request: AuthenticatedRequest) -> HttpResponse:
    """Two-factor sign-in for oneself: whether it is set up or required, and what to do."""
    if _owes_code(request):
        return redirect(f"{reverse('core:second_factor_verify')}?next={request.path}")
    device = second_factor.app_device(request.user)
    context = {
        "device": device,
        "required": second_factor.is_required(request.user),
        "codes_left": second_factor.recovery_codes_left(request.user) if device else 0,
    }
    return render(request, "core/second_factor.html", context)


@login_required_view
def second_factor_setup(request: AuthenticatedRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code (or type the secret), then enter a code."""
    if _owes_code(request):
        # Someone with only the password must not replace the app: they enter a code first.
        return redirect(f"{reverse('core:second_factor_verify')}?next={request.path}")
    device = second_factor.start_setup(actor=request.user)
    form = SecondFactorCodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                device, codes = second_factor.confirm_setup(actor=request.user, code=form.cleaned_data["code"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                second_factor.sign_in(request, device)
                request.session[second_factor.CODES_KEY] = codes
                next_url = _next_url(request)
                return redirect(f"{reverse('core:second_factor_codes')}?{urlencode({'next': next_url})}")
        status = 400
    context = {
        "form": form,
        "qr": second_factor.qr_svg(
            second_factor.setup_url(device), label=_("QR code to scan with your authenticator app")
        ),
        "secret": second_factor.secret_text(device),
        "required": second_factor.is_required(request.user),
        "replacing": second_factor.is_enrolled(request.user),
        "next": request.POST.get("next") or request.GET.get("next", ""),
    }
    return render(request, "core/second_factor_setup.html", context, status=status)


@login_required_view
def second_factor_codes(request: AuthenticatedRequest) -> HttpResponse:
    """Recovery codes: shown once, right after they were made; POST makes new ones."""
    if _owes_code(request):
        return redirect(f"{reverse('core:second_factor_verify')}?next={request.path}")
    if request.method == "POST":
        try:
            request.session[second_factor.CODES_KEY] = second_factor.replace_recovery_codes(actor=request.user)
        except ValidationError:
            return redirect("core:second_factor")
        return redirect("core:second_factor_codes")
    codes = request.session.pop(second_factor.CODES_KEY, None)
    if not codes:
        return redirect("core:second_factor")
    return render(request, "core/second_factor_codes.html", {"codes": codes, "next": _next_url(request)})


@login_required_view
def second_factor_verify(request: AuthenticatedRequest) -> HttpResponse:
    """At sign-in: a code from the app, or a recovery code."""
    if not second_factor.is_enrolled(request.user):
        return redirect(f"{reverse('core:second_factor_setup')}?{urlencode({'next': _next_url(request)})}")
    if second_factor.is_verified(request.user):
        return redirect(_next_url(request))
    form = SecondFactorCodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                device = second_factor.verify(actor=request.user, code=form.cleaned_data["code"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                second_factor.sign_in(request, device)
                return redirect(_next_url(request))
        status = 400
    next_url = request.POST.get("next") or request.GET.get("next", "")
    return render(request, "core/second_factor_verify.html", {"form": form, "next": next_url}, status=status)


@login_required_view
@require_POST
def second_factor_turn_off(request: AuthenticatedRequest) -> HttpResponse:
    if _owes_code(request):
        return redirect("core:second_factor_verify")
    try:
        second_factor.turn_off(actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        request.session[second_factor.REQUIRED_KEY] = False
        messages.success(request, _("Two-factor sign-in is off."))
    return redirect("core:second_factor")
