"""The crisis on-call chain (support.oncall) and its step-by-step escalation, whoever notices first.

The chain is defined once: the supporter's supervisor (or the backup covering them), then the
coordinators in the order set on the support settings page. Each step has its own deadline and
is taken once, under the concern's row lock, by whichever noticer comes first: the delayed task,
the scheduler's tick, a task worker, or a staff page view in the program.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from peerpath.core.models import AuditEntry
from peerpath.core.scheduler import run_tick_checks
from peerpath.notifications.models import Notice as Notification
from peerpath.programs.models import Membership
from peerpath.support import noticers
from peerpath.support.defaults import get_settings
from peerpath.support.models import Concern, ConcernState
from peerpath.support.oncall import crisis_chain, register_alert_channel
from peerpath.support.services import common, concerns, cover
from tests.factories import MembershipFactory


def raise_crisis(support: Any) -> Concern:
    return concerns.raise_concern(
        actor=support.supporter, relationship=support.ana_rel, kind="crisis", answers=[], notes=""
    )


def make_due(concern: Concern) -> None:
    """Let the current step's deadline pass."""
    Concern.objects.filter(pk=concern.pk).update(next_step_at=timezone.now() - dt.timedelta(seconds=1))


@pytest.fixture
def three_coordinators(support: Any) -> Any:
    """Cora (the world's), plus Abe and Zoe; the coordinators set the order Zoe, Cora (Abe unlisted)."""
    abe = MembershipFactory(program=support.program, is_coordinator=True, user__full_name="Abe Able").user
    zoe = MembershipFactory(program=support.program, is_coordinator=True, user__full_name="Zoe Zulu").user
    common.update_settings(
        actor=support.coordinator,
        program=support.program,
        data={"coordinator_order": f"{zoe.email}\n{support.coordinator.email.upper()}", "crisis_step_minutes": 10},
    )
    return abe, zoe


def test_the_chain_is_the_supervisor_then_the_coordinators_in_the_set_order(
    support: Any, three_coordinators: Any
) -> None:
    abe, zoe = three_coordinators
    chain = list(crisis_chain(support.program, support.priya, get_settings(support.program)))
    assert [s.user for s in chain] == [support.supervisor, zoe, support.coordinator, abe]
    assert [s.role for s in chain] == ["supervisor", "coordinator", "coordinator", "coordinator"]
    # The settings page shows the same order to the coordinators.
    page = support.client_for(support.coordinator).get(reverse("support:settings", args=["riverside"]))
    listed = page.content.decode().split('id="escalation-order"')[1].split("</ol>")[0]
    assert listed.index("Zoe Zulu") < listed.index("Cora Coordinator") < listed.index("Abe Able")


def test_a_backup_covering_replaces_the_supervisor_and_the_supporter_is_never_on_it(support: Any) -> None:
    backup = MembershipFactory(program=support.program, is_supervisor=True, user__full_name="Bea Backup").user
    today = timezone.localdate()
    cover.name_backup(actor=support.supervisor, program=support.program, backup=backup, starts_on=today, ends_on=today)
    # The supporter is also a coordinator: they never appear on their own crisis's chain.
    Membership.objects.filter(program=support.program, user=support.supporter).update(is_coordinator=True)
    chain = list(crisis_chain(support.program, support.priya, get_settings(support.program)))
    assert [s.user for s in chain] == [backup, support.coordinator]
    assert "covering for Sam Supervisor" in chain[0].describe()


def test_the_order_lists_only_coordinators(support: Any) -> None:
    with pytest.raises(Exception, match="Not a coordinator"):
        common.update_settings(
            actor=support.coordinator, program=support.program, data={"coordinator_order": support.supervisor.email}
        )


def test_the_chain_is_walked_step_by_step_each_with_its_own_deadline(support: Any, three_coordinators: Any) -> None:
    abe, zoe = three_coordinators
    concern = raise_crisis(support)
    assert concern.on_call == support.supervisor and concern.next_step_at == concern.acknowledge_by
    assert [e["user"] for e in concern.alerted] == [support.supervisor.pk]
    expected = [zoe, support.coordinator, abe]
    for number, person in enumerate(expected, start=2):
        # Not due yet: nobody escalates.
        assert concerns.escalate_overdue(noticed_by="test") == 0
        make_due(concern)
        mail.outbox.clear()
        before = timezone.now()
        assert concerns.escalate_overdue(noticed_by="test") == 1
        concern.refresh_from_db()
        assert concern.alerted[-1]["user"] == person.pk and len(concern.alerted) == number
        # Each later step has the program's step time (10 minutes here).
        assert before + dt.timedelta(minutes=10) <= concern.next_step_at <= timezone.now() + dt.timedelta(minutes=10)
        assert Notification.objects.filter(user=person, about=f"support.concern:{concern.pk}", is_urgent=True).exists()
        assert [m.to for m in mail.outbox] == [[person.email]] and "Escalated" in mail.outbox[0].subject
    events = list(concern.events.filter(action="escalated").values_list("detail", flat=True))
    assert [d.split(":")[0] for d in events] == ["Step 2", "Step 3", "Step 4"]
    assert "Zoe Zulu (coordinator)" in events[0]
    entries = AuditEntry.objects.filter(action="concern.escalate", target_id=str(concern.pk)).order_by("id")
    assert [e.changes["step"] for e in entries] == [[1, 2], [2, 3], [3, 4]]
    # Nobody is left: the chain ends once, the crisis stays overdue.
    make_due(concern)
    assert concerns.escalate_overdue(noticed_by="test") == 1
    concern.refresh_from_db()
    assert concern.next_step_at is None and concern.state == ConcernState.OPEN
    assert concerns.escalate_overdue(noticed_by="test") == 0
    assert concern.events.filter(action="escalation ended").count() == 1
    # The concern page shows every step: who was alerted and when.
    page = support.client_for(support.coordinator).get(concern.get_absolute_url()).content.decode()
    shown = page.split('id="on-call-chain"')[1].split("</ol>")[0]
    assert [shown.index(n) for n in ["Sam Supervisor", "Zoe Zulu", "Cora Coordinator", "Abe Able"]] == sorted(
        shown.index(n) for n in ["Sam Supervisor", "Zoe Zulu", "Cora Coordinator", "Abe Able"]
    )
    assert shown.count("Alerted") == 4


