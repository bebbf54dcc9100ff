from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from peerpath.demo.content import SLUG
from peerpath.groups.models import Frequency, GroupSession, MemberStatus, SessionStatus
from peerpath.hours import ledger
from peerpath.programs.models import Program
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
    groups_and_hours_are_in_the_demo()


# Stages of people who serve or have served: each has hours in their ledger.
SERVED = {
    Stage.CERTIFIED,
    Stage.PROVISIONAL,
    Stage.SHADOWING,
    Stage.ACTIVE,
    Stage.ON_BREAK,
    Stage.INACTIVE,
    Stage.ALUMNI,
}


def groups_and_hours_are_in_the_demo() -> None:
    """A weekly support group with members and a session history, a monthly information session,
    a quarterly dinner with RSVPs, and hours for every supporter who serves or has served."""
    program = Program.objects.get(slug=SLUG)
    weekly = program.groups.get(name="Tuesday evening peer support group")
    assert weekly.frequency == Frequency.WEEKLY and weekly.lead is not None and weekly.co_facilitators.exists()
    assert weekly.members.filter(status=MemberStatus.ACTIVE).count() == 5
    history = GroupSession.objects.filter(group=weekly, starts_at__lt=timezone.now())
    assert history.filter(status=SessionStatus.HELD, attendance__isnull=False).distinct().count() >= 8
    assert history.filter(status=SessionStatus.CANCELLED).count() == 1
    assert history.filter(debrief__isnull=False).count() == 1
    assert [a.name for a in weekly.focus_areas.all()] == ["Depression and anxiety"]
    info = program.groups.get(kind__name="Information session")
    assert info.frequency == Frequency.MONTHLY
    assert GroupSession.objects.filter(group=info, status=SessionStatus.HELD).count() >= 3
    dinner = program.groups.get(kind__name="Social gathering")
    assert dinner.frequency == Frequency.QUARTERLY and dinner.is_event
    assert GroupSession.objects.filter(group=dinner, rsvps__isnull=False).exists()
    minutes = ledger.minutes_by_supporter(program)
    served = Supporter.objects.filter(program=program, stage__in=SERVED)
    assert served.count() >= 8
    assert {s.full_name: minutes.get(s.pk, 0) > 0 for s in served} == {s.full_name: True for s in served}
