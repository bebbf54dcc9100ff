"""Helpers for plan tests: a goal made through the service, a contact's form data."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from peerpath.plans import services
from peerpath.plans.models import Goal


def goal(support: Any, text: str = "Walk the dog every morning", **data: Any) -> Goal:
    return services.save_goal(
        actor=support.supporter, relationship=support.ana_rel, goal=None, data={"text": text, **data}
    )


def contact_post(**extra: Any) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "contacted_on": (today - dt.timedelta(days=1)).isoformat(),
        "channel": "phone",
        "reached": "yes",
        "duration_minutes": "30",
        "tasks": ["practical"],
        "kind": "check_in",
        "notes": "",
        "next_follow_up": "",
        **extra,
    }


# Markers written into every encrypted field of the plan (tests/support/test_encryption.py looks
# for each of them in a raw dump of the database).
PLANS_SECRETS = {
    "goal": "Walk to the lighthouse armadillo",
    "goal_step": "Buy boots chinchilla",
    "goal_progress": "Got halfway pangolin",
    "plan_review": "On track wombat",
    "need_note": "Lease ends narwhal",
    "handoff": "Spoke to Maria okapi",
    "referral_outcome": "Got a parcel axolotl",
}


def fill_plans_secrets(support: Any, relationship: Any) -> None:
    """One of each encrypted plan record in a working ``relationship``, holding the markers."""
    s, secrets = support, PLANS_SECRETS
    made = services.save_goal(actor=s.supporter, relationship=relationship, goal=None, data={"text": secrets["goal"]})
    services.save_step(
        actor=s.supporter, goal=made, step=None, data={"text": secrets["goal_step"], "owner": "participant"}
    )
    services.record_progress(actor=s.supporter, goal=made, note=secrets["goal_progress"])
    services.record_review(
        actor=s.supporter, relationship=relationship, on=timezone.localdate(), note=secrets["plan_review"]
    )
    services.save_needs(
        actor=s.supporter,
        participant=relationship.participant,
        rows={"Housing": ("open", secrets["need_note"])},
        relationship=relationship,
    )
    referral = services.save_referral(
        actor=s.supporter,
        relationship=relationship,
        referral=None,
        data={"resource_name": "Food bank", "need": "Food", "handoff_notes": secrets["handoff"]},
    )
    services.move_referral(actor=s.supporter, referral=referral, to="made")
    services.move_referral(actor=s.supporter, referral=referral, to="connected", note=secrets["referral_outcome"])
