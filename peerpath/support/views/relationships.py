"""Match offers and support relationships: answering, closing, rematching."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django.views.decorators.http import require_POST

from peerpath.core.forms import add_service_errors
from peerpath.core.idempotency import creates_once
from peerpath.core.languages import later
from peerpath.core.permissions import program_view
from peerpath.programs.http import ProgramRequest
from peerpath.programs.models import Program
from peerpath.support import access, extensions, queries, sections
from peerpath.support.forms import (
    CloseForm,
    OfferResponseForm,
)
from peerpath.support.lifecycle import move_relationship
from peerpath.support.models import (
    FitAnswerBy,
    FitAnswerChoice,
    RelationshipState,
)
from peerpath.support.notify import coordinators, notify
from peerpath.support.services import matches, profiles
from peerpath.support.views.common import is_coordinator


@program_view("support.respond_to_offer")
def offer(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    relationship = access.get_offer(request, program, pk)
    if relationship.state != RelationshipState.PROPOSED:
        messages.info(request, _("This offer has already been answered."))
        return redirect("support:caseload", program.slug)
    form = OfferResponseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        accept = form.cleaned_data["decision"] == "accept"
        try:
            matches.respond_to_offer(
                actor=request.user,
                relationship=relationship,
                accept=accept,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if accept:
                messages.success(request, _("Match accepted. Log your first contact when you have reached them."))
                return redirect("support:relationship", program.slug, relationship.pk)
            messages.success(request, _("Match declined; the coordinator has been told."))
            return redirect("support:caseload", program.slug)
    status = 400 if request.method == "POST" else 200
    sight = access.rule_for(relationship.state).sees[access.Viewer.SUPPORTER]
    return render(
        request,
        "support/offer.html",
        {
            "program": program,
            "relationship": relationship,
            "shown": access.shown_participant(relationship, sight),
            "consent_missing": not relationship.participant.consent_given,
            "form": form,
        },
        status=status,
    )


@program_view("support.view_relationships")
def relationship(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    record = access.get_relationship(request, program, pk, page=gettext_noop("relationship"))
    return _relationship_page(request, program, record)


def _relationship_page(request: ProgramRequest, program: Program, record: Any, status: int = 200, **forms: Any) -> Any:
    coordinator = is_coordinator(request)
    mine = record.supporter.user_id == request.user.pk
    detail = queries.relationship_detail(program, request.membership, request.user, record)
    context = {
        "program": program,
        "relationship": record,
        # The participant is shown only through `shown` (support.access.VISIBILITY).
        **detail,
        "mine": mine,
        "can_manage": coordinator or mine,
        "coordinator": coordinator,
        "close_form": CloseForm(coordinator=coordinator),
        "sections": sections.relationship_sections(request, program, record),
        "close_parts": extensions.form_parts("close", request, record, None),
        "fit_due": mine and matches.fit_question_due(record),
        "fit_choices": FitAnswerChoice.choices,
        "fit_answers": list(record.fit_answers.all()[:5]) if coordinator else [],
        **forms,
    }
    return render(request, "support/relationship.html", context, status=status)


@program_view("support.manage_relationships")
@require_POST
def relationship_move(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    record = access.get_own_relationship(request, program, pk, page=gettext_noop("relationship change"))
    action = request.POST.get("action")
    form = CloseForm(request.POST, coordinator=is_coordinator(request))
    try:
        if action == "start_closing":
            matches.start_closing(actor=request.user, relationship=record, note=request.POST.get("note", ""))
            messages.success(
                request, _("The relationship is closing. Record the closing conversation when you have it.")
            )
        elif action == "reopen":
            move_relationship(
                actor=request.user,
                relationship=record,
                to_state=RelationshipState.ACTIVE,
                reason=_("Closing called off"),
            )
            messages.success(request, _("The relationship is active again."))
        elif action == "close":
            # What other apps record at the close (which goals were met) is saved with it.
            parts = extensions.form_parts("close", request, record, request.POST)
            if not all([form.is_valid(), *(part.is_valid() for part in parts)]):
                return _relationship_page(request, program, record, 400, close_form=form, close_parts=parts)
            with transaction.atomic():
                matches.close_relationship(actor=request.user, relationship=record, **form.cleaned_data)
                for part in parts:
                    part.save(actor=request.user, record=record)
            messages.success(request, _("The relationship is closed."))
        else:
            messages.error(request, _("Unknown action."))
    except ValidationError as error:
        add_service_errors(form, error)
        return _relationship_page(request, program, record, 400, close_form=form)
    return redirect("support:relationship", program.slug, record.pk)


@program_view("support.match")
@require_POST
def relationship_rematch(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    record = access.get_relationship(request, program, pk, page=gettext_noop("rematch"))
    try:
        participant_record = matches.rematch(actor=request.user, relationship=record, note=request.POST.get("note", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("support:relationship", program.slug, record.pk)
    messages.success(
        request,
        _("%(reference)s is back on the waiting list: choose a new supporter.")
        % {"reference": participant_record.reference},
    )
    return redirect("support:participant_match", program.slug, participant_record.pk)


@program_view("support.manage_relationships")
@require_POST
def relationship_fit(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    """The supporter answers "Is this a good fit?"."""
    record = access.get_own_relationship(request, program, pk, page=gettext_noop("fit answer"))
    try:
        answer = matches.answer_fit(
            actor=request.user,
            relationship=record,
            answer=request.POST.get("answer", ""),
            note=request.POST.get("note", ""),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _relationship_page(request, program, record, 400)
    if answer.answer == FitAnswerChoice.POOR:
        messages.success(request, _("Thank you for saying so. The coordinator will look at a rematch with you."))
    else:
        messages.success(request, _("Thank you: your answer is saved."))
    return redirect("support:relationship", program.slug, record.pk)


@program_view("support.match")
@require_POST
def relationship_fit_rematch(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    """The coordinator takes up the rematch offered after "not a good fit"."""
    record = access.get_relationship(request, program, pk, page=gettext_noop("fit rematch"))
    try:
        person = matches.rematch_for_poor_fit(
            actor=request.user,
            relationship=record,
            reason=request.POST.get("reason", ""),
            raised_by=request.POST.get("raised_by", FitAnswerBy.SUPPORTER),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _relationship_page(request, program, record, 400)
    messages.success(
        request,
        _("%(ref)s is back on the waiting list in their place: choose a new supporter.") % {"ref": person.reference},
    )
    return redirect("support:participant_match", program.slug, person.pk)


@program_view("support.declare_conflict")
@require_POST
@creates_once
def relationship_conflict(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    record = access.get_own_relationship(request, program, pk, page=gettext_noop("declare conflict"))
    profiles.declare_conflict(
        actor=request.user,
        supporter=record.supporter,
        participant=record.participant,
        reason=request.POST.get("reason", ""),
    )
    notify(
        program=program,
        users=coordinators(program),
        text=later(
            gettext_lazy("%(supporter)s declared that they know %(reference)s: please rematch."),
            supporter=record.supporter,
            reference=record.participant.reference,
        ),
        url=record.get_absolute_url(),
        relationship=record,
    )
    messages.success(request, _("Conflict declared. The coordinator will arrange a rematch."))
    return redirect("support:relationship", program.slug, record.pk)
