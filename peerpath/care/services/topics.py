"""Refresher topics gathered from debriefs and training feedback."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peerpath.care.models import (
    TopicPlan,
)
from peerpath.core import audit
from peerpath.core.models import User
from peerpath.programs.models import Program
from peerpath.training.services import create_refresher_event


def plan_refresher(
    *,
    actor: User,
    program: Program,
    topic_key: str,
    label: str,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    location: str,
    description: str = "",
    credited_hours: Decimal | int = 0,
) -> TopicPlan:
    """Turn a suggested topic into a refresher event in training, in one step.

    Rules: the event ends after it starts and is in the future.
    Mentions of the topic up to now count as covered and leave the suggested agenda.
    """
    errors = {}
    if ends_at <= starts_at:
        errors["ends_at"] = _("The event must end after it starts.")
    if starts_at < timezone.now():
        errors["starts_at"] = _("Plan the event for a time in the future.")
    if not topic_key.strip():
        errors["topic_key"] = _("Choose a suggested topic.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        event = create_refresher_event(
            actor=actor,
            program=program,
            title=title,
            starts_at=starts_at,
            ends_at=ends_at,
            location=location,
            description=description,
            credited_hours=credited_hours,
        )
        plan = TopicPlan.objects.create(
            program=program,
            topic_key=topic_key[:300],
            label=label[:300],
            event_label=str(event)[:300],
            event_id=str(getattr(event, "pk", "") or ""),
            planned_by=actor,
        )
        audit.record(actor=actor, program=program, action="topic.plan_refresher", target=plan, note=str(event))
    return plan
