"""Background work: crisis escalation, and the daily reminders and digest built from the windows."""

from __future__ import annotations

from django.tasks import task
from django.urls import reverse

from peerpath.core.mail import absolute_url, queue_email
from peerpath.programs.models import Program
from peerpath.support import windows as w
from peerpath.support.notify import coordinators
from peerpath.support.services.concerns import escalate_if_due, escalate_overdue


@task()
def escalate_crisis(*, concern_id: int) -> bool:
    """Queued with run_after for each step's deadline; takes the next step only if still due."""
    return escalate_if_due(concern_id=concern_id, noticed_by="the delayed escalation task")


@task()
def escalation_sweep() -> int:
    """Every few minutes: take any due escalation step the others missed (worker down, restart)."""
    return escalate_overdue(noticed_by="the escalation sweep")


@task()
def daily_reminders() -> int:
    """Each morning: supporters hear about their follow-ups due and overdue; coordinators get the
    program's digest (unreachable, quiet, overdue). Counts only: no participant is named."""
    sent = 0
    for program in Program.objects.filter(is_active=True):
        windows = w.Windows.for_program(program)
        rows = w.tracked_relationships(program, windows)
        due = list(w.followups_due(rows, windows).values_list("supporter__user__email", flat=True))
        overdue = list(w.followups_overdue(rows, windows).values_list("supporter__user__email", flat=True))
        for email in sorted({e for e in [*due, *overdue] if e}):
            queue_email(
                to=email,
                template="support/email/reminder",
                context={
                    "program": program,
                    "due": due.count(email),
                    "overdue": overdue.count(email),
                    "url": absolute_url(reverse("support:caseload", args=[program.slug])),
                },
            )
            sent += 1
        counts = w.summary(program, windows, rows)
        if any(counts.values()):
            people = [u.email for u in coordinators(program)]
            if people:
                queue_email(
                    to=people,
                    template="support/email/digest",
                    context={
                        "program": program,
                        "counts": counts,
                        "describe": windows.describe(),
                        "url": absolute_url(reverse("support:attention", args=[program.slug])),
                    },
                )
                sent += 1
    return sent
