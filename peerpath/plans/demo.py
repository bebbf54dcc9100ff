"""Demo plans (idempotent; loaded by `manage.py load_demo` after the support demo).

Helen (with Priya) has two goals in her own words, one met, with steps and progress, and a plan
review ten days ago; Ravi has one goal just set; Dana's plan review is due (the demo program
reviews plans every four weeks), so it shows on Priya's home page. Grace (with Uma) has a goal
worked on twice.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from peerpath.core.actors import DEMO, Actor
from peerpath.plans import services
from peerpath.plans.models import Goal, GoalStatus
from peerpath.programs.models import Program
from peerpath.support.models import WORKING_STATES, SupportRelationship


def _relationship(program: Program, name: str) -> SupportRelationship | None:
    for relationship in SupportRelationship.objects.filter(program=program, state__in=WORKING_STATES).select_related(
        "participant", "supporter__user"
    ):
        if relationship.participant.full_name == name:
            return relationship
    return None


def load(program: Program, people: dict[str, Any]) -> None:
    if Goal.objects.filter(program=program).exists():
        return
    coordinator = people["coordinator"]
    services.update_settings(actor=coordinator, program=program, data={"review_every_weeks": 4})
    today = timezone.localdate()

    def ago(days: int) -> dt.date:
        return today - dt.timedelta(days=days)

    helen = _relationship(program, "Helen Ward")
    if helen is not None:
        priya: Actor = helen.supporter.user or DEMO
        walks = services.save_goal(
            actor=priya,
            relationship=helen,
            goal=None,
            data={
                "text": "Get back to my Sunday walks, even when it rains",
                "target_on": today + dt.timedelta(days=30),
            },
        )
        for text, owner, done in (
            ("Walk to the end of the street and back", "participant", ago(30)),
            ("Ask my sister to come along on Sundays", "participant", ago(18)),
            ("Find a walking group near Downtown", "together", None),
        ):
            services.save_step(actor=priya, goal=walks, step=None, data={"text": text, "owner": owner, "done_on": done})
        services.record_progress(actor=priya, goal=walks, on=ago(20), note="Walked twice this week, once alone.")
        services.record_progress(actor=priya, goal=walks, on=ago(6), note="Went with her sister; talked about Tom.")
        bills = services.save_goal(
            actor=priya,
            relationship=helen,
            goal=None,
            data={"text": "Understand the bills my husband used to handle"},
        )
        services.save_step(
            actor=priya,
            goal=bills,
            step=None,
            data={"text": "Go through the letters together", "owner": "together", "done_on": ago(25)},
        )
        services.record_progress(actor=priya, goal=bills, on=ago(20), note="Made a list of what is paid when.")
        services.move_goal(actor=priya, goal=bills, to=GoalStatus.MET, on=ago(20))
        services.record_review(actor=priya, relationship=helen, on=ago(10), note="Walks first; bills are done.")

    ravi = _relationship(program, "Ravi Menon")
    if ravi is not None:
        services.save_goal(
            actor=ravi.supporter.user or DEMO,
            relationship=ravi,
            goal=None,
            data={"text": "Feel less on edge before work in the morning"},
        )

    grace = _relationship(program, "Grace Obi")
    if grace is not None:
        uma: Actor = grace.supporter.user or DEMO
        rest = services.save_goal(
            actor=uma,
            relationship=grace,
            goal=None,
            data={"text": "Plan my week around the days I have more energy"},
        )
        services.save_step(
            actor=uma, goal=rest, step=None, data={"text": "Keep an energy diary", "owner": "participant"}
        )
        services.record_progress(actor=uma, goal=rest, on=ago(40), note="Started the diary.")
        services.record_progress(actor=uma, goal=rest, on=ago(9), note="Moved shopping to Tuesdays.")