def test_the_page_shows_who_comes_next_and_an_acknowledgement_stops_the_chain(support: Any) -> None:
    concern = raise_crisis(support)
    page = support.client_for(support.supervisor).get(concern.get_absolute_url()).content.decode()
    shown = page.split('id="on-call-chain"')[1].split("</ol>")[0]
    assert 'data-state="alerted"' in shown and 'data-state="next"' in shown and "Cora Coordinator" in shown
    concerns.acknowledge_concern(actor=support.supervisor, concern=concern)
    concern.refresh_from_db()
    assert concern.next_step_at is None
    Concern.objects.filter(pk=concern.pk).update(next_step_at=timezone.now() - dt.timedelta(minutes=1))
    assert concerns.escalate_overdue(noticed_by="test") == 0  # acknowledged: never escalates


def test_a_step_is_taken_once_when_two_noticers_come_at_the_same_moment(support: Any) -> None:
    concern = raise_crisis(support)
    make_due(concern)
    now = timezone.now()
    # Both saw it due; the second re-checks under the row lock and finds the step taken.
    assert concerns.escalate_if_due(concern_id=concern.pk, noticed_by="first", now=now) is True
    assert concerns.escalate_if_due(concern_id=concern.pk, noticed_by="second", now=now) is False
    assert concern.events.filter(action="escalated").count() == 1
    assert Notification.objects.filter(user=support.coordinator, about=f"support.concern:{concern.pk}").count() == 1


def test_a_later_channel_follows_the_same_chain(support: Any) -> None:
    texts: list[tuple[int, str]] = []
    register_alert_channel(
        "test_sms", lambda *, concern, step, number, deadline: texts.append((number, step.user.email))
    )
    try:
        concern = raise_crisis(support)
        make_due(concern)
        concerns.escalate_overdue(noticed_by="test")
    finally:
        from peerpath.support import oncall

        oncall._CHANNELS.pop("test_sms")
    assert texts == [(0, support.supervisor.email), (1, support.coordinator.email)]


def test_the_scheduler_tick_notices_a_due_step(support: Any) -> None:
    concern = raise_crisis(support)
    make_due(concern)
    assert run_tick_checks()["support.crisis_escalation"] == 1
    assert "noticed by the scheduler" in concern.events.get(action="escalated").detail


def test_a_task_worker_notices_a_due_step_at_the_start_of_any_task(support: Any) -> None:
    from django.tasks.signals import task_started
    from django_tasks_db.backend import DatabaseBackend

    concern = raise_crisis(support)
    make_due(concern)
    backend = DatabaseBackend(alias="default", params={"QUEUES": ["default"]})
    noticers.from_worker(sender=backend)  # what task_started sends it before every task the worker runs
    assert noticers.from_worker in task_started._live_receivers(backend)[0]
    assert "noticed by a task worker" in concern.events.get(action="escalated").detail
    # The immediate backend runs tasks inside a request: it does not notice (pages do).
    make_due(concern)
    noticers.from_worker(sender=object())
    assert concern.events.filter(action="escalated").count() == 1


def test_a_staff_page_view_in_the_program_notices_a_due_step(support: Any) -> None:
    concern = raise_crisis(support)
    make_due(concern)
    # A supporter's page view does not; the outsider's program is another program.
    support.client_for(support.supporter).get(reverse("support:caseload", args=["riverside"]))
    concern.refresh_from_db()
    assert len(concern.alerted) == 1
    response = support.client_for(support.trainer).get(reverse("programs:home", args=["riverside"]))
    assert response.status_code == 200
    concern.refresh_from_db()
    assert len(concern.alerted) == 2
    assert "noticed by a page view by Theo Trainer" in concern.events.get(action="escalated").detail


def test_a_page_view_with_nothing_due_costs_one_query(support: Any, django_assert_num_queries: Any) -> None:
    from django.http import HttpRequest

    membership = Membership.objects.select_related("program").get(program=support.program, user=support.coordinator)
    request = HttpRequest()
    request.user = support.coordinator
    with django_assert_num_queries(1):
        noticers.from_page(request, membership)
