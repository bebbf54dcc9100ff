"""A coordinator creates a weekly group with a lead and a co-facilitator; a participant joins from
the waiting list; the facilitator takes attendance with two drop-ins and files the after-group
debrief, whose topic reaches the refresher agenda; the session's hours appear in the ledger and
the funder report, under the group's lived-experience area."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone

from peerpath.care.models import Debrief, DebriefKind
from peerpath.groups.models import Group, GroupMember, GroupSession, MemberStatus, SessionStatus, Weekday
from tests.e2e.helpers import log_out, login, nav_to
from tests.factories import PASSWORD, FocusAreaFactory
from tests.groups.helpers import colleague
from tests.support.helpers import certify, make_participant

pytestmark = pytest.mark.django_db(transaction=True)


def test_weekly_group_from_creation_to_debrief(page: Any, a11y: Any, live_server: Any, world: Any) -> None:
    certify(world, world.supporter_record)
    co = colleague(world, "Cal Colleague")
    waiting = make_participant(world, full_name="Wes Waiting", support_wanted="group")
    veterans = FocusAreaFactory(program=world.program, name="Veterans")
    today = timezone.localdate()

    # The coordinator creates a weekly group meeting today, with a lead and a co-facilitator.
    login(page, a11y, world.coordinator.email, PASSWORD)
    nav_to(page, a11y, "Groups")
    page.get_by_role("link", name="New group or event").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    page.get_by_label("Kind").select_option(label="Peer support group")
    page.get_by_label("Name").fill("Tuesday circle")
    page.get_by_label("How often").select_option(label="Every week")
    page.get_by_label("Day of the week").select_option(label=str(Weekday(today.weekday()).label))
    page.get_by_label("First session").fill(today.isoformat())
    page.get_by_label("Starts at").fill("00:00")
    page.get_by_label("Length (minutes)").fill("90")
    page.get_by_label("Place", exact=True).fill("Community room")
    page.get_by_label("Lead facilitator").select_option(label=world.supporter_record.full_name)
    page.get_by_label("Cal Colleague").check()
    page.get_by_label("Veterans").check()  # the lived-experience area the group is for
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/groups/\d+/$"))
    a11y.check(page)
    group = Group.objects.get(name="Tuesday circle")
    assert group.lead == world.supporter_record and list(group.co_facilitators.all()) == [co]
    assert list(group.focus_areas.all()) == [veterans]
    assert "Cal Colleague" in page.content()

    # Wes asked for a group: the coordinator registers him from the waiting list.
    nav_to(page, a11y, "Groups")
    page.get_by_role("link", name="1 person waiting for a group").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    page.get_by_role("row", name=re.compile("Wes Waiting")).get_by_role("link", name="Tuesday circle").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    page.get_by_role("button", name="Register").click()
    page.wait_for_url(re.compile(rf"/groups/{group.pk}/$"))
    a11y.check(page)
    assert GroupMember.objects.get(group=group, participant=waiting).status == MemberStatus.ACTIVE
    log_out(page)

    # The lead takes attendance of today's session: Wes came, and two people dropped in.
    login(page, a11y, world.supporter.email, PASSWORD)
    nav_to(page, a11y, "My groups")
    page.get_by_role("region", name="Attendance to take").get_by_role("link").first.click()
    page.wait_for_load_state("load")
    a11y.check(page)
    page.get_by_label("Wes Waiting").check()
    page.get_by_label("Drop-ins, first time").fill("2")
    page.get_by_label("Drop-ins, returning").fill("0")
    page.get_by_role("button", name="Save attendance").click()
    page.wait_for_url(re.compile(r"/groups/sessions/\d+/$"))
    a11y.check(page)
    session = GroupSession.objects.get(group=group, starts_at__date=today)
    assert session.status == SessionStatus.HELD and session.first_time_drop_ins == 2
    assert list(session.attendance.values_list("member__participant", flat=True)) == [waiting.pk]

    # …and files the after-group debrief from the session.
    page.get_by_role("link", name="File the after-group debrief").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    page.get_by_label("What happened?").fill("A newcomer and two drop-ins; a warm first round.")
    page.get_by_label("Topics you would like covered").fill("Welcoming newcomers to a group")
    page.get_by_role("button", name="Save my debrief").click()
    page.wait_for_url(re.compile(r"/groups/sessions/\d+/$"))
    a11y.check(page)
    assert "The after-group debrief was filed" in page.content()
    debrief = Debrief.objects.get(supporter=world.supporter_record)
    assert debrief.kind == DebriefKind.SUPPORT_GROUP and GroupSession.objects.get(pk=session.pk).debrief == debrief

    # The session's hours are in the lead's ledger: 90 minutes and 30 of preparation, saying where from.
    nav_to(page, a11y, "My hours")
    assert page.locator("#year-hours").inner_text() == "2.00"
    page.locator("#ledger-months").get_by_role("link").click()  # the only month with hours
    page.wait_for_load_state("load")
    a11y.check(page)
    assert "Facilitated “Tuesday circle” (90 min + 30 min preparation)" in page.content()
    log_out(page)

    # The coordinator finds the debrief's topic on the refresher agenda...
    login(page, a11y, world.coordinator.email, PASSWORD)
    nav_to(page, a11y, "Supporter care")
    page.get_by_role("navigation", name="Supporter care").get_by_role("link", name="Refresher topics").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert "Welcoming newcomers to a group" in page.content()

    # ...and the session in the funder report: two facilitators' two hours each, under the group's
    # area; Wes reached in group work and the two drop-ins counted apart.
    nav_to(page, a11y, "Reports")
    units = page.locator("section#funder-units-of-service")
    row = units.locator("tr", has_text="Group sessions facilitated")
    assert "Veterans" in row.inner_text() and "4.00" in row.inner_text()
    assert "4.00 hours of service in the period" in units.inner_text()
    reached = page.locator("section#funder-people-reached").inner_text()
    assert "1 participant reached in the period (0 one-to-one, 1 in groups), and 2 drop-ins" in reached
