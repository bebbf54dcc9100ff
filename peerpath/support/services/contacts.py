"""Contacts with participants, drafts and supervisors' corrections."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from peerpath.core import audit
from peerpath.core.actors import Actor
from peerpath.core.models import User
from peerpath.support.access import Write, check_write
from peerpath.support.lifecycle import move_relationship
from peerpath.support.models import (
    Contact,
    ContactDraft,
    ContactKind,
    RelationshipState,
    SupportRelationship,
    SupportTask,
)
from peerpath.support.services.common import CONTACT_FIELDS, acting_user, redacted_diff


def check_contact(relationship: SupportRelationship, data: dict[str, Any], contact: Contact | None = None) -> None:
    """The rules of a contact's fields (every broken rule at once, by field); saves nothing.
    `log_contact` and `correct_contact` apply them; a form that failed runs them too, so its
    page lists every problem in one submit (a field missing from `data`, one the form refused,
    is not checked)."""
    errors: dict[str, str] = {}
    today = timezone.localdate()
    when = data.get("contacted_on")
    if when is None:
        errors["contacted_on"] = "Give the date."
    elif when > today:
        errors["contacted_on"] = "A contact cannot be in the future."
    elif relationship.activated_at and when < timezone.localdate(relationship.activated_at) - dt.timedelta(days=1):
        errors["contacted_on"] = "This is before the relationship started."
    follow = data.get("next_follow_up")
    if follow is not None and when is not None and follow < when:
        errors["next_follow_up"] = "The next follow-up comes after this contact."
    if any(t not in SupportTask.values for t in data.get("tasks") or []):
        errors["tasks"] = "Choose from the four tasks of peer support."
    kind = data.get("kind", ContactKind.CHECK_IN)
    if kind != ContactKind.CHECK_IN and "reached" in data and not data["reached"]:
        errors["kind"] = "A first contact or closing conversation is one where you reached the participant."
    others = relationship.contacts.all() if contact is None else relationship.contacts.exclude(pk=contact.pk)
    if kind == ContactKind.FIRST and others.filter(kind=ContactKind.FIRST).exists():
        errors["kind"] = "The first contact is already recorded."
    if kind == ContactKind.CLOSING and others.filter(kind=ContactKind.CLOSING).exists():
        errors["kind"] = "The closing conversation is already recorded."
    duration = data.get("duration_minutes")
    if duration is not None and not 0 <= duration <= 24 * 60:
        errors["duration_minutes"] = "Give the length in minutes."
    if errors:
        raise ValidationError(errors)


def log_contact(*, actor: Actor, relationship: SupportRelationship, data: dict[str, Any]) -> Contact:
    """Log a contact or an attempt to reach the participant.

    Rules: the relationship is active or closing; not dated in the future; the follow-up
    comes after it. A first contact is recorded once and stamps the relationship; a closing
    conversation is recorded once and moves an active relationship to closing. The draft
    kept while typing is removed.
    """
    check_write(relationship, Write.CONTACT)
    check_contact(relationship, data, None)
    with transaction.atomic():
        contact = Contact(program=relationship.program, relationship=relationship, logged_by=acting_user(actor))
        for name in CONTACT_FIELDS:
            if name in data:
                setattr(contact, name, data[name])
        contact.save()
        if contact.kind == ContactKind.FIRST:
            relationship.first_contact_on = contact.contacted_on
            relationship.save(update_fields=["first_contact_on"])
        if contact.kind == ContactKind.CLOSING:
            relationship.closing_conversation_on = contact.contacted_on
            relationship.save(update_fields=["closing_conversation_on"])
            if relationship.state == RelationshipState.ACTIVE:
                move_relationship(
                    actor=actor,
                    relationship=relationship,
                    to_state=RelationshipState.CLOSING,
                    reason="Closing conversation",
                )
        ContactDraft.objects.filter(user=acting_user(actor), relationship=relationship).delete()
        audit.record(
            actor=actor,
            program=relationship.program,
            action="contact.create",
            target=contact,
            changes=redacted_diff(contact, {}, audit.snapshot(contact, CONTACT_FIELDS)),
        )
    return contact


DRAFT_PARTS = "parts"  # the draft's key for the values of other apps' form parts


def save_draft(
    *,
    actor: User,
    relationship: SupportRelationship,
    values: dict[str, Any],
    editing_session: str = "",
    part_values: dict[str, Any] | None = None,
) -> tuple[ContactDraft, bool]:
    """Keep what the supporter has typed so far (encrypted), replacing their earlier draft;
    ``part_values`` are the values of the form's parts other apps add (the goals ticked), kept
    under ``parts``.

    Returns the draft and whether this save starts an editing session: the first autosave from
    a newly opened form (``editing_session`` names it), or, without one, the first of a draft.
    The caller audits one read of the participant per editing session, not one per autosave.
    Rule: only while contacts may be logged (the relationship is working).
    """
    check_write(relationship, Write.CONTACT)
    clean: dict[str, Any] = {
        k: v for k, v in values.items() if k in CONTACT_FIELDS and isinstance(v, str | list | bool)
    }
    parts = {str(k)[:100]: v for k, v in (part_values or {}).items() if isinstance(v, str | bool)}
    if parts:
        clean[DRAFT_PARTS] = parts
    with transaction.atomic():
        earlier = ContactDraft.objects.select_for_update().filter(user=actor, relationship=relationship).first()
        starts = earlier is None or (bool(editing_session) and earlier.editing_session != editing_session)
        draft, _ = ContactDraft.objects.update_or_create(
            user=actor,
            relationship=relationship,
            defaults={
                "data": json.dumps(clean),
                "updated_at": timezone.now(),
                "editing_session": editing_session or (earlier.editing_session if earlier else ""),
            },
        )
    return draft, starts


def discard_draft(*, actor: User, relationship: SupportRelationship) -> None:
    ContactDraft.objects.filter(user=actor, relationship=relationship).delete()


def correct_contact(*, actor: Actor, contact: Contact, data: dict[str, Any], reason: str) -> Contact:
    """A supervisor corrects a contact logged by one of their supporters.

    Rules: a reason is required; the change is audited under the supervisor's own name
    (never as the supporter), and the contact shows who corrected it and when.
    """
    if not reason.strip():
        raise ValidationError({"reason": "Say why you are correcting this contact."})
    relationship = contact.relationship
    current = {name: getattr(contact, name) for name in CONTACT_FIELDS}
    check_contact(relationship, {**current, **data}, contact)
    with transaction.atomic():
        before = audit.snapshot(contact, CONTACT_FIELDS)
        for name in CONTACT_FIELDS:
            if name in data:
                setattr(contact, name, data[name])
        contact.corrected_by, contact.corrected_at = acting_user(actor), timezone.now()
        contact.correction_reason = reason
        contact.save()
        changes = redacted_diff(contact, before, audit.snapshot(contact, CONTACT_FIELDS))
        audit.record(
            actor=actor,
            program=contact.program,
            action="contact.correct",
            target=contact,
            changes=changes,
            note="Corrected by the supporter's supervisor (reason kept, encrypted, on the contact).",
        )
    return contact
