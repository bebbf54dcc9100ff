"""What the notification pages read: a program's messages that could not be delivered."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from peerpath.core.models import EmailStatus
from peerpath.notifications.models import Channel, Delivery, DeliveryStatus
from peerpath.programs.models import Program


def failed_deliveries(program: Program) -> QuerySet[Delivery]:
    """The program's texts that failed after every attempt, and its e-mails the outbox could not
    deliver, newest first, with what the page shows loaded in the same statement."""
    failed = Q(status=DeliveryStatus.FAILED) | Q(channel=Channel.EMAIL, email__status=EmailStatus.UNDELIVERED)
    return (
        Delivery.objects.filter(program=program)
        .filter(failed)
        .select_related("notice__user", "recipient", "email")
        .order_by("-created_at", "-pk")
    )
