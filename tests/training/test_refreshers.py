from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from peerpath.certification.models import CEActivity, CEStatus
from peerpath.recruitment.models import Stage
from peerpath.training import services
from tests.training.helpers import trainee

pytestmark = pytest.mark.django_db


def make_event(world: Any, hours: float = 1.5, days_ago: float = 1) -> Any:
    starts = timezone.now() - dt.timedelta(days=days_ago)
    return services.create_refresher_event(
        actor=world.coordinator,
        program=world.program,
        title="Monthly teleconference",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        location="Phone conference",
        credited_hours=hours,
        category="ethics",
    )


def test_create_refresher_event_contract(world: Any) -> None:
    event = make_event(world)
    assert event.get_absolute_url() == f"/p/riverside/training/sessions/{event.pk}/"
    assert event.kind == "refresher" and event.credited_hours == Decimal("1.50") and event.ce_category == "ethics"
    with pytest.raises(ValidationError):
        services.create_refresher_event(
            actor=world.coordinator,
            program=world.program,
            title="Too long",
            starts_at=timezone.now(),
            ends_at=timezone.now() + dt.timedelta(hours=1),
            location="x",
            credited_hours=3,
        )
    with pytest.raises(ValidationError):
        services.create_refresher_event(
            actor=world.coordinator,
            program=world.program,
            title="Bad category",
            starts_at=timezone.now(),
            ends_at=timezone.now() + dt.timedelta(hours=1),
            location="x",
            category="astrology",
        )


def test_refresher_pages(world: Any) -> None:
    client = world.client_for(world.trainer)
    assert client.get("/p/riverside/training/refreshers/").status_code == 200
    response = client.post(
        "/p/riverside/training/refreshers/new/",
        {
            "title": "Guest speaker",
            "starts_at": "2030-05-01T18:00",
            "ends_at": "2030-05-01T20:00",
            "location": "Hall",
            "credited_hours": "2",
            "ce_category": "general",
        },
    )
    assert response.status_code == 302
    event = world.program.training_sessions.get(title="Guest speaker")
    assert client.get(f"/p/riverside/training/refreshers/{event.pk}/edit/").status_code == 200
    response = client.post(
        "/p/riverside/training/refreshers/new/",
        {
            "title": "",
            "starts_at": "2030-05-01T18:00",
            "ends_at": "2030-05-01T17:00",
            "credited_hours": "1",
            "ce_category": "general",
        },
    )
    assert response.status_code == 400
    assert world.client_for(world.supporter).get("/p/riverside/training/refreshers/").status_code == 403


def test_attending_a_refresher_credits_hours_and_a_correction_takes_them_back(world: Any) -> None:
    event = make_event(world, hours=1.5)
    in_training = trainee(world.program, "Still Training")
    roster = services.roster_for(event)
    assert world.supporter_record in roster and in_training not in roster
    client = world.client_for(world.trainer)
    response = client.post(
        f"/p/riverside/training/sessions/{event.pk}/", {f"status_{world.supporter_record.pk}": "present"}
    )
    assert response.status_code == 302
    credit = CEActivity.objects.get(supporter=world.supporter_record)
    assert credit.status == CEStatus.APPROVED and credit.hours == Decimal("1.50") and credit.category == "ethics"
    assert credit.source_key == f"training.refresher:{event.pk}:{world.supporter_record.pk}"
    # Marking again changes nothing; changing the hours updates the credit; absent takes it back.
    services.record_attendance(actor=world.trainer, session=event, marks={world.supporter_record.pk: ("late", "")})
    assert CEActivity.objects.filter(supporter=world.supporter_record).count() == 1
    services.save_refresher_event(
        actor=world.coordinator,
        program=world.program,
        event=event,
        data={
            "title": event.title,
            "starts_at": event.starts_at,
            "ends_at": event.ends_at,
            "location": event.location,
            "credited_hours": 2,
            "ce_category": "ethics",
        },
    )
    assert CEActivity.objects.get(supporter=world.supporter_record).hours == Decimal("2.00")
    services.record_attendance(actor=world.trainer, session=event, marks={world.supporter_record.pk: ("absent", "")})
    assert not CEActivity.objects.filter(supporter=world.supporter_record).exists()
    with pytest.raises(ValidationError):
        services.record_attendance(actor=world.trainer, session=event, marks={in_training.pk: ("present", "")})


def test_refresher_open_to_certified_stages_only(world: Any) -> None:
    event = make_event(world)
    alumni = trainee(world.program, "Old Hand", stage=Stage.ALUMNI)
    assert alumni not in services.roster_for(event)
