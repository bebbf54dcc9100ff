"""Read-only queries for the programs app's pages."""

from __future__ import annotations

from django.db.models import QuerySet

from peerpath.core.models import EmailStatus, OutgoingEmail
from peerpath.programs.models import Program


def undelivered_emails(program: Program) -> QuerySet[OutgoingEmail]:
    """The program's e-mails that could not be delivered, the most recent failure first."""
    return OutgoingEmail.objects.filter(program=program, status=EmailStatus.UNDELIVERED).order_by("-failed_at", "-pk")
