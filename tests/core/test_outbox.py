"""E-mail delivery: one Message-ID per message, retries with back-off, undelivered at the end,
never sent twice except after a worker died between sending and recording."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

import peerpath.settings as production_settings
from peerpath.core import outbox, scheduler, taskqueue
from peerpath.core.mail import queue_email
from peerpath.core.models import AuditEntry, EmailStatus, OutgoingEmail, TaskLease

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
TEMPLATE = "recruitment/email/application_received"


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses the connection."""

    def send_messages(self, email_messages: Any) -> int:
        raise ConnectionRefusedError("connection refused")


class FlakyBackend(LocmemBackend):
    """Refuses the first ``failures`` connections, then delivers to the test outbox."""

    failures: ClassVar[int] = 0

    def send_messages(self, email_messages: Any) -> int:
        if FlakyBackend.failures > 0:
            FlakyBackend.failures -= 1
            raise TimeoutError("timed out")
        return int(super().send_messages(email_messages))


def queue(world: Any, to: str = "someone@example.org") -> OutgoingEmail:
    queue_email(to=to, template=TEMPLATE, context={"program": world.program, "application": {"full_name": "Sam"}})
    return OutgoingEmail.objects.filter(to=[to]).latest("pk")


def message_ids() -> list[str]:
    return [m.message()["Message-ID"] for m in mail.outbox]


@pytest.mark.django_db
def test_a_message_is_stored_with_its_message_id_and_program_and_sent_with_that_id(world: Any) -> None:
    message = queue(world)
    message.refresh_from_db()
    assert message.status == EmailStatus.SENT
    assert message.program == world.program
    assert message.message_id.startswith("<") and message.message_id.endswith("@testserver>")
    assert message_ids() == [message.message_id]
    assert message.attempts == 1


def test_the_smtp_mailer_gives_up_after_the_timeout() -> None:
    options = production_settings.MAILERS["default"]["OPTIONS"]
    assert production_settings.MAILERS["default"]["BACKEND"].endswith("smtp.EmailBackend")
    assert options["timeout"] == production_settings.EMAIL_SEND_TIMEOUT == 30


def test_the_back_off_doubles_and_is_capped(settings: Any) -> None:
    settings.EMAIL_RETRY_SECONDS = 60
    assert [outbox.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert outbox.backoff(30) == outbox.MAX_BACKOFF


@pytest.mark.django_db
def test_a_failed_attempt_is_retried_until_it_is_delivered(settings: Any, world: Any) -> None:
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.FlakyBackend"}}
    settings.EMAIL_MAX_ATTEMPTS = 4
    FlakyBackend.failures = 2
    message = queue(world)  # the immediate backend runs each retry at once
    message.refresh_from_db()
    assert (message.status, message.attempts) == (EmailStatus.SENT, 3)
    assert message_ids() == [message.message_id]
    assert "TimeoutError" in message.last_error


@pytest.mark.django_db
def test_the_last_failed_attempt_marks_the_message_undelivered_and_audits_it(settings: Any, world: Any) -> None:
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.RefusingBackend"}}
    settings.EMAIL_MAX_ATTEMPTS = 3
    message = queue(world)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (EmailStatus.UNDELIVERED, 3)
    assert "ConnectionRefusedError" in message.last_error
    assert list(outbox.undelivered()) == [message]
    entry = AuditEntry.objects.get(action="email.undelivered")
    assert (entry.program, entry.target_id) == (world.program, str(message.pk))


@pytest.mark.django_db(transaction=True)
def test_a_retry_waits_for_its_back_off_in_the_database_queue(settings: Any, world: Any) -> None:
    settings.TASKS = DB_TASKS
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.RefusingBackend"}}
    settings.EMAIL_RETRY_SECONDS = 120
    message = queue(world)
    call_command("run_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (EmailStatus.QUEUED, 1)
    soon = timezone.now() + dt.timedelta(seconds=100)
    retry = DBTaskResult.objects.filter(
        status="READY", run_after__gt=soon, run_after__lt=soon + dt.timedelta(minutes=1)
    )
    assert retry.count() == 1
    assert retry.get().run_after == message.next_attempt_at
    assert not DBTaskResult.objects.ready().exists()  # the worker stopped: nothing is due before the pause


@pytest.mark.django_db
def test_a_sent_message_is_never_sent_again(world: Any) -> None:
    message = queue(world)
    assert outbox.deliver(message.pk) == EmailStatus.SENT
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_message_left_being_sent_by_a_dead_worker_goes_out_again_with_the_same_message_id(world: Any) -> None:
    message = queue(world)
    OutgoingEmail.objects.filter(pk=message.pk).update(status=EmailStatus.SENDING)  # died before recording
    assert outbox.deliver(message.pk) == EmailStatus.SENT
    assert message_ids() == [message.message_id, message.message_id]


@pytest.mark.django_db(transaction=True)
def test_a_delivery_whose_lease_ran_out_twice_counts_as_a_failed_attempt(settings: Any, world: Any) -> None:
    settings.TASKS = DB_TASKS
    message = queue(world)
    OutgoingEmail.objects.filter(pk=message.pk).update(status=EmailStatus.SENDING, attempts=1)
    row = DBTaskResult.objects.get()
    now = timezone.now()
    DBTaskResult.objects.filter(pk=row.pk).update(status="RUNNING", started_at=now, worker_ids=["w1", "w2"])
    TaskLease.objects.create(task=row, worker_id="w2", expires_at=now - dt.timedelta(seconds=1))
    assert taskqueue.reclaim_expired() == (0, 1)
    message.refresh_from_db()
    assert message.status == EmailStatus.QUEUED
    assert "LeaseExpired" in message.last_error
    assert DBTaskResult.objects.filter(status="READY").count() == 1  # the next attempt


@pytest.mark.django_db
def test_resending_an_undelivered_message_keeps_its_message_id_and_is_audited(settings: Any, world: Any) -> None:
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.RefusingBackend"}}
    settings.EMAIL_MAX_ATTEMPTS = 1
    message = queue(world)
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    outbox.resend(actor=world.coordinator, message=message)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (EmailStatus.SENT, 1)
    assert message_ids() == [message.message_id]
    entry = AuditEntry.objects.get(action="email.resend")
    assert (entry.actor, entry.program) == (world.coordinator, world.program)


@pytest.mark.django_db
def test_only_an_undelivered_message_can_be_resent(world: Any) -> None:
    from django.core.exceptions import ValidationError

    message = queue(world)
    with pytest.raises(ValidationError):
        outbox.resend(actor=world.coordinator, message=message)
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_finished_messages_are_pruned_with_the_finished_tasks(settings: Any, world: Any) -> None:
    settings.FINISHED_TASKS_KEEP_DAYS = 10
    old = timezone.now() - dt.timedelta(days=11)

    def stored(status: str, created_at: dt.datetime) -> OutgoingEmail:
        return OutgoingEmail.objects.create(
            message_id=f"<{status}{created_at.timestamp()}@t>",
            to=["a@example.org"],
            subject="s",
            body="b",
            status=status,
            created_at=created_at,
        )

    gone = [stored(s, old) for s in ("sent", "undelivered", "cancelled")]
    waiting = stored("queued", old)
    recent = stored("sent", timezone.now() - dt.timedelta(days=9))
    scheduler.PERIODIC["core.prune_finished_tasks"].task.enqueue()
    assert set(OutgoingEmail.objects.values_list("pk", flat=True)) == {waiting.pk, recent.pk}
    assert not OutgoingEmail.objects.filter(pk__in=[m.pk for m in gone]).exists()
