"""The adverse-event chain: the signal schedules a check-in within 48 hours and tells the
supervisor, the buddy (without any participant details) and the supporter."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from peerpath.care.models import CareTask, CheckIn, CheckInReason, CheckInStatus, HardEvent, TaskKind
from peerpath.care.services import buddies
from peerpath.programs.models import Program
from peerpath.programs.signals import adverse_event_recorded
from tests.care.helpers import check_in, supporter


class ContactNote:
    """Stands in for the support app's record; its content must never reach the buddy."""

    class _meta:
        label_lower = "support.contactattempt"

    def __init__(self, pk: int) -> None:
        self.pk = pk
        self.participant_name = "Jordan Participant"
        self.notes = "Admitted to St. Mary's ward 4 after an overdose"


def send(program: Program, record: Any, kind: str = "hospitalised", event: Any = None) -> None:
    adverse_event_recorded.send(
        sender=ContactNote,
        program=program,
        supporter=record,
        kind=kind,
        occurred_at=timezone.now() - dt.timedelta(hours=3),
        event=event or ContactNote(7),
    )


@pytest.mark.django_db
def test_the_signal_schedules_a_checkin_and_tells_supervisor_buddy_and_supporter(world: Any) -> None:
    record = supporter(world.program, "Priya Peer", supervisor=world.supervisor)
    buddy = supporter(world.program, "Bo Buddy")
    buddies.pair_buddies(actor=world.coordinator, program=world.program, first=record, second=buddy)
    mail.outbox.clear()

    send(world.program, record, "died")

    event = HardEvent.objects.get()
    assert (event.supporter, event.kind, event.source_type, event.source_id) == (
        record,
        "died",
        "support.contactattempt",
        "7",
    )
    checkin = CheckIn.objects.get(supporter=record)
    assert checkin.status == CheckInStatus.SCHEDULED and checkin.reason == CheckInReason.HARD_EVENT
    assert checkin.due_on <= timezone.localdate(timezone.now() + dt.timedelta(hours=48))
    task = CareTask.objects.get(hard_event=event)
    assert task.assigned_to == world.supervisor and task.kind == TaskKind.HARD_EVENT
    assert "a participant died" in task.title

    by_recipient = {tuple(m.to): m for m in mail.outbox}
    assert set(by_recipient) == {(world.supervisor.email,), (buddy.email,), (record.email,)}
    to_buddy = by_recipient[(buddy.email,)]
    buddy_text = to_buddy.subject + to_buddy.body
    assert "Priya Peer" in buddy_text
    for secret in ("Jordan", "St. Mary", "overdose", "died", "hospital", "participant died"):
        assert secret not in buddy_text
    assert "/care/me/check-in/" in by_recipient[(record.email,)].body
    # The task's text is encrypted and stays on the page; the e-mail names only its kind.
    assert "hard event in the caseload" in by_recipient[(world.supervisor.email,)].body.lower()
    for message in mail.outbox:
        assert "Jordan" not in message.body and "overdose" not in message.body


@pytest.mark.django_db
def test_the_waiting_checkin_shows_on_the_supporters_home_page_and_is_answered(world: Any) -> None:
    record = supporter(world.program, supervisor=world.supervisor)
    check_in(record)  # a routine check-in today: nothing else would be due for four weeks
    send(world.program, record)
    home = world.client_for(record.user).get(f"/p/{world.program.slug}/").content.decode()
    assert "Your well-being check-in is due" in home
    done = check_in(record)
    assert done.reason == CheckInReason.HARD_EVENT


@pytest.mark.django_db
def test_the_same_event_is_followed_up_once(world: Any) -> None:
    record = supporter(world.program, supervisor=world.supervisor)
    send(world.program, record, event=ContactNote(9))
    send(world.program, record, event=ContactNote(9))
    assert HardEvent.objects.count() == 1 and CareTask.objects.count() == 1
    send(world.program, record, event=ContactNote(10))
    assert HardEvent.objects.count() == 2
    assert CheckIn.objects.filter(supporter=record, status=CheckInStatus.SCHEDULED).count() == 1


@pytest.mark.django_db
def test_without_a_buddy_or_supervisor_the_coordinators_get_the_task(world: Any) -> None:
    record = supporter(world.program)
    send(world.program, record, "crisis")
    assert CareTask.objects.get().assigned_to is None
    assert {tuple(m.to) for m in mail.outbox} == {(world.coordinator.email,), (record.email,)}


@pytest.mark.django_db
def test_a_supporter_of_another_program_is_ignored_and_the_sender_is_not_broken(world: Any) -> None:
    send(world.program, world.outsider_record)  # mismatched program: logged, nothing saved
    send(world.program, supporter(world.program), kind="unknown-kind")
    assert not HardEvent.objects.exists() and not CheckIn.objects.exists()


@pytest.mark.django_db
def test_the_buddy_sees_a_gentle_note_on_their_home_page(world: Any) -> None:
    record = supporter(world.program, "Priya Peer", supervisor=world.supervisor)
    buddy = supporter(world.program, "Bo Buddy")
    buddies.pair_buddies(actor=world.coordinator, program=world.program, first=record, second=buddy)
    home = f"/p/{world.program.slug}/"
    assert "has had a hard time" not in world.client_for(buddy.user).get(home).content.decode()
    send(world.program, record, "died")
    note = world.client_for(buddy.user).get(home).content.decode()
    assert "Priya Peer has had a hard time in their support work recently" in note
    assert "died" not in note and "Jordan" not in note
