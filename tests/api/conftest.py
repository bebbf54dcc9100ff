from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from peerpath.api.tokens import create_token


class ApiClient:
    def __init__(self, user: Any | None) -> None:
        self.client = Client()
        self.headers = {}
        if user is not None:
            _token, secret = create_token(actor=user, name="tests")
            self.headers = {"Authorization": f"Bearer {secret}"}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def post(self, path: str, data: Any) -> Any:
        return self.client.post(f"/api/v1{path}", data, content_type="application/json", headers=self.headers)


@pytest.fixture
def api_for(world: Any) -> Any:
    return ApiClient


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Any:
    """Schemathesis calls the WSGI app directly, whose request signals would close the database
    connection that holds the test's transaction (PostgreSQL then fails); the test client avoids
    that the same way."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@dataclass
class ApiWorld:
    """The support personas (the `support` fixture, tests/fixtures.py) plus training, certification and care records."""

    support: Any
    cohort: Any  # taught by world.trainer
    other_cohort: Any  # taught by another trainer
    session: Any  # a started session of `cohort`
    trainee: Any  # enrolled in `cohort`
    certificate: Any  # Priya's (world.supporter's) certificate
    activity: Any  # a CE activity Priya logged
    meeting: Any  # supervision of Priya by world.supervisor
    contact: Any  # a contact Priya logged with Ana

    def __getattr__(self, name: str) -> Any:
        return getattr(self.support, name)


@pytest.fixture
def api_world(support: Any) -> ApiWorld:
    from peerpath.care.services import supervision as care_supervision
    from peerpath.certification import services as certification
    from peerpath.support.services import contacts as support_contacts
    from peerpath.training import services as training
    from tests.factories import MembershipFactory
    from tests.training.helpers import cohort, session, trainee

    world = support.world
    taught = cohort(world, name="Autumn course")
    other_trainer = MembershipFactory(program=world.program, is_trainer=True).user
    other = cohort(world, name="Winter course", trainers=[other_trainer])
    person = trainee(world.program, "Tia Trainee")
    training.enrol_trainee(actor=world.trainer, cohort=taught, supporter=person)
    started = session(world, taught, days_ago=2, title="Listening")
    activity = certification.log_ce_activity(
        actor=world.supporter,
        supporter=support.priya,
        date=timezone.localdate() - dt.timedelta(days=3),
        title="Ethics refresher",
        provider="State board",
        hours=Decimal("2"),
        category="ethics",
    )
    meeting = care_supervision.log_meeting(
        actor=world.supervisor,
        program=world.program,
        kind="one_on_one",
        held_on=timezone.localdate() - dt.timedelta(days=1),
        duration_minutes=45,
        supervisor=world.supervisor,
        attendees=[support.priya],
        topics="Boundaries",
        notes="Private supervision notes",
    )
    contact = support_contacts.log_contact(
        actor=world.supporter,
        relationship=support.ana_rel,
        data={
            "contacted_on": timezone.localdate() - dt.timedelta(days=2),
            "channel": "phone",
            "reached": True,
            "tasks": ["rapport"],
            "kind": "first",
            "notes": "Talked about her week",
            "next_follow_up": timezone.localdate() + dt.timedelta(days=5),
        },
    )
    return ApiWorld(
        support=support,
        cohort=taught,
        other_cohort=other,
        session=started,
        trainee=person,
        certificate=certification.current_certificate(support.priya),
        activity=activity,
        meeting=meeting,
        contact=contact,
    )
