"""Leases on running tasks: a task whose worker died goes back to the queue once, then fails."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command
from django.tasks.signals import task_finished
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from peerpath.core import taskqueue
from peerpath.core.models import TaskLease
from peerpath.core.worker import LeasedWorker

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
TASK = "peerpath.core.tasks.prune_used_form_tokens"


def running(*, started: dt.datetime, workers: list[str], lease_until: dt.datetime | None = None) -> DBTaskResult:
    row = DBTaskResult.objects.create(
        task_path=TASK,
        args_kwargs={"args": [], "kwargs": {}},
        backend_name="default",
        status="RUNNING",
        started_at=started,
        worker_ids=workers,
    )
    if lease_until is not None:
        TaskLease.objects.create(task=row, worker_id=workers[-1], expires_at=lease_until)
    return row


@pytest.fixture
def lease_seconds(settings: Any) -> int:
    settings.TASK_LEASE_SECONDS = 60
    settings.TASKS = DB_TASKS
    return 60


@pytest.mark.django_db
def test_a_task_whose_lease_ran_out_goes_back_to_the_queue_once(lease_seconds: int) -> None:
    now = timezone.now()
    dead = running(started=now - dt.timedelta(minutes=5), workers=["w1"], lease_until=now - dt.timedelta(seconds=1))
    assert taskqueue.reclaim_expired(now) == (1, 0)
    dead.refresh_from_db()
    assert dead.status == "READY"
    assert not TaskLease.objects.exists()
    assert taskqueue.reclaim_expired(now) == (0, 0)


@pytest.mark.django_db
def test_a_task_that_never_got_its_lease_is_reclaimed_after_one_lease_length(lease_seconds: int) -> None:
    now = timezone.now()
    fresh = running(started=now - dt.timedelta(seconds=lease_seconds - 5), workers=["w1"])
    stale = running(started=now - dt.timedelta(seconds=lease_seconds + 5), workers=["w1"])
    assert taskqueue.reclaim_expired(now) == (1, 0)
    assert DBTaskResult.objects.get(pk=fresh.pk).status == "RUNNING"
    assert DBTaskResult.objects.get(pk=stale.pk).status == "READY"


@pytest.mark.django_db
def test_a_renewed_lease_keeps_a_long_task_running(lease_seconds: int) -> None:
    now = timezone.now()
    long = running(started=now - dt.timedelta(hours=2), workers=["w1"], lease_until=now + dt.timedelta(seconds=30))
    assert taskqueue.reclaim_expired(now) == (0, 0)
    assert DBTaskResult.objects.get(pk=long.pk).status == "RUNNING"


@pytest.mark.django_db
def test_a_second_expired_lease_fails_the_task_and_says_so(lease_seconds: int) -> None:
    now = timezone.now()
    started = now - dt.timedelta(minutes=5)
    twice = running(started=started, workers=["w1", "w2"], lease_until=now - dt.timedelta(seconds=1))
    heard: list[Any] = []

    def listener(sender: Any, task_result: Any, **kwargs: Any) -> None:
        heard.append(task_result)

    task_finished.connect(listener)
    try:
        assert taskqueue.reclaim_expired(now) == (0, 1)
    finally:
        task_finished.disconnect(listener)
    twice.refresh_from_db()
    assert twice.status == "FAILED"
    assert twice.exception_class_path == "peerpath.core.taskqueue.LeaseExpired"
    assert [r.id for r in heard] == [str(twice.pk)]
    assert heard[0].status == "FAILED"


@pytest.mark.django_db
def test_the_keeper_renews_the_lease_of_the_task_in_hand(lease_seconds: int) -> None:
    now = timezone.now()
    row = running(started=now, workers=["me"], lease_until=now + dt.timedelta(seconds=1))
    worker = LeasedWorker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="me",
        excluded_queue_names=[],
    )
    worker.current_task_id = row.pk
    worker.keep_once()
    lease = TaskLease.objects.get(task=row)
    assert lease.expires_at > now + dt.timedelta(seconds=lease_seconds - 5)


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_a_reclaimed_task_and_drops_its_lease(lease_seconds: int) -> None:
    now = timezone.now()
    dead = running(started=now - dt.timedelta(minutes=5), workers=["w1"], lease_until=now - dt.timedelta(seconds=1))
    taskqueue.reclaim_expired(now)
    call_command("run_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    dead.refresh_from_db()
    assert dead.status == "SUCCESSFUL"
    assert len(dead.worker_ids) == 2
    assert not TaskLease.objects.exists()
