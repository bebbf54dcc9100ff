"""The inbox with its unread count in the menu, and the notification settings page."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from peerpath.notifications import services
from peerpath.notifications.models import Notice, Preferences
from tests.factories import UserFactory


def tell(world: Any, user: Any, text: str = "Offer answered") -> Notice:
    [notice] = services.notify(
        kind="support.notice", users=[user], program=world.program, context={"text": text}, url="/p/riverside/"
    )
    return notice


def test_the_inbox_lists_notices_and_the_menu_counts_the_unread(world: Any) -> None:
    tell(world, world.supervisor, "Priya declined P-0007")
    tell(world, world.supervisor, "Sam acknowledged the concern")
    tell(world, world.coordinator, "Not for the supervisor")
    client = world.client_for(world.supervisor)
    page = client.get(reverse("notifications:inbox"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Priya declined P-0007" in body and "Sam acknowledged the concern" in body
    assert "Not for the supervisor" not in body
    menu = body.split('id="nav-notifications"')[1].split("</a>")[0]
    assert ">2</span>" in menu
    assert client.post(reverse("notifications:read_all")).status_code == 302
    body = client.get(reverse("notifications:inbox")).content.decode()
    assert 'class="badge" aria-label' not in body.split('id="nav-notifications"')[1].split("</a>")[0]


def test_opening_a_notice_marks_it_read_and_goes_where_it_points(world: Any) -> None:
    notice = tell(world, world.supervisor)
    response = world.client_for(world.supervisor).post(reverse("notifications:open", args=[notice.pk]))
    assert response.status_code == 302 and response["Location"] == "/p/riverside/"
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_someone_elses_notice_is_not_found(world: Any) -> None:
    notice = tell(world, world.coordinator)
    response = world.client_for(world.supervisor).post(reverse("notifications:open", args=[notice.pk]))
    assert response.status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


def test_the_inbox_needs_a_login(world: Any) -> None:
    response = world.client_for(None).get(reverse("notifications:inbox"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_person_sets_channels_quiet_hours_and_a_number(world: Any) -> None:
    client = world.client_for(world.supporter)
    page = client.get(reverse("notifications:preferences"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Crisis alerts" in body and "Follow-ups due" in body
    response = client.post(
        reverse("notifications:preferences"),
        {
            "phone": "+1 541 754 3010",
            "texts": "on",
            "quiet_from": "22:00",
            "quiet_until": "07:00",
            "kind_support__reminder": ["in_app", "sms"],
            "kind_support__notice": ["in_app"],
        },
    )
    assert response.status_code == 302
    prefs = Preferences.objects.get(user=world.supporter)
    assert prefs.phone == "+15417543010" and prefs.texts_allowed and prefs.sms_opt_in_source == "profile page"
    assert prefs.channels["support.reminder"] == ["in_app", "sms"]
    assert prefs.channels["support.crisis"] == []  # nothing ticked: the inbox still shows it (urgent)
    assert str(prefs.quiet_from) == "22:00:00"


def test_a_bad_number_re_renders_the_form_with_its_error(world: Any) -> None:
    client = world.client_for(world.supporter)
    response = client.post(reverse("notifications:preferences"), {"phone": "12", "texts": "on"})
    assert response.status_code == 400
    assert "not a valid phone number" in response.content.decode()
    assert not Preferences.objects.filter(user=world.supporter).exists()


def test_half_quiet_hours_are_refused(world: Any) -> None:
    response = world.client_for(world.supporter).post(reverse("notifications:preferences"), {"quiet_from": "22:00"})
    assert response.status_code == 400
    assert "both ends" in response.content.decode()


def test_each_person_sees_only_their_own_settings(world: Any) -> None:
    other = UserFactory(full_name="Olga Other")
    services.update_preferences(
        actor=other, channels={}, quiet_from=None, quiet_until=None, digest=False, phone="+15417543010", texts=True
    )
    body = world.client_for(world.supporter).get(reverse("notifications:preferences")).content.decode()
    assert "+15417543010" not in body
