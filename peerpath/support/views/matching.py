"""Finding a supporter for a participant, and batch matching the waiting list."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext
from django.views.decorators.http import require_POST

from peerpath.core.exports import requested_format
from peerpath.core.idempotency import creates_once
from peerpath.core.permissions import program_view
from peerpath.programs.http import ProgramRequest
from peerpath.programs.models import FocusArea, Program
from peerpath.support import access, eligibility, exports, matching
from peerpath.support.defaults import get_settings
from peerpath.support.models import (
    MatchRun,
    MatchRunState,
    ParticipantStatus,
    RelationshipState,
)
from peerpath.support.services import matches
from peerpath.support.services import participants as support_participants
from peerpath.support.views.common import download_list


@program_view("support.match")
@creates_once
def participant_match(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    record = access.get_participant(request, program, pk, page=gettext_noop("matching"))
    if request.method == "POST":
        supporter = get_object_or_404(program.supporters, pk=request.POST.get("supporter") or 0)
        try:
            relationship = matches.propose_match(actor=request.user, participant=record, supporter=supporter)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return _match_page(request, program, record, status=400)
        messages.success(
            request, _("Offered to %(supporter)s; they will accept or decline.") % {"supporter": supporter.full_name}
        )
        return redirect("support:relationship", program.slug, relationship.pk)
    return _match_page(request, program, record)


def _match_page(request: ProgramRequest, program: Program, record: Any, status: int = 200) -> HttpResponse:
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
@creates_once
def batch(request: ProgramRequest, program: Program) -> HttpResponse:
    if request.method == "POST":
        run = matches.run_batch_match(actor=request.user, program=program)
        messages.success(
            request, _("The batch match is ready for your review. Nothing is offered until you publish it.")
        )
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
            "objective": matching.OBJECTIVE,
            "prune_above": f"{matching.PRUNE_ABOVE:,}",
            "keep_best": matching.KEEP_BEST,
            "per_place": matching.SEED_PER_PLACE,
        },
    )


@program_view("support.match")
def batch_run(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    run = access.get_match_run(program, pk)
    proposals = list(run.proposals.select_related("participant", "supporter"))
    left_over = list(run.left_over.select_related("participant"))
    if fmt := requested_format(request):
        return download_list(request, program, fmt, f"batch-match-{run.pk}", exports.match_run(proposals, left_over))
    support_participants.record_list_view(
        actor=request.user,
        program=program,
        participants=[p.participant for p in proposals] + [p.participant for p in left_over],
        page=gettext_noop("batch match review"),
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
def batch_publish(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    run = access.get_match_run(program, pk)
    try:
        made, skipped = matches.publish_match_run(actor=request.user, run=run)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            ngettext(
                "%(count)s match offer sent to supporters.", "%(count)s match offers sent to supporters.", len(made)
            )
            % {"count": len(made)},
        )
        for line in skipped:
            messages.warning(request, _("Not offered: %(line)s") % {"line": line})
    return redirect("support:batch_run", program.slug, run.pk)


@program_view("support.match")
@require_POST
def batch_discard(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    run = access.get_match_run(program, pk)
    try:
        matches.discard_match_run(actor=request.user, run=run)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Batch match discarded."))
    return redirect("support:batch", program.slug)
