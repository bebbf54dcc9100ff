"""Demo data for the service-hours ledger (idempotent; loaded by `manage.py load_demo`).

Every supporter who serves or has served logs at least one other duty the coordinator approved,
so each has hours in their ledger beside what contacts and supervision already give them.
Priya also has one duty awaiting approval and one returned to her; the program sets a yearly
goal of 100 hours.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from peerpath.hours import services
from peerpath.hours.models import Kind, OtherDuty
from peerpath.programs.models import Program
from peerpath.recruitment.models import Supporter

# (e-mail local part, days ago, kind, title, minutes, review: "approve", "return" or "")
DUTIES: list[tuple[str, int, str, str, int, str]] = [
    ("supporter", 150, Kind.OUTREACH, "Information stall at the county health fair", 180, "approve"),
    ("supporter", 40, Kind.OTHER, "Answered the program's phone line", 120, "approve"),
    ("supporter", 8, Kind.OUTREACH, "Talk at Riverside library", 90, ""),
    ("supporter", 15, Kind.OTHER, "Newsletter folding", 60, "return"),
    ("uma", 60, Kind.OUTREACH, "Recovery month outreach walk", 150, "approve"),
    ("victor", 200, Kind.TRAINING, "Prepared the role-play scenarios for the spring course", 240, "approve"),
    ("wendy", 300, Kind.OTHER, "Welcomed new trainees at orientation", 120, "approve"),
    ("xavier", 330, Kind.OUTREACH, "Spoke at the hospital's family evening", 90, "approve"),
    ("quinn", 25, Kind.OUTREACH, "Flyers for the information session", 60, "approve"),
    ("rosa", 18, Kind.OTHER, "Set up the room for the quarterly dinner", 75, "approve"),
    ("tomas", 10, Kind.OUTREACH, "Shadowed an information session", 60, "approve"),
]


def load(program: Program, people: dict[str, Any]) -> None:
    coordinator = people["coordinator"]
    settings = services.get_settings(program)
    if settings.yearly_goal_hours == 0:
        services.update_settings(actor=coordinator, program=program, data={"yearly_goal_hours": 100})
    supporters: dict[str, Supporter] = people["supporters"]
    today = timezone.localdate()
    for local, days, kind, title, minutes, review in DUTIES:
        person = supporters[local]
        assert person.user is not None  # every demo supporter has an account
        if OtherDuty.objects.filter(supporter=person, title=title).exists():
            continue
        duty = services.log_duty(
            actor=person.user,
            supporter=person,
            date=today - dt.timedelta(days=days),
            kind=kind,
            title=title,
            minutes=minutes,
        )
        if review:
            services.review_duty(
                actor=coordinator,
                duty=duty,
                approve=review == "approve",
                comment="" if review == "approve" else "Folding newsletters is kind, but it is not service: thank you!",
            )
