from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.core import mail
from django.core.management import call_command

from peerpath.recruitment.models import Source, Stage, Supporter
from tests.demo_copy import load_demo

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label not in {"sessions", "contenttypes", "auth", "django_tasks_database", "axes"}
    }


def test_demo_loads_every_stage_and_source_and_is_idempotent(capsys: Any) -> None:
    load_demo()
    first = counts()
    call_command("load_demo")
    assert counts() == first
    stages = set(Supporter.objects.values_list("stage", flat=True))
    # 'accepted' is a step in each accepted person's history; acceptance moves them on to training.
    assert stages == set(Stage.values) - {Stage.ACCEPTED}
    assert set(Supporter.objects.values_list("source", flat=True)) == set(Source.values)
    assert Supporter.objects.count() >= 20
    out = capsys.readouterr().out
    for role in ("coordinator", "trainer", "supervisor", "supporter"):
        assert f"{role}@riverside.example.org" in out
    assert mail.outbox == []
