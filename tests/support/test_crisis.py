"""Concern and crisis: the protocol, who is told, acknowledgement, follow-up, escalation on time-out."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from peerpath.core.models import AuditEntry
from peerpath.notifications.models import Notice as Notification
from peerpath.programs.signals import adverse_event_recorded
from peerpath.support.models import Concern, ConcernState
from peerpath.support.services import concerns, cover
from peerpath.support.tasks import escalate_crisis, escalation_sweep
from tests.factories import MembershipFactory


def raise_crisis(support: Any) -> Concern:
    return concerns.raise_concern(
        actor=support.supporter,
        relationship=support.ana_rel,
        kind="crisis",
        answers=[("Is the participant safe right now?", "No")],
        notes="Talked about ending it.",
    )


def test_crisis_form_shows_the_protocol_at_once(support: Any) -> None:
    url = reverse("support:concern_new", args=["riverside", support.ana_rel.pk]) + "?kind=crisis"
    page = support.client_for(support.supporter).get(url).content.decode()
    assert "Crisis protocol" in page and "911" in page and "988" in page
    assert "Community mental health center" in page
    # The program's own questions come after the alert, on the crisis's page (test_concern_details).
    assert "Is the participant safe right now?" not in page and "Tell my supervisor now" in page


def test_raising_a_crisis_notifies_the_supervisor_and_announces_it(support: Any) -> None:
    heard: list[dict[str, Any]] = []

    def receiver(**kwargs: Any) -> None:
        heard.append(kwargs)

    adverse_event_recorded.connect(receiver)
    try:
        response = support.client_for(support.supporter).post(
            reverse("support:concern_new", args=["riverside", support.ana_rel.pk]),
            {"kind": "crisis", "notes": "", "q_0": "No"},
        )
    finally:
        adverse_event_recorded.disconnect(receiver)
    concern = Concern.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/concerns/{concern.pk}/")
    assert concern.on_call == support.supervisor
    assert concern.acknowledge_by == concern.raised_at + dt.timedelta(minutes=30)
    assert Notification.objects.filter(
        user=support.supervisor, about=f"support.concern:{concern.pk}", is_urgent=True
    ).exists()
    message = next(m for m in mail.outbox if m.to == [support.supervisor.email])
    assert message.subject.startswith("URGENT") and support.ana.full_name not in message.body
    assert heard and heard[0]["kind"] == "crisis" and heard[0]["supporter"] == support.priya
    assert heard[0]["event"] == concern and heard[0]["program"] == support.program
    page = support.client_for(support.supporter).get(response["Location"]).content.decode()
    assert "Crisis protocol" in page and "Your supervisor has been told" in page


def test_a_backup_covering_is_on_call_and_coordinators_without_supervisor(support: Any) -> None:
    backup = MembershipFactory(program=support.program, is_supervisor=True, user__full_name="Bea Backup").user
    today = timezone.localdate()
    cover.name_backup(actor=support.supervisor, program=support.program, backup=backup, starts_on=today, ends_on=today)
    concern = raise_crisis(support)
    assert concern.on_call == backup
    # The backup may now see and acknowledge it; the supervisor's supporters are theirs today.
    page = support.client_for(backup).get(reverse("support:concern", args=["riverside", concern.pk]))
    assert page.status_code == 200 and "Acknowledge" in page.content.decode()
    support.ana_rel.supporter.supervisor = None
    support.ana_rel.supporter.save()
    concerns.acknowledge_concern(actor=backup, concern=concern)
    other = raise_crisis(support)
    assert other.on_call == support.coordinator  # the only coordinator
    assert Notification.objects.filter(user=support.coordinator, about=f"support.concern:{other.pk}").exists()


def test_acknowledge_then_record_follow_up(support: Any) -> None:
    concern = raise_crisis(support)
    client = support.client_for(support.supervisor)
    client.post(reverse("support:concern_acknowledge", args=["riverside", concern.pk]))
    concern.refresh_from_db()
    assert concern.state == ConcernState.ACKNOWLEDGED and concern.acknowledged_by == support.supervisor
    bad = client.post(reverse("support:concern_follow_up", args=["riverside", concern.pk]), {"follow_up": ""})
    assert bad.status_code == 400
    client.post(
        reverse("support:concern_follow_up", args=["riverside", concern.pk]),
        {"follow_up": "Called her with Priya; she agreed to see her doctor.", "referral": "Their own doctor or clinic"},
    )
    concern.refresh_from_db()
    assert concern.state == ConcernState.RESOLVED and concern.referral == "Their own doctor or clinic"
    actions = list(concern.events.values_list("action", flat=True))
    assert actions == ["raised", "notified", "acknowledged", "resolved"]
    audited = set(AuditEntry.objects.filter(target_type="support.concern").values_list("action", flat=True))
    assert {"concern.raise_crisis", "concern.acknowledged", "concern.resolved"} <= audited
    # A second acknowledgement is refused.
    with pytest.raises(Exception, match="already"):
        concerns.acknowledge_concern(actor=support.supervisor, concern=concern)


def test_unacknowledged_crisis_escalates_after_the_program_time(support: Any) -> None:
    concern = raise_crisis(support)
    mail.outbox.clear()
    # 29 minutes on: not yet.
    soon = timezone.now() + dt.timedelta(minutes=1)
    Concern.objects.filter(pk=concern.pk).update(acknowledge_by=soon, next_step_at=soon)
    assert escalate_crisis.call(concern_id=concern.pk) is False
    assert escalation_sweep.call() == 0
    # Past the time: the delayed task escalates to the next step of the chain, the coordinator.
    past = timezone.now() - dt.timedelta(seconds=1)
    Concern.objects.filter(pk=concern.pk).update(acknowledge_by=past, next_step_at=past)
    assert escalate_crisis.call(concern_id=concern.pk) is True
    concern.refresh_from_db()
    assert concern.escalated_at is not None and concern.is_overdue()
    assert Notification.objects.filter(
        user=support.coordinator, about=f"support.concern:{concern.pk}", is_urgent=True
    ).exists()
    assert any(support.coordinator.email in m.to and "Escalated" in m.subject for m in mail.outbox)
    assert concern.events.filter(action="escalated").exists()
    assert AuditEntry.objects.filter(action="concern.escalate", target_id=str(concern.pk)).exists()
    # Escalates once, even when the sweep runs too.
    assert escalate_crisis.call(concern_id=concern.pk) is False and escalation_sweep.call() == 0
    page = support.client_for(support.coordinator).get(reverse("support:concerns", args=["riverside"]))
    assert "Overdue, escalated" in page.content.decode()


def test_acknowledged_crisis_never_escalates(support: Any) -> None:
    concern = raise_crisis(support)
    concerns.acknowledge_concern(actor=support.supervisor, concern=concern)
    past = timezone.now() - dt.timedelta(hours=1)
    Concern.objects.filter(pk=concern.pk).update(acknowledge_by=past, next_step_at=past)
    assert escalate_crisis.call(concern_id=concern.pk) is False
    assert escalation_sweep.call() == 0


def test_the_sweep_escalates_what_the_delayed_task_missed(support: Any) -> None:
    concern = raise_crisis(support)
    past = timezone.now() - dt.timedelta(minutes=5)
    Concern.objects.filter(pk=concern.pk).update(acknowledge_by=past, next_step_at=past)
    assert escalation_sweep.call() == 1


@override_settings(TASKS={"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}})
def test_a_crisis_queues_its_escalation_for_the_deadline(support: Any, django_capture_on_commit_callbacks: Any) -> None:
    from django.tasks import default_task_backend

    default_task_backend.results.clear()
    with django_capture_on_commit_callbacks(execute=True):
        concern = raise_crisis(support)
    queued = [r for r in default_task_backend.results if r.task.name == "escalate_crisis"]
    assert len(queued) == 1
    assert queued[0].task.run_after == concern.acknowledge_by
    assert queued[0].kwargs == {"concern_id": concern.pk}


def test_a_concern_is_not_timed_and_needs_a_description(support: Any) -> None:
    url = reverse("support:concern_new", args=["riverside", support.ana_rel.pk])
    bad = support.client_for(support.supporter).post(url, {"kind": "concern", "notes": ""})
    assert bad.status_code == 400 and not Concern.objects.exists()
    support.client_for(support.supporter).post(url, {"kind": "concern", "notes": "She sounded low."})
    concern = Concern.objects.get()
    assert concern.acknowledge_by is None and not concern.is_overdue()


def test_adverse_events_are_kept_and_announced(support: Any) -> None:
    heard: list[dict[str, Any]] = []
    adverse_event_recorded.connect(lambda **kw: heard.append(kw), weak=False, dispatch_uid="test-adverse")
    try:
        response = support.client_for(support.supporter).post(
            reverse("support:adverse_event_new", args=["riverside", support.ana_rel.pk]),
            {"kind": "relapsed", "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "notes": "x"},
        )
    finally:
        adverse_event_recorded.disconnect(dispatch_uid="test-adverse")
    assert response.status_code == 302
    assert heard[0]["kind"] == "relapsed" and heard[0]["supporter"] == support.priya
    assert Notification.objects.filter(user=support.supervisor, text__startswith="Relapsed").exists()
    future = (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    bad = support.client_for(support.supporter).post(
        reverse("support:adverse_event_new", args=["riverside", support.ana_rel.pk]),
        {"kind": "died", "occurred_at": future},
    )
    assert bad.status_code == 400
