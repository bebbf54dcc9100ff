"""Concerns and crises: raising, acknowledging, following up and escalating."""

from __future__ import annotations

import datetime as dt
import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from peerpath.core import audit
from peerpath.core.actors import Actor, SystemActor
from peerpath.core.models import User
from peerpath.programs.models import Membership
from peerpath.programs.signals import adverse_event_recorded
from peerpath.support.access import Write, check_write, may_handle_concern
from peerpath.support.defaults import get_settings
from peerpath.support.lifecycle import move_concern, record_concern_event
from peerpath.support.models import (
    Concern,
    ConcernKind,
    ConcernState,
    Notification,
    SupportRelationship,
)
from peerpath.support.notify import coordinators, notify, on_call_for
from peerpath.support.services.common import acting_user

# PeerPath itself in a concern's history (who was notified, the escalation) and in the audit log.
PEERPATH = SystemActor("PeerPath")
ESCALATION = SystemActor("PeerPath (escalation)")


def raise_concern(
    *, actor: Actor, relationship: SupportRelationship, kind: str, answers: list[tuple[str, str]], notes: str
) -> Concern:
    """A supporter raises a concern about a participant, or a crisis.

    Rules: on a working relationship (active or closing; `support.access.VISIBILITY`). The
    on-call person (the supporter's supervisor, their backup while covering, else the
    coordinators) is notified in the app and by e-mail. A
    crisis must be acknowledged within the program's time or it escalates to the
    coordinators (a delayed task, and the pages compute overdue from the data); a crisis
    is also announced to supporter care as a hard event.
    """
    if kind not in ConcernKind.values:
        raise ValidationError({"kind": "Choose concern or crisis."})
    check_write(relationship, Write.CONCERN)
    program = relationship.program
    settings_row = get_settings(program)
    now = timezone.now()
    on_call, how = on_call_for(program, relationship.supporter, now)
    with transaction.atomic():
        concern = Concern.objects.create(
            program=program,
            relationship=relationship,
            participant=relationship.participant,
            supporter=relationship.supporter,
            kind=kind,
            raised_by=acting_user(actor),
            raised_at=now,
            answers=json.dumps([[q, a] for q, a in answers]),
            notes=notes,
            on_call=on_call[0] if len(on_call) == 1 else None,
            acknowledge_by=now + dt.timedelta(minutes=settings_row.crisis_ack_minutes)
            if kind == ConcernKind.CRISIS
            else None,
        )
        record_concern_event(actor=actor, concern=concern, action="raised", detail=concern.get_kind_display())
        record_concern_event(actor=PEERPATH, concern=concern, action="notified", detail=f"Notified {how}"[:300])
        audit.record(actor=actor, program=program, action=f"concern.raise_{kind}", target=concern)
        label = "CRISIS" if kind == ConcernKind.CRISIS else "Concern"
        notify(
            program=program,
            users=on_call,
            text=f"{label}: {relationship.supporter} raised a {concern.get_kind_display().lower()} about "
            f"{relationship.participant.reference}. Please acknowledge.",
            url=concern.get_absolute_url(),
            urgent=kind == ConcernKind.CRISIS,
            email_template="support/email/crisis" if kind == ConcernKind.CRISIS else "support/email/notice",
            context={
                "subject": f"{label} raised by {relationship.supporter}",
                "minutes": settings_row.crisis_ack_minutes,
            },
            concern=concern,
        )
        if kind == ConcernKind.CRISIS:
            _schedule_escalation(concern)
            adverse_event_recorded.send(
                sender=Concern,
                program=program,
                supporter=relationship.supporter,
                kind="crisis",
                occurred_at=now,
                event=concern,
            )
    return concern


def add_concern_details(*, actor: User, concern: Concern, answers: list[tuple[str, str]], notes: str) -> Concern:
    """The person who raised a concern or crisis adds what they know after sending it.

    A crisis is sent with one tap and described afterwards. Rules: only the person who raised
    it, only until it is followed up and while the relationship is open, and something must
    be said. A new answer replaces the
    earlier one to the same question (an empty one keeps it); notes are added to the earlier
    notes. Whoever answers for the supporter now is told in the app (and the coordinators,
    once it was escalated to them).
    """
    if concern.raised_by_id != actor.pk:
        raise PermissionDenied("Only the person who raised it adds details.")
    if concern.state == ConcernState.RESOLVED:
        raise ValidationError("This has been followed up already; talk to your supervisor.")
    check_write(concern.relationship, Write.CONCERN)
    given = [(q, a.strip()) for q, a in answers if a.strip()]
    notes = notes.strip()
    if not given and not notes:
        raise ValidationError("Answer a question or write what happened.")
    with transaction.atomic():
        concern = Concern.objects.select_for_update().get(pk=concern.pk)
        merged = dict(concern.answer_pairs())
        merged.update(given)
        order = [q for q, _ in answers] + [q for q in merged if q not in {q for q, _ in answers}]
        concern.answers = json.dumps([[q, merged[q]] for q in order if q in merged])
        if notes:
            concern.notes = f"{concern.notes}\n\n{notes}".strip() if concern.notes else notes
        concern.save(update_fields=["answers", "notes"])
        record_concern_event(actor=actor, concern=concern, action="details added")
        audit.record(
            actor=actor,
            program=concern.program,
            action="concern.add_details",
            target=concern,
            changes={"answers": ["", len(given)], "notes": ["", bool(notes)]},
        )
        on_call, _how = on_call_for(concern.program, concern.supporter, timezone.now())
        people = on_call + (coordinators(concern.program) if concern.escalated_at else [])
        notify(
            program=concern.program,
            users=[u for u in people if u.pk != actor.pk],
            text=f"{actor} added details to the {concern.get_kind_display().lower()} "
            f"about {concern.participant.reference}.",
            url=concern.get_absolute_url(),
            urgent=concern.is_crisis and concern.state == ConcernState.OPEN,
            concern=concern,
        )
    return concern


