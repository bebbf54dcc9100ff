"""Background work owned by core: forgetting old one-time form tokens, pruning finished task
rows and old messages. E-mail is delivered by peerpath.core.outbox.deliver_email; the two
sending tasks below only finish e-mail queued before the outbox existed."""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives
from django.tasks import task

from peerpath.core import account_links, idempotency, outbox, taskqueue


# Kept for e-mail queued before peerpath.core.outbox.
@task()
def send_email(*, to: list[str], subject: str, body: str, html: str = "", reply_to: list[str] | None = None) -> int:
    message = EmailMultiAlternatives(subject=subject, body=body, to=to, reply_to=reply_to or None)
    if html:
        message.attach_alternative(html, "text/html")
    return message.send()


@task()
def send_account_link(*, user_id: int, kind: str, to: list[str], subject: str, body: str) -> int:
    """Send an e-mail whose body holds an account link (an invitation or a password reset).

    The queue stores only the user id, the kind of link and the text around it; the link is
    built here, when the e-mail is sent, and replaces the placeholder. An account that no
    longer exists or is deactivated gets nothing."""
    user = account_links.active_user(user_id)
    if user is None:
        return 0
    body = body.replace(account_links.PLACEHOLDER, account_links.build(user, kind))
    return EmailMultiAlternatives(subject=subject, body=body, to=to).send()


@task()
def prune_finished_tasks() -> int:
    """Daily: delete finished task rows, and sent or undelivered messages, older than
    PEERPATH_FINISHED_TASKS_KEEP_DAYS."""
    return taskqueue.prune_finished_tasks() + outbox.prune_finished(taskqueue.finished_tasks_cutoff())


@task()
def prune_used_form_tokens() -> int:
    """Daily: forget one-time form tokens claimed more than peerpath.core.idempotency.KEEP_DAYS ago."""
    return idempotency.prune()
