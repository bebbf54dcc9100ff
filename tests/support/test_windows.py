"""The windows (unreachable, quiet, follow-ups) at their boundaries, and the pages and digest they feed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from peerpath.support import windows as w
from peerpath.support.defaults import get_settings
from peerpath.support.models import Contact
from peerpath.support.services import contacts
from peerpath.support.tasks import daily_reminders

TODAY = timezone.localdate()


def attempt(support: Any, days_ago: int, reached: bool = False, follow_up: dt.date | None = None) -> Contact:
    return contacts.log_contact(
        actor=support.supporter,
        relationship=support.ana_rel,
        data={
            "contacted_on": TODAY - dt.timedelta(days=days_ago),
            "channel": "phone",
            "reached": reached,
            "tasks": [],
            "kind": "check_in",
            "notes": "",
            "next_follow_up": follow_up,
        },
    )


def unreachable_ids(support: Any) -> list[int]:
    windows = w.Windows.for_program(support.program)
    return [r.pk for r in w.unreachable(w.tracked_relationships(support.program, windows), windows)]


def test_three_failed_attempts_within_fourteen_days_flag_unreachable(support: Any) -> None:
    for days in (14, 7, 0):  # the oldest exactly on the window's first day
        attempt(support, days)
    assert unreachable_ids(support) == [support.ana_rel.pk]


def test_an_attempt_one_day_outside_the_window_does_not_count(support: Any) -> None:
    for days in (15, 7, 0):
        attempt(support, days)
    assert unreachable_ids(support) == []


def test_two_attempts_are_not_enough_and_a_reached_contact_clears_the_flag(support: Any) -> None:
    attempt(support, 5)
    attempt(support, 3)
    assert unreachable_ids(support) == []
    attempt(support, 1)
    assert unreachable_ids(support) == [support.ana_rel.pk]
    attempt(support, 0, reached=True)
    assert unreachable_ids(support) == []


def test_the_program_setting_changes_the_window_everywhere(support: Any) -> None:
    row = get_settings(support.program)
    row.unreachable_attempts, row.unreachable_days = 2, 3
    row.save()
    attempt(support, 3)
    attempt(support, 1)
    assert unreachable_ids(support) == [support.ana_rel.pk]
    page = support.client_for(support.coordinator).get(reverse("support:attention", args=["riverside"]))
    assert "2 attempts without reaching them in 3 days" in page.content.decode()
    assert support.ana.full_name in page.content.decode()
    home = support.client_for(support.supporter).get(reverse("support:caseload", args=["riverside"]))
    assert "Unreachable" in home.content.decode()


def test_follow_ups_due_and_overdue_at_the_grace_boundary(support: Any) -> None:
    windows = w.Windows.for_program(support.program)  # grace: 1 day
    attempt(support, 3, reached=True, follow_up=TODAY - dt.timedelta(days=1))
    rows = w.tracked_relationships(support.program, windows)
    assert [r.pk for r in w.followups_due(rows, windows)] == [support.ana_rel.pk]
    assert list(w.followups_overdue(rows, windows)) == []
    attempt(support, 3, reached=True, follow_up=TODAY - dt.timedelta(days=2))
    rows = w.tracked_relationships(support.program, windows)
    assert list(w.followups_due(rows, windows)) == []
    assert [r.pk for r in w.followups_overdue(rows, windows)] == [support.ana_rel.pk]
    # A newer contact replaces the follow-up.
    attempt(support, 0, reached=True, follow_up=TODAY + dt.timedelta(days=7))
    rows = w.tracked_relationships(support.program, windows)
    assert list(w.followups_overdue(rows, windows)) == [] and list(w.followups_due(rows, windows)) == []


def test_quiet_relationships(support: Any) -> None:
    windows = w.Windows.for_program(support.program)  # 21 days; the fixture started 30 days ago
    rows = w.tracked_relationships(support.program, windows)
    assert {r.pk for r in w.quiet(rows, windows)} == {support.ana_rel.pk, support.ben_rel.pk}
    attempt(support, 21, reached=True)
    rows = w.tracked_relationships(support.program, windows)
    assert {r.pk for r in w.quiet(rows, windows)} == {support.ben_rel.pk}


def test_daily_reminders_use_the_same_windows_and_name_nobody(support: Any) -> None:
    attempt(support, 20, reached=True, follow_up=TODAY - dt.timedelta(days=3))
    for days in (4, 2, 1):
        attempt(support, days)
    mail.outbox.clear()
    daily_reminders.call()
    reminder = next(m for m in mail.outbox if m.to == [support.supporter.email])
    assert "0 follow-ups due and 1 overdue" in reminder.body
    digest = next(m for m in mail.outbox if support.coordinator.email in m.to)
    assert "Cannot be reached (3 attempts without reaching them in 14 days): 1" in digest.body
    assert support.ana.full_name not in digest.body and support.ana.full_name not in reminder.body


def test_supporter_home_lists_follow_ups_due_and_overdue(support: Any) -> None:
    attempt(support, 2, reached=True, follow_up=TODAY)
    contacts.log_contact(
        actor=support.uma_user,
        relationship=support.ben_rel,
        data={"contacted_on": TODAY, "channel": "phone", "reached": True, "next_follow_up": None},
    )
    page = support.client_for(support.supporter).get(reverse("programs:home", args=["riverside"])).content.decode()
    assert "Follow-ups due" in page and support.ana.full_name in page
    assert support.ben.full_name not in page


def test_the_summary_counts_what_each_window_lists(support: Any) -> None:
    windows = w.Windows.for_program(support.program)

    def listed() -> dict[str, int]:
        rows = w.tracked_relationships(support.program, windows)
        return {
            "unreachable": len(w.unreachable(rows, windows)),
            "quiet": len(w.quiet(rows, windows)),
            "due": len(w.followups_due(rows, windows)),
            "overdue": len(w.followups_overdue(rows, windows)),
        }

    assert w.summary(support.program, windows) == listed() == {"unreachable": 0, "quiet": 2, "due": 0, "overdue": 0}
    attempt(support, 20, reached=True, follow_up=TODAY - dt.timedelta(days=3))
    for days in (4, 2, 1):
        attempt(support, days)
    assert w.summary(support.program, windows) == listed() == {"unreachable": 1, "quiet": 1, "due": 0, "overdue": 1}
    attempt(support, 0, reached=True, follow_up=TODAY)
    assert w.summary(support.program, windows) == listed() == {"unreachable": 0, "quiet": 1, "due": 1, "overdue": 0}
