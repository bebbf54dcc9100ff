"""A person changes how they are told on their notification settings page, in a browser: texts
for follow-ups due at their number, and quiet hours in their own time zone."""

from __future__ import annotations

from typing import Any

import pytest

from peerpath.notifications.models import Preferences
from tests.e2e.helpers import login, open_menu
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_supporter_chooses_texts_for_follow_ups_and_quiet_hours(
    page: Any, a11y: Any, live_server: Any, world: Any
) -> None:
    login(page, a11y, world.supporter.email, PASSWORD)
    open_menu(page)
    page.get_by_role("link", name="Notification settings").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    page.get_by_label("Mobile number for text messages").fill("+1 541 754 3010")
    page.get_by_label("I agree to receive text messages from PeerPath at this number").check()
    page.get_by_label("Quiet hours from").fill("22:00")
    page.get_by_label("Quiet hours until").fill("07:00")
    page.get_by_label("Your time zone").select_option("America/Chicago")
    reminders = page.get_by_role("group", name="Follow-ups due")
    reminders.get_by_label("Text message").check()
    reminders.get_by_label("E-mail").uncheck()
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state("load")
    a11y.check(page)
    assert "Your notification settings are saved." in page.content()
    prefs = Preferences.objects.get(user=world.supporter)
    assert prefs.phone == "+15417543010" and prefs.texts_allowed
    assert prefs.channels["support.reminder"] == ["sms"]
    assert str(prefs.quiet_from) == "22:00:00" and str(prefs.quiet_until) == "07:00:00"
    assert prefs.time_zone == "America/Chicago"
    # The page shows what was chosen.
    assert page.get_by_role("group", name="Follow-ups due").get_by_label("Text message").is_checked()
