"""A supporter checks in (on a phone) in the highest-concern band and writes a debrief; their
supervisor sees the task and logs a supervision meeting; the coordinator finds the debrief's
topic on the suggested refresher agenda.

Without the training area installed the journey stops at the suggested agenda (the page says
refresher events need training); with it, the coordinator turns the topic into a refresher
event in one step. `tests/care/test_topics.py` covers that step against a stand-in service.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from peerpath.care.models import CareTask, CheckIn, SupervisionMeeting, TaskStatus
from peerpath.recruitment.models import Supporter
from peerpath.recruitment.services import assign_supervisor
from tests.e2e.helpers import PHONE, login
from tests.factories import PASSWORD, TESTS

pytestmark = pytest.mark.django_db(transaction=True)

HIGH_STRAIN = {1: 4, 2: 4, 3: 3, 4: 4, 5: 0, 6: 1, 7: 2, 8: 2, 9: 3, 10: 1}


def test_checkin_task_supervision_and_refresher_agenda(page: Any, a11y: Any, live_server: Any, world: Any) -> None:
    record = world.supporter_record
    assign_supervisor(actor=TESTS, supporter=record, supervisor=world.supervisor)
    Supporter.objects.filter(pk=record.pk).update(stage_changed_at=timezone.now() - dt.timedelta(days=40))

    # The supporter, on a phone, sees the check-in is due on their home page.
    page.set_viewport_size(PHONE)
    login(page, a11y, world.supporter.email, PASSWORD)
    assert "Your well-being check-in is due" in page.content()
    page.get_by_role("link", name="Start my check-in").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    page.get_by_role("button", name="Send my check-in").click()  # nothing answered: errors, nothing saved
    page.wait_for_load_state("load")
    a11y.check(page)
    assert "Choose an answer." in page.content() and not CheckIn.objects.exists()
    for number, value in HIGH_STRAIN.items():
        page.locator(f"input[name=item_{number}][value='{value}']").check()
    page.get_by_label("I would like to talk to someone").check()
    page.get_by_label("Anything you would like your supervisor to know?").fill(
        "A participant relapsed; I keep thinking about it."
    )
    page.get_by_role("button", name="Send my check-in").click()
    page.wait_for_url(re.compile(r"/care/me/check-ins/\d+/$"))
    a11y.check(page)
    content = page.content()
    assert "What happens next" in content and "Sam Supervisor" in content and "High strain" in content

    # Their well-being page shows the trend chart with its data table.
    page.get_by_role("link", name="Back to my well-being").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert page.locator("canvas[data-chart]").count() == 1
    page.wait_for_function("() => window.Chart && Object.keys(Chart.instances).length === 1")
    assert page.get_by_role("table").first.is_visible()

    # After a hard support group they write a debrief asking for a refresher topic.
    # On a phone the care pages wait behind one button (the heading stays near the top).
    page.locator("summary", has_text="My well-being pages").click()
    page.get_by_role("navigation", name="My well-being").get_by_role("link", name="Debriefs").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    page.get_by_label("After a support group").check()
    page.get_by_label("What happened?").fill("A group of five; one person spoke of a relapse.")
    page.get_by_label("What was hard?").fill("Knowing what to say about relapse.")
    page.get_by_label("Topics you would like covered").fill("Talking about relapse, crisis calls")
    page.get_by_role("button", name="Save my debrief").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert "Debrief saved" in page.content()

    # The supervisor sees the task on their home page and in the task list.
    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, a11y, world.supervisor.email, PASSWORD)
    assert "Priya Supporter: check-in in the highest-concern band" in page.content()
    page.get_by_role("navigation", name="Program").get_by_role("link", name="Care tasks").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    task = CareTask.objects.get(checkin__isnull=False)
    assert "would like to talk" in task.title
    page.locator(f"a[href$='?task={task.pk}']").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert "Saving the meeting closes this task" in page.content()
    assert page.get_by_label("Priya Supporter").is_checked()
    page.get_by_label("Length in minutes").fill("50")
    page.get_by_label("Topics").fill("The check-in; a participant's relapse")
    page.get_by_label("Notes").fill("Talked it through. Priya will take a lighter load for two weeks.")
    page.get_by_label("Agreed follow-ups").fill("Check in with Priya next Friday")
    page.get_by_role("button", name="Log the meeting").click()
    page.wait_for_url(re.compile(rf"/care/supporters/{record.pk}/$"))
    a11y.check(page)
    assert "One-on-one supervision" in page.content() or "One-on-one" in page.content()
    meeting = SupervisionMeeting.objects.get()
    assert list(meeting.attendees.all()) == [record] and meeting.duration_minutes == 50
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    assert [t.title for t in CareTask.objects.filter(meeting=meeting, status="open")] == [
        "Check in with Priya next Friday"
    ]
    page.wait_for_function("() => window.Chart && Object.keys(Chart.instances).length === 1")

    # The coordinator finds the debrief's topic on the suggested refresher agenda.
    page.context.clear_cookies()
    login(page, a11y, world.coordinator.email, PASSWORD)
    page.get_by_role("navigation", name="Program").get_by_role("link", name="Supporter care").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    page.get_by_role("navigation", name="Supporter care").get_by_role("link", name="Refresher topics").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    agenda = page.content()
    assert "Talking about relapse" in agenda and "Crisis calls" in agenda
    # One step from suggestion to refresher event.
    suggestion = page.locator("li.card").filter(has_text="Talking about relapse")
    suggestion.get_by_text("Turn into a refresher event").click()
    suggestion.get_by_label("Where (place, phone line or video link)").fill("Community room")
    suggestion.get_by_role("button", name="Create the refresher event").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert "Refresher event planned" in page.content()
