"""The readiness check counts crises whose escalation step is overdue and was not taken."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client
from django.utils import timezone

from peerpath.core import scheduler
from peerpath.support.models import Concern
from peerpath.support.services import concerns


def test_a_crisis_whose_escalation_is_late_fails_readiness(support: Any, settings: Any) -> None:
    settings.HEALTH_CRISIS_GRACE_SECONDS = 180
    scheduler.lead("test-scheduler", dt.timedelta(seconds=60))
    crisis = concerns.raise_concern(
        actor=support.supporter, relationship=support.ana_rel, kind="crisis", answers=[], notes=""
    )
    client = Client()
    assert client.get("/health/ready/").status_code == 200  # not due yet

    Concern.objects.filter(pk=crisis.pk).update(next_step_at=timezone.now() - dt.timedelta(seconds=60))
    assert client.get("/health/ready/").status_code == 200  # due, within the grace

    Concern.objects.filter(pk=crisis.pk).update(next_step_at=timezone.now() - dt.timedelta(seconds=200))
    response = client.get("/health/ready/")
    assert response.status_code == 503
    assert response.json()["failing"] == ["crisis_escalation"]
    assert response.json()["checks"]["crisis_escalation"]["value"] == 1
