"""Demo data for supporter care (idempotent; loaded by `manage.py load_demo` with e-mail suppressed).

Sam Okafor supervises the active supporters and trainees. Priya has a history of check-ins
(a trend to look at), supervision meetings, a buddy, a recent hard event with a check-in
waiting, and a three-year milestone coming up. Uma has two high-concern check-ins and asked
to talk after a debrief; her supervision is overdue. Victor is on a recorded break. Debriefs
suggest refresher topics. One newsletter has gone out and another is in draft.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from peerpath.care import defaults
from peerpath.care.models import (
    CheckIn,
    Debrief,
    DebriefKind,
    HardEventKind,
    MeetingKind,
    Newsletter,
    NewsletterStatus,
    RecognitionKind,
    SupervisionMeeting,
)
from peerpath.care.services import breaks, buddies, care_tasks, checkins, newsletters, recognition, supervision
from peerpath.care.services import common as care_common
from peerpath.care.services import debriefs as care_debriefs
from peerpath.care.stages import Audience
from peerpath.core.actors import DEMO
from peerpath.core.models import User
from peerpath.programs.models import Program
from peerpath.recruitment.models import Stage, StageChange, Supporter
from peerpath.recruitment.services import assign_supervisor

# Days since each person first became active (the pathway history is backdated to match).
ACTIVE_SINCE = {"supporter": 3 * 365 - 20, "uma": 365 + 12, "victor": 5 * 365 - 40, "wendy": 900, "xavier": 2000}

# Priya's check-ins (days ago, answers 1-10 on the 0-4 scale): strain eases over the months.
PRIYA_CHECKINS = [
    (150, [3, 3, 2, 3, 1, 1, 2, 2, 3, 2]),
    (120, [3, 2, 2, 2, 2, 1, 3, 2, 3, 2]),
    (90, [2, 2, 2, 2, 2, 2, 3, 3, 3, 1]),
    (60, [2, 1, 1, 2, 3, 2, 3, 3, 4, 1]),
    (30, [1, 1, 1, 1, 3, 3, 4, 3, 4, 1]),
]
# Uma's last two check-ins are in the highest-concern band.
UMA_CHECKINS = [
    (70, [2, 2, 1, 2, 2, 2, 3, 2, 3, 1]),
    (40, [3, 4, 3, 3, 1, 1, 2, 1, 2, 3]),
    (12, [4, 3, 3, 4, 0, 1, 1, 1, 2, 3]),
]


def _account(person: Supporter) -> User:
    assert person.user is not None  # every demo supporter has an account
    return person.user


def load(program: Program, people: dict[str, Any]) -> None:
    defaults.seed_checkin(sender=Program, program=program, actor=DEMO)
    if SupervisionMeeting.objects.filter(program=program).exists():
        return
    coordinator = people["coordinator"]
    supervisor = people["logins"]["supervisor"]
    s: dict[str, Supporter] = people["supporters"]
    now = timezone.now()
    today = timezone.localdate()

    _backdate_active(s, now)
    for key in ("supporter", "uma", "victor", "tomas", "rosa", "quinn", "nadia", "omar", "paula"):
        assign_supervisor(actor=coordinator, supporter=s[key], supervisor=supervisor)
        s[key].refresh_from_db()

    questionnaire = care_common.get_settings(program).checkin_questionnaire
    assert questionnaire is not None  # every program starts with the brief check-in
    for key, series in (("supporter", PRIYA_CHECKINS), ("uma", UMA_CHECKINS)):
        for days_ago, values in series:
            checkin = checkins.complete_checkin(
                actor=_account(s[key]),
                supporter=s[key],
                questionnaire=questionnaire,
                answers=dict(enumerate(values, start=1)),
                wants_to_talk=key == "uma" and days_ago == 12,
                comment="It has been a heavy month." if key == "uma" and days_ago == 12 else "",
            )
            when = now - dt.timedelta(days=days_ago)
            CheckIn.objects.filter(pk=checkin.pk).update(completed_at=when, created_at=when, due_on=when.date())
            checkin.tasks.update(created_at=when, due_on=when.date() + dt.timedelta(days=2))
            if days_ago > 20:
                for task in checkin.tasks.all():
                    care_tasks.complete_task(actor=supervisor, task=task, outcome="Talked it through in supervision.")

    meetings = [
        (400, MeetingKind.ONE_ON_ONE, 60, ["supporter"], "Settling into the role", "Went through first matches."),
        (50, MeetingKind.ONE_ON_ONE, 60, ["supporter"], "Boundaries; a participant who calls late", "Agreed on hours."),
        (45, MeetingKind.ONE_ON_ONE, 45, ["uma"], "Workload", "Uma is supporting three people; will not take more."),
        (35, MeetingKind.GROUP, 90, ["supporter", "uma", "tomas"], "Crisis calls: when to refer", "Role play."),
        (20, MeetingKind.ONE_ON_ONE, 60, ["supporter"], "How the new match is going", "Going well."),
    ]
    for days_ago, kind, minutes, who, topics, notes in meetings:
        supervision.log_meeting(
            actor=supervisor,
            program=program,
            kind=kind,
            held_on=today - dt.timedelta(days=days_ago),
            duration_minutes=minutes,
            supervisor=supervisor,
            attendees=[s[k] for k in who],
            topics=topics,
            notes=notes,
            follow_ups=["Share the referral list with the group"] if kind == MeetingKind.GROUP else [],
        )

    debriefs = [
        ("supporter", 25, DebriefKind.SUPPORT_GROUP, "Boundaries with family\nHandling crisis calls", False),
        ("uma", 18, DebriefKind.HARD_CONTACT, "boundaries with families; grief after a participant dies", True),
        ("tomas", 15, DebriefKind.SUPPORT_GROUP, "Crisis calls, Self-care after hard groups", False),
        ("rosa", 9, DebriefKind.SUPPORT_GROUP, "How to handle crisis calls", False),
        ("supporter", 5, DebriefKind.HARD_CONTACT, "Grief after a participant dies", False),
    ]
    for key, days_ago, debrief_kind, topics, talk in debriefs:
        debrief = care_debriefs.submit_debrief(
            actor=_account(s[key]),
            supporter=s[key],
            kind=debrief_kind,
            occurred_on=today - dt.timedelta(days=days_ago),
            what_happened="A group of six; one participant spoke about a setback."
            if debrief_kind == DebriefKind.SUPPORT_GROUP
            else "A long call with someone who was struggling.",
            went_well="People listened to each other.",
            was_hard="Not knowing how they are now.",
            topics=topics,
            wants_to_talk=talk,
        )
        written = now - dt.timedelta(days=days_ago - 1)
        Debrief.objects.filter(pk=debrief.pk).update(created_at=written)
        debrief.tasks.update(created_at=written)

    breaks.request_break(
        actor=coordinator,
        supporter=s["victor"],
        starts_on=today - dt.timedelta(days=10),
        ends_on=today + dt.timedelta(days=20),
        reason="Family commitments this month.",
        by_staff=True,
    )
    breaks.request_break(
        actor=_account(s["rosa"]),
        supporter=s["rosa"],
        starts_on=today + dt.timedelta(days=21),
        ends_on=today + dt.timedelta(days=35),
        reason="Exams.",
    )
    buddies.pair_buddies(actor=coordinator, program=program, first=s["supporter"], second=s["tomas"])
    care_debriefs.record_hard_event(
        program=program,
        supporter=s["supporter"],
        kind=HardEventKind.RELAPSED,
        occurred_at=now - dt.timedelta(days=1),
        source_type="demo",
        source_id="1",
    )
    recognition.record_recognition(
        actor=coordinator,
        program=program,
        supporter=s["supporter"],
        kind=RecognitionKind.CERTIFICATE,
        title="Two years of service",
        message="Thank you for two years of steady, warm support.",
        given_on=today - dt.timedelta(days=345),
        milestone="years:2",
        notify=False,
    )
    recognition.record_recognition(
        actor=coordinator,
        program=program,
        supporter=s["xavier"],
        kind=RecognitionKind.AWARD,
        title="Peer supporter of the year",
        event_name="Annual volunteers' dinner",
        given_on=today - dt.timedelta(days=200),
        notify=False,
    )
    sent = newsletters.save_newsletter(
        actor=coordinator,
        program=program,
        newsletter=None,
        subject="Spring update: refresher dates and a thank-you",
        body="Dear all,\n\nThank you for everything you gave this winter.\n\nThe next refresher is on crisis calls; "
        "dates follow soon. Supporters on a break or who have stepped back are always welcome at our dinners.\n\n"
        "Cora",
        audiences=[Audience.ACTIVE, Audience.ON_BREAK, Audience.INACTIVE_ALUMNI],
    )
    Newsletter.objects.filter(pk=sent.pk).update(
        status=NewsletterStatus.SENT, sent_at=now - dt.timedelta(days=14), sent_by=coordinator, recipient_count=6
    )
    newsletters.save_newsletter(
        actor=coordinator,
        program=program,
        newsletter=None,
        subject="Training update for new supporters",
        body="Welcome to everyone starting training this month.",
        audiences=[Audience.TRAINEES],
    )
    newsletters.set_newsletter_preference(
        actor=s["xavier"].user or coordinator, supporter=s["xavier"], receive=False, via="demo"
    )


def _backdate_active(s: dict[str, Supporter], now: dt.datetime) -> None:
    """Give the demo's long-serving supporters a pathway history that starts years ago."""
    for key, days in ACTIVE_SINCE.items():
        person = s[key]
        first = now - dt.timedelta(days=days)
        StageChange.objects.filter(supporter=person, to_stage=Stage.ACTIVE).update(created_at=first)
        if person.stage == Stage.ACTIVE:
            Supporter.objects.filter(pk=person.pk).update(stage_changed_at=first)
        person.refresh_from_db()
