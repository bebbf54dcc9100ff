"""The ledger through the API: the caller's own hours, and the ledgers staff may see."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from peerpath.hours import services
from peerpath.hours.models import Kind
from peerpath.support.models import Contact

pytestmark = pytest.mark.django_db


def test_own_ledger_and_staff_ledgers(support: Any, api_for: Any) -> None:
    today = timezone.localdate()
    contact = Contact.objects.create(
        program=support.program,
        relationship=support.ana_rel,
        contacted_on=today,
        channel="phone",
        reached=True,
        duration_minutes=45,
    )
    duty = services.log_duty(
        actor=support.supporter, supporter=support.priya, date=today, kind=Kind.OUTREACH, title="Stall", minutes=75
    )
    services.review_duty(actor=support.coordinator, duty=duty, approve=True)

    mine = api_for(support.supporter).get("/programs/riverside/hours/me")
    assert mine.status_code == 200
    data = mine.json()
    assert data["hours"] == "2.00" and data["people_supported"] == 1 and data["year"] == today.year
    assert {e["source"] for e in data["entries"]} == {f"support.contact:{contact.pk}", f"hours.duty:{duty.pk}"}
    assert {k["kind"]: k["hours"] for k in data["by_kind"]}["outreach"] == "1.25"
    assert support.ana.full_name not in mine.content.decode()
    month = next(m for m in data["months"] if m["month"] == f"{today:%Y-%m}")
    assert month["hours"] == "2.00"
    last_year = api_for(support.supporter).get("/programs/riverside/hours/me", year=today.year - 1).json()
    assert last_year["hours"] == "0.00"

    listed = api_for(support.coordinator).get("/programs/riverside/hours/supporters").json()
    assert {row["full_name"]: row["hours"] for row in listed["items"]}[support.priya.full_name] == "2.00"
    assert listed["count"] == len(listed["items"])
    one = api_for(support.coordinator).get(f"/programs/riverside/hours/supporters/{support.priya.pk}").json()
    assert one["hours"] == "2.00"
    # A supervisor sees their supervisee (Priya), not Uma; a supporter sees no one else's.
    supervisor = api_for(support.supervisor)
    assert supervisor.get(f"/programs/riverside/hours/supporters/{support.priya.pk}").status_code == 200
    assert supervisor.get(f"/programs/riverside/hours/supporters/{support.uma.pk}").status_code == 404
    assert api_for(support.supporter).get("/programs/riverside/hours/supporters").status_code == 403
    assert api_for(support.coordinator).get("/programs/riverside/hours/me").status_code == 403
    assert api_for(support.outsider).get("/programs/riverside/hours/supporters").status_code == 404
    assert api_for(support.supporter).get("/programs/riverside/hours/me", year=1200).status_code == 422
