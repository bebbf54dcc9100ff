"""The demo program shows training and certification with data on every page, and loading it
twice adds nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client

from peerpath.certification.models import Assessment, CEActivity, Certificate
from peerpath.core.models import User
from peerpath.training.models import Attendance, Cohort, Feedback, RolePlay, Shadowing, TrainingSession
from tests.demo_copy import load_demo

pytestmark = pytest.mark.django_db

MODELS = [Cohort, TrainingSession, Attendance, RolePlay, Shadowing, Feedback, Assessment, Certificate, CEActivity]


def login(local: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(email=f"{local}@riverside.example.org"))
    return client


def test_demo_loads_once_and_every_page_has_content(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    load_demo()
    counts = {m.__name__: m.objects.count() for m in MODELS}
    assert all(counts.values()), counts
    call_command("load_demo", stdout=None)
    assert {m.__name__: m.objects.count() for m in MODELS} == counts
    assert mail.outbox == []

    running = Cohort.objects.get(name="Evening course, this term")
    assert sorted(running.enrolments.values_list("supporter__full_name", flat=True)) == ["Nadia Rahman", "Omar Farouk"]
    assert TrainingSession.objects.filter(kind="make_up").exists()
    holders = set(Certificate.objects.values_list("supporter__email", flat=True))
    assert {"supporter@riverside.example.org", "uma@riverside.example.org", "quinn@riverside.example.org"} <= holders

    coordinator = login("coordinator")
    for url in [
        "/p/riverside/",
        "/p/riverside/training/cohorts/",
        f"/p/riverside/training/cohorts/{running.pk}/",
        "/p/riverside/training/curriculum/",
        "/p/riverside/training/curriculum/coverage/",
        "/p/riverside/training/feedback/",
        "/p/riverside/training/refreshers/",
        "/p/riverside/certification/",
        "/p/riverside/certification/settings/",
    ]:
        assert coordinator.get(url).status_code == 200, url
    overview = coordinator.get("/p/riverside/certification/").content.decode()
    assert "Rosa Jiménez" in overview and "deadline passed" in overview and "Wendy Brooks" in overview
    trainer = login("trainer")
    nadia = running.enrolments.get(supporter__full_name="Nadia Rahman").supporter
    for url in [
        "/p/riverside/my/cohorts/",
        f"/p/riverside/certification/cohorts/{running.pk}/trainees/{nadia.pk}/assess/",
    ]:
        assert trainer.get(url).status_code == 200, url
    for local in ("supporter", "uma", "nadia", "quinn", "rosa"):
        client = login(local)
        assert client.get("/p/riverside/my/training/").status_code == 200, local
        assert client.get("/p/riverside/my/calendar/").status_code == 200, local
    assert "Download my certificate" in login("quinn").get("/p/riverside/my/training/").content.decode()
    assert login("supporter").get("/p/riverside/my/continuing-education/").status_code == 200
