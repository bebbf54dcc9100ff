"""The demo program shows supporter care, and loading it twice adds nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command

from peerpath.care.models import (
    Break,
    BuddyPair,
    CareTask,
    CheckIn,
    Debrief,
    HardEvent,
    Newsletter,
    Questionnaire,
    Recognition,
    SupervisionMeeting,
)
from peerpath.recruitment.models import Supporter
from tests.demo_copy import load_demo

MODELS = [
    Break,
    BuddyPair,
    CareTask,
    CheckIn,
    Debrief,
    HardEvent,
    Newsletter,
    Questionnaire,
    Recognition,
    SupervisionMeeting,
]


@pytest.mark.django_db
def test_load_demo_twice(capsys: Any) -> None:
    load_demo()
    counts = {model.__name__: model.objects.count() for model in MODELS}
    assert all(counts.values()), counts
    priya = Supporter.objects.get(email="supporter@riverside.example.org")
    assert priya.supervisor is not None and CheckIn.objects.filter(supporter=priya, status="completed").count() == 5
    call_command("load_demo")
    assert {model.__name__: model.objects.count() for model in MODELS} == counts
    assert mail.outbox == []
