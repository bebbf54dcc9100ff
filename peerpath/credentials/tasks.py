"""Daily credentials work: qualification expiry reminders, for every program."""

from __future__ import annotations

from django.tasks import task
from django.utils import timezone

from peerpath.credentials import services
from peerpath.programs.models import Program


@task()
def daily_qualification_reminders() -> dict[str, int]:
    """E-mail the 60-, 30- and 7-day qualification expiry reminders. Safe to run more than once a day."""
    today = timezone.localdate()
    sent = 0
    for program in Program.objects.filter(is_active=True):
        sent += len(services.send_qualification_reminders(program=program, today=today))
    return {"reminded": sent}
