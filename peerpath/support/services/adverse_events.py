"""Hard events in a caseload (hospitalised, relapsed, died)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peerpath.core import audit
from peerpath.core.actors import Actor
from peerpath.core.languages import later
from peerpath.programs.signals import adverse_event_recorded
from peerpath.support.access import Write, check_write
from peerpath.support.models import (
    AdverseEvent,
    AdverseKind,
    SupportRelationship,
)
from peerpath.support.notify import coordinators, notify, on_call_for
from peerpath.support.services.common import acting_user


def record_adverse_event(
    *, actor: Actor, relationship: SupportRelationship, kind: str, occurred_at: dt.datetime, notes: str = ""
) -> AdverseEvent:
    """Record a hard event in a supporter's caseload: hospitalised, relapsed or died.

    Rules: on a working relationship (active or closing; `support.access.VISIBILITY`); one of
    the three kinds; not in the future. Kept for reports and announced to
    supporter care (so the supporter is checked on); the supervisor and coordinators are told.
    """
    check_write(relationship, Write.HARD_EVENT)
    if kind not in AdverseKind.values:
        raise ValidationError({"kind": _("Choose what happened.")})
    if occurred_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({"occurred_at": _("This cannot be in the future.")})
    program = relationship.program
    with transaction.atomic():
        event = AdverseEvent.objects.create(
            program=program,
            supporter=relationship.supporter,
            participant=relationship.participant,
            relationship=relationship,
            kind=kind,
            occurred_at=occurred_at,
            notes=notes,
            recorded_by=acting_user(actor),
        )
        audit.record(actor=actor, program=program, action=f"adverse_event.{kind}", target=event)
        on_call, _chain = on_call_for(program, relationship.supporter)
        notify(
            program=program,
            users=[*on_call, *coordinators(program)],
            text=later(
                gettext_lazy(
                    "%(kind)s: %(reference)s, in %(supporter)s's caseload. Please check in with the supporter."
                ),
                kind=AdverseKind(event.kind).label,
                reference=relationship.participant.reference,
                supporter=relationship.supporter,
            ),
            url=relationship.get_absolute_url(),
            relationship=relationship,
        )
        adverse_event_recorded.send(
            sender=AdverseEvent,
            program=program,
            supporter=relationship.supporter,
            kind=kind,
            occurred_at=occurred_at,
            event=event,
        )
    return event
