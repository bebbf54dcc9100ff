"""The rules of groups: who may facilitate, the series, moving and cancelling with a note,
members, attendance with anonymous drop-ins, notes, the linked debrief, cover and RSVPs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from peerpath.care.models import Debrief, DebriefKind
from peerpath.care.queries import topic_suggestions
from peerpath.care.services.common import get_settings as care_settings
from peerpath.certification.models import Certificate
from peerpath.core.models import AuditEntry
from peerpath.groups import queries, services
from peerpath.groups.models import (
    Answer,
    Attendance,
    CoverStatus,
    GroupKind,
    GroupMember,
    GroupSession,
    MemberStatus,
    SessionStatus,
)
from peerpath.support.models import Participant
from peerpath.support.services import participants as support_participants
from tests.groups.helpers import colleague, member, past_session, weekly_group
from tests.support.helpers import make_participant

pytestmark = pytest.mark.django_db


def test_a_new_program_gets_the_default_kinds(world: Any) -> None:
    names = set(GroupKind.objects.filter(program=world.program).values_list("name", flat=True))
    assert {"Peer support group", "Information session", "Social gathering", "Supporters' teleconference"} <= names
    assert services.seed_kinds(program=world.program) == 0  # idempotent


def test_only_supporters_with_a_current_credential_facilitate(world: Any) -> None:
    other = colleague(world)
    assert other in services.eligible_facilitators(world.program)
    Certificate.objects.filter(supporter=other).update(expires_on=timezone.localdate() - dt.timedelta(days=1))
    assert other not in services.eligible_facilitators(world.program)
    with pytest.raises(ValidationError) as refused:
        weekly_group(world, co=[other])
    assert "co_facilitators" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        weekly_group(world, lead=other)
    assert "lead" in refused.value.message_dict


def test_a_required_competency_narrows_the_facilitators(world: Any) -> None:
    other = colleague(world)
    competency = world.program.competencies.first()
    services.update_settings(
        actor=world.coordinator,
        program=world.program,
        data={"facilitation_competency": competency, "weeks_ahead": 12},
    )
    # Neither has been rated in it at an assessment, so neither may facilitate now.
    assert other not in services.eligible_facilitators(world.program)


def test_the_series_is_laid_out_once_and_relaid_when_it_changes(world: Any) -> None:
    group = weekly_group(world)
    coming = GroupSession.objects.filter(group=group)
    assert 11 <= coming.count() <= 13  # twelve weeks ahead
    assert services.lay_out(group) == 0
    assert all(timezone.localtime(s.starts_at).weekday() == 1 for s in coming)
    moved = coming.order_by("starts_at")[2]
    services.move_session(
        actor=world.coordinator,
        session=moved,
        starts_at=moved.starts_at + dt.timedelta(days=1),
        place="",
        online_url="",
        note="The room is taken that night.",
    )
    data = {"weekday": 3}  # Thursdays from now on
    group = services.save_group(
        actor=world.coordinator,
        program=world.program,
        group=group,
        data={**{n: getattr(group, n) for n in services.GROUP_FIELDS}, **data},
        co_facilitators=[],
    )
    weekdays = {timezone.localtime(s.planned_for).weekday() for s in GroupSession.objects.filter(group=group)}
    assert weekdays == {1, 3}  # the moved Tuesday stayed; the rest are Thursdays
    assert GroupSession.objects.filter(pk=moved.pk).exists()


def test_moving_and_cancelling_tell_those_registered(world: Any) -> None:
    other = colleague(world)
    group = weekly_group(world, co=[other])
    member(world, group, "Mia Member", email="mia@example.net")
    session = GroupSession.objects.filter(group=group).order_by("starts_at")[1]
    mail.outbox.clear()
    with pytest.raises(ValidationError):
        services.move_session(
            actor=world.coordinator, session=session, starts_at=session.starts_at, place="", online_url="", note=" "
        )
    services.move_session(
        actor=world.coordinator,
        session=session,
        starts_at=session.starts_at + dt.timedelta(hours=1),
        place="Library",
        online_url="",
        note="One hour later this week.",
    )
    session.refresh_from_db()
    assert session.sequence == 1 and session.is_moved and session.where == "Library"
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted(["mia@example.net", world.supporter_record.email, other.email])
    member_mail = next(m for m in mail.outbox if m.to == ["mia@example.net"])
    assert "One hour later this week." in member_mail.body and "Mia" not in member_mail.body
    mail.outbox.clear()
    services.cancel_session(actor=world.coordinator, session=session, note="Snow.")
    assert session.status == SessionStatus.CANCELLED and len(mail.outbox) == 3
    with pytest.raises(ValidationError):
        services.cancel_session(actor=world.coordinator, session=session, note="Again.")


def test_members_join_within_capacity_and_leave(world: Any) -> None:
    group = weekly_group(world, capacity=1)
    first = member(world, group, "Mia Member")
    with pytest.raises(ValidationError, match="full"):
        member(world, group, "Noa Newcomer")
    with pytest.raises(ValidationError):
        services.add_member(actor=world.coordinator, group=group, participant=first.participant)
    services.leave_group(actor=world.coordinator, member=first)
    assert first.status == MemberStatus.LEFT and first.left_on == timezone.localdate()
    again = services.add_member(actor=world.coordinator, group=group, participant=first.participant)
    assert again.pk == first.pk and again.status == MemberStatus.ACTIVE
    drop_in_only = weekly_group(world, name="Open circle", admission="drop_in")
    with pytest.raises(ValidationError, match="registrations"):
        services.add_member(actor=world.coordinator, group=drop_in_only, participant=first.participant)


def test_attendance_counts_drop_ins_without_names_and_records_facilitators(world: Any) -> None:
    other = colleague(world)
    group = weekly_group(world, co=[other])
    mia, noa = member(world, group, "Mia Member"), member(world, group, "Noa Newcomer")
    future = GroupSession.objects.filter(group=group, starts_at__gt=timezone.now()).first()
    with pytest.raises(ValidationError, match="started"):
        services.take_attendance(
            actor=world.coordinator, session=future, present=[mia], first_time_drop_ins=0, returning_drop_ins=0
        )
    session = past_session(group)
    services.take_attendance(
        actor=world.supporter, session=session, present=[mia], first_time_drop_ins=2, returning_drop_ins=1
    )
    session.refresh_from_db()
    assert session.status == SessionStatus.HELD and session.drop_ins == 3
    assert set(session.facilitators.all()) == {world.supporter_record, other}
    assert list(Attendance.objects.filter(session=session).values_list("member", flat=True)) == [mia.pk]
    services.take_attendance(
        actor=world.supporter, session=session, present=[mia, noa], first_time_drop_ins=2, returning_drop_ins=0
    )
    assert Attendance.objects.filter(session=session).count() == 2
    entries = AuditEntry.objects.filter(target_type="groups.groupsession", target_id=str(session.pk))
    assert {e.action for e in entries} >= {"group_session.held", "group_session.attendance"}
    closed = weekly_group(world, name="Closed circle", admission="registration")
    with pytest.raises(ValidationError, match="registered members only"):
        services.take_attendance(
            actor=world.supporter,
            session=past_session(closed),
            present=[],
            first_time_drop_ins=1,
            returning_drop_ins=0,
        )


def test_notes_are_encrypted_and_the_debrief_feeds_the_refresher_agenda(world: Any) -> None:
    group = weekly_group(world)
    session = past_session(group)
    with pytest.raises(ValidationError):
        services.save_notes(actor=world.supporter, session=session, notes="x", topics="y")
    services.take_attendance(
        actor=world.supporter, session=session, present=[], first_time_drop_ins=1, returning_drop_ins=0
    )
    services.save_notes(actor=world.supporter, session=session, notes="Zephyrine spoke first", topics="Sleep")
    with connection.cursor() as cursor:
        cursor.execute("SELECT notes, topics FROM groups_groupsession WHERE id = %s", [session.pk])
        raw = cursor.fetchone()
    assert "Zephyrine" not in raw[0] and "Sleep" not in raw[1]
    services.file_debrief(
        actor=world.supporter,
        session=session,
        supporter=world.supporter_record,
        data={"what_happened": "Quiet night.", "topics": "Holding silence in a group"},
    )
    debrief = Debrief.objects.get(supporter=world.supporter_record)
    assert debrief.kind == DebriefKind.SUPPORT_GROUP and session.debrief == debrief
    assert debrief.occurred_on == timezone.localtime(session.starts_at).date()
    labels = [s.label.lower() for s in topic_suggestions(world.program, care_settings(world.program), timezone.now())]
    assert any("silence" in label for label in labels), labels
    with pytest.raises(ValidationError, match="filed"):
        services.file_debrief(
            actor=world.supporter, session=session, supporter=world.supporter_record, data={"what_happened": "x"}
        )


def test_the_first_colleague_to_accept_takes_the_cover(world: Any) -> None:
    group = weekly_group(world)
    first, second = colleague(world, "Cal One"), colleague(world, "Dev Two")
    session = GroupSession.objects.filter(group=group, starts_at__gt=timezone.now()).first()
    mail.outbox.clear()
    cover = services.ask_for_cover(
        actor=world.supporter, session=session, facilitator=world.supporter_record, note="Away"
    )
    assert sorted(m.to[0] for m in mail.outbox) == sorted([first.email, second.email])
    assert services.open_cover_for(first) == [cover]
    services.take_cover(actor=first.user, cover=cover, supporter=first)
    with pytest.raises(ValidationError, match="closed"):
        services.take_cover(actor=second.user, cover=cover, supporter=second)
    assert cover.status == CoverStatus.TAKEN and cover.taken_by == first
    assert services.session_facilitators(session) == [first]
    assert mail.outbox[-1].to == [world.supporter_record.email]


def test_supporters_rsvp_to_events_only(world: Any) -> None:
    dinner_kind = GroupKind.objects.get(program=world.program, name="Social gathering")
    dinner = weekly_group(
        world, name="Dinner", kind=dinner_kind, frequency="quarterly", nth=-1, weekday=4, admission="registration"
    )
    session = GroupSession.objects.filter(group=dinner, starts_at__gt=timezone.now()).first()
    services.rsvp(actor=world.supporter, session=session, supporter=world.supporter_record, answer=Answer.YES)
    services.rsvp(actor=world.supporter, session=session, supporter=world.supporter_record, answer=Answer.MAYBE)
    assert session.rsvps.get().answer == Answer.MAYBE
    weekly = weekly_group(world)
    ordinary = GroupSession.objects.filter(group=weekly, starts_at__gt=timezone.now()).first()
    with pytest.raises(ValidationError, match="events"):
        services.rsvp(actor=world.supporter, session=ordinary, supporter=world.supporter_record, answer=Answer.YES)
    events = queries.upcoming_events(world.program, world.supporter_record, days=400)
    assert [(e.pk, e.my_answer) for e in events][:1] == [(session.pk, Answer.MAYBE)]


def test_a_public_request_to_join_waits_for_the_coordinator(world: Any) -> None:
    group = weekly_group(world, listed=True)
    data = {"full_name": "Ola Public", "email": "ola@example.net", "phone": "", "consent_given": True}
    with pytest.raises(ValidationError):
        services.request_to_join(program=world.program, group=group, data=data)  # listing is off by default
    services.update_settings(
        actor=world.coordinator, program=world.program, data={"public_listing": True, "weeks_ahead": 12}
    )
    request = services.request_to_join(program=world.program, group=group, data=data)
    assert request.status == MemberStatus.REQUESTED and request.participant.support_wanted == "group"
    services.accept_request(actor=world.coordinator, member=request)
    assert GroupMember.objects.get(pk=request.pk).status == MemberStatus.ACTIVE


def test_erasing_a_participant_erases_their_memberships(world: Any) -> None:
    group = weekly_group(world)
    mia = member(world, group)
    session = past_session(group)
    services.take_attendance(
        actor=world.supporter, session=session, present=[mia], first_time_drop_ins=0, returning_drop_ins=0
    )
    participant = Participant.objects.get(pk=mia.participant_id)
    support_participants.erase_participant(actor=world.coordinator, participant=participant, reason="Asked by phone")
    assert not GroupMember.objects.filter(pk=mia.pk).exists()
    assert not Attendance.objects.filter(session=session).exists()
    assert GroupSession.objects.filter(pk=session.pk).exists()  # the session and its counts stay


def test_sessions_held_gives_the_ledger_lengths_facilitators_and_counts(world: Any) -> None:
    other = colleague(world)
    group = weekly_group(world, co=[other])
    mia = member(world, group)
    held = past_session(group, days_ago=2)
    services.take_attendance(
        actor=world.supporter, session=held, present=[mia], first_time_drop_ins=2, returning_drop_ins=1
    )
    past_session(group, days_ago=9)  # never held: not counted
    rows = queries.sessions_held(world.program)
    assert len(rows) == 1
    row = rows[0]
    assert row.duration_minutes == 90 and row.members_present == 1
    assert row.member_participant_ids == (mia.participant_id,)
    assert row.first_time_drop_ins == 2 and row.returning_drop_ins == 1
    assert set(row.facilitator_ids) == {world.supporter_record.pk, other.pk}
    today = timezone.localdate()
    assert queries.sessions_held(world.program, start=today, end=today) == []


def test_group_only_askers_do_not_wait_for_a_match(world: Any) -> None:
    from peerpath.support.eligibility import waiting_list

    one = make_participant(world, full_name="One Toone")
    group_only = make_participant(world, full_name="Gro Uponly", support_wanted="group")
    both = make_participant(world, full_name="Bo Th", support_wanted="both")
    assert set(waiting_list(world.program)) == {one, both}
    assert {p.pk for p in queries.waiting_for_a_group(world.program)} == {group_only.pk, both.pk}
