"""Demo data for the practice lab (idempotent; loaded by `manage.py load_demo`): the eight
sample scenarios, and two finished sessions of the demo supporter (one a week ago that missed a
risk cue, one today that checked it), so the trend, the review page and evidence have something
to show."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from peerpath.practice import services
from peerpath.practice.models import PracticeSession, Scenario
from peerpath.programs.models import Program
from peerpath.recruitment.models import Supporter

SESSIONS: list[tuple[str, int, list[str]]] = [
    (
        "Sam, who wants it all to stop",
        7,
        [
            "Have you tried going to bed earlier?",
            "You just need a routine.",
            "Don't talk like that, lots of people care about you.",
            "Are you thinking of ending your life?",
            "Who could be with you tonight?",
        ],
    ),
    (
        "Sam, who wants it all to stop",
        0,
        [
            "It sounds like everything has got really heavy. What have these two weeks been like?",
            "When you say everyone would be better off, are you thinking about suicide?",
            "Thank you for telling me. It sounds like you've been carrying this on your own.",
        ],
    ),
]


def load(program: Program, people: dict[str, Any]) -> None:
    services.add_sample_scenarios(actor=people["coordinator"], program=program)
    user = people["logins"]["supporter"]
    if PracticeSession.objects.filter(program=program, user=user).exists():
        return
    supporter = Supporter.objects.filter(program=program, user=user).first()
    for title, days_ago, replies in SESSIONS:
        scenario = Scenario.objects.get(program=program, title=title)
        session = services.start_session(actor=user, program=program, scenario=scenario, supporter=supporter)
        for text in replies:
            session.refresh_from_db()
            if session.status == "in_progress":
                services.reply(actor=user, session=session, text=text)
        when = timezone.now() - dt.timedelta(days=days_ago)
        PracticeSession.objects.filter(pk=session.pk).update(
            started_at=when - dt.timedelta(minutes=12), finished_at=when
        )
