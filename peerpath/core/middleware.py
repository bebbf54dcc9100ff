from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase

from peerpath.core.permissions import access_of

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


NO_STORE = "no-store"


def _says_no_store(response: HttpResponseBase) -> bool:
    return NO_STORE in [part.strip().lower() for part in response.get("Cache-Control", "").split(",")]


class NoStore:
    """``Cache-Control: no-store`` on every download and on every page but the public few that
    choose to be cached, so no browser, proxy or shared computer keeps participant data.

    The rule keys on what a response is, not on a list of pages a new one could be missing from:

    * a download (any response with ``Content-Disposition``, which
      ``peerpath.core.exports.as_download`` sets on every file PeerPath sends: CSV, XLSX, the
      archive, PDFs, calendar feeds, evidence files) is ``no-store`` whatever its view said;
    * every other response is ``no-store`` too (every page behind sign-in, every API answer, error
      pages, and public forms that echo back what was typed), except a public view's answer that
      set its own ``Cache-Control`` (the certificate's public documents, cached on purpose).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if response.has_header("Content-Disposition"):
            response["Cache-Control"] = NO_STORE  # a file: nothing may allow keeping it
        elif not _says_no_store(response) and not (response.has_header("Cache-Control") and _is_public(request)):
            response["Cache-Control"] = NO_STORE
        return response


def _is_public(request: HttpRequest) -> bool:
    match = request.resolver_match
    return match is not None and (access_of(match.func) or ("", None))[0] == "public"
