"""Support's retention rules (registered with peerpath.programs.retention): closed participant
records, erased as on an erasure request once the program's period has passed since their last
relationship closed, and contact drafts nobody saved."""

from __future__ import annotations

import datetime as dt

from django.db.models import DateTimeField, F, Max, QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from peerpath.programs.models import Program
from peerpath.programs.retention import RETENTION, Rule, Upcoming, register_rule
from peerpath.support.models import OPEN_STATES, ContactDraft, Participant, ParticipantStatus
from peerpath.support.services import participants as services

LISTED = 50  # participants listed by reference on the retention page (the count covers all)


def closed_participants(program: Program, before: dt.datetime) -> QuerySet[Participant]:
    """Participants whose support ended before ``before``: status ended, nothing open, and their
    last relationship closed (or, with none, their request came) before that moment."""
    return (
        Participant.objects.filter(program=program, status=ParticipantStatus.ENDED)
        .exclude(relationships__state__in=OPEN_STATES)
        .annotate(closed_on=Coalesce(Max("relationships__closed_at"), "waiting_since", output_field=DateTimeField()))
        .filter(closed_on__lt=before)
    )


def _due_participants(program: Program, before: dt.datetime) -> int:
    return closed_participants(program, before).count()


def _erase_participants(program: Program, before: dt.datetime) -> int:
    ids = list(closed_participants(program, before).values_list("pk", flat=True))
    return services.erase_closed_participants(actor=RETENTION, program=program, participant_ids=ids)


def _upcoming_participants(program: Program, before: dt.datetime, days: int) -> list[Upcoming]:
    rows = closed_participants(program, before).select_related("program").order_by(F("closed_on").asc(), "pk")[:LISTED]
    return [
        Upcoming(p.reference, p.get_absolute_url(), (p.closed_on + dt.timedelta(days=days)).date())  # type: ignore[attr-defined]
        for p in rows
    ]


def _due_drafts(program: Program, before: dt.datetime) -> int:
    return ContactDraft.objects.filter(relationship__program=program, updated_at__lt=before).count()


def _delete_drafts(program: Program, before: dt.datetime) -> int:
    return services.delete_abandoned_drafts(actor=RETENTION, program=program, before=before)


def register() -> None:
    register_rule(
        Rule(
            key="closed_participants",
            label=_("Closed participant records (erased; anonymous counts kept)"),
            field="closed_participant_days",
            due=_due_participants,
            remove=_erase_participants,
            items=_upcoming_participants,
        )
    )
    register_rule(
        Rule(
            key="abandoned_drafts",
            label=_("Abandoned contact drafts"),
            field="draft_days",
            due=_due_drafts,
            remove=_delete_drafts,
        )
    )
