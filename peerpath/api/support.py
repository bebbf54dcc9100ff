# No "from __future__ import annotations": django-ninja reads these annotations at import time.
"""Support records: participants, relationships, contacts and follow-ups.

The same relationship rules as the pages (`peerpath.support.access`):
a supporter sees only the participants they are matched with, a supervisor those of the
supporters they oversee. Every read that shows a participant writes the audit entry the
equivalent page writes, and contacts are logged through `support.services.contacts.log_contact`.
"""

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from peerpath.api.auth import ApiRequest, require
from peerpath.api.common import ERRORS, WRITE_ERRORS, Id, PageIn, PathId, check_form, page_of, paged, unique
from peerpath.api.schemas import (
    ContactIn,
    ContactOut,
    ErrorOut,
    FollowUpOut,
    ParticipantDetailOut,
    ParticipantOut,
    RelationshipDetailOut,
    RelationshipOut,
)
from peerpath.support import access, queries
from peerpath.support import windows as w
from peerpath.support.access import can_read_contact_notes, relationships_visible_to
from peerpath.support.defaults import get_settings
from peerpath.support.forms import ContactForm
from peerpath.support.models import Contact, ParticipantStatus, RelationshipState
from peerpath.support.services import contacts as support_contacts
from peerpath.support.services import participants as support_participants

router = Router(tags=["support"])


def _audit_list(request: ApiRequest, participants: list[Any], page: str) -> None:
    """The entry the equivalent page writes for a list that names participants."""
    support_participants.record_list_view(
        actor=request.user, program=request.program, participants=unique(participants), page=f"API: {page}"
    )


def _note_rule(request: ApiRequest) -> Any:
    """Who may read which relationship's contact notes: the pages' rules (what the relationship's
    state lets this person see, `access.VISIBILITY`, and the notes rule), lookups done once."""
    program, membership, user = request.program, request.membership, request.user
    overseen = access.overseen_ids(program, membership, user)
    show_previous = get_settings(program).show_previous_notes

    def visible(relationship: Any) -> bool:
        viewer = access.viewer_of(membership, user, relationship, overseen_ids=overseen)
        sight = access.sight_of(viewer, relationship)
        return sight == access.Sight.CONTACT_DETAILS and can_read_contact_notes(
            membership, user, relationship, overseen_ids=overseen, show_previous_notes=show_previous
        )

    return visible


# --- Participants --------------------------------------------------------------------------


class ParticipantFilter(Schema):
    status: ParticipantStatus | None = None


class ParticipantSearchIn(Schema):
    """A search of the participants: in the body, so a name never travels in a URL."""

    q: str = Field("", max_length=200, description="A word of the name, a full e-mail address or a phone number.")
    status: ParticipantStatus | None = None


def _participant_list(request: ApiRequest, program: str, q: str, status: str, page: PageIn) -> dict[str, Any]:
    membership = require(request, program, "support.view_participants")
    rows = queries.participant_rows(membership.program, membership, request.user, q=q, status=status)
    count, items = page_of(rows, page)
    _audit_list(request, items, "participant list")
    return {"count": count, "items": items}


@router.get("/{program}/participants", response={200: paged(ParticipantOut), 400: ErrorOut, **ERRORS})
def participants(
    request: ApiRequest, program: str, filters: Query[ParticipantFilter], page: Query[PageIn]
) -> dict[str, Any]:
    """The participants the caller may see: coordinators all, supervisors those matched with the
    supporters they oversee, supporters those they are matched with. Audited like the participant
    list page. To search by name, e-mail or phone, POST to `participants/search`: a `q` here
    answers 400 (a name in a URL is written to access logs)."""
    if "q" in request.GET:
        raise HttpError(400, _("Search by POST to participants/search: names do not belong in a URL."))
    return _participant_list(request, program, "", filters.status or "", page)


@router.post(
    "/{program}/participants/search",
    response={200: paged(ParticipantOut), **WRITE_ERRORS},
    summary="Search the participants",
)
def participant_search(
    request: ApiRequest, program: str, payload: ParticipantSearchIn, page: Query[PageIn]
) -> dict[str, Any]:
    """The participants the caller may see (as `GET participants`) found by `q`, sent in the body
    so it stays out of URLs and access logs: a word of the name, a full e-mail address or a phone
    number. Changes nothing; audited like the participant list page."""
    return _participant_list(request, program, payload.q.strip(), payload.status or "", page)


@router.get("/{program}/participants/{participant_id}", response={200: ParticipantDetailOut, **ERRORS})
def participant(request: ApiRequest, program: str, participant_id: PathId) -> Any:
    """One participant's record as the participant page shows it. Audited as a read."""
    membership = require(request, program, "support.view_participants")
    record = access.get_participant(
        request, membership.program, participant_id, page=gettext_noop("API: participant record")
    )
    record.relationship_rows = list(record.relationships.select_related("supporter"))
    record.open_relationships = [r for r in record.relationship_rows if r.is_open]
    return record


# --- Relationships -------------------------------------------------------------------------


class RelationshipFilter(Schema):
    state: RelationshipState | None = None
    participant: Id | None = None
    supporter: Id | None = None