def _schedule_escalation(concern: Concern) -> None:
    from peerpath.support.tasks import escalate_crisis  # tasks imports this module

    if concern.acknowledge_by is None:
        return
    if escalate_crisis.get_backend().supports_defer:
        transaction.on_commit(
            lambda: escalate_crisis.using(run_after=concern.acknowledge_by).enqueue(concern_id=concern.pk)
        )
    # Backends without delays (tests' immediate backend) rely on the periodic sweep and the
    # pages, which compute "overdue" from acknowledge_by.


def _require_handler(actor: User, concern: Concern) -> None:
    """Hold the pages' rule (`support.access.may_handle_concern`) for every caller of a handling service."""
    membership = Membership.objects.current().filter(program_id=concern.program_id, user=actor).first()
    if not may_handle_concern(concern.program, membership, actor, concern):
        raise PermissionDenied("Only the coordinators or the supervisor overseeing the supporter handle this concern.")


def acknowledge_concern(*, actor: User, concern: Concern) -> Concern:
    """The on-call supervisor (or a coordinator) takes the concern on.

    Rules: once; only someone who may handle it (`support.access.may_handle_concern`: never the
    supporter who raised it).
    """
    _require_handler(actor, concern)
    with transaction.atomic():
        move_concern(actor=actor, concern=concern, to_state=ConcernState.ACKNOWLEDGED, detail="Acknowledged")
        Notification.objects.filter(concern=concern, read_at__isnull=True).update(read_at=timezone.now())
        supporter_user = concern.supporter.user
        notify(
            program=concern.program,
            users=[supporter_user] if supporter_user else [],
            text=f"{actor} acknowledged your {concern.get_kind_display().lower()} "
            f"about {concern.participant.reference}.",
            url=concern.get_absolute_url(),
            concern=concern,
        )
    return concern


def record_follow_up(*, actor: User, concern: Concern, follow_up: str, referral: str = "") -> Concern:
    """Record what was done after a concern or crisis, closing the chain.

    Rules: only someone who may handle it (`support.access.may_handle_concern`: never the
    supporter who raised it); acknowledged first; a description of the follow-up is required;
    the referral, if any, is one of the program's referral options.
    """
    _require_handler(actor, concern)
    if concern.state != ConcernState.ACKNOWLEDGED:
        raise ValidationError("Acknowledge the concern before recording the follow-up.")
    if not follow_up.strip():
        raise ValidationError({"follow_up": "Describe the follow-up."})
    options = get_settings(concern.program).referral_options.splitlines()
    if referral and referral not in [o.strip() for o in options]:
        raise ValidationError({"referral": "Choose one of the program's referral options."})
    with transaction.atomic():
        concern.follow_up, concern.referral = follow_up, referral
        concern.followed_up_by, concern.followed_up_at = actor, timezone.now()
        concern.save(update_fields=["follow_up", "referral", "followed_up_by", "followed_up_at"])
        move_concern(
            actor=actor,
            concern=concern,
            to_state=ConcernState.RESOLVED,
            detail=f"Follow-up recorded{'; referred: ' + referral if referral else ''}",
        )
    return concern


def escalate_if_unacknowledged(*, concern_id: int, now: dt.datetime | None = None) -> bool:
    """Escalate a crisis to the coordinators when nobody acknowledged it in time.

    Re-checks the state first (it may have been acknowledged meanwhile, or escalated by
    the sweep); returns whether it escalated.
    """
    now = now or timezone.now()
    with transaction.atomic():
        concern = (
            Concern.objects.select_for_update()
            .select_related("participant", "supporter", "program")
            .filter(pk=concern_id)
            .first()
        )
        if concern is None or concern.escalated_at is not None or not concern.is_overdue(now):
            return False
        concern.escalated_at = now
        concern.save(update_fields=["escalated_at"])
        people = coordinators(concern.program)
        record_concern_event(
            actor=PEERPATH,
            concern=concern,
            action="escalated",
            detail=f"Not acknowledged in time; escalated to {len(people)} coordinator{'s' if len(people) != 1 else ''}",
        )
        audit.record(actor=ESCALATION, program=concern.program, action="concern.escalate", target=concern)
        notify(
            program=concern.program,
            users=people,
            text=f"ESCALATED CRISIS: nobody has acknowledged the crisis about {concern.participant.reference} "
            f"raised by {concern.supporter}.",
            url=concern.get_absolute_url(),
            urgent=True,
            email_template="support/email/crisis",
            context={"subject": f"Escalated: crisis raised by {concern.supporter} not acknowledged", "escalated": True},
            concern=concern,
        )
    return True
