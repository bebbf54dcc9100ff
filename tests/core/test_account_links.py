"""Invitation and password-reset links are never stored: the outbox and the task queue (database
tables, in every backup) hold only the user id and the kind of link, and the sending task builds
the link. Finished task rows are pruned after PEERPATH_FINISHED_TASKS_KEEP_DAYS."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from peerpath.core import account_links, scheduler, taskqueue
from peerpath.core.mail import queue_email
from peerpath.core.models import OutgoingEmail, User
from peerpath.core.permissions import Role
from peerpath.programs.services import add_member
from tests.factories import TESTS

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
LINK = re.compile(r"http://testserver(/accounts/(?:invitation|reset)/[^/\s]+/[^/\s]+/)")


def stored_text() -> str:
    """Everything the task queue and the outbox hold, as it would be in a dump of the tables."""
    return json.dumps(
        [list(DBTaskResult.objects.values("args_kwargs", "return_value")), list(OutgoingEmail.objects.values())],
        default=str,
    )


def run_worker() -> None:
    call_command("run_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def follow_link(body: str) -> Client:
    """Open the e-mailed link and set a password through it; returns the (logged-in) client."""
    match = LINK.search(body)
    assert match, body
    client = Client()
    form = client.get(match.group(1))
    assert form.status_code == 302, "the link was refused"
    response = client.post(form.url, {"new_password1": "a fine password 9", "new_password2": "a fine password 9"})
    assert response.status_code == 302
    return client


@pytest.mark.django_db(transaction=True)
def test_a_password_reset_link_is_built_by_the_task_and_never_stored(settings: Any, world: Any) -> None:
    settings.TASKS = DB_TASKS
    assert Client().post("/accounts/password-reset/", {"email": world.trainer.email}).status_code == 302
    row = OutgoingEmail.objects.get()
    assert DBTaskResult.objects.get().args_kwargs["kwargs"] == {"email_id": row.pk}
    assert (row.link_user_id, row.link_kind) == (world.trainer.pk, "password_reset")
    assert "/accounts/reset/" not in stored_text()
    assert mail.outbox == []

    run_worker()
    assert [m.to for m in mail.outbox] == [[world.trainer.email]]
    assert "/accounts/reset/" not in stored_text()  # nor in the finished row
    follow_link(mail.outbox[0].body)
    world.trainer.refresh_from_db()
    assert world.trainer.check_password("a fine password 9")


@pytest.mark.django_db(transaction=True)
def test_an_invitation_link_is_built_by_the_task_and_never_stored(settings: Any, world: Any) -> None:
    settings.TASKS = DB_TASKS
    add_member(
        actor=TESTS, program=world.program, email="new@example.org", full_name="New Person", roles={Role.TRAINER}
    )
    assert "/accounts/invitation/" not in stored_text()
    user = User.objects.get(email="new@example.org")
    row = OutgoingEmail.objects.get()
    assert (row.link_user_id, row.link_kind, row.program) == (user.pk, "invitation", world.program)

    run_worker()
    assert "/accounts/invitation/" not in stored_text()
    body = mail.outbox[0].body
    assert "New Person" in body and world.program.name in body and "Trainer" in body
    client = follow_link(body)
    assert client.get("/p/riverside/").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_deactivated_account_gets_no_link(settings: Any, world: Any) -> None:
    settings.TASKS = DB_TASKS
    add_member(actor=TESTS, program=world.program, email="gone@example.org", full_name="Gone", roles={Role.TRAINER})
    User.objects.filter(email="gone@example.org").update(is_active=False)
    run_worker()
    assert mail.outbox == []
    assert OutgoingEmail.objects.get().status == "cancelled"


@pytest.mark.django_db
def test_no_code_path_can_queue_an_account_link(world: Any) -> None:
    link = account_links.build(world.trainer, "password_reset")
    with pytest.raises(ValueError, match="account link must not be queued"):
        queue_email(
            to="someone@example.org",
            template="recruitment/email/application_received",
            context={"program": world.program, "application": {"full_name": link}},
        )
    assert mail.outbox == []


def finished_row(days_ago: float, status: str = "SUCCESSFUL") -> DBTaskResult:
    now = timezone.now()
    finished = now - dt.timedelta(days=days_ago)
    return DBTaskResult.objects.create(
        status=status,
        args_kwargs={"args": [], "kwargs": {}},
        task_path="peerpath.core.tasks.send_email",
        backend_name="default",
        run_after=finished,
        started_at=None if status == "READY" else finished,
        finished_at=None if status == "READY" else finished,
    )


@pytest.mark.django_db
def test_finished_tasks_are_pruned_after_the_kept_days(settings: Any) -> None:
    settings.FINISHED_TASKS_KEEP_DAYS = 10
    old_success = finished_row(11)
    old_failure = finished_row(11, status="FAILED")
    recent = finished_row(9)
    waiting = finished_row(30, status="READY")
    assert taskqueue.prune_finished_tasks() == 2
    assert set(DBTaskResult.objects.values_list("pk", flat=True)) == {recent.pk, waiting.pk}
    assert not DBTaskResult.objects.filter(pk__in=[old_success.pk, old_failure.pk]).exists()

    settings.FINISHED_TASKS_KEEP_DAYS = 5
    assert taskqueue.prune_finished_tasks() == 1
    assert list(DBTaskResult.objects.values_list("pk", flat=True)) == [waiting.pk]


@pytest.mark.django_db
def test_the_scheduler_prunes_finished_tasks_daily(settings: Any) -> None:
    job = scheduler.PERIODIC["core.prune_finished_tasks"]
    assert job.every == dt.timedelta(days=1)
    finished_row(settings.FINISHED_TASKS_KEEP_DAYS + 1)
    job.task.enqueue()  # the immediate backend of the tests runs it at once
    assert DBTaskResult.objects.count() == 0
