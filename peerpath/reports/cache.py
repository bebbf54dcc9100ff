"""A short-lived cache of report figures, so that opening the dashboard or downloading a report
does not run every aggregate again. Keyed by program, a per-program generation, report, period
and language (the rows, summary and notes are written in the reader's language, so a Spanish
reader never gets figures kept for an English one); "Refresh figures" starts a new generation,
which drops every cached figure of that program at once (the old entries are never read again
and expire by themselves)."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.utils import timezone, translation

from peerpath.reports import rollups
from peerpath.reports.base import Period, Report, ReportResult


def _generation_key(program: Any) -> str:
    return f"reports:{program.pk}:generation"


def generation_of(program: Any) -> str:
    """The program's current generation of figures (a refresh starts a new one)."""
    found = cache.get(_generation_key(program))
    if found is None:
        found = uuid.uuid4().hex[:12]
        # Kept well beyond the figures' lifetime; losing it only means computing again.
        cache.set(_generation_key(program), found, timeout=None)
    return found


def _language() -> str:
    return translation.get_language() or "-"


def _key(program: Any, generation: str, report: type[Report], period: Period) -> str:
    return (
        f"reports:{program.pk}:{generation}:{report.slug}:{period.start.isoformat()}:{period.end.isoformat()}"
        f":{_language()}"
    )


def results(
    program: Any, reports: list[type[Report]], period: Period, generation: str | None = None
) -> list[ReportResult]:
    """Each report's figures for the period: from the cache when computed lately, else computed
    now and kept for PEERPATH_REPORT_CACHE_SECONDS. A fixed number of cache reads; ``generation``,
    when the caller has just read it, spares reading it again."""
    generation = generation or generation_of(program)
    keys = {report.slug: _key(program, generation, report, period) for report in reports}
    found = cache.get_many(list(keys.values()))
    out, fresh = [], {}
    with rollups.shared_reads():
        for report in reports:
            data = found.get(keys[report.slug])
            if data is not None:
                out.append(ReportResult.from_cache(report(), data))
                continue
            result = report().run(program, period)
            fresh[keys[report.slug]] = result.to_cache()
            out.append(result)
    if fresh and settings.REPORT_CACHE_SECONDS > 0:
        cache.set_many(fresh, timeout=settings.REPORT_CACHE_SECONDS)
    return out


def result(program: Any, report: type[Report], period: Period) -> ReportResult:
    return results(program, [report], period)[0]


def clear(program: Any) -> None:
    """Forget every cached figure of the program (the next view computes them again)."""
    cache.set(_generation_key(program), uuid.uuid4().hex[:12], timeout=None)


# --- the rendered dashboard ------------------------------------------------------------------
# Rendering a dozen charts with their tables costs far more than reading the figures, and a
# coordinator comes back to the same dashboard many times. The rendered page is kept per
# session (it carries the person's navigation and their form token) for the rest of its
# figures' lifetime. The role check runs before the cache is read, on every request.


def page_key(request: Any, program: Any, reports: list[type[Report]], period: Period) -> str | None:
    """Where the rendered page for this session, program, period, set of reports and language is kept;
    None when it must not be kept (no cache lifetime, no session, no form-token cookie yet, or
    messages to show)."""
    session_key = getattr(request.session, "session_key", None)
    if settings.REPORT_CACHE_SECONDS <= 0 or not session_key:
        return None
    token = request.COOKIES.get(settings.CSRF_COOKIE_NAME, "")
    if not token:
        return None  # this response sets the browser's form-token cookie: a kept copy would not
    if any(True for _ in messages.get_messages(request)):
        return None  # a page showing a one-off message is not the page to keep
    slugs = ",".join(report.slug for report in reports)
    digest = hashlib.sha256(f"{session_key}|{token}|{slugs}".encode()).hexdigest()[:32]
    return f"reports:{program.pk}:page:{digest}:{period.start}:{period.end}:{_language()}"


def kept_page(program: Any, key: str) -> tuple[bytes | None, str | None]:
    """The kept page if it belongs to the program's current generation of figures, and that
    generation; one round trip to the cache."""
    generation_key = _generation_key(program)
    found = cache.get_many([generation_key, key])
    generation, kept = found.get(generation_key), found.get(key)
    if generation is not None and kept is not None and kept["generation"] == generation:
        return kept["html"], generation
    return None, generation


def keep_page(key: str, generation: str, content: bytes, computed_at: dt.datetime | None) -> None:
    """Keep the page, drawn from figures of ``generation`` whose oldest was computed at
    ``computed_at``, no longer than those figures are kept."""
    left = settings.REPORT_CACHE_SECONDS
    if computed_at is not None:
        left -= int((timezone.now() - computed_at).total_seconds())
    if left > 0:
        cache.set(key, {"generation": generation, "html": content}, timeout=left)
