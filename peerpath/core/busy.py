"""A busy or unreachable database answers 503 with Retry-After, never 500.

SQLite runs with WAL, a busy timeout (20 s) and immediate transactions, so a write waits for
another writer; when the lock is still held after the timeout the write fails with
OperationalError "database is locked". PostgreSQL that is restarting, or a connection it
dropped, fails with OperationalError or InterfaceError. None of these is a bug in the request:
the same request succeeds a little later. So they are answered here, at the mechanism, with
503 Service Unavailable and `Retry-After`: a short translated page for people, JSON for the API.
Nothing was saved: every service writes inside one transaction, which was rolled back.

Two places catch them: `DatabaseBusyMiddleware.process_exception` (an error raised by a view,
also when DEBUG is on) and `server_error`, the 500 handler (an error raised by a middleware,
for example saving the session on the way out), which answers 503 for these and the plain
500 page for anything else.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


def is_database_busy(exc: BaseException | None) -> bool:
    """Whether ``exc`` says the database is busy or unreachable for now (worth retrying).

    On SQLite only a locked or busy database: its other operational errors (a missing table)
    are real faults. On other databases every OperationalError and InterfaceError: a dropped
    connection, a server starting or shutting down, a lock or statement timeout, a
    serialization failure or deadlock (each rolled back, each fine to retry)."""
    if not isinstance(exc, (OperationalError, InterfaceError)):
        return False
    if connections[DEFAULT_DB_ALIAS].vendor == "sqlite":
        message = str(exc).lower()
        return "locked" in message or "busy" in message
    return True


def wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", "")


def busy_response(request: HttpRequest, exc: BaseException | None = None) -> HttpResponse:
    """503 with Retry-After: JSON for the API, else a page that needs no database to render. Logged
    as a warning, so an operator sees how often writers wait out the busy timeout."""
    logger.warning("Database busy on %s %s: %s; answered 503", request.method, request.path, exc)
    seconds = int(settings.DATABASE_BUSY_RETRY_AFTER)
    response: HttpResponse
    if wants_json(request):
        response = JsonResponse(
            {
                "detail": _("The database is busy. Nothing was saved; try again in a few seconds."),
                "retry_after": seconds,
            },
            status=503,
        )
    else:
        page = render_to_string("503.html", {"retry_after": seconds})
        response = HttpResponse(page, status=503)
    response["Retry-After"] = str(seconds)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseBusyMiddleware:
    """Answer 503 (not 500) when a view fails because the database is busy or unreachable."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_busy(exception):
            return None
        return busy_response(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 handler (`handler500`): 503 for a busy database raised outside a view, else the 500 page."""
    exc = sys.exc_info()[1]
    if is_database_busy(exc):
        return busy_response(request, exc)
    return HttpResponse(render_to_string("500.html"), status=500)
