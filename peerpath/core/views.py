from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy

from peerpath.core.forms import EmailLoginForm, QueuedPasswordResetForm
from peerpath.core.permissions import public

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
        success_url=reverse_lazy(settings.LOGIN_REDIRECT_URL),
        post_reset_login=True,
        post_reset_login_backend="peerpath.core.auth.ModelBackend",
        extra_context={"title": "Welcome: choose your password", "invitation": True},
    )
)


@public
def health(request: HttpRequest) -> HttpResponse:
    """A trivial page for load balancers and as the benchmark's yardstick."""
    return HttpResponse("ok", content_type="text/plain")


def rate_limited(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "core/rate_limited.html", status=429)
