"""Helpers for supporter-care tests."""

from __future__ import annotations

from typing import Any

from peerpath.care.models import Questionnaire
from peerpath.care.services import checkins
from peerpath.care.services import common as care_common
from peerpath.programs.models import Program
from peerpath.recruitment.models import Stage, Supporter
from peerpath.recruitment.services import assign_supervisor
from peerpath.support.models import SupportRelationship
from tests.factories import TESTS, MembershipFactory, SupporterFactory
from tests.support.helpers import make_participant, match, profile

# Answers to the PeerPath brief check-in (items 1-10, 0-4; 5, 6 and 10 reverse-scored).
CALM = {1: 0, 2: 0, 3: 0, 4: 0, 5: 4, 6: 4, 7: 4, 8: 4, 9: 4, 10: 0}  # strain 0, support 16
HIGH_STRAIN = {1: 4, 2: 4, 3: 4, 4: 4, 5: 0, 6: 0, 7: 4, 8: 4, 9: 4, 10: 0}  # strain 24, support 16


def supporter(
    program: Program, name: str = "Alex Active", *, stage: str = Stage.ACTIVE, supervisor: Any = None
) -> Supporter:
    """A person on the pathway with a login and the supporter role."""
    user = MembershipFactory(program=program, is_supporter=True, user__full_name=name).user
    record = SupporterFactory(program=program, user=user, full_name=name, email=user.email, stage=stage)
    if supervisor is not None:
        assign_supervisor(actor=TESTS, supporter=record, supervisor=supervisor)
    return record


def relationship(world: Any, record: Supporter, name: str) -> SupportRelationship:
    """An active support relationship of ``record`` (certified and profiled for matching on the
    way) with a new participant called ``name``, made through the support services."""
    profile(world, record)
    email = name.lower().replace(" ", ".") + "@example.net"
    return match(world, make_participant(world, full_name=name, email=email), record, record.user)


def checkin_questionnaire(program: Program) -> Questionnaire:
    questionnaire = care_common.get_settings(program).checkin_questionnaire
    assert questionnaire is not None
    return questionnaire


def check_in(record: Supporter, answers: dict[int, int] | None = None, **flags: Any) -> Any:
    return checkins.complete_checkin(
        actor=record.user,
        supporter=record,
        questionnaire=checkin_questionnaire(record.program),
        answers=answers or CALM,
        **flags,
    )


CARE_SECRETS = {
    "checkin_comment": "marzipan-comment",
    "debrief_what": "gondola-what",
    "debrief_well": "gondola-well",
    "debrief_hard": "gondola-hard",
    "debrief_topics": "gondola-topics",
    "break_reason": "pelican-reason",
    "supervision_topics": "kestrel-topics",
    "supervision_notes": "kestrel-notes",
    "follow_up": "kestrel-follow-up",
    "outcome": "kestrel-outcome",
}


def fill_care_secrets(world: Any, record: Supporter) -> None:
    """Write `CARE_SECRETS` into every encrypted care field of ``record`` through the services
    (a check-in with answers and a comment, a debrief, a break, a supervision meeting with a
    follow-up task closed with an outcome)."""
    import datetime as dt

    from django.utils import timezone

    from peerpath.care.services import breaks, care_tasks, debriefs, supervision

    today = timezone.localdate()
    check_in(record, HIGH_STRAIN, comment=CARE_SECRETS["checkin_comment"], wants_to_talk=True)
    debriefs.submit_debrief(
        actor=record.user,
        supporter=record,
        kind="other",
        occurred_on=today,
        what_happened=CARE_SECRETS["debrief_what"],
        went_well=CARE_SECRETS["debrief_well"],
        was_hard=CARE_SECRETS["debrief_hard"],
        topics=CARE_SECRETS["debrief_topics"],
    )
    breaks.request_break(
        actor=record.user,
        supporter=record,
        starts_on=today + dt.timedelta(days=30),
        ends_on=today + dt.timedelta(days=40),
        reason=CARE_SECRETS["break_reason"],
    )
    meeting = supervision.log_meeting(
        actor=world.supervisor,
        program=record.program,
        kind="one_on_one",
        held_on=today,
        duration_minutes=45,
        supervisor=world.supervisor,
        attendees=[record],
        topics=CARE_SECRETS["supervision_topics"],
        notes=CARE_SECRETS["supervision_notes"],
        follow_ups=[CARE_SECRETS["follow_up"]],
        follow_up_due_on=today + dt.timedelta(days=7),
    )
    task = meeting.follow_ups.get()
    care_tasks.complete_task(actor=world.supervisor, task=task, outcome=CARE_SECRETS["outcome"])
