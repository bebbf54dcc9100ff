"""Background work: crisis escalation, and the daily reminders and digest built from the windows."""

from __future__ import annotations

from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from peerpath.core.models import User
from peerpath.notifications.services import notify
from peerpath.programs.models import Program
from peerpath.support import windows as w
from peerpath.support.notify import coordinators
from peerpath.support.services.concerns import escalate_if_due, escalate_overdue
from peerpath.support.services.texts import send_follow_up_texts


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
    program's digest (unreachable, quiet, overdue). Counts only: no participant is named.
    Participants who agreed to texts hear on the day their supporter plans to be in touch."""
    sent = 0
    today = timezone.localdate().isoformat()
    for program in Program.objects.filter(is_active=True):
        windows = w.Windows.for_program(program)
        rows = w.tracked_relationships(program, windows)
        due = list(w.followups_due(rows, windows).values_list("supporter__user_id", flat=True))
        overdue = list(w.followups_overdue(rows, windows).values_list("supporter__user_id", flat=True))
        people = User.objects.in_bulk([pk for pk in {*due, *overdue} if pk])
        for user_id, user in sorted(people.items()):
            # One key a day and program: a reminder task that runs twice tells nobody twice.
            sent += len(
                notify(
                    kind="support.reminder",
                    users=[user],
                    program=program,
                    context={"due": due.count(user_id), "overdue": overdue.count(user_id)},
                    url=reverse("support:caseload", args=[program.slug]),
                    key=f"support.reminder:{program.pk}:{today}",
                )
            )
        sent += send_follow_up_texts(program)
        counts = w.summary(program, windows, rows)
        if any(counts.values()):
            sent += len(
                notify(
                    kind="support.digest",
                    users=coordinators(program),
                    program=program,
                    context={"counts": counts, "describe": windows.describe()},
                    url=reverse("support:attention", args=[program.slug]),
                    key=f"support.digest:{program.pk}:{today}",
                )
            )
    return sent
