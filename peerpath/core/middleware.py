from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse

RENEWED_AT = "_renewed_at"


class AdminForSuperusersOnly:
    """The Django admin exists for superusers; any other logged-in person gets a plain 404."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # The path first: looking at request.user loads the user, which other pages may not need.
        if request.path.startswith("/admin/") and request.user.is_authenticated and not request.user.is_superuser:
            raise Http404
        return self.get_response(request)


class RenewIdleSession:
    """Keep a logged-in session alive while it is used: the idle timeout counts from the last request.

    Saving the session on every request (SESSION_SAVE_EVERY_REQUEST) costs a database write and a
    commit per page view; renewing at most once per PEERPATH_SESSION_RENEW_SECONDS (60 s by default)
    moves the idle timeout by the same amount with one write a minute. A session is therefore ended
    after between SESSION_COOKIE_AGE minus that interval and SESSION_COOKIE_AGE of inactivity.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            now = int(time.time())
            if now - session.get(RENEWED_AT, 0) >= settings.SESSION_RENEW_SECONDS:
                session[RENEWED_AT] = now  # marks the session modified: it is saved with a new expiry
        return response
