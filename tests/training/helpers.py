"""Building blocks for training and certification tests, made through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from peerpath.programs.models import Program
from peerpath.recruitment.models import Stage, Supporter
from peerpath.training import services
from peerpath.training.models import Cohort, TrainingSession
from tests.factories import MembershipFactory, SupporterFactory


def trainee(program: Program, name: str = "Tia Trainee", stage: str = Stage.IN_TRAINING) -> Supporter:
    """A person on the pathway with a login (supporter role) in the given stage."""
    user = MembershipFactory(program=program, is_supporter=True, user__full_name=name).user
    return SupporterFactory(program=program, user=user, full_name=name, email=user.email, stage=stage)


def cohort(world: Any, *, trainers: list[Any] | None = None, name: str = "Spring course", days_ago: int = 70) -> Cohort:
    start = timezone.localdate() - dt.timedelta(days=days_ago)
    return services.save_cohort(
        actor=world.coordinator,
        program=world.program,
        cohort=None,
        data={"name": name, "starts_on": start, "ends_on": start + dt.timedelta(weeks=9), "default_location": "Room 2"},
        trainers=trainers or [world.trainer],
    )


def session(
    world: Any, the_cohort: Cohort, *, days_ago: float = 7, title: str = "Session", makeup_for: Any = None
) -> TrainingSession:
    starts = timezone.now() - dt.timedelta(days=days_ago)
    return services.save_session(
        actor=world.trainer,
        cohort=the_cohort,
        session=None,
        data={
            "title": title,
            "starts_at": starts,
            "ends_at": starts + dt.timedelta(hours=2),
            "location": "Room 2",
            "online_url": "",
            "description": "",
            "makeup_for": makeup_for,
        },
    )


def held_sessions(world: Any, the_cohort: Cohort, count: int) -> list[TrainingSession]:
    return [session(world, the_cohort, days_ago=7 * (count - i), title=f"Session {i + 1}") for i in range(count)]


def attend(world: Any, sessions: list[TrainingSession], person: Supporter, statuses: list[str]) -> None:
    for s, status in zip(sessions, statuses, strict=True):
        services.record_attendance(actor=world.trainer, session=s, marks={person.pk: (status, "")})
