"""iCalendar (RFC 5545) feeds of a group's sessions, written with the `icalendar` library as the
training calendar is: stable UIDs, SEQUENCE bumped on each change, cancelled sessions shown so."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlparse

from django.conf import settings
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from peerpath.groups.models import GroupSession

PRODID = "-//PeerPath//Groups calendar//EN"


def build_calendar(name: str, sessions: Iterable[GroupSession]) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    for event in session_events(sessions):
        calendar.add_component(event)
    return bytes(calendar.to_ical())


def session_events(sessions: Iterable[GroupSession]) -> list[Event]:
    """One VEVENT per session (also added to a person's training feed: peerpath.training.extensions)."""
    host = urlparse(settings.SITE_URL).hostname or "peerpath.invalid"
    events = []
    for session in sessions:
        event = Event()
        event.add("uid", f"group-session-{session.pk}@{host}")
        event.add("dtstamp", session.updated_at)
        event.add("last-modified", session.updated_at)
        event.add("dtstart", session.starts_at)
        event.add("dtend", session.ends_at)
        event.add("sequence", session.sequence)
        event.add("summary", session.group.name)
        location = session.where or session.link
        if location:
            event.add("location", location)
        details = [session.group.description] if session.group.description else []
        if session.link:
            details.append(_("Join online: %(link)s") % {"link": session.link})
        if session.change_note:
            details.append(("Cancelled: " if session.is_cancelled else "Note: ") + session.change_note)
        if details:
            event.add("description", "\n\n".join(details))
        event.add("status", "CANCELLED" if session.is_cancelled else "CONFIRMED")
        events.append(event)
    return events
