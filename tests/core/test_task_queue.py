"""The production path: e-mail is queued in the database and sent by the worker."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.tasks import task_backends
from django_tasks_db.models import DBTaskResult

from peerpath.core.mail import queue_email

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.mark.django_db(transaction=True)
def test_email_waits_in_the_database_queue_until_the_worker_runs(settings: Any, world: Any) -> None:
    settings.TASKS = DB_TASKS
    assert type(task_backends["default"]).__name__ == "DatabaseBackend"
    queue_email(
        to="someone@example.org",
        template="recruitment/email/application_received",
        context={"program": world.program, "application": {"full_name": "Someone"}},
    )
    assert mail.outbox == []
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    call_command("run_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    assert [m.to for m in mail.outbox] == [["someone@example.org"]]
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
