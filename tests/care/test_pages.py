"""Every care page opens for the people it is for, hides other programs' records, and the
coordinator-only pages (settings, supervisor assignment) validate their input."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from peerpath.care.models import CareTask, Debrief, TaskKind
from peerpath.care.services import breaks, buddies, debriefs, newsletters, supervision
from peerpath.care.services import common as care_common
from peerpath.care.services import recognition as care_recognition
from peerpath.core.models import AuditEntry
from peerpath.recruitment.models import Stage, Supporter
from tests.care.helpers import HIGH_STRAIN, check_in, supporter
from tests.factories import MembershipFactory


def fill(world: Any, program: Any, coordinator: Any, supervisor: Any) -> dict[str, Any]:
    """One of everything in a program."""
    record = supporter(program, f"Care Person {program.slug}", supervisor=supervisor)
    buddy = supporter(program, f"Buddy {program.slug}")
    done = check_in(record, HIGH_STRAIN)
    debrief = debriefs.submit_debrief(
        actor=record.user,
        supporter=record,
        kind="support_group",
        occurred_on=timezone.localdate(),
        what_happened="Group",
        topics="Crisis calls",
        wants_to_talk=True,
    )
    meeting = supervision.log_meeting(
        actor=coordinator,
        program=program,
        kind="one_on_one",
        held_on=timezone.localdate(),
        duration_minutes=60,
        supervisor=supervisor,
        attendees=[record],
    )
    pair = buddies.pair_buddies(actor=coordinator, program=program, first=record, second=buddy)
    brk = breaks.request_break(
        actor=buddy.user, supporter=buddy, starts_on=timezone.localdate() + dt.timedelta(days=3), ends_on=None
    )
    recognition = care_recognition.record_recognition(
        actor=coordinator, program=program, supporter=record, kind="certificate", title="Thanks"
    )
    letter = newsletters.save_newsletter(
        actor=coordinator, program=program, newsletter=None, subject="News", body="Body", audiences=["active"]
    )
    return {
        "supporter": record,
        "checkin": done,
        "debrief": debrief,
        "meeting": meeting,
        "pair": pair,
        "break": brk,
        "recognition": recognition,
        "newsletter": letter,
        "task": CareTask.objects.filter(program=program).first(),
        "questionnaire": care_common.get_settings(program).checkin_questionnaire,
    }


# (url name, object key or None, who)
STAFF_PAGES = [
    ("care:supporters", None, "supervisor"),
    ("care:supporter", "supporter", "supervisor"),
    ("care:checkin_detail", "checkin", "supervisor"),
    ("care:debrief", "debrief", "supervisor"),
    ("care:meetings", None, "supervisor"),
    ("care:meeting_new", None, "supervisor"),
    ("care:meeting_edit", "meeting", "supervisor"),
    ("care:supervision_hours", None, "supervisor"),
    ("care:tasks", None, "supervisor"),
    ("care:attention", None, "supervisor"),
    ("care:topics", None, "trainer"),
    ("care:supervisors", None, "coordinator"),
    ("care:settings", None, "coordinator"),
    ("care:questionnaires", None, "coordinator"),
    ("care:questionnaire", "questionnaire", "coordinator"),
    ("care:questionnaire_import", None, "coordinator"),
    ("care:questionnaire_export", "questionnaire", "coordinator"),
    ("care:breaks", None, "coordinator"),
    ("care:break_new", None, "coordinator"),
    ("care:buddies", None, "coordinator"),
    ("care:recognition", None, "coordinator"),
    ("care:recognition_new", None, "coordinator"),
    ("care:recognition_certificate", "recognition", "coordinator"),
    ("care:newsletters", None, "coordinator"),
    ("care:newsletter_new", None, "coordinator"),
    ("care:newsletter_edit", "newsletter", "coordinator"),
]
OWN_PAGES = [
    "care:my_care",
    "care:checkin",
    "care:my_debriefs",
    "care:my_breaks",
    "care:my_updates",
    "care:newsletters",
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "key", "who"), STAFF_PAGES)
def test_staff_pages_open_and_foreign_records_are_not_found(world: Any, name: str, key: str | None, who: str) -> None:
    mine = fill(world, world.program, world.coordinator, world.supervisor)
    other_supervisor = MembershipFactory(program=world.other_program, is_supervisor=True).user
    theirs = fill(world, world.other_program, world.outsider, other_supervisor)
    client = world.client_for(getattr(world, who))
    args = [world.program.slug] + ([mine[key].pk] if key else [])
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200, name
    if key:
        foreign = client.get(reverse(name, args=[world.program.slug, theirs[key].pk]))
        assert foreign.status_code == 404, name


@pytest.mark.django_db
@pytest.mark.parametrize("name", OWN_PAGES)
def test_supporter_pages_open(world: Any, name: str) -> None:
    fill(world, world.program, world.coordinator, world.supervisor)
    record = Supporter.objects.get(full_name=f"Care Person {world.program.slug}")
    response = world.client_for(record.user).get(reverse(name, args=[world.program.slug]))
    assert response.status_code == 200


@pytest.mark.django_db
def test_supporter_pages_need_a_pathway_record(world: Any) -> None:
    member_only = MembershipFactory(program=world.program, is_supporter=True).user
    assert world.client_for(member_only).get(reverse("care:my_care", args=[world.program.slug])).status_code == 404


@pytest.mark.django_db
def test_a_supervisor_cannot_open_others_records_by_id(world: Any) -> None:
    someone_else = MembershipFactory(program=world.program, is_supervisor=True).user
    mine = fill(world, world.program, world.coordinator, someone_else)
    client = world.client_for(world.supervisor)
    for name, key in (
        ("care:supporter", "supporter"),
        ("care:checkin_detail", "checkin"),
        ("care:debrief", "debrief"),
        ("care:meeting_edit", "meeting"),
    ):
        assert client.get(reverse(name, args=[world.program.slug, mine[key].pk])).status_code == 404, name


@pytest.mark.django_db
def test_debriefs_open_a_task_and_show_to_the_supervisor(world: Any) -> None:
    record = supporter(world.program, "Dee Brief", supervisor=world.supervisor)
    client = world.client_for(record.user)
    url = reverse("care:my_debriefs", args=[world.program.slug])
    bad = client.post(
        url,
        {
            "kind": "support_group",
            "occurred_on": (timezone.localdate() + dt.timedelta(days=2)).isoformat(),
            "what_happened": "x",
        },
    )
    assert bad.status_code == 400 and "cannot be in the future" in bad.content.decode() and not Debrief.objects.exists()
    ok = client.post(
        url,
        {
            "kind": "hard_contact",
            "occurred_on": timezone.localdate().isoformat(),
            "what_happened": "A long call",
            "went_well": "Listened",
            "was_hard": "Silence",
            "topics": "Silence on calls",
            "wants_to_talk": "on",
        },
    )
    assert ok.status_code == 302
    debrief = Debrief.objects.get()
    task = CareTask.objects.get(debrief=debrief)
    assert task.kind == TaskKind.DEBRIEF and task.assigned_to == world.supervisor
    assert mail.outbox[-1].to == [world.supervisor.email]
    page = world.client_for(world.supervisor).get(reverse("care:debrief", args=[world.program.slug, debrief.pk]))
    assert page.status_code == 200 and "A long call" in page.content.decode()
    assert AuditEntry.objects.filter(action="debrief.view", target_id=str(debrief.pk)).exists()


@pytest.mark.django_db
def test_care_settings_page(world: Any) -> None:
    client = world.client_for(world.coordinator)
    url = reverse("care:settings", args=[world.program.slug])
    current = care_common.get_settings(world.program)
    data = {
        "supervision_every_days": "14",
        "supervision_ce_category": "supervision",
        "checkin_every_days": "28",
        "checkin_questionnaire": current.checkin_questionnaire_id,
        "concern_response_days": "3",
        "return_checkin_days": "7",
        "attention_quiet_weeks": "4",
        "attention_concern_checkins": "2",
        "attention_closed_relationships": "3",
        "attention_window_days": "90",
        "topic_window_days": "180",
        "milestone_lookahead_days": "60",
        "support_milestones": "50, 10,25",
        "weekly_digest": "on",
        "hold_on_concern_checkin": "on",
        "hold_after_hard_event_days": "7",
        "hold_supervision_overdue_days": "30",
        "return_ramp_days": "14",
        "return_ramp_matches": "1",
    }
    bad = client.post(url, {**data, "supervision_every_days": "1"})
    assert bad.status_code == 400
    assert care_common.get_settings(world.program).supervision_every_days == 30
    worse = client.post(url, {**data, "support_milestones": "ten"})
    assert worse.status_code == 400 and "positive whole numbers" in worse.content.decode()
    foreign = client.post(
        url, {**data, "checkin_questionnaire": care_common.get_settings(world.other_program).checkin_questionnaire_id}
    )
    assert foreign.status_code == 400
    assert client.post(url, data).status_code == 302
    saved = care_common.get_settings(world.program)
    assert saved.supervision_every_days == 14 and saved.support_milestones == "10,25,50" and not saved.checkin_reminders
    assert AuditEntry.objects.filter(action="care.settings.update").exists()


@pytest.mark.django_db
def test_bulk_supervisor_assignment(world: Any) -> None:
    a = supporter(world.program, "Ann Assign")
    b = supporter(world.program, "Bob Assign", stage=Stage.IN_TRAINING)
    client = world.client_for(world.coordinator)
    url = reverse("care:supervisors", args=[world.program.slug])
    page = client.get(url)
    assert page.status_code == 200 and "Supervisor of Ann Assign" in page.content.decode()
    # A coordinator who is not a supervisor is not a valid choice: nothing is saved.
    bad = client.post(url, {f"supervisor_{a.pk}": world.supervisor.pk, f"supervisor_{b.pk}": world.coordinator.pk})
    assert bad.status_code == 400 and "Nothing was saved" in bad.content.decode()
    a.refresh_from_db()
    assert a.supervisor is None
    assert client.post(url, {f"supervisor_{world.outsider_record.pk}": world.supervisor.pk}).status_code == 404
    ok = client.post(url, {f"supervisor_{a.pk}": world.supervisor.pk, f"supervisor_{b.pk}": world.supervisor.pk})
    assert ok.status_code == 302
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.supervisor == world.supervisor and b.supervisor == world.supervisor
    assert AuditEntry.objects.filter(action="supporter.assign_supervisor", target_id=str(a.pk)).exists()
    assert client.post(url, {f"supervisor_{a.pk}": ""}).status_code == 302
    a.refresh_from_db()
    assert a.supervisor is None
    unassigned = client.get(url, {"unassigned": "1"}).content.decode()
    assert "Ann Assign" in unassigned and "Bob Assign" not in unassigned


@pytest.mark.django_db
def test_home_panels_for_each_role(world: Any) -> None:
    fill(world, world.program, world.coordinator, world.supervisor)
    home = reverse("programs:home", args=[world.program.slug])
    CareTask.objects.create(
        program=world.program,
        assigned_to=world.supervisor,
        kind=TaskKind.choices[0][0],
        title="Call back after the hard week",
        due_on=timezone.localdate() - dt.timedelta(days=2),
    )
    supervisor_home = world.client_for(world.supervisor).get(home).content.decode()
    assert "Open tasks" in supervisor_home
    # Each card has its own title, and an overdue task is flagged on the card and in its count.
    headings = re.findall(r'<h2 id="panel-[^"]+">([^<]+)</h2>', supervisor_home)
    assert "My supporters" in headings and "Concerns and relationships" in headings
    assert len(headings) == len(set(headings)), headings
    assert re.search(r"Open tasks \(\d+\): <span class=\"badge bad\">1 overdue</span>", supervisor_home)
    assert re.search(r"Call back after the hard week</a>|Call back after the hard week <span", supervisor_home)
    assert supervisor_home.count('<span class="badge bad">Overdue</span>') >= 1
    Supporter.objects.filter(program=world.program).update(stage_changed_at=timezone.now() - dt.timedelta(days=60))
    coordinator_home = world.client_for(world.coordinator).get(home).content.decode()
    assert "Supporter care" in coordinator_home
    # The world's supporter and the buddy were never supervised.
    assert "Overdue: <strong>2</strong> supervisions" in coordinator_home
    record = Supporter.objects.get(full_name=f"Care Person {world.program.slug}")
    supporter_home = world.client_for(record.user).get(home).content.decode()
    assert "My well-being" in supporter_home and "Your buddy" in supporter_home
    trainer_home = world.client_for(world.trainer).get(home).content.decode()
    assert "Supervision" not in trainer_home
    assert "Refresher topics" in trainer_home and "Crisis calls" in trainer_home and "/care/topics/" in trainer_home


@pytest.mark.django_db
def test_navigation_links_reach_care(world: Any) -> None:
    home = reverse("programs:home", args=[world.program.slug])
    assert "/care/supporters/" in world.client_for(world.supervisor).get(home).content.decode()
    assert "/care/me/" in world.client_for(world.supporter).get(home).content.decode()
    assert "/care/newsletters/" in world.client_for(world.trainer).get(home).content.decode()
