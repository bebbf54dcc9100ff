from __future__ import annotations

import datetime as dt

import pytest
from django.tasks import task
from django.utils import timezone

from peerpath.core import scheduler
from peerpath.core.models import ScheduledJob

CALLS: list[str] = []


@task()
def ping() -> None:
    CALLS.append("ping")


@pytest.fixture
def registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scheduler, "PERIODIC", {})
    scheduler.register_periodic("test.ping", ping, dt.timedelta(hours=1))
    CALLS.clear()


@pytest.mark.django_db
def test_a_job_is_queued_once_per_interval(registered: None) -> None:
    start = timezone.now()
    assert scheduler.run_due(start) == ["test.ping"]
    assert scheduler.run_due(start + dt.timedelta(minutes=59)) == []
    assert scheduler.run_due(start + dt.timedelta(hours=1)) == ["test.ping"]
    assert CALLS == ["ping", "ping"]
    assert ScheduledJob.objects.get(name="test.ping").last_enqueued_at == start + dt.timedelta(hours=1)
