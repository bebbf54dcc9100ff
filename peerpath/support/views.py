from __future__ import annotations

import csv
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from peerpath.core.exports import Table, download_table, requested_format
from peerpath.core.forms import add_service_errors
from peerpath.core.permissions import Role, has_role, program_view, public
from peerpath.programs.models import FocusArea, Program
from peerpath.support import access, eligibility, exports, matching, queries, services
from peerpath.support.defaults import get_settings
from peerpath.support.forms import (
    AdverseEventForm,
    CloseForm,
    ConcernForm,
    ConflictForm,
    ContactForm,
    CorrectionForm,
    CoverForm,
    EraseForm,
    FollowUpForm,
    OfferResponseForm,
    ParticipantForm,
    ParticipantSearchForm,
    ProfileForm,
    RequestForm,
    SupportSettingsForm,
)
from peerpath.support.models import (
    ConcernKind,
    ContactDraft,
    ContactKind,
    MatchRun,
    MatchRunState,
    ParticipantStatus,
    RelationshipState,
    lines,
)

PAGE_SIZE = 25


def _is_coordinator(request: HttpRequest) -> bool:
    return has_role(request.membership, Role.COORDINATOR)


def _download(request: HttpRequest, program: Program, fmt: str, name: str, table: Table) -> HttpResponse:
    """A list page's download; one that names participants is audited with every one it names."""
    if table.participant_ids:
        services.record_list_export(
            actor=request.user, program=program, participant_ids=table.participant_ids, page=name, fmt=fmt
        )
    return download_table(f"{program.slug}-{name.replace(' ', '-')}", fmt, table)


def _query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    return query.urlencode()


# --- Public request form -------------------------------------------------------------------


def _public_form_rate(group: str, request: HttpRequest) -> str:
    return settings.PUBLIC_FORM_RATE


