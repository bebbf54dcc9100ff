"""Concerns and crises: raising, acknowledging, following up and escalating."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peerpath.core import audit
from peerpath.core.actors import Actor, SystemActor
from peerpath.core.languages import later, lowered
from peerpath.core.models import User
from peerpath.notifications import paging
from peerpath.notifications import services as notifications
from peerpath.programs.models import Membership, Program
from peerpath.programs.signals import adverse_event_recorded
from peerpath.recruitment.models import Supporter
from peerpath.support import extensions
from peerpath.support.access import Write, check_write, may_handle_concern
from peerpath.support.defaults import get_settings
from peerpath.support.lifecycle import move_concern, record_concern_event
from peerpath.support.models import (
    Concern,
    ConcernKind,
    ConcernState,
    Participant,
    SupportRelationship,
)
from peerpath.support.notify import notify, on_call_for
from peerpath.support.oncall import Step, alert_channels, crisis_chain, step_minutes
from peerpath.support.services.common import acting_user

# PeerPath itself in a concern's history (who was notified, the escalation) and in the audit log.
PEERPATH = SystemActor("PeerPath")
ESCALATION = SystemActor("PeerPath (escalation)")


def raise_concern(
    *, actor: Actor, relationship: SupportRelationship, kind: str, answers: list[tuple[str, str]], notes: str
) -> Concern:
    """A supporter raises a concern about a participant, or a crisis.

    Rules: on a working relationship (active or closing; `support.access.VISIBILITY`). A
    concern goes to the on-call person (the supporter's supervisor, their backup while
    covering, else the coordinators), in the app and by e-mail. A crisis alerts the first step
    of the on-call chain (`support.oncall.crisis_chain`) through every alert channel and must
    be acknowledged within the program's time, or the chain is walked step by step
    (`escalate_if_due`, run by whoever notices first: a delayed task, the scheduler, a worker, a
    staff page view; the pages compute overdue from the data); a crisis is also announced to
    supporter care as a hard event.
    """
    if kind not in ConcernKind.values:
        raise ValidationError({"kind": _("Choose concern or crisis.")})
    check_write(relationship, Write.CONCERN)
    return _raise(
        actor=actor,
        participant=relationship.participant,
        supporter=relationship.supporter,
        relationship=relationship,
        setting="",
        kind=kind,
        answers=answers,
        notes=notes,
    )


def raise_concern_outside_relationship(
    *,
    actor: Actor,
    participant: Participant,
    supporter: Supporter,
    kind: str,
    answers: list[tuple[str, str]],
    notes: str,
) -> Concern:
    """A supporter raises a concern or crisis about someone they work with outside a support
    relationship (a member of a group they facilitate).

    Rules: the same program; grounds registered by the app that knows where they work together
    (`support.extensions.concern_grounds`; the groups app: an active member of a group the
    supporter leads or co-facilitates, or of a session they took as cover), recorded as the
    concern's ``setting``; a participant whose support has ended is still someone to worry about.
    Then exactly as `raise_concern`: the same on-call person or on-call chain (from the raising
    supporter), deadlines, escalation, notifications, hard event and audit entry.
    """
    if kind not in ConcernKind.values:
        raise ValidationError({"kind": _("Choose concern or crisis.")})
    if participant.program_id != supporter.program_id:
        raise PermissionDenied(_("Not a participant of this program."))
    setting = extensions.concern_grounds(participant, supporter)
    if not setting:
        raise PermissionDenied(_("You do not work with this participant."))
    return _raise(
        actor=actor,
        participant=participant,
        supporter=supporter,
        relationship=None,
        setting=setting[:200],
        kind=kind,
        answers=answers,
        notes=notes,
    )


def _raise(
    *,
    actor: Actor,
    participant: Participant,
    supporter: Supporter,
    relationship: SupportRelationship | None,
    setting: str,
    kind: str,
    answers: list[tuple[str, str]],
    notes: str,
) -> Concern:
    program = participant.program
    settings_row = get_settings(program)
    now = timezone.now()
    crisis = kind == ConcernKind.CRISIS
    first: Step | None = None
    if crisis:
        first = next(crisis_chain(program, supporter, settings_row, now), None)
        on_call = [first.user] if first else []
        how = first.describe() if first else _("nobody: the program has no supervisor or coordinator on call")
    else:
        on_call, how = on_call_for(program, supporter, now)
    deadline = now + dt.timedelta(minutes=settings_row.crisis_ack_minutes)
    with transaction.atomic():
        concern = Concern.objects.create(
            program=program,
            relationship=relationship,
            setting=setting,
            participant=participant,
            supporter=supporter,
            kind=kind,
            raised_by=acting_user(actor),
            raised_at=now,
            answers=json.dumps([[q, a] for q, a in answers]),
            notes=notes,
            on_call=on_call[0] if len(on_call) == 1 else None,
            acknowledge_by=deadline if crisis else None,
            alerted=[_alerted(first, now, deadline)] if first else [],
            next_step_at=deadline if crisis else None,
        )
        record_concern_event(actor=actor, concern=concern, action="raised", detail=concern.get_kind_display())
        record_concern_event(actor=PEERPATH, concern=concern, action="notified", detail=f"Notified {how}"[:300])
        audit.record(
            actor=actor,
            program=program,
            action=f"concern.raise_{kind}",
            target=concern,
            note=f"outside a relationship: {setting}" if relationship is None else "",
        )
        if first is not None:
            for channel in alert_channels():
                channel(concern=concern, step=first, number=0, deadline=deadline)
        else:
            notify(
                program=program,
                users=on_call,
                text=later(
                    gettext_lazy("Concern: %(supporter)s raised a concern about %(reference)s. Please acknowledge."),
                    supporter=supporter,
                    reference=participant.reference,
                ),
                url=concern.get_absolute_url(),
                email_template="support/email/notice",
                context={"subject": later(gettext_lazy("Concern raised by %(supporter)s"), supporter=supporter)},
                concern=concern,
            )
        if crisis:
            _schedule_escalation(concern)
            adverse_event_recorded.send(
                sender=Concern,
                program=program,
                supporter=supporter,
                kind="crisis",
                occurred_at=now,
                event=concern,
            )
    return concern


def _alerted(step: Step, at: dt.datetime, until: dt.datetime) -> dict[str, Any]:
    return {
        "user": step.user.pk,
        "name": str(step.user),
        "reason": step.reason,
        "at": at.isoformat(),
        "until": until.isoformat(),
    }


def alert_on_call(*, concern: Concern, step: Step, number: int, deadline: dt.datetime) -> None:
    """The crisis alert: a ``support.crisis`` message to the step's person, in the app, by e-mail and
    as a text page repeated until acknowledged (`peerpath.notifications.paging`), as they chose.
    A later step ends the pages of the steps before it: the chain has moved on."""
    minutes = max(1, round((deadline - timezone.now()).total_seconds() / 60))
    about = f"support.concern:{concern.pk}"
    if number:
        paging.end(about=about, reason="the on-call chain moved on")
    notify(
        program=concern.program,
        users=[step.user],
        text="",
        url=concern.get_absolute_url(),
        kind="support.crisis",
        context={
            "supporter": str(concern.supporter),
            "reference": concern.participant.reference,
            "escalated": number > 0,
            "minutes": minutes,
        },
        concern=concern,
    )


def acknowledge_by_page(user: User, about: str) -> None:
    """A crisis page acknowledged by reply or link: the crisis is acknowledged by that person,
    under the same rules as on its page (`acknowledge_concern`)."""
    concern = Concern.objects.select_related("program", "supporter", "participant").get(pk=int(about.split(":")[1]))
    if concern.state == ConcernState.OPEN:
        acknowledge_concern(actor=user, concern=concern)


def add_concern_details(*, actor: User, concern: Concern, answers: list[tuple[str, str]], notes: str) -> Concern:
    """The person who raised a concern or crisis adds what they know after sending it.

    A crisis is sent with one tap and described afterwards. Rules: only the person who raised
    it, only until it is followed up and, for a concern in a relationship, while the
    relationship is open; and something must be said. A new answer replaces the
    earlier one to the same question (an empty one keeps it); notes are added to the earlier
    notes. Whoever answers for the supporter now is told in the app, and everyone a crisis
    was alerted to along its on-call chain.
    """
    if concern.raised_by_id != actor.pk:
        raise PermissionDenied(_("Only the person who raised it adds details."))
    if concern.state == ConcernState.RESOLVED:
        raise ValidationError(_("This has been followed up already; talk to your supervisor."))
    if concern.relationship is not None:
        check_write(concern.relationship, Write.CONCERN)
    given = [(q, a.strip()) for q, a in answers if a.strip()]
    notes = notes.strip()
    if not given and not notes:
        raise ValidationError(_("Answer a question or write what happened."))
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
        alerted = [entry["user"] for entry in concern.alerted]
        people = on_call + (list(User.objects.filter(pk__in=alerted)) if alerted else [])
        notify(
            program=concern.program,
            users=[u for u in people if u.pk != actor.pk],
            text=later(
                gettext_lazy("%(actor)s added details to the %(kind)s about %(reference)s."),
                actor=actor,
                kind=lowered(ConcernKind(concern.kind).label),
                reference=concern.participant.reference,
            ),
            url=concern.get_absolute_url(),
            urgent=concern.is_crisis and concern.state == ConcernState.OPEN,
            concern=concern,
        )
    return concern


def _schedule_escalation(concern: Concern) -> None:
    from peerpath.support.tasks import escalate_crisis  # tasks imports this module

    when = concern.next_step_at
    if when is None:
        return
    if escalate_crisis.get_backend().supports_defer:
        transaction.on_commit(lambda: escalate_crisis.using(run_after=when).enqueue(concern_id=concern.pk))
    # Backends without delays (tests' immediate backend) rely on the periodic sweep and the
    # pages, which compute "overdue" from acknowledge_by.


def _require_handler(actor: User, concern: Concern) -> None:
    """Hold the pages' rule (`support.access.may_handle_concern`) for every caller of a handling service."""
    membership = Membership.objects.current().filter(program_id=concern.program_id, user=actor).first()
    if not may_handle_concern(concern.program, membership, actor, concern):
        raise PermissionDenied(
            _("Only the coordinators or the supervisor overseeing the supporter handle this concern.")
        )


