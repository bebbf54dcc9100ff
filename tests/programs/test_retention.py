"""Retention by rule: per-program periods, the nightly run (one audit entry), the 30-day forecast page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from peerpath.core import scheduler
from peerpath.core.models import AuditEntry
from peerpath.programs import retention
from peerpath.programs.models import RetentionSettings
from peerpath.support.models import (
    CloseReason,
    ContactDraft,
    ErasureTally,
    Participant,
    SupportRelationship,
)
from peerpath.support.services import contacts, matches
from tests.core.test_account_links import finished_row
from tests.support.helpers import make_participant, match, profile

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def ended(world: Any, name: str, days_ago: int) -> Participant:
    """A participant whose support ended ``days_ago`` days ago, with one logged contact."""
    participant = make_participant(world, full_name=name)
    relationship = match(world, participant, world.supporter_record, world.supporter)
    contacts.log_contact(
        actor=world.supporter,
        relationship=relationship,
        data={
            "contacted_on": timezone.localdate(),
            "channel": "phone",
            "reached": True,
            "tasks": ["rapport"],
            "kind": "first",
            "notes": "",
            "next_follow_up": None,
        },
    )
    matches.close_relationship(actor=world.supporter, relationship=relationship, close_reason=CloseReason.GOALS_MET)
    SupportRelationship.objects.filter(pk=relationship.pk).update(closed_at=timezone.now() - days_ago * DAY)
    participant.refresh_from_db()
    return participant


@pytest.fixture
def setup(world: Any) -> Any:
    profile(world, world.supporter_record, capacity=10)
    old = ended(world, "Olive Oldfield", days_ago=400)
    soon = ended(world, "Sunny Soonwell", days_ago=350)  # goes in 15 days under a 365-day period
    recent = ended(world, "Rita Recent", days_ago=10)
    open_one = make_participant(world, full_name="Wanda Waiting")
    active = match(world, open_one, world.supporter_record, world.supporter)
    draft, _ = contacts.save_draft(actor=world.supporter, relationship=active, values={"notes": "half typed"})
    ContactDraft.objects.filter(pk=draft.pk).update(updated_at=timezone.now() - 40 * DAY)
    old_entry = AuditEntry.objects.create(program=world.program, action="x.old", target_type="x")
    AuditEntry.objects.filter(pk=old_entry.pk).update(created_at=timezone.now() - 500 * DAY)
    other_entry = AuditEntry.objects.create(program=world.other_program, action="x.old", target_type="x")
    AuditEntry.objects.filter(pk=other_entry.pk).update(created_at=timezone.now() - 500 * DAY)
    return {
        "world": world,
        "old": old,
        "soon": soon,
        "recent": recent,
        "open_one": open_one,
        "old_entry": old_entry,
        "other_entry": other_entry,
    }


def test_nothing_goes_by_default_but_abandoned_drafts(setup: Any) -> None:
    world = setup["world"]
    row = retention.get_settings(world.program)
    assert (row.closed_participant_days, row.audit_days, row.draft_days) == (None, None, 30)
    entry = retention.run()
    assert Participant.objects.filter(program=world.program).count() == 4
    assert not ContactDraft.objects.exists()
    assert entry.changes["removed"] == {"riverside": {"abandoned_drafts": 1}}


def test_the_run_erases_what_has_passed_keeps_counts_and_writes_one_entry(setup: Any, settings: Any) -> None:
    world = setup["world"]
    RetentionSettings.objects.filter(program=world.program).delete()
    RetentionSettings.objects.create(program=world.program, closed_participant_days=365, audit_days=365)
    settings.FINISHED_TASKS_KEEP_DAYS = 14
    finished_row(days_ago=20)
    finished_row(days_ago=2)
    before = AuditEntry.objects.count()
    entry = retention.run()

    left = set(Participant.objects.filter(program=world.program).values_list("pk", flat=True))
    assert setup["old"].pk not in left
    assert {setup["soon"].pk, setup["recent"].pk, setup["open_one"].pk} <= left
    tally = ErasureTally.objects.get(program=world.program)
    assert (tally.participants, tally.relationships) == (1, 1)
    assert not AuditEntry.objects.filter(pk=setup["old_entry"].pk).exists()
    assert AuditEntry.objects.filter(pk=setup["other_entry"].pk).exists()  # the other program keeps its log
    assert entry.action == "retention.run" and entry.program is None and entry.actor_label == "retention"
    assert entry.changes["removed"]["riverside"] == {
        "audit_entries": 1,
        "closed_participants": 1,
        "abandoned_drafts": 1,
        "group_only_participants": 0,  # groups' rule runs under the same period (nobody here)
    }
    assert entry.changes["finished_tasks"] == 1
    # One new entry for the whole run (the removed audit entry went), none per participant.
    assert AuditEntry.objects.count() == before - 1 + 1
    assert not AuditEntry.objects.filter(action="participant.erase").exists()
    # A second run finds nothing more.
    assert retention.run().changes["removed"] == {}


def test_the_forecast_shows_what_goes_in_the_next_30_days(setup: Any) -> None:
    world = setup["world"]
    retention.get_settings(world.program)
    RetentionSettings.objects.filter(program=world.program).update(closed_participant_days=365, audit_days=None)
    found = {f.rule.key: f for f in retention.forecast(world.program)}
    participants = found["closed_participants"]
    assert (participants.next_run, participants.within_horizon) == (1, 2)
    assert [item.label for item in participants.items] == [setup["old"].reference, setup["soon"].reference]
    assert participants.items[1].goes_on == (timezone.now() + 15 * DAY).date()
    assert found["audit_entries"].days is None and found["audit_entries"].within_horizon == 0
    assert (found["abandoned_drafts"].next_run, found["abandoned_drafts"].within_horizon) == (1, 1)


def test_the_page_saves_settings_and_shows_the_forecast(setup: Any) -> None:
    world = setup["world"]
    client = world.client_for(world.coordinator)
    page = client.get("/p/riverside/settings/retention/")
    assert page.status_code == 200
    assert "What goes in the next 30 days" in page.content.decode()
    saved = client.post(
        "/p/riverside/settings/retention/", {"closed_participant_days": "365", "audit_days": "", "draft_days": "30"}
    )
    assert saved.status_code == 302
    assert retention.get_settings(world.program).closed_participant_days == 365
    assert AuditEntry.objects.filter(action="retention_settings.update", program=world.program).exists()
    page = client.get("/p/riverside/settings/retention/").content.decode()
    assert setup["old"].reference in page and setup["soon"].reference in page
    assert setup["recent"].reference not in page
    retention.run()
    page = client.get("/p/riverside/settings/retention/").content.decode()
    assert "Closed participant records (erased; anonymous counts kept): 1" in page


def test_too_short_a_period_is_refused(setup: Any) -> None:
    world = setup["world"]
    client = world.client_for(world.coordinator)
    response = client.post(
        "/p/riverside/settings/retention/", {"closed_participant_days": "3", "audit_days": "10", "draft_days": "0"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "At least 30 days" in body and "At least 90 days" in body and "At least 1 days" in body
    assert retention.get_settings(world.program).closed_participant_days is None


def test_only_coordinators_of_the_program_see_it(setup: Any) -> None:
    world = setup["world"]
    assert world.client_for(world.supervisor).get("/p/riverside/settings/retention/").status_code == 403
    assert world.client_for(world.outsider).get("/p/riverside/settings/retention/").status_code == 404


def test_the_scheduler_runs_it_daily() -> None:
    job = scheduler.PERIODIC["programs.retention"]
    assert job.every == DAY


def test_people_who_asked_only_for_a_group_go_after_leaving_their_last_group(world: Any) -> None:
    """They never have a relationship that closes: groups' rule counts from leaving their last
    group, under the same period as closed participant records, and keeps anyone still in one."""
    from peerpath.groups import services as groups
    from peerpath.groups.models import GroupMember
    from tests.groups.helpers import member, weekly_group

    group = weekly_group(world)
    other = weekly_group(world, name="Thursday group")
    gone = member(world, group, "Gus Gone")
    recent = member(world, group, "Rae Recent")
    still = member(world, group, "Stan Still")
    back = member(world, group, "Bea Back")
    for left in (gone, recent, back):
        groups.leave_group(actor=world.coordinator, member=left)
    GroupMember.objects.filter(pk__in=[gone.pk, back.pk]).update(left_on=timezone.localdate() - 100 * DAY)
    GroupMember.objects.filter(pk=recent.pk).update(left_on=timezone.localdate() - 10 * DAY)
    groups.add_member(actor=world.coordinator, group=other, participant=back.participant)  # came back elsewhere
    waiting = make_participant(world, full_name="Wes Waiting", support_wanted="group")  # never in a group yet
    RetentionSettings.objects.filter(program=world.program).delete()
    RetentionSettings.objects.create(program=world.program, closed_participant_days=60)

    forecast = {f.rule.key: f for f in retention.forecast(world.program)}["group_only_participants"]
    assert forecast.next_run == 1 and [u.label for u in forecast.items] == [gone.participant.reference]
    entry = retention.run()
    left = set(Participant.objects.filter(program=world.program).values_list("pk", flat=True))
    assert gone.participant_id not in left
    assert {recent.participant_id, still.participant_id, back.participant_id, waiting.pk} <= left
    assert entry.changes["removed"]["riverside"]["group_only_participants"] == 1
    assert ErasureTally.objects.get(program=world.program).participants == 1
    # Within the period's horizon: the one who left ten days ago goes in 50 days, not in the next 30.
    RetentionSettings.objects.filter(program=world.program).update(closed_participant_days=35)
    soon = {f.rule.key: f for f in retention.forecast(world.program)}["group_only_participants"]
    assert soon.next_run == 0 and soon.within_horizon == 1