@router.get("/{program}/relationships", response={200: paged(RelationshipOut), **ERRORS})
def relationships(
    request: ApiRequest, program: str, filters: Query[RelationshipFilter], page: Query[PageIn]
) -> dict[str, Any]:
    """Support relationships the caller may see (their own, those they oversee, or all)."""
    membership = require(request, program, "support.view_relationships")
    rows = relationships_visible_to(membership.program, membership, request.user).select_related(
        "participant", "supporter"
    )
    if filters.state:
        rows = rows.filter(state=filters.state)
    if filters.participant is not None:
        rows = rows.filter(participant_id=filters.participant)
    if filters.supporter is not None:
        rows = rows.filter(supporter_id=filters.supporter)
    count, items = page_of(rows.order_by("-proposed_at", "-id"), page)
    _audit_list(request, [r.participant for r in items], "relationships")
    return {"count": count, "items": items}


@router.get("/{program}/relationships/{relationship_id}", response={200: RelationshipDetailOut, **ERRORS})
def relationship(request: ApiRequest, program: str, relationship_id: PathId) -> Any:
    """A relationship with its contacts (notes only where the caller may read them) and its history."""
    membership = require(request, program, "support.view_relationships")
    record = access.get_relationship(
        request, membership.program, relationship_id, page=gettext_noop("API: relationship")
    )
    detail = queries.relationship_detail(membership.program, membership, request.user, record)
    for contact in detail["contacts"]:
        contact.notes_visible = detail["notes_visible"]
    record.contact_rows, record.history_rows = detail["contacts"], detail["history"]
    return record


# --- Contacts ------------------------------------------------------------------------------


class ContactFilter(Schema):
    relationship: Id | None = None
    reached: bool | None = None
    since: dt.date | None = None
    until: dt.date | None = None


@router.get("/{program}/contacts", response={200: paged(ContactOut), **ERRORS})
def contacts(request: ApiRequest, program: str, filters: Query[ContactFilter], page: Query[PageIn]) -> dict[str, Any]:
    """Contacts and attempts in the relationships the caller may see, latest first. `notes` is
    null where the pages would hide them (a previous supporter's notes)."""
    membership = require(request, program, "support.view_relationships")
    visible = relationships_visible_to(membership.program, membership, request.user)
    rows = Contact.objects.filter(program=membership.program, relationship__in=visible.values("pk")).select_related(
        "relationship", "relationship__supporter", "relationship__participant"
    )
    if filters.relationship is not None:
        rows = rows.filter(relationship_id=filters.relationship)
    if filters.reached is not None:
        rows = rows.filter(reached=filters.reached)
    if filters.since:
        rows = rows.filter(contacted_on__gte=filters.since)
    if filters.until:
        rows = rows.filter(contacted_on__lte=filters.until)
    count, items = page_of(rows.order_by("-contacted_on", "-id"), page)
    notes_visible = _note_rule(request)
    for contact in items:
        contact.notes_visible = notes_visible(contact.relationship)
    _audit_list(request, [c.relationship.participant for c in items], "contacts")
    return {"count": count, "items": items}


@router.post(
    "/{program}/relationships/{relationship_id}/contacts",
    response={201: ContactOut, **WRITE_ERRORS},
    summary="Log a contact or an attempt",
)
def log_contact(request: ApiRequest, program: str, relationship_id: PathId, payload: ContactIn) -> Any:
    """Log a contact in one of the caller's own relationships (a coordinator: any), through the
    same form rules and service as the 'Log a contact' page, while the relationship is active or
    closing (403 otherwise). Refused input answers 422 naming the field and saves nothing."""
    membership = require(request, program, "support.log_contact")
    record = access.get_own_relationship(
        request, membership.program, relationship_id, page=gettext_noop("API: log contact")
    )
    access.require_write(record, access.Write.CONTACT)  # 403 outside active and closing
    data = check_form(
        ContactForm(
            {
                "contacted_on": payload.contacted_on.isoformat(),
                "channel": payload.channel,
                "reached": "yes" if payload.reached else "no",
                "duration_minutes": "" if payload.duration_minutes is None else str(payload.duration_minutes),
                "tasks": [str(t) for t in payload.tasks],
                "kind": payload.kind,
                "notes": payload.notes,
                "next_follow_up": payload.next_follow_up.isoformat() if payload.next_follow_up else "",
            }
        )
    )
    contact = support_contacts.log_contact(actor=request.user, relationship=record, data=data)
    contact.notes_visible = True
    return Status(201, contact)


# --- Follow-ups ----------------------------------------------------------------------------


@router.get("/{program}/follow-ups", response={200: paged(FollowUpOut), **ERRORS})
def follow_ups(request: ApiRequest, program: str, page: Query[PageIn], overdue: bool = False) -> dict[str, Any]:
    """Working relationships the caller may see with a follow-up date, soonest first, flagged
    with the program's windows (due, overdue, quiet, unreachable) as on the caseload,
    supervision and attention pages."""
    membership = require(request, program, "support.view_relationships")
    windows = w.Windows.for_program(membership.program)
    visible = relationships_visible_to(membership.program, membership, request.user)
    rows = w.tracked_relationships(membership.program, windows).filter(
        pk__in=visible.values("pk"), next_follow_up__isnull=False
    )
    if overdue:
        rows = w.followups_overdue(rows, windows)
    count, items = page_of(rows, page)
    _audit_list(request, [r.participant for r in items], "follow-ups")
    return {
        "count": count,
        "items": [
            {
                "relationship_id": r.pk,
                "participant_id": r.participant_id,
                "participant_reference": r.participant.reference,
                "supporter_id": r.supporter_id,
                "supporter_name": r.supporter.full_name,
                "next_follow_up": r.next_follow_up,
                "last_contact_on": r.last_contact_on,
                "flags": w.flags_for(r, windows),
            }
            for r in items
        ],
    }
