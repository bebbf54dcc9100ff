"""iCalendar (RFC 5545) feeds of training sessions, written with the `icalendar` library."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlparse

from django.conf import settings
from django.urls import reverse
from icalendar import Calendar, Event

from peerpath.training.models import SessionKind, TrainingSession

PRODID = "-//PeerPath//Training calendar//EN"


def build_calendar(
    name: str, sessions: Iterable[TrainingSession], *, program_slug: str, extra: Iterable[Event] = ()
) -> bytes:
    """A VCALENDAR with one VEVENT per session: stable UID, UTC times, SEQUENCE bumped on each
    change, and STATUS:CANCELLED for cancelled sessions so subscribed calendars update."""
    host = urlparse(settings.SITE_URL).hostname or "peerpath.invalid"
    link = f"{settings.SITE_URL}{reverse('training:calendar', args=[program_slug])}"
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    for session in sessions:
        event = Event()
        event.add("uid", f"training-session-{session.pk}@{host}")
        event.add("dtstamp", session.updated_at)
        event.add("last-modified", session.updated_at)
        event.add("dtstart", session.starts_at)
        event.add("dtend", session.ends_at)
        event.add("sequence", session.sequence)
        summary = session.title
        if session.kind == SessionKind.MAKE_UP:
            summary = f"Make-up: {summary}"
        if session.cohort is not None:
            summary = f"{summary} ({session.cohort.name})"
        event.add("summary", summary)
        location = session.location or session.online_url
        if location:
            event.add("location", location)
        details = [session.description] if session.description else []
        if session.online_url:
            details.append(f"Join online: {session.online_url}")
        if session.kind == SessionKind.REFRESHER and session.credited_hours:
            details.append(f"Counts for {session.credited_hours} hours of continuing education.")
        if session.is_cancelled:
            details.append(f"Cancelled: {session.cancel_reason}")
        if details:
            event.add("description", "\n\n".join(details))
        event.add("url", link)
        event.add("status", "CANCELLED" if session.is_cancelled else "CONFIRMED")
        calendar.add_component(event)
    for event in extra:  # other apps' events (peerpath.training.extensions.feed_events)
        calendar.add_component(event)
    return calendar.to_ical()
