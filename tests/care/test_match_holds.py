"""Supporter care holds supporters back from new matches (through support's availability
registry): each hold-back appears with a kind reason for the coordinator and kind words for
the supporter, and clears when its cause does."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from peerpath.care.models import Break, BreakStatus, CareTask, HardEvent, HardEventKind, TaskStatus
from peerpath.care.services import care_tasks, supervision
from peerpath.care.services import common as care_common
from peerpath.care.services.match_pause import set_match_pause
from peerpath.recruitment.models import Supporter
from peerpath.support import availability, eligibility
from peerpath.support.models import SupportRelationship
from peerpath.support.services import matches
from tests.care.helpers import HIGH_STRAIN, check_in
from tests.support.helpers import make_participant


def held(support: Any, record: Supporter, on_date: dt.date | None = None) -> list[str]:
    """The coordinator's reasons for ``record`` on the Matching page (empty: free to match)."""
    pool = eligibility.supporter_pool(support.program, on_date)
    return [reason for s, reason in pool.excluded + pool.limited if s.pk == record.pk]


def words(support: Any, record: Supporter) -> list[str]:
    return [h.for_supporter for h in availability.hold_backs(support.program, timezone.localdate()).get(record.pk, [])]


def test_nothing_holds_back_a_supporter_in_good_standing(support: Any) -> None:
    assert held(support, support.priya) == [] and words(support, support.priya) == []


def test_the_supervisors_pause_switch_holds_back_and_resumes(support: Any) -> None:
    client = support.client_for(support.world.supervisor)
    page = reverse("care:supporter", args=[support.program.slug, support.priya.pk])
    assert "Pause new matches" in client.get(page).content.decode()
    client.post(reverse("care:match_pause", args=[support.program.slug, support.priya.pk]), {"paused": "1"})
    assert held(support, support.priya) == ["held back by their supervisor"]
    with pytest.raises(ValidationError, match="held back by their supervisor"):
        matches.propose_match(actor=support.coordinator, participant=support.waiting, supporter=support.priya)
    # The supporter sees it on their own page, in kind words.
    own = support.client_for(support.supporter).get(reverse("care:my_care", args=[support.program.slug]))
    assert "Your supervisor has paused new matches for now" in own.content.decode()
    # The batch page lists them with the reason only.
    batch = support.client_for(support.coordinator).get(reverse("support:batch", args=[support.program.slug]))
    assert "held back by their supervisor" in batch.content.decode()
    # Uma's supervisor is not Priya's: no switch for someone else's supporter.
    assert set_match_pause(actor=support.world.supervisor, supporter=support.priya, paused=False) is None
    assert held(support, support.priya) == []
    assert (
        "paused new matches"
        not in support.client_for(support.supporter)
        .get(reverse("care:my_care", args=[support.program.slug]))
        .content.decode()
    )


def test_a_supporter_cannot_pause_or_resume_themselves(support: Any) -> None:
    with pytest.raises(ValidationError):
        set_match_pause(actor=support.supporter, supporter=support.priya, paused=True)


def test_a_highest_concern_check_in_holds_back_until_its_task_is_done(support: Any) -> None:
    check_in(support.priya, HIGH_STRAIN)
    task = CareTask.objects.get(supporter=support.priya, checkin__concern=True, status=TaskStatus.OPEN)
    assert held(support, support.priya) == ["held back for a well-being follow-up"]
    assert "follows up on your last check-in" in words(support, support.priya)[0]
    assigned = task.assigned_to or support.coordinator
    care_tasks.complete_task(actor=assigned, task=task, outcome="Talked it through")
    assert held(support, support.priya) == []
    # Off in the settings: no hold-back at all.
    check_in(support.priya, HIGH_STRAIN)
    care_common.update_settings(
        actor=support.coordinator, program=support.program, data={"hold_on_concern_checkin": False}
    )
    assert held(support, support.priya) == []


def test_a_hard_event_holds_back_for_the_set_number_of_days(support: Any) -> None:
    HardEvent.objects.create(
        program=support.program, supporter=support.priya, kind=HardEventKind.CRISIS, occurred_at=timezone.now()
    )
    today = timezone.localdate()
    assert held(support, support.priya) == ["held back for 7 days after a hard event in their caseload"]
    assert held(support, support.priya, today + dt.timedelta(days=6)) != []
    assert held(support, support.priya, today + dt.timedelta(days=7)) == []  # cleared after the 7 days


def test_overdue_supervision_holds_back_until_supervision_is_logged(support: Any) -> None:
    long_ago = timezone.now() - dt.timedelta(days=61)
    Supporter.objects.filter(pk=support.priya.pk).update(stage_changed_at=long_ago)
    assert held(support, support.priya) == ["supervision overdue"]  # due after 30 days, overdue by 31
    assert "until you have had supervision" in words(support, support.priya)[0]
    supervision.log_meeting(
        actor=support.world.supervisor,
        program=support.program,
        kind="one_on_one",
        held_on=timezone.localdate(),
        duration_minutes=45,
        supervisor=support.world.supervisor,
        attendees=[support.priya],
    )
    assert held(support, support.priya) == []


def test_back_from_a_break_one_new_match_in_the_first_two_weeks(support: Any) -> None:
    today = timezone.localdate()
    # Her current match began before the break.
    SupportRelationship.objects.filter(pk=support.ana_rel.pk).update(proposed_at=timezone.now() - dt.timedelta(days=40))
    Break.objects.create(
        program=support.program,
        supporter=support.priya,
        starts_on=today - dt.timedelta(days=20),
        ends_on=today - dt.timedelta(days=3),
        status=BreakStatus.ENDED,
    )
    reason = "returning from a break: 1 new match in the first 14 days"
    assert held(support, support.priya) == [reason]
    offer = next(o for o in eligibility.supporter_pool(support.program).offers if o.id == support.priya.pk)
    assert offer.free == 1  # capped: she has more room, but only one new match for now
    assert "Welcome back" in words(support, support.priya)[0]
    matches.propose_match(actor=support.coordinator, participant=support.waiting, supporter=support.priya)
    pool = eligibility.supporter_pool(support.program)
    assert (support.priya.pk, reason) in [(s.pk, r) for s, r in pool.excluded]  # the one new match is taken
    another = make_participant(support.world, full_name="Dana Reyes", email="dana@example.net")
    with pytest.raises(ValidationError, match="returning from a break"):
        matches.propose_match(actor=support.coordinator, participant=another, supporter=support.priya)
    assert held(support, support.priya, today + dt.timedelta(days=12)) == []  # two weeks back: cleared
