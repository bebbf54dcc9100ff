"""The plan's JSON API reads: the same rules as the pages, and the same read audit."""

from __future__ import annotations

from typing import Any

import pytest

from peerpath.core.models import AuditEntry
from peerpath.plans import services
from peerpath.support.services import matches
from tests.plans.helpers import goal

pytestmark = pytest.mark.django_db


def test_the_plan_referrals_and_needs_follow_the_pages_rules(support: Any, api_for: Any) -> None:
    made = goal(support)
    services.save_step(
        actor=support.supporter, goal=made, step=None, data={"text": "Buy a lead", "owner": "participant"}
    )
    services.record_progress(actor=support.supporter, goal=made, note="First walk")
    bank = services.save_resource(
        actor=support.coordinator, program=support.program, resource=None, data={"name": "Food Bank", "needs": ["Food"]}
    )
    services.save_referral(
        actor=support.supporter, relationship=support.ana_rel, referral=None, data={"resource": bank, "need": "Food"}
    )
    services.save_needs(
        actor=support.supporter, participant=support.ana, rows={"Food": ("open", "x")}, relationship=support.ana_rel
    )
    base = f"/programs/riverside/relationships/{support.ana_rel.pk}"
    data = api_for(support.supporter).get(f"{base}/plan").json()
    assert data["goals"][0]["text"] == "Walk the dog every morning"
    assert (
        data["goals"][0]["steps"][0]["text"] == "Buy a lead" and data["goals"][0]["progress"][0]["note"] == "First walk"
    )
    assert AuditEntry.objects.filter(action="participant.view", note="API: plan").exists()
    referrals = api_for(support.supervisor).get(f"{base}/referrals").json()
    assert referrals[0]["resource_name"] == "Food Bank" and referrals[0]["state"] == "suggested"
    needs = api_for(support.coordinator).get(f"/programs/riverside/participants/{support.ana.pk}/needs").json()
    assert needs[0]["area"] == "Food" and needs[0]["note"] == "x"
    for user, status in [(support.uma_user, 404), (support.trainer, 403), (support.outsider, 404)]:
        assert api_for(user).get(f"{base}/plan").status_code == status, user
        assert api_for(user).get(f"{base}/referrals").status_code == status, user
    matches.close_relationship(actor=support.coordinator, relationship=support.ana_rel, close_reason="other")
    assert api_for(support.supporter).get(f"{base}/plan").status_code == 404
    assert api_for(support.coordinator).get(f"{base}/plan").status_code == 200


def test_the_directory_is_searched_through_the_api(support: Any, api_for: Any) -> None:
    for name, need, listed in (("Food Bank", "Food", True), ("Job Club", "Employment", True), ("Gone", "Food", False)):
        services.save_resource(
            actor=support.coordinator,
            program=support.program,
            resource=None,
            data={"name": name, "needs": [need], "is_active": listed},
        )
    supporter = api_for(support.supporter).get("/programs/riverside/resources").json()
    assert [r["name"] for r in supporter["items"]] == ["Food Bank", "Job Club"]
    food = api_for(support.supporter).get("/programs/riverside/resources", need="Food").json()
    assert food["count"] == 1 and food["items"][0]["needs"] == ["Food"]
    assert api_for(support.coordinator).get("/programs/riverside/resources").json()["count"] == 3
    assert api_for(support.trainer).get("/programs/riverside/resources").status_code == 403
    # A NUL in a filter is refused with the field named (PostgreSQL could not even compare it: a 500).
    for field in ("q", "need", "language", "area"):
        refused = api_for(support.supporter).get("/programs/riverside/resources", **{field: "*\x0f\x00"})
        assert refused.status_code == 422, (field, refused.content)
        assert field in str(refused.json())
