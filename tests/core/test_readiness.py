"""/health/ stays constant; /health/ready/ checks what PeerPath depends on and names what fails."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from peerpath.core import health, scheduler
from peerpath.core.models import EmailStatus, OutgoingEmail

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def ready(client: Client) -> tuple[int, dict[str, Any]]:
    response = client.get("/health/ready/")
    assert response["Content-Type"] == "application/json"
    return response.status_code, response.json()


@pytest.fixture
def ticking() -> None:
    scheduler.lead("test-scheduler", dt.timedelta(seconds=60))


def test_liveness_is_constant_and_touches_no_database(client: Client) -> None:
    response = client.get("/health/")  # no database in this test: a query would raise
    assert (response.status_code, response.content) == (200, b"ok")


@pytest.mark.django_db
def test_ready_when_every_check_passes(client: Client, ticking: None) -> None:
    status, body = ready(client)
    assert status == 200, body
    assert body["status"] == "ok" and body["failing"] == []
    assert set(body["checks"]) == {
        "database",
        "cache",
        "task_queue",
        "scheduler",
        "undelivered_email",
        "crisis_escalation",
    }


@pytest.mark.django_db
def test_a_silent_scheduler_fails_readiness_by_name(client: Client, settings: Any, ticking: None) -> None:
    settings.HEALTH_MAX_SCHEDULER_SILENCE_SECONDS = 300
    scheduler_row = scheduler.SchedulerLease.objects.get()
    scheduler_row.ticked_at = timezone.now() - dt.timedelta(seconds=301)
    scheduler_row.save()
    status, body = ready(client)
    assert (status, body["failing"]) == (503, ["scheduler"])
    assert body["checks"]["scheduler"]["value"] >= 301
    assert body["checks"]["scheduler"]["threshold"] == 300


@pytest.mark.django_db
def test_a_scheduler_that_never_ran_fails_readiness(client: Client) -> None:
    status, body = ready(client)
    assert (status, body["failing"]) == (503, ["scheduler"])


@pytest.mark.django_db
def test_a_task_waiting_too_long_fails_readiness(client: Client, settings: Any, ticking: None) -> None:
    settings.TASKS = DB_TASKS
    settings.HEALTH_MAX_TASK_WAIT_SECONDS = 120
    row = DBTaskResult.objects.create(
        task_path="peerpath.core.tasks.prune_used_form_tokens",
        args_kwargs={"args": [], "kwargs": {}},
        backend_name="default",
    )
    assert ready(client)[0] == 200  # just queued
    DBTaskResult.objects.filter(pk=row.pk).update(enqueued_at=timezone.now() - dt.timedelta(seconds=200))
    status, body = ready(client)
    assert (status, body["failing"]) == (503, ["task_queue"])
    # A deferred task counts from when it fell due, not from when it was queued.
    DBTaskResult.objects.filter(pk=row.pk).update(run_after=timezone.now() - dt.timedelta(seconds=30))
    assert ready(client)[0] == 200
    DBTaskResult.objects.filter(pk=row.pk).update(run_after=timezone.now() + dt.timedelta(hours=1))
    assert ready(client)[1]["checks"]["task_queue"]["value"] == 0


@pytest.mark.django_db
def test_an_undelivered_email_fails_readiness_for_a_day(client: Client, world: Any, ticking: None) -> None:
    message = OutgoingEmail.objects.create(
        program=world.program,
        message_id="<1@testserver>",
        to=["a@example.org"],
        subject="s",
        body="b",
        status=EmailStatus.UNDELIVERED,
        failed_at=timezone.now(),
    )
    status, body = ready(client)
    assert (status, body["failing"], body["checks"]["undelivered_email"]["value"]) == (503, ["undelivered_email"], 1)
    OutgoingEmail.objects.filter(pk=message.pk).update(failed_at=timezone.now() - dt.timedelta(days=2))
    assert ready(client)[0] == 200


@pytest.mark.django_db
def test_a_check_that_raises_fails_with_its_error(settings: Any, ticking: None) -> None:
    def broken(now: dt.datetime) -> health.Check:
        raise ConnectionError("no route to the cache")

    original = health.CHECKS["cache"]
    health.CHECKS["cache"] = broken
    try:
        ok, body = health.report()
    finally:
        health.CHECKS["cache"] = original
    assert not ok
    assert body["failing"] == ["cache"]
    assert "no route to the cache" in body["checks"]["cache"]["detail"]
