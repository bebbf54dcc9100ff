"""Every supporter-care page passes the accessibility check, on a desktop and (for supporters) a phone."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from peerpath.care.models import CheckIn
from peerpath.care.tasks import unsubscribe_token
from tests.care.test_pages import fill
from tests.e2e.helpers import login
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

COORDINATOR_PAGES = [
    ("care:supporters", None),
    ("care:supporter", "supporter"),
    ("care:checkin_detail", "checkin"),
    ("care:debrief", "debrief"),
    ("care:attention", None),
    ("care:tasks", None),
    ("care:meetings", None),
    ("care:meeting_edit", "meeting"),
    ("care:supervision_hours", None),
    ("care:topics", None),
    ("care:supervisors", None),
    ("care:breaks", None),
    ("care:break_new", None),
    ("care:buddies", None),
    ("care:recognition", None),
    ("care:recognition_new", None),
    ("care:newsletters", None),
    ("care:newsletter_new", None),
    ("care:newsletter_edit", "newsletter"),
    ("care:questionnaires", None),
    ("care:questionnaire", "questionnaire"),
    ("care:questionnaire_import", None),
    ("care:settings", None),
]


def test_coordinator_pages(page: Any, a11y: Any, live_server: Any, world: Any) -> None:
    things = fill(world, world.program, world.coordinator, world.supervisor)
    login(page, a11y, world.coordinator.email, PASSWORD)
    for name, key in COORDINATOR_PAGES:
        args = [world.program.slug] + ([things[key].pk] if key else [])
        page.goto(reverse(name, args=args))
        a11y.check(page)
        assert page.locator("h1").count() == 1, name


def test_supporter_pages_on_a_phone(phone_page: Any, a11y: Any, live_server: Any, world: Any) -> None:
    things = fill(world, world.program, world.coordinator, world.supervisor)
    record = things["supporter"]
    login(phone_page, a11y, record.user.email, PASSWORD)
    checkin = CheckIn.objects.filter(supporter=record, status="completed").first()
    for name, args in [
        ("care:my_care", []),
        ("care:checkin", []),
        ("care:my_checkin", [checkin.pk]),
        ("care:my_debriefs", []),
        ("care:my_breaks", []),
        ("care:my_updates", []),
        ("care:newsletters", []),
    ]:
        phone_page.goto(reverse(name, args=[world.program.slug, *args]))
        a11y.check(phone_page)
    phone_page.context.clear_cookies()
    phone_page.goto(reverse("care:unsubscribe", args=[unsubscribe_token(record.pk)]))
    a11y.check(phone_page)
    phone_page.get_by_role("button", name="Stop sending me updates").click()
    phone_page.wait_for_load_state("load")
    a11y.check(phone_page)
    assert "will not receive" in phone_page.content()
