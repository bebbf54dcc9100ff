"""Daily certification work: automatic renewals and expiry reminders, for every program."""

from __future__ import annotations

from django.tasks import task
from django.utils import timezone

from peerpath.certification import queries, services
from peerpath.core.actors import SystemActor
from peerpath.programs.models import Program

SYSTEM = SystemActor("PeerPath (daily certification check)")


@task()
def daily_certification_check() -> dict[str, int]:
    """Renew certificates whose requirements are met within the renewal window, then e-mail
    the 90-, 30- and 7-day expiry reminders. Safe to run more than once a day."""
    today = timezone.localdate()
    renewed = reminded = 0
    for program in Program.objects.filter(is_active=True):
        certificates = list(queries.current_certificates(program).values())
        found = queries.standings(program, certificates, today)
        for certificate in certificates:
            if found[certificate.pk].renewable:
                services.renew_certificate(actor=SYSTEM, certificate=certificate, today=today, automatic=True)
                renewed += 1
        reminded += len(services.send_expiry_reminders(program=program, today=today))
    return {"renewed": renewed, "reminded": reminded}
