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
