"""Quiet hours in each person's own time zone (the installation's when they chose none), on the
nights the clocks change."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
from django.urls import reverse

from peerpath.notifications import services
from peerpath.notifications.models import Preferences

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
UTC = dt.UTC


def test_quiet_hours_are_read_in_the_persons_time_zone(settings: Any) -> None:
    settings.TIME_ZONE = "UTC"
    prefs = Preferences(quiet_from=dt.time(22), quiet_until=dt.time(7), time_zone="America/Chicago")
    # 03:00 UTC is 21:00 in Chicago in winter: not yet quiet there, though it is night in UTC.
    assert services.quiet_until(prefs, dt.datetime(2026, 12, 8, 3, 0, tzinfo=UTC)) is None
    # 05:00 UTC is 23:00 in Chicago: quiet until 07:00 Chicago, 13:00 UTC.
    end = services.quiet_until(prefs, dt.datetime(2026, 12, 8, 5, 0, tzinfo=UTC))
    assert end == dt.datetime(2026, 12, 8, 13, 0, tzinfo=UTC)


def test_without_a_choice_the_installations_time_zone_is_used(settings: Any) -> None:
    settings.TIME_ZONE = "America/Chicago"
    prefs = Preferences(quiet_from=dt.time(22), quiet_until=dt.time(7))
    assert services.time_zone_of(prefs) == CHICAGO
    end = services.quiet_until(prefs, dt.datetime(2026, 12, 8, 5, 0, tzinfo=UTC))
    assert end == dt.datetime(2026, 12, 8, 13, 0, tzinfo=UTC)
    # A zone no longer known falls back to the installation's rather than failing.
    assert services.time_zone_of(Preferences(time_zone="Mars/Olympus_Mons")) == CHICAGO


def test_the_night_the_clocks_go_back_ends_at_seven_on_the_wall_clock(settings: Any) -> None:
    settings.TIME_ZONE = "UTC"
    prefs = Preferences(quiet_from=dt.time(22), quiet_until=dt.time(7), time_zone="America/Chicago")
    # Sunday 1 November 2026, 02:00 CDT becomes 01:00 CST. At 23:00 CDT on Saturday (04:00 UTC)
    # the quiet night lasts until 07:00 CST: 13:00 UTC, eight hours on the wall clock but nine real ones.
    start = dt.datetime(2026, 11, 1, 4, 0, tzinfo=UTC)
    end = services.quiet_until(prefs, start)
    assert end is not None and end.astimezone(CHICAGO).time() == dt.time(7)
    assert end == dt.datetime(2026, 11, 1, 13, 0, tzinfo=UTC)
    assert end - start == dt.timedelta(hours=9)
    # 06:30 CST, after the change (12:30 UTC), is still quiet; 07:00 CST (13:00 UTC) is not.
    assert services.quiet_until(prefs, dt.datetime(2026, 11, 1, 12, 30, tzinfo=UTC)) == end
    assert services.quiet_until(prefs, dt.datetime(2026, 11, 1, 13, 0, tzinfo=UTC)) is None


def test_the_night_the_clocks_go_forward(settings: Any) -> None:
    settings.TIME_ZONE = "UTC"
    prefs = Preferences(quiet_from=dt.time(22), quiet_until=dt.time(7), time_zone="America/Chicago")
    # Sunday 8 March 2026, 02:00 CST becomes 03:00 CDT: 07:00 CDT is 12:00 UTC, not 13:00.
    end = services.quiet_until(prefs, dt.datetime(2026, 3, 8, 5, 0, tzinfo=UTC))  # 23:00 CST
    assert end == dt.datetime(2026, 3, 8, 12, 0, tzinfo=UTC)
    # 06:30 CDT (11:30 UTC) is quiet; 12:00 UTC (07:00 CDT) is not. A fixed offset would hold it an hour.
    assert services.quiet_until(prefs, dt.datetime(2026, 3, 8, 11, 30, tzinfo=UTC)) == end
    assert services.quiet_until(prefs, dt.datetime(2026, 3, 8, 12, 0, tzinfo=UTC)) is None


@pytest.mark.django_db
def test_a_person_chooses_their_time_zone_on_the_settings_page(world: Any) -> None:
    client = world.client_for(world.supporter)
    url = reverse("notifications:preferences")
    page = client.get(url).content.decode()
    assert 'name="time_zone"' in page and "America/Chicago" in page
    data = {"quiet_from": "22:00", "quiet_until": "07:00", "time_zone": "America/Chicago"}
    assert client.post(url, data).status_code == 302
    assert Preferences.objects.get(user=world.supporter).time_zone == "America/Chicago"
    assert client.post(url, {**data, "time_zone": "Nowhere/Else"}).status_code == 400
    assert Preferences.objects.get(user=world.supporter).time_zone == "America/Chicago"
    # Back to the installation's.
    assert client.post(url, {**data, "time_zone": ""}).status_code == 302
    assert Preferences.objects.get(user=world.supporter).time_zone == ""