def acknowledge_concern(*, actor: User, concern: Concern) -> Concern:
    """The on-call supervisor (or a coordinator) takes the concern on.

    Rules: once; only someone who may handle it (`support.access.may_handle_concern`: never the
    supporter who raised it).
    """
    _require_handler(actor, concern)
    with transaction.atomic():
        move_concern(actor=actor, concern=concern, to_state=ConcernState.ACKNOWLEDGED, detail="Acknowledged")
        about = f"support.concern:{concern.pk}"
        notifications.mark_read_about(about)
        paging.end(about=about, reason=f"acknowledged by {actor}")
        supporter_user = concern.supporter.user
        notify(
            program=concern.program,
            users=[supporter_user] if supporter_user else [],
            text=later(
                gettext_lazy("%(actor)s acknowledged your %(kind)s about %(reference)s."),
                actor=actor,
                kind=lowered(ConcernKind(concern.kind).label),
                reference=concern.participant.reference,
            ),
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
        raise ValidationError(_("Acknowledge the concern before recording the follow-up."))
    if not follow_up.strip():
        raise ValidationError({"follow_up": _("Describe the follow-up.")})
    options = get_settings(concern.program).referral_options.splitlines()
    if referral and referral not in [o.strip() for o in options]:
        raise ValidationError({"referral": _("Choose one of the program's referral options.")})
    with transaction.atomic():
        concern.follow_up, concern.referral = follow_up, referral
        concern.followed_up_by, concern.followed_up_at = actor, timezone.now()
        concern.save(update_fields=["follow_up", "referral", "followed_up_by", "followed_up_at"])
        move_concern(
            actor=actor,
            concern=concern,
            to_state=ConcernState.RESOLVED,
            detail=_("Follow-up recorded; referred: %(referral)s") % {"referral": referral}
            if referral
            else _("Follow-up recorded"),
        )
    return concern


def escalate_if_due(*, concern_id: int, noticed_by: str, now: dt.datetime | None = None) -> bool:
    """Take the next step of a crisis's on-call chain when its current step's deadline has passed.

    Whoever notices first calls this (the scheduler, a worker, a staff page view; ``noticed_by``
    says which): the concern row is locked (select_for_update; on SQLite the transaction takes the
    write lock at once) and every condition re-checked under the lock, so two noticers never take
    the same step twice. The next step alerts the first person of the chain
    (`support.oncall.crisis_chain`, computed now) not alerted yet, through every alert channel,
    with its own deadline; when nobody is left the chain is recorded as exhausted and the crisis
    stays overdue on the pages. Each step is a concern event and an audit entry. Returns whether
    a step was taken.
    """
    now = now or timezone.now()
    with transaction.atomic():
        concern = (
            Concern.objects.select_for_update()
            .select_related("participant", "supporter", "program")
            .filter(pk=concern_id)
            .first()
        )
        if (
            concern is None
            or concern.state != ConcernState.OPEN
            or concern.next_step_at is None
            or now < concern.next_step_at
        ):
            return False
        settings_row = get_settings(concern.program)
        done = {entry["user"] for entry in concern.alerted}
        step = next(
            (s for s in crisis_chain(concern.program, concern.supporter, settings_row, now) if s.user.pk not in done),
            None,
        )
        number = len(concern.alerted)
        if step is None:
            concern.next_step_at = None
            concern.save(update_fields=["next_step_at"])
            record_concern_event(
                actor=ESCALATION,
                concern=concern,
                action="escalation ended",
                detail=_(
                    "Everyone on the on-call chain was alerted and nobody acknowledged (noticed by %(noticed_by)s)"
                )
                % {"noticed_by": noticed_by},
            )
            audit.record(
                actor=ESCALATION,
                program=concern.program,
                action="concern.escalation_ended",
                target=concern,
                changes={"step": [number, number]},
                note=f"noticed by {noticed_by}",
            )
            return True
        deadline = now + dt.timedelta(minutes=step_minutes(settings_row, number))
        concern.alerted = [*concern.alerted, _alerted(step, now, deadline)]
        concern.next_step_at = deadline
        concern.escalated_at = concern.escalated_at or now
        concern.save(update_fields=["alerted", "next_step_at", "escalated_at"])
        record_concern_event(
            actor=ESCALATION,
            concern=concern,
            action="escalated",
            detail=_(
                "Step %(number)s: not acknowledged in time; alerted %(describe)s, to acknowledge by %(time)s "
                "(noticed by %(noticed_by)s)"
            )
            % {
                "number": number + 1,
                "describe": step.describe(),
                "time": time_format(timezone.localtime(deadline), "TIME_FORMAT"),
                "noticed_by": noticed_by,
            },
        )
        audit.record(
            actor=ESCALATION,
            program=concern.program,
            action="concern.escalate",
            target=concern,
            changes={"step": [number, number + 1], "alerted": ["", str(step.user)]},
            note=f"noticed by {noticed_by}",
        )
        for channel in alert_channels():
            channel(concern=concern, step=step, number=number, deadline=deadline)
        _schedule_escalation(concern)
    return True


def escalate_overdue(*, noticed_by: str, program: Program | None = None, now: dt.datetime | None = None) -> int:
    """Take the due step of every crisis (of one program, or all) whose step deadline has passed.

    One indexed query when nothing is due, so every noticer may call it often. Each crisis is
    escalated in its own short transaction (`escalate_if_due`). Returns the steps taken."""
    now = now or timezone.now()
    due = Concern.objects.filter(state=ConcernState.OPEN, next_step_at__lte=now)
    if program is not None:
        due = due.filter(program=program)
    ids = list(due.order_by("next_step_at").values_list("pk", flat=True)[:50])
    return sum(escalate_if_due(concern_id=pk, noticed_by=noticed_by, now=now) for pk in ids)
