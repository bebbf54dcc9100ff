"""Logging contacts, drafts and supervisors' corrections."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from peerpath.core.forms import add_rule_errors, add_service_errors
from peerpath.core.idempotency import creates_once, posted_nonce
from peerpath.core.permissions import program_view
from peerpath.programs.http import ProgramRequest
from peerpath.programs.models import Program
from peerpath.support import access, extensions
from peerpath.support.forms import (
    ContactForm,
    CorrectionForm,
)
from peerpath.support.models import (
    ContactDraft,
    ContactKind,
    RelationshipState,
)
from peerpath.support.services import common as support_common
from peerpath.support.services import contacts
from peerpath.support.services import participants as support_participants


@program_view("support.log_contact")
@creates_once
def contact_new(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    record = access.get_own_relationship(request, program, pk, page=gettext_noop("log contact"))
    access.require_write(record, access.Write.CONTACT)
    draft = ContactDraft.objects.filter(user=request.user, relationship=record).first()
    first_done = record.contacts.filter(kind=ContactKind.FIRST).exists()
    initial: dict[str, Any] = {
        "contacted_on": timezone.localdate(),
        "kind": ContactKind.CHECK_IN if first_done else ContactKind.FIRST,
        "reached": "yes",
        "channel": {"email": "email", "text": "text"}.get(record.participant.preferred_contact, "phone"),
    }
    if record.state == RelationshipState.CLOSING:
        initial["kind"] = ContactKind.CLOSING
    kept = draft.values() if draft is not None else {}
    kept_parts = kept.pop(contacts.DRAFT_PARTS, None)
    initial.update({k: v for k, v in kept.items() if v not in (None, "")})
    form = ContactForm(request.POST or None, initial=initial)
    # What other apps record with a contact (the goals worked on), saved in the same transaction.
    parts = extensions.form_parts("contact", request, record, request.POST if request.method == "POST" else None)
    if request.method != "POST" and isinstance(kept_parts, dict):
        for drafted in extensions.drafted(parts):
            drafted.restore(kept_parts)
    parts_valid = all([part.is_valid() for part in parts])  # noqa: C419  (each part shows its errors)
    if request.method == "POST" and not form.is_valid():
        add_rule_errors(form, lambda data: contacts.check_contact(record, data))
    elif request.method == "POST" and not parts_valid:
        pass  # each part shows its own errors
    elif request.method == "POST":
        try:
            with transaction.atomic():
                contact = contacts.log_contact(actor=request.user, relationship=record, data=form.cleaned_data)
                for part in parts:
                    part.save(actor=request.user, record=contact)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Contact logged."))
            return redirect(f"{reverse('support:relationship', args=[program.slug, record.pk])}?saved=1")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "support/contact_form.html",
        {
            "program": program,
            "relationship": record,
            "participant": record.participant,
            "form": form,
            "parts": parts,
            "draft": draft,
            "draft_key": f"peerpath-draft-{request.user.pk}-{record.pk}",
        },
        status=status,
    )


@program_view("support.log_contact")
@require_POST
def contact_draft(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    """Autosave of the contact form (htmx): keeps the typed values, encrypted, for this supporter.

    The reply shows nothing of the participant; the read is audited once per editing session
    (the opened form, named by its one-time token), not at every autosave.
    """
    record = access.get_own_relationship(request, program, pk, page=gettext_noop("contact draft"), audit_read=False)
    if request.POST.get("discard"):
        contacts.discard_draft(actor=request.user, relationship=record)
        return render(request, "support/_draft_status.html", {"discarded": True})
    access.require_write(record, access.Write.CONTACT)
    values = {
        name: (request.POST.getlist(name) if name == "tasks" else request.POST.get(name, ""))
        for name in support_common.CONTACT_FIELDS
    }
    # The parts other apps add (the goals ticked) are kept with the rest.
    names = [
        n
        for part in extensions.drafted(extensions.form_parts("contact", request, record, None))
        for n in part.draft_fields()
    ]
    draft, starts_session = contacts.save_draft(
        actor=request.user,
        relationship=record,
        values=values,
        editing_session=posted_nonce(request) or "",
        part_values={name: request.POST[name] for name in names if name in request.POST},
    )
    if starts_session:
        support_participants.record_view(
            actor=request.user, program=program, participant=record.participant, page=gettext_noop("contact draft")
        )
    return render(request, "support/_draft_status.html", {"draft": draft})


@program_view("support.correct_contact")
def contact_correct(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    contact = access.get_contact_to_correct(request, program, pk)
    form = CorrectionForm(request.POST or None, initial=ContactForm.initial_for(contact))
    if request.method == "POST" and not form.is_valid():
        add_rule_errors(form, lambda data: contacts.check_contact(contact.relationship, data, contact))
    elif request.method == "POST":
        data = {k: v for k, v in form.cleaned_data.items() if k != "reason"}
        try:
            contacts.correct_contact(actor=request.user, contact=contact, data=data, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Contact corrected; the change is recorded under your name."))
            return redirect("support:relationship", program.slug, contact.relationship_id)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "support/contact_correct.html",
        {"program": program, "contact": contact, "relationship": contact.relationship, "form": form},
        status=status,
    )
