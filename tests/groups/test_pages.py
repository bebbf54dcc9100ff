"""The groups pages through the test client: who sees what, forms that re-render with their
errors, the audited reads of members' names, the public page and the calendar feed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from peerpath.core.models import AuditEntry
from peerpath.groups import services
from peerpath.groups.models import Group, GroupKind, GroupMember, GroupSession, MemberStatus, SessionStatus
from peerpath.support.models import Participant
from tests.groups.helpers import colleague, member, past_session, weekly_group
from tests.support.helpers import make_participant

pytestmark = pytest.mark.django_db


def test_a_coordinator_creates_a_group_from_the_form(world: Any) -> None:
    from tests.support.helpers import certify

    certify(world, world.supporter_record)
    other = colleague(world)
    client = world.client_for(world.coordinator)
    url = "/p/riverside/groups/new/"
    page = client.get(url)
    assert page.status_code == 200 and world.supporter_record.full_name in page.content.decode()
    kind = GroupKind.objects.get(program=world.program, name="Peer support group")
    form = {
        "kind": kind.pk,
        "name": "Thursday circle",
        "frequency": "fortnightly",
        "weekday": "3",
        "nth": "1",
        "starts_on": timezone.localdate().isoformat(),
        "start_time": "18:00",
        "duration_minutes": "90",
        "place": "",
        "online_url": "",
        "admission": "both",
        "lead": world.supporter_record.pk,
        "co_facilitators": [other.pk],
        "is_active": "on",
    }
    refused = client.post(url, form)
    assert refused.status_code == 400 and "Say where it meets" in refused.content.decode()
    from tests.factories import FocusAreaFactory

    grief = FocusAreaFactory(program=world.program, name="Grief and loss")
    assert "Grief and loss" in client.get(url).content.decode()  # the areas the group is for
    done = client.post(url, {**form, "place": "Library", "focus_areas": [grief.pk]})
    group = Group.objects.get(name="Thursday circle")
    assert done.status_code == 302 and done["Location"] == f"/p/riverside/groups/{group.pk}/"
    assert list(group.co_facilitators.all()) == [other]
    assert list(group.focus_areas.all()) == [grief]
    assert GroupSession.objects.filter(group=group).count() >= 5
    # The group's page says which area it is for; a group for none says so.
    assert '<dd id="group-areas">Grief and loss</dd>' in client.get(done["Location"]).content.decode()
    other_group = weekly_group(world, name="Open circle")
    shown = client.get(f"/p/riverside/groups/{other_group.pk}/").content.decode()
    assert '<dd id="group-areas">Not specific to an area</dd>' in shown


def test_facilitators_see_their_group_and_others_do_not(world: Any) -> None:
    group = weekly_group(world)
    member(world, group, "Mia Member")
    mine = world.client_for(world.supporter).get(f"/p/riverside/groups/{group.pk}/")
    assert mine.status_code == 200 and "Mia Member" in mine.content.decode()
    entry = AuditEntry.objects.filter(action="participant.list", note="group members").latest("pk")
    assert entry.actor == world.supporter
    stranger = colleague(world, "Sid Stranger")
    assert world.client_for(stranger.user).get(f"/p/riverside/groups/{group.pk}/").status_code == 404
    session = past_session(group)
    assert world.client_for(stranger.user).get(f"/p/riverside/groups/sessions/{session.pk}/").status_code == 404
    # Editing and registering members are the coordinator's.
    assert world.client_for(world.supporter).get(f"/p/riverside/groups/{group.pk}/edit/").status_code == 403
    assert world.client_for(world.outsider).get(f"/p/riverside/groups/{group.pk}/").status_code == 404


def test_a_participant_joins_from_the_waiting_list(world: Any) -> None:
    group = weekly_group(world)
    waiting = make_participant(world, full_name="Wes Waiting", support_wanted="group")
    client = world.client_for(world.coordinator)
    page = client.get("/p/riverside/groups/waiting/").content.decode()
    assert "Wes Waiting" in page and f"/p/riverside/groups/{group.pk}/members/add/?participant={waiting.pk}" in page
    form = client.get(f"/p/riverside/groups/{group.pk}/members/add/?participant={waiting.pk}")
    assert form.status_code == 200
    client.post(f"/p/riverside/groups/{group.pk}/members/add/", {"participant": waiting.pk})
    joined = GroupMember.objects.get(group=group, participant=waiting)
    assert joined.status == MemberStatus.ACTIVE and joined.source == "waiting_list"
    assert "Wes Waiting" not in client.get("/p/riverside/groups/waiting/").content.decode()


def test_the_facilitator_takes_attendance_and_files_the_debrief(world: Any) -> None:
    group = weekly_group(world)
    mia = member(world, group, "Mia Member")
    session = past_session(group)
    client = world.client_for(world.supporter)
    url = f"/p/riverside/groups/sessions/{session.pk}/attendance/"
    bad = client.post(url, {"present": [mia.pk], "first_time_drop_ins": "-1", "returning_drop_ins": "0"})
    assert bad.status_code == 400
    client.post(url, {"present": [mia.pk], "first_time_drop_ins": "1", "returning_drop_ins": "1"})
    session.refresh_from_db()
    assert session.status == SessionStatus.HELD and session.drop_ins == 2
    page = client.get(f"/p/riverside/groups/sessions/{session.pk}/").content.decode()
    assert "File the after-group debrief" in page
    client.post(
        f"/p/riverside/groups/sessions/{session.pk}/debrief/",
        {"what_happened": "A good night.", "topics": "Grief at the holidays"},
    )
    session.refresh_from_db()
    assert session.debrief is not None and session.debrief.topics == "Grief at the holidays"


def test_the_lead_moves_a_session_and_the_form_needs_a_note(world: Any) -> None:
    group = weekly_group(world)
    session = GroupSession.objects.filter(group=group, starts_at__gt=timezone.now()).first()
    client = world.client_for(world.supporter)  # the lead
    url = f"/p/riverside/groups/sessions/{session.pk}/move/"
    later = timezone.localtime(session.starts_at + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    assert client.post(url, {"starts_at": later, "note": ""}).status_code == 400
    assert client.post(url, {"starts_at": later, "note": "Room change"}).status_code == 302
    session.refresh_from_db()
    assert session.is_moved and session.change_note == "Room change"
    co = colleague(world)
    group.co_facilitators.add(co)
    assert world.client_for(co.user).get(url).status_code == 404  # only the lead and coordinators move sessions


def test_supporters_rsvp_from_the_home_page(world: Any) -> None:
    services.seed_kinds(program=world.program)
    dinner = weekly_group(
        world,
        name="Quarterly dinner",
        kind=GroupKind.objects.get(program=world.program, name="Social gathering"),
        admission="registration",
    )
    session = GroupSession.objects.filter(group=dinner, starts_at__gt=timezone.now()).first()
    client = world.client_for(world.supporter)
    home = client.get("/p/riverside/").content.decode()
    assert "Quarterly dinner" in home and f"/p/riverside/groups/events/{session.pk}/rsvp/" in home
    answered = client.post(f"/p/riverside/groups/events/{session.pk}/rsvp/", {"answer": "yes", "next": "/p/riverside/"})
    assert answered["Location"] == "/p/riverside/"
    assert session.rsvps.get().answer == "yes"
    events = world.client_for(world.trainer).get("/p/riverside/groups/events/")
    assert events.status_code == 200 and "1 going" in events.content.decode()


def test_the_public_page_is_off_by_default_and_the_join_form_works(world: Any) -> None:
    group = weekly_group(world, listed=True)
    anonymous = world.client_for(None)
    assert anonymous.get("/groups/riverside/").status_code == 404
    services.update_settings(
        actor=world.coordinator, program=world.program, data={"public_listing": True, "weeks_ahead": 12}
    )
    listing = anonymous.get("/groups/riverside/").content.decode()
    assert "Tuesday group" in listing and "Community room" in listing
    url = f"/groups/riverside/{group.pk}/join/"
    missing = anonymous.post(url, {"full_name": "Pat Public", "preferred_contact": "email"})
    assert missing.status_code == 400
    sent = anonymous.post(
        url,
        {"full_name": "Pat Public", "email": "pat@example.net", "preferred_contact": "email", "consent_given": "on"},
    )
    assert sent.status_code == 302
    request = GroupMember.objects.get(group=group)
    assert request.status == MemberStatus.REQUESTED
    assert Participant.objects.get(pk=request.participant_id).full_name == "Pat Public"


def test_the_join_form_is_rate_limited_like_the_other_public_forms(world: Any, settings: Any) -> None:
    """Accepted requests count per client address; a form sent back with errors does not."""
    from django.core.cache import cache

    cache.clear()
    settings.PUBLIC_FORM_RATE = "2/h"
    group = weekly_group(world, listed=True)
    services.update_settings(
        actor=world.coordinator, program=world.program, data={"public_listing": True, "weeks_ahead": 12}
    )
    url = f"/groups/riverside/{group.pk}/join/"

    def post(i: int, *, valid: bool = True, address: str = "198.51.100.66") -> int:
        data = {"full_name": f"Pat Public {i}", "preferred_contact": "email"}
        if valid:
            data |= {"email": f"pat{i}@example.net", "consent_given": "on"}
        return world.client_for(None).post(url, data, REMOTE_ADDR=address).status_code

    assert [post(i, valid=False) for i in range(3)] == [400] * 3
    assert [post(i) for i in range(3)] == [302, 302, 429]
    assert GroupMember.objects.filter(group=group).count() == 2
    assert post(9, address="198.51.100.7") == 302  # someone else still gets through
    cache.clear()


def test_the_group_feed_is_a_calendar_with_cancellations(world: Any) -> None:
    group = weekly_group(world)
    session = GroupSession.objects.filter(group=group, starts_at__gt=timezone.now()).first()
    services.cancel_session(actor=world.coordinator, session=session, note="Holiday")
    response = world.client_for(None).get(f"/groups/feed/{group.feed_token}.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    events = Calendar.from_ical(response.content).walk("VEVENT")
    cancelled = [e for e in events if str(e["STATUS"]) == "CANCELLED"]
    assert len(cancelled) == 1 and "Holiday" in str(cancelled[0]["DESCRIPTION"])
    assert world.client_for(None).get("/groups/feed/not-a-token.ics").status_code == 404


def test_the_ask_form_offers_a_group_once_the_program_runs_one(world: Any) -> None:
    from peerpath.support.services.common import update_settings

    update_settings(actor=world.coordinator, program=world.program, data={"requests_open": True})
    anonymous = world.client_for(None)
    assert "support_wanted" not in anonymous.get("/ask/riverside/").content.decode()
    weekly_group(world)
    assert 'name="support_wanted"' in anonymous.get("/ask/riverside/").content.decode()


def test_the_participant_page_and_export_show_their_groups(world: Any) -> None:
    group = weekly_group(world)
    mia = member(world, group, "Mia Member")
    services.take_attendance(
        actor=world.coordinator, session=past_session(group), present=[mia], first_time_drop_ins=0, returning_drop_ins=0
    )
    client = world.client_for(world.coordinator)
    page = client.get(f"/p/riverside/support/participants/{mia.participant_id}/").content.decode()
    assert 'id="section-groups"' in page and "Tuesday group" in page and "1 session attended" in page
    from peerpath.support.services.participants import export_participant

    exported = export_participant(actor=world.coordinator, participant=Participant.objects.get(pk=mia.participant_id))
    (row,) = exported["groups"]
    assert row["group"] == "Tuesday group" and len(row["sessions_attended"]) == 1


def test_a_persons_own_calendar_feed_carries_their_groups_and_events(world: Any) -> None:
    from peerpath.training.services import calendar_feed

    weekly = weekly_group(world)
    dinner = weekly_group(
        world,
        name="Quarterly dinner",
        kind=GroupKind.objects.get(program=world.program, name="Social gathering"),
        admission="registration",
        lead=None,
    )
    going = GroupSession.objects.filter(group=dinner, starts_at__gt=timezone.now()).first()
    services.rsvp(actor=world.supporter, session=going, supporter=world.supporter_record, answer="yes")
    feed = calendar_feed(actor=world.supporter, program=world.program, owner=world.supporter)
    response = world.client_for(None).get(f"/calendar/{feed.token}.ics")
    summaries = [str(e["SUMMARY"]) for e in Calendar.from_ical(response.content).walk("VEVENT")]
    assert summaries.count("Quarterly dinner") == 1
    assert summaries.count(weekly.name) == GroupSession.objects.filter(group=weekly).count()
    # Someone who neither facilitates nor answered gets none of them.
    other = colleague(world, "Oda Other")
    theirs = calendar_feed(actor=other.user, program=world.program, owner=other.user)
    assert b"Quarterly dinner" not in world.client_for(None).get(f"/calendar/{theirs.token}.ics").content


def test_the_session_page_shows_the_programs_crisis_protocol(world: Any) -> None:
    from peerpath.support.services.common import update_settings

    update_settings(
        actor=world.coordinator,
        program=world.program,
        data={"crisis_steps": "Stay with the person\nCall the on-call supervisor", "emergency_number": "911"},
    )
    group = weekly_group(world)
    session = past_session(group)
    page = world.client_for(world.supporter).get(f"/p/riverside/groups/sessions/{session.pk}/").content.decode()
    assert "Worried about a member?" in page and "<li>Call the on-call supervisor</li>" in page and "911" in page


def test_the_lead_restores_a_cancelled_session_and_members_are_told(world: Any) -> None:
    group = weekly_group(world)
    member(world, group, "Mia Member", email="mia@example.org")
    session = GroupSession.objects.filter(group=group, starts_at__gt=timezone.now()).first()
    services.cancel_session(actor=world.coordinator, session=session, note="Holiday")
    client = world.client_for(world.supporter)  # the lead
    page = client.get(f"/p/riverside/groups/sessions/{session.pk}/").content.decode()
    restore = f"/p/riverside/groups/sessions/{session.pk}/restore/"
    assert restore in page
    assert "Holiday" in client.get(restore).content.decode()
    mail.outbox.clear()
    assert client.post(restore, {"note": "The room is free after all"}).status_code == 302
    member_mail = next(m for m in mail.outbox if m.to == ["mia@example.org"])
    assert "takes place after all" in member_mail.subject and "The room is free after all" in member_mail.body
    assert "Mia" not in member_mail.body
    session.refresh_from_db()
    assert session.status == SessionStatus.SCHEDULED and session.change_note == "The room is free after all"
    assert session.sequence == 2  # cancelled, then on again: calendars see both changes
    assert AuditEntry.objects.filter(action="group_session.scheduled", target_id=str(session.pk)).exists()
    assert restore not in client.get(f"/p/riverside/groups/sessions/{session.pk}/").content.decode()
    # A second restore is refused with the form re-rendered, not a 500.
    assert client.post(restore, {"note": ""}).status_code == 400
    co = colleague(world)
    group.co_facilitators.add(co)
    assert world.client_for(co.user).get(restore).status_code == 404  # only the lead and coordinators


def test_a_past_cancelled_session_stays_cancelled(world: Any) -> None:
    from django.core.exceptions import ValidationError

    group = weekly_group(world)
    session = past_session(group)
    services.cancel_session(actor=world.coordinator, session=session, note="Snow")
    with pytest.raises(ValidationError):
        services.restore_session(actor=world.coordinator, session=session)
    page = world.client_for(world.coordinator).get(f"/p/riverside/groups/sessions/{session.pk}/").content.decode()
    assert "/restore/" not in page


def test_the_lead_adds_an_extra_session_from_the_group_page(world: Any) -> None:
    group = weekly_group(world)
    client = world.client_for(world.supporter)  # the lead
    add = f"/p/riverside/groups/{group.pk}/sessions/add/"
    assert add in client.get(f"/p/riverside/groups/{group.pk}/").content.decode()
    assert client.get(add).status_code == 200
    assert client.post(add, {"starts_at": "2001-01-01T10:00"}).status_code == 400  # in the past
    # The series' own next session: that moment is taken.
    taken = GroupSession.objects.filter(group=group, starts_at__gt=timezone.now()).first()
    clash = timezone.localtime(taken.starts_at).strftime("%Y-%m-%dT%H:%M")
    assert client.post(add, {"starts_at": clash}).status_code == 400
    when = timezone.localtime(taken.starts_at + dt.timedelta(days=2)).replace(hour=11, minute=0)
    response = client.post(add, {"starts_at": when.strftime("%Y-%m-%dT%H:%M"), "note": "A make-up session"})
    assert response.status_code == 302
    extra = GroupSession.objects.get(group=group, planned_for=when)
    assert response["Location"] == f"/p/riverside/groups/sessions/{extra.pk}/"
    assert extra.change_note == "A make-up session" and extra.duration_minutes == 90
    assert any("an extra session" in m.subject for m in mail.outbox)
    assert AuditEntry.objects.filter(action="group_session.create", target_id=str(extra.pk)).exists()
    co = colleague(world)
    group.co_facilitators.add(co)
    assert world.client_for(co.user).get(add).status_code == 404


def test_an_extra_session_survives_a_change_of_the_series(world: Any) -> None:
    group = weekly_group(world)
    when = timezone.localtime(timezone.now() + dt.timedelta(days=3)).replace(hour=11, minute=0, second=0, microsecond=0)
    extra = services.add_one_off_session(actor=world.coordinator, group=group, starts_at=when)
    data = {f: getattr(group, f) for f in services.GROUP_FIELDS}
    services.save_group(
        actor=world.coordinator,
        program=world.program,
        group=group,
        data={**data, "start_time": dt.time(19, 0)},
        co_facilitators=[],
    )
    assert GroupSession.objects.filter(pk=extra.pk, is_extra=True).exists()


def test_event_attendance_credits_ce_hours_by_the_programs_rule(world: Any) -> None:
    from peerpath.certification.models import CEActivity, CEStatus
    from peerpath.training.services import ce_subject_choices

    category = ce_subject_choices(world.program)[0][0]
    coordinator = world.client_for(world.coordinator)
    settings_url = "/p/riverside/groups/settings/"
    base = {"weeks_ahead": "12", "ce_for_events": "on", "ce_for_facilitating": "on"}
    assert coordinator.post(settings_url, {**base, "ce_category": ""}).status_code == 400  # credited under what?
    assert coordinator.post(settings_url, {**base, "ce_category": category}).status_code == 302
    services.seed_kinds(program=world.program)
    dinner = weekly_group(
        world, name="Quarterly dinner", kind=GroupKind.objects.get(program=world.program, name="Social gathering")
    )
    session = GroupSession.objects.filter(group=dinner, starts_at__gt=timezone.now()).first()
    other = colleague(world)
    services.rsvp(actor=world.supporter, session=session, supporter=world.supporter_record, answer="yes")
    services.rsvp(actor=other.user, session=session, supporter=other, answer="maybe")
    url = f"/p/riverside/groups/sessions/{session.pk}/event-attendance/"
    assert coordinator.post(url, {"present": [other.pk]}).status_code == 400  # not started yet
    GroupSession.objects.filter(pk=session.pk).update(starts_at=timezone.now() - dt.timedelta(hours=3))
    page = coordinator.get(f"/p/riverside/groups/sessions/{session.pk}/").content.decode()
    assert url in page and "Mark who came" in page
    assert coordinator.post(url, {"present": [other.pk]}).status_code == 302
    credit = CEActivity.objects.get(supporter=other)
    assert credit.status == CEStatus.APPROVED and credit.hours == Decimal("1.50") and credit.category == category
    assert credit.source_key == f"groups.attended:{session.pk}:{other.pk}"
    assert not CEActivity.objects.filter(supporter=world.supporter_record).exists()  # said yes, did not come
    assert "Cal Colleague" in coordinator.get(f"/p/riverside/groups/sessions/{session.pk}/").content.decode()
    # Corrected: the one who came was the other one.
    assert coordinator.post(url, {"present": [world.supporter_record.pk]}).status_code == 302
    assert not CEActivity.objects.filter(supporter=other).exists()
    assert CEActivity.objects.filter(supporter=world.supporter_record).count() == 1
    # Facilitating a group session is credited too, by the same settings.
    group = weekly_group(world)
    held = services.take_attendance(
        actor=world.coordinator, session=past_session(group), present=[], first_time_drop_ins=1, returning_drop_ins=0
    )
    lead_credit = CEActivity.objects.get(source_key=f"groups.facilitated:{held.pk}:{world.supporter_record.pk}")
    assert lead_credit.hours == Decimal("1.50")
    assert world.client_for(world.trainer).get(url).status_code == 403
