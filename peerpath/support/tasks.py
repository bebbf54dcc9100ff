"""Background work: crisis escalation, and the daily reminders and digest built from the windows."""

from __future__ import annotations

from django.tasks import task
from django.urls import reverse
from django.utils import translation

from peerpath.core.mail import absolute_url, queue_email
from peerpath.core.models import User
from peerpath.programs.models import Program
from peerpath.support import windows as w
from peerpath.support.notify import by_language, coordinators, language_of
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
        due = list(w.followups_due(rows, windows).values_list("supporter__user_id", flat=True))
        overdue = list(w.followups_overdue(rows, windows).values_list("supporter__user_id", flat=True))
        people = User.objects.in_bulk({pk for pk in [*due, *overdue] if pk is not None})
        for person in sorted((u for u in people.values() if u.email), key=lambda u: u.email):
            queue_email(
                to=person.email,
                template="support/email/reminder",
                context={
                    "program": program,
                    "due": due.count(person.pk),
                    "overdue": overdue.count(person.pk),
                    "url": absolute_url(reverse("support:caseload", args=[program.slug])),
                },
                language=language_of(person),
            )
            sent += 1
        counts = w.summary(program, windows, rows)
        if any(counts.values()):
            for language, emails in by_language(coordinators(program)).items():
                with translation.override(language):
                    describe = windows.describe()
                queue_email(
                    to=emails,
                    template="support/email/digest",
                    context={
                        "program": program,
                        "counts": counts,
                        "describe": describe,
                        "url": absolute_url(reverse("support:attention", args=[program.slug])),
                    },
                    language=language,
                )
                sent += 1
    return sent
