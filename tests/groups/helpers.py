"""Helpers for groups tests: facilitators whose credential is current and a weekly group."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from peerpath.groups import services
from peerpath.groups.models import Admission, Frequency, Group, GroupKind, GroupSession, Nth, Weekday
from peerpath.recruitment.models import Stage, Supporter
from tests.factories import MembershipFactory, SupporterFactory
from tests.support.helpers import certify, make_participant


def colleague(world: Any, name: str = "Cal Colleague") -> Supporter:
    """Another active, certified supporter with a login."""
    user = MembershipFactory(program=world.program, is_supporter=True, user__full_name=name).user
    record = SupporterFactory(program=world.program, user=user, full_name=name, email=user.email, stage=Stage.ACTIVE)
    certify(world, record)
    return record


def weekly_group(
    world: Any, *, co: list[Supporter] | None = None, areas: list[Any] | None = None, **overrides: Any
) -> Group:
    """Tuesday 18:30, ninety minutes, led by the world's supporter; first session four weeks ago."""
    certify(world, world.supporter_record)
    data: dict[str, Any] = {
        "kind": GroupKind.objects.get(program=world.program, name="Peer support group"),
        "name": "Tuesday group",
        "description": "",
        "frequency": Frequency.WEEKLY,
        "weekday": Weekday.TUESDAY,
        "nth": Nth.FIRST,
        "starts_on": timezone.localdate() - dt.timedelta(weeks=4),
        "ends_on": None,
        "start_time": dt.time(18, 30),
        "duration_minutes": 90,
        "place": "Community room",
        "online_url": "",
        "capacity": None,
        "admission": Admission.BOTH,
        "listed": False,
        "lead": world.supporter_record,
        "is_active": True,
    }
    data.update(overrides)
    return services.save_group(
        actor=world.coordinator,
        program=world.program,
        group=None,
        data=data,
        co_facilitators=co or [],
        focus_areas=areas,
    )


def past_session(group: Group, days_ago: int = 1) -> GroupSession:
    """A session that has happened (the series lays out only from today on)."""
    moment = timezone.now() - dt.timedelta(days=days_ago)
    return GroupSession.objects.create(
        group=group, planned_for=moment, starts_at=moment, duration_minutes=group.duration_minutes
    )


def member(world: Any, group: Group, name: str = "Mia Member", **overrides: Any) -> Any:
    participant = make_participant(world, full_name=name, support_wanted="group", **overrides)
    return services.add_member(actor=world.coordinator, group=group, participant=participant)


# Markers written into every encrypted field of groups (tests/support/test_encryption.py looks for
# each of them in a raw dump of the database).
GROUPS_SECRETS = {
    "group_notes": "Circle went quiet capybara",
    "group_topics": "Sleep and shift work marmoset",
}


def fill_groups_secrets(world: Any) -> GroupSession:
    """A held session of a weekly group, its notes and topics holding the markers."""
    group = weekly_group(world)
    session = services.take_attendance(
        actor=world.coordinator, session=past_session(group), present=[], first_time_drop_ins=1, returning_drop_ins=0
    )
    return services.save_notes(
        actor=world.coordinator,
        session=session,
        notes=GROUPS_SECRETS["group_notes"],
        topics=GROUPS_SECRETS["group_topics"],
    )
