"""The participant's own export (a subject access request) as CSV carries every app's part:
the plan, needs and referrals (plans), what they said (voice), their groups and attendance
(groups) and the service they received (hours), through support's export registry."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.urls import reverse

from peerpath.groups import services as groups
from peerpath.plans import services as plans
from tests.groups.helpers import past_session, weekly_group
from tests.plans.helpers import goal
from tests.voice.helpers import VOICE_SECRETS, fill_voice_secrets, first_contact

pytestmark = pytest.mark.django_db


def test_the_csv_export_holds_every_apps_part(support: Any) -> None:
    goal(support, "Walk to the river")
    plans.save_needs(
        actor=support.supporter,
        participant=support.ana,
        rows={"Food": ("open", "Fridge empty")},
        relationship=support.ana_rel,
    )
    first_contact(support.ana_rel, support.supporter)
    fill_voice_secrets(support, support.ana_rel)
    group = weekly_group(support.world)
    joined = groups.add_member(actor=support.coordinator, group=group, participant=support.ana)
    groups.take_attendance(
        actor=support.coordinator,
        session=past_session(group),
        present=[joined],
        first_time_drop_ins=0,
        returning_drop_ins=0,
    )
    client = support.client_for(support.coordinator)
    url = reverse("support:participant_export", args=["riverside", support.ana.pk])
    rows = list(csv.reader(io.StringIO(client.get(f"{url}?format=csv").content.decode("utf-8-sig"))))
    by_section: dict[str, list[list[str]]] = {}
    for section, item, name, value in rows[1:]:
        by_section.setdefault(section, []).append([item, name, value])
    assert {"plans", "groups", "voice", "hours"} <= set(by_section)
    values = {value for section in ("plans", "groups", "voice", "hours") for _i, _n, value in by_section[section]}
    assert "Walk to the river" in values and "Fridge empty" in values  # decrypted, as in the JSON
    assert "Tuesday group" in values
    assert VOICE_SECRETS["feedback_message"] in values
    hours = {name: value for _item, name, value in by_section["hours"]}
    assert hours["group_sessions_attended"] == "1" and hours["group_minutes"] == "90"
    assert int(hours["one_to_one_contacts"]) >= 1
    # The JSON export has the same parts.
    data = client.get(f"{url}?format=json").json()
    assert data["hours"]["group_sessions_attended"] == 1 and data["groups"][0]["group"] == "Tuesday group"
