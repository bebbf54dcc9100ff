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


@pytest.mark.django_db
def test_only_one_scheduler_leads_until_its_lease_runs_out() -> None:
    lease = dt.timedelta(seconds=30)
    now = timezone.now()
    assert scheduler.lead("a", lease, now)
    assert not scheduler.lead("b", lease, now + dt.timedelta(seconds=5))
    assert scheduler.lead("a", lease, now + dt.timedelta(seconds=20))  # the leader renews
    assert not scheduler.lead("b", lease, now + dt.timedelta(seconds=45))  # renewed until 50 s
    assert scheduler.lead("b", lease, now + dt.timedelta(seconds=51))  # a dead leader's lease ran out
    assert not scheduler.lead("a", lease, now + dt.timedelta(seconds=52))
    assert scheduler.leader()[0] in {"", "b"}  # read at the real time, past these test moments


@pytest.mark.django_db
def test_a_leader_that_stops_cleanly_hands_over_at_once() -> None:
    lease = dt.timedelta(minutes=5)
    assert scheduler.lead("a", lease)
    assert not scheduler.lead("b", lease)
    scheduler.resign("b")  # not the holder: nothing changes
    assert not scheduler.lead("b", lease)
    scheduler.resign("a")
    assert scheduler.lead("b", lease)
    assert scheduler.leader()[0] == "b"


@pytest.mark.django_db
def test_run_scheduler_once_leads_queues_and_resigns(registered: None) -> None:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("run_scheduler", "--once", "-v", "2", stdout=out)
    text = out.getvalue()
    assert "leading as" in text and "queued test.ping" in text and "\ntick " in text
    assert scheduler.leader() == ("", None)  # given up on the way out
    assert CALLS == ["ping"]