@public
@ratelimit(key="ip", rate=_public_form_rate, method="POST", block=False)
def request_form(request: HttpRequest, program_slug: str) -> HttpResponse:
    program = get_object_or_404(Program, slug=program_slug, is_active=True)
    if getattr(request, "limited", False):
        return render(request, "core/rate_limited.html", status=429)
    support_settings = get_settings(program)
    form = RequestForm(request.POST or None, program=program)
    if request.method == "POST" and support_settings.requests_open and form.is_valid():
        try:
            services.submit_request(program=program, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("support:request_thanks", program.slug)
    status = 400 if request.method == "POST" else 200
    if not support_settings.requests_open:
        status = 404 if request.method == "POST" else 200
    return render(
        request,
        "support/request.html",
        {"program": program, "form": form, "support_settings": support_settings},
        status=status,
    )


@public
def request_thanks(request: HttpRequest, program_slug: str) -> HttpResponse:
    program = get_object_or_404(Program, slug=program_slug, is_active=True)
    return render(request, "support/request_thanks.html", {"program": program})


# --- Participants --------------------------------------------------------------------------


@program_view("support.view_participants")
def participants(request: HttpRequest, program: Program) -> HttpResponse:
    form = ParticipantSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = queries.participant_rows(
        program, request.membership, request.user, q=filters.get("q", ""), status=filters.get("status", "")
    )
    if fmt := requested_format(request):
        return _download(request, program, fmt, "participants", exports.participants(rows.iterator(chunk_size=500)))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    services.record_list_view(actor=request.user, program=program, participants=page, page="participant list")
    context = {
        "program": program,
        "form": form,
        "page": page,
        "query": _query(request),
        "status_tabs": _status_tabs(program) if _is_coordinator(request) else [],
        "current_status": filters.get("status", ""),
    }
    if request.headers.get("HX-Request"):
        return render(request, "support/_participant_rows.html", context)
    return render(request, "support/participants.html", context)


def _status_tabs(program: Program) -> list[tuple[str, str, int]]:
    counts = queries.status_counts(program)
    return [(value, label, counts.get(value, 0)) for value, label in ParticipantStatus.choices]


@program_view("support.manage_participants")
def participant_new(request: HttpRequest, program: Program) -> HttpResponse:
    form = ParticipantForm(request.POST or None, program=program, initial={"must_haves": ["language"]})
    if request.method == "POST" and form.is_valid():
        try:
            participant = services.save_participant(
                actor=request.user, program=program, participant=None, data=form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{participant.reference} is on the waiting list.")
            return redirect("support:participant", program.slug, participant.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "support/participant_form.html", {"program": program, "form": form, "participant": None}, status=status
    )


@program_view("support.view_participants")
def participant(request: HttpRequest, program: Program, pk: int) -> HttpResponse:
    record = access.get_participant(request, program, pk, page="participant record")
    return _participant_page(request, program, record)


def _participant_page(request: HttpRequest, program: Program, record: Any, status: int = 200, **forms: Any) -> Any:
    context = {
        "program": program,
        "participant": record,
        **queries.participant_detail(program, request.membership, request.user, record),
        "conflict_form": ConflictForm(program=program) if _is_coordinator(request) else None,
        **forms,
    }
    return render(request, "support/participant.html", context, status=status)


@program_view("support.manage_participants")
def participant_edit(request: HttpRequest, program: Program, pk: int) -> HttpResponse:
    record = access.get_participant(request, program, pk, page="participant edit")
    form = ParticipantForm(request.POST or None, program=program, initial=ParticipantForm.initial_for(record))
    if request.method == "POST" and form.is_valid():
        try:
            services.save_participant(actor=request.user, program=program, participant=record, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{record.reference} saved.")
            return redirect("support:participant", program.slug, record.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "support/participant_form.html",
        {"program": program, "form": form, "participant": record},
        status=status,
    )


@program_view("support.export_participant")
def participant_export(request: HttpRequest, program: Program, pk: int) -> HttpResponse:
    record = access.get_participant_for_staff(program, pk)
    data = services.export_participant(actor=request.user, participant=record)
    filename = f"participant-{record.reference}"
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        csv.writer(response).writerows(queries.export_rows(data))
        return response
    response = JsonResponse(data, json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="{filename}.json"'
    return response


@program_view("support.erase_participant")
def participant_erase(request: HttpRequest, program: Program, pk: int) -> HttpResponse:
    record = access.get_participant(request, program, pk, page="erasure")
    form = EraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.erase_participant(actor=request.user, participant=record, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The participant was erased. Only anonymous counts remain.")
            return redirect("support:participants", program.slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "support/participant_erase.html",
        {"program": program, "participant": record, "form": form},
        status=status,
    )


@program_view("support.declare_conflict")
@require_POST
def conflict_add(request: HttpRequest, program: Program, pk: int) -> HttpResponse:
    if not _is_coordinator(request):
        # Supporters declare a conflict on their own offer or relationship.
        return redirect("support:caseload", program.slug)
    record = access.get_participant(request, program, pk, page="declare conflict")
    form = ConflictForm(request.POST, program=program)
    if form.is_valid():
        supporter = get_object_or_404(program.supporters, pk=form.cleaned_data["supporter"])
        try:
            services.declare_conflict(
                actor=request.user, supporter=supporter, participant=record, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{supporter.full_name} will never be matched with {record.reference}.")
            return redirect("support:participant", program.slug, record.pk)
    return _participant_page(request, program, record, 400, conflict_form=form)


# --- Matching ------------------------------------------------------------------------------


@program_view("support.match")
def participant_match(request: HttpRequest, program: Program, pk: int) -> HttpResponse:
    record = access.get_participant(request, program, pk, page="matching")
    if request.method == "POST":
        supporter = get_object_or_404(program.supporters, pk=request.POST.get("supporter") or 0)
        try:
            relationship = services.propose_match(actor=request.user, participant=record, supporter=supporter)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return _match_page(request, program, record, status=400)
        messages.success(request, f"Offered to {supporter.full_name}; they will accept or decline.")
        return redirect("support:relationship", program.slug, relationship.pk)
    return _match_page(request, program, record)


def _match_page(request: HttpRequest, program: Program, record: Any, status: int = 200) -> HttpResponse:
    pool = eligibility.supporter_pool(program)
    needs = eligibility.needs_for(record, frozenset(a.pk for a in record.focus_areas.all()))
    weights = get_settings(program).weights()
    excluded_pairs = eligibility.excluded_pairs(program)
    area_names = dict(FocusArea.objects.filter(program=program).values_list("pk", "name"))
    ranked, failing, conflicted = [], [], []
    for offer in pool.offers:
        if (offer.id, record.pk) in excluded_pairs:
            conflicted.append(pool.supporters[offer.id])
            continue
        failures = matching.must_have_failures(needs, offer)
        if failures:
            failing.append((pool.supporters[offer.id], [matching.Criterion(c).label.lower() for c in failures]))
            continue
        ranked.append((matching.explain(needs, offer, weights, area_names), pool.supporters[offer.id], offer))
    ranked.sort(key=lambda row: (-row[0].score, row[1].full_name))
    return render(
        request,
        "support/match.html",
        {
            "program": program,
            "participant": record,
            "ranked": ranked,
            "failing": failing,
            "conflicted": conflicted,
            "excluded": pool.excluded,
            "waiting": record.status == ParticipantStatus.WAITING
            and not record.relationships.filter(
                state__in=[RelationshipState.PROPOSED, RelationshipState.ACTIVE, RelationshipState.CLOSING]
            ).exists(),
        },
        status=status,
    )


@program_view("support.match")
def batch(request: HttpRequest, program: Program) -> HttpResponse:
    if request.method == "POST":
        run = services.run_batch_match(actor=request.user, program=program)
        messages.success(request, "The batch match is ready for your review. Nothing is offered until you publish it.")
        return redirect("support:batch_run", program.slug, run.pk)
    runs = MatchRun.objects.filter(program=program).select_related("created_by", "published_by")[:10]
    return render(
        request,
        "support/batch.html",
        {
            "program": program,
            "runs": runs,
            "waiting": eligibility.waiting_list(program).count(),
            "pool": eligibility.supporter_pool(program),
        },
    )


@program_view("support.match")
def batch_run(request: HttpRequest, program: Program, pk: int) -> HttpResponse:
    run = access.get_match_run(program, pk)
    proposals = list(run.proposals.select_related("participant", "supporter"))
    left_over = list(run.left_over.select_related("participant"))
    if fmt := requested_format(request):
        return _download(request, program, fmt, f"batch-match-{run.pk}", exports.match_run(proposals, left_over))
    services.record_list_view(
        actor=request.user,
        program=program,
        participants=[p.participant for p in [*proposals, *left_over]],
        page="batch match review",
    )
    return render(
        request,
        "support/batch_run.html",
        {
            "program": program,
            "run": run,
            "proposals": proposals,
            "left_over": left_over,
            "is_draft": run.state == MatchRunState.DRAFT,
        },
    )


@program_view("support.match")
@require_POST
def batch_publish(request: HttpRequest, program: Program, pk: int) -> HttpResponse:
    run = access.get_match_run(program, pk)
    try:
        made, skipped = services.publish_match_run(actor=request.user, run=run)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{len(made)} match offer{'s' if len(made) != 1 else ''} sent to supporters.")
        for line in skipped:
            messages.warning(request, f"Not offered: {line}")
    return redirect("support:batch_run", program.slug, run.pk)


@program_view("support.match")
@require_POST
def batch_discard(request: HttpRequest, program: Program, pk: int) -> HttpResponse:
    run = access.get_match_run(program, pk)
    try:
        services.discard_match_run(actor=request.user, run=run)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Batch match discarded.")
    return redirect("support:batch", program.slug)


# --- Offers and relationships --------------------------------------------------------------


@program_view("support.respond_to_offer")
def offer(request: HttpRequest, program: Program, pk: int) -> HttpResponse:
    relationship = access.get_offer(request, program, pk)
    if relationship.state != RelationshipState.PROPOSED:
        messages.info(request, "This offer has already been answered.")
        return redirect("support:caseload", program.slug)
    form = OfferResponseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        accept = form.cleaned_data["decision"] == "accept"
        try:
            services.respond_to_offer(
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
                messages.success(request, "Match accepted. Log your first contact when you have reached them.")
                return redirect("support:relationship", program.slug, relationship.pk)
            messages.success(request, "Match declined; the coordinator has been told.")
            return redirect("support:caseload", program.slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "support/offer.html",
        {
            "program": program,
            "relationship": relationship,
            "participant": relationship.participant,
            "form": form,
            "focus_areas": relationship.participant.focus_areas.all(),
        },
        status=status,
    )


@program_view("support.view_relationships")
def relationship(request: HttpRequest, program: Program, pk: int) -> HttpResponse:
    record = access.get_relationship(request, program, pk, page="relationship")
    return _relationship_page(request, program, record)


def _relationship_page(request: HttpRequest, program: Program, record: Any, status: int = 200, **forms: Any) -> Any:
    coordinator = _is_coordinator(request)
    mine = record.supporter.user_id == request.user.pk
    context = {
        "program": program,
        "relationship": record,
        "participant": record.participant,
        **queries.relationship_detail(program, request.membership, request.user, record),
        "mine": mine,
        "can_manage": coordinator or mine,
        "coordinator": coordinator,
        "close_form": CloseForm(coordinator=coordinator),
        **forms,
    }
    return render(request, "support/relationship.html", context, status=status)


@program_view("support.manage_relationships")
@require_POST
def relationship_move(request: HttpRequest, program: Program, pk: int) -> HttpResponse:
    record = access.get_own_relationship(request, program, pk, page="relationship change")
    action = request.POST.get("action")
    form = CloseForm(request.POST, coordinator=_is_coordinator(request))
    try:
        if action == "start_closing":
            services.start_closing(actor=request.user, relationship=record, note=request.POST.get("note", ""))
            messages.success(request, "The relationship is closing. Record the closing conversation when you have it.")
        elif action == "reopen":
            from peerpath.support.lifecycle import move_relationship

            move_relationship(
                actor=request.user, relationship=record, to_state=RelationshipState.ACTIVE, reason="Closing called off"
            )
            messages.success(request, "The relationship is active again.")
        elif action == "close":
            if not form.is_valid():
                return _relationship_page(request, program, record, 400, close_form=form)
            services.close_relationship(actor=request.user, relationship=record, **form.cleaned_data)
            messages.success(request, "The relationship is closed.")
        else:
            messages.error(request, "Unknown action.")
    except ValidationError as error:
        add_service_errors(form, error)
        return _relationship_page(request, program, record, 400, close_form=form)
    return redirect("support:relationship", program.slug, record.pk)


@program_view("support.match")
@require_POST
def relationship_rematch(request: HttpRequest, program: Program, pk: int) -> HttpResponse:
    record = access.get_relationship(request, program, pk, page="rematch")
    try:
        participant_record = services.rematch(
            actor=request.user, relationship=record, note=request.POST.get("note", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("support:relationship", program.slug, record.pk)
    messages.success(request, f"{participant_record.reference} is back on the waiting list: choose a new supporter.")
    return redirect("support:participant_match", program.slug, participant_record.pk)


@program_view("support.declare_conflict")
@require_POST
def relationship_conflict(request: HttpRequest, program: Program, pk: int) -> HttpResponse:
    record = access.get_own_relationship(request, program, pk, page="declare conflict")
    services.declare_conflict(
        actor=request.user,
        supporter=record.supporter,
        participant=record.participant,
        reason=request.POST.get("reason", ""),
    )
    from peerpath.support.notify import coordinators, notify

    notify(
        program=program,
        users=coordinators(program),
        text=f"{record.supporter} declared that they know {record.participant.reference}: please rematch.",
        url=record.get_absolute_url(),
        relationship=record,
    )
    messages.success(request, "Conflict declared. The coordinator will arrange a rematch.")
    return redirect("support:relationship", program.slug, record.pk)


# --- Contacts ------------------------------------------------------------------------------


@program_view("support.log_contact")
def contact_new(request: HttpRequest, program: Program, pk: int) -> HttpResponse:
    record = access.get_own_relationship(request, program, pk, page="log contact")
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
    if draft is not None:
        initial.update({k: v for k, v in draft.values().items() if v not in (None, "")})
    form = ContactForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.log_contact(actor=request.user, relationship=record, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Contact logged.")
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
            "draft": draft,
            "draft_key": f"peerpath-draft-{request.user.pk}-{record.pk}",
        },
        status=status,
    )


@program_view("support.log_contact")
@require_POST
def contact_draft(request: HttpRequest, program: Program, pk: int) -> HttpResponse:
    """Autosave of the contact form (htmx): keeps the typed values, encrypted, for this supporter."""
    record = access.get_own_relationship(request, program, pk, page="contact draft")
    if request.POST.get("discard"):
        services.discard_draft(actor=request.user, relationship=record)
        return render(request, "support/_draft_status.html", {"discarded": True})
    values = {
        name: (request.POST.getlist(name) if name == "tasks" else request.POST.get(name, ""))
        for name in services.CONTACT_FIELDS
    }
    draft = services.save_draft(actor=request.user, relationship=record, values=values)
    return render(request, "support/_draft_status.html", {"draft": draft})


@program_view("support.correct_contact")
def contact_correct(request: HttpRequest, program: Program, pk: int) -> HttpResponse:
    contact = access.get_contact_to_correct(request, program, pk)
    form = CorrectionForm(request.POST or None, initial=ContactForm.initial_for(contact))
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "reason"}
        try:
            services.correct_contact(actor=request.user, contact=contact, data=data, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Contact corrected; the change is recorded under your name.")
            return redirect("support:relationship", program.slug, contact.relationship_id)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "support/contact_correct.html",
        {"program": program, "contact": contact, "relationship": contact.relationship, "form": form},
        status=status,
    )


# --- Concerns, crises, adverse events -------------------------------------------------------


@program_view("support.raise_concern")
def concern_new(request: HttpRequest, program: Program, pk: int) -> HttpResponse:
    record = access.get_own_relationship(request, program, pk, page="raise concern")
    kind = request.GET.get("kind") or request.POST.get("kind") or ConcernKind.CONCERN
    form = ConcernForm(request.POST or None, program=program, initial={"kind": kind})
    if request.method == "POST" and form.is_valid():
        try:
            concern = services.raise_concern(
                actor=request.user,
                relationship=record,
                kind=form.cleaned_data["kind"],
                answers=form.answers(),
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                "Your supervisor has been told and will get back to you."
                if concern.is_crisis
                else "Your concern was passed on to your supervisor.",
            )
            return redirect("support:concern", program.slug, concern.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "support/concern_form.html",
        {
            "program": program,
            "relationship": record,
            "form": form,
            "crisis": kind == ConcernKind.CRISIS,
            "protocol": _protocol(program),
        },
        status=status,
    )


def _protocol(program: Program) -> dict[str, Any]:
    row = get_settings(program)
    return {
        "steps": lines(row.crisis_steps),
        "emergency_number": row.emergency_number,
        "crisis_line": row.crisis_line,
        "referrals": lines(row.referral_options),
    }


@program_view("support.view_relationships")
def concern(request: HttpRequest, program: Program, pk: int) -> HttpResponse:
    record = access.get_concern(request, program, pk)
    return _concern_page(request, program, record)


def _concern_page(request: HttpRequest, program: Program, record: Any, status: int = 200, **forms: Any) -> Any:
    from peerpath.core.permissions import can_handle_concern

    context = {
        "program": program,
        "concern": record,
        "events": record.events.select_related("actor"),
        "protocol": _protocol(program),
        "can_handle": can_handle_concern(program, request.membership, request.user, record),
        "follow_up_form": FollowUpForm(program=program),
        "overdue": record.is_overdue(),
        **forms,
    }
    return render(request, "support/concern.html", context, status=status)


@program_view("support.view_concerns")
def concerns(request: HttpRequest, program: Program) -> HttpResponse:
    rows = list(queries.concerns_for(program, request.membership, request.user))
    if fmt := requested_format(request):
        return _download(request, program, fmt, "concerns", exports.concerns(rows, timezone.now()))
    services.record_list_view(
        actor=request.user, program=program, participants=[c.participant for c in rows], page="concerns"
    )
    return render(request, "support/concerns.html", {"program": program, "rows": rows, "now": timezone.now()})


@program_view("support.handle_concern")
@require_POST
def concern_acknowledge(request: HttpRequest, program: Program, pk: int) -> HttpResponse:
    record = access.get_concern(request, program, pk)
    from peerpath.core.permissions import can_handle_concern

    if not can_handle_concern(program, request.membership, request.user, record):
        return _concern_page(request, program, record, 403)
    try:
        services.acknowledge_concern(actor=request.user, concern=record)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Acknowledged. Record the follow-up when it is done.")
    return redirect("support:concern", program.slug, record.pk)


@program_view("support.handle_concern")
@require_POST
def concern_follow_up(request: HttpRequest, program: Program, pk: int) -> HttpResponse:
    record = access.get_concern(request, program, pk)
    form = FollowUpForm(request.POST, program=program)
    if form.is_valid():
        try:
            services.record_follow_up(actor=request.user, concern=record, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Follow-up recorded.")
            return redirect("support:concern", program.slug, record.pk)
    return _concern_page(request, program, record, 400, follow_up_form=form)


@program_view("support.record_adverse_event")
def adverse_event_new(request: HttpRequest, program: Program, pk: int) -> HttpResponse:
    record = access.get_relationship(request, program, pk, page="record adverse event")
    form = AdverseEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_adverse_event(actor=request.user, relationship=record, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Recorded. The supporter's supervisor and the coordinators have been told.")
            return redirect("support:relationship", program.slug, record.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "support/adverse_event_form.html",
        {"program": program, "relationship": record, "form": form},
        status=status,
    )


# --- Supporters: caseload, profiles, supervision -------------------------------------------


@program_view("support.view_caseload")
def caseload(request: HttpRequest, program: Program) -> HttpResponse:
    data = queries.caseload(program, request.user)
    if fmt := requested_format(request):
        table = exports.caseload(data["offers"], data["working"], data["closed"])
        return _download(request, program, fmt, "my participants", table)
    services.record_list_view(
        actor=request.user,
        program=program,
        participants=[r.participant for r in [*data["offers"], *data["working"]]],
        page="my participants",
    )
    return render(request, "support/caseload.html", {"program": program, **data})


@program_view("support.edit_own_profile")
def my_profile(request: HttpRequest, program: Program) -> HttpResponse:
    supporter = access.own_supporter_record(program, request.user)
    return _profile_page(request, program, supporter, own=True)


@program_view("support.edit_supporter_profiles")
def supporter_profile(request: HttpRequest, program: Program, pk: int) -> HttpResponse:
    supporter = access.get_active_supporter(program, pk)
    return _profile_page(request, program, supporter, own=False)


def _profile_page(request: HttpRequest, program: Program, supporter: Any, *, own: bool) -> HttpResponse:
    profile = eligibility.profile_of(supporter)
    form = ProfileForm(request.POST or None, program=program, initial=ProfileForm.initial_for(supporter, profile))
    if request.method == "POST" and form.is_valid():
        try:
            services.save_matching_profile(actor=request.user, supporter=supporter, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Matching profile saved.")
            return redirect("support:my_profile" if own else "support:supporters", program.slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "support/profile.html",
        {"program": program, "supporter": supporter, "form": form, "own": own, "profile": profile},
        status=status,
    )


@program_view("support.view_supporters")
def supporters(request: HttpRequest, program: Program) -> HttpResponse:
    data = queries.supporters_overview(program)
    if fmt := requested_format(request):
        return _download(request, program, fmt, "supporters", exports.supporters(data["rows"]))
    return render(request, "support/supporters.html", {"program": program, **data})


@program_view("support.supervise")
def supervision(request: HttpRequest, program: Program) -> HttpResponse:
    data = queries.supervision(program, request.user)
    if fmt := requested_format(request):
        return _download(request, program, fmt, "supervision", exports.supervision(data["relationships"]))
    services.record_list_view(
        actor=request.user,
        program=program,
        participants=[r.participant for r in data["relationships"]],
        page="supervision",
    )
    form = CoverForm(program=program, user=request.user)
    return render(request, "support/supervision.html", {"program": program, "cover_form": form, **data})


@program_view("support.supervise")
@require_POST
def cover_add(request: HttpRequest, program: Program) -> HttpResponse:
    form = CoverForm(request.POST, program=program, user=request.user)
    if form.is_valid():
        backup = program.memberships.filter(user_id=form.cleaned_data["backup"]).select_related("user").first()
        try:
            services.name_backup(
                actor=request.user,
                program=program,
                backup=backup.user if backup else None,
                starts_on=form.cleaned_data["starts_on"],
                ends_on=form.cleaned_data["ends_on"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Backup named.")
            return redirect("support:supervision", program.slug)
    data = queries.supervision(program, request.user)
    return render(request, "support/supervision.html", {"program": program, "cover_form": form, **data}, status=400)


@program_view("support.supervise")
@require_POST
def cover_end(request: HttpRequest, program: Program, pk: int) -> HttpResponse:
    cover = access.get_own_cover(program, request.user, pk)
    services.end_cover(actor=request.user, cover=cover)
    messages.success(request, "Cover ended.")
    return redirect("support:supervision", program.slug)


# --- Coordinator pages ---------------------------------------------------------------------


@program_view("support.view_attention")
def attention(request: HttpRequest, program: Program) -> HttpResponse:
    data = queries.attention(program)
    if fmt := requested_format(request):
        return _download(request, program, fmt, "needs attention", exports.attention(data))
    shown = [r.participant for r in [*data["unreachable"], *data["quiet"], *data["overdue"]]]
    services.record_list_view(actor=request.user, program=program, participants=shown, page="needs attention")
    return render(request, "support/attention.html", {"program": program, **data})


@program_view("support.edit_settings")
def support_settings(request: HttpRequest, program: Program) -> HttpResponse:
    row = get_settings(program)
    form = SupportSettingsForm(request.POST or None, instance=type(row).objects.get(pk=row.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_settings(
                actor=request.user, program=program, data={k: form.cleaned_data[k] for k in form.changed_data}
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Support settings saved.")
            return redirect("support:settings", program.slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "support/settings.html", {"program": program, "form": form}, status=status)


@program_view("program.home")
@require_POST
def notifications_read(request: HttpRequest, program: Program) -> HttpResponse:
    ids = [int(i) for i in request.POST.getlist("id") if i.isdigit()]
    services.mark_read(actor=request.user, program=program, notification_ids=ids or None)
    return redirect("programs:home", program.slug)
