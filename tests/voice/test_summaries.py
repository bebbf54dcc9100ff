"""The progress summary: on screen and as a PDF for a date range, for the supervisor or for a
clinician the participant consented to share with (only the scope they agreed), each audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from peerpath.core.models import AuditEntry
from peerpath.plans.models import Need
from peerpath.plans.services import record_progress, save_goal
from peerpath.voice.models import ShareConsent
from peerpath.voice.services import outcomes
from tests.voice.helpers import first_contact

pytestmark = pytest.mark.django_db


def summary_url(support: Any, participant: Any = None, suffix: str = "summary/") -> str:
    return f"/p/riverside/voice/participants/{(participant or support.ana).pk}/{suffix}"


def with_history(support: Any) -> None:
    first_contact(support.ana_rel, support.supporter)
    goal = save_goal(
        actor=support.supporter, relationship=support.ana_rel, goal=None, data={"text": "Sleep through the night"}
    )
    record_progress(actor=support.supporter, goal=goal, note="Two good nights this week")
    Need.objects.create(program=support.program, participant=support.ana, area="Housing")
    measure = outcomes.add_project_measure(actor=support.coordinator, program=support.program)
    outcomes.record_outcome(
        actor=support.supporter,
        relationship=support.ana_rel,
        questionnaire=measure,
        point="intake",
        answers={1: 2, 2: 2, 3: 2, 4: 2, 5: 2},
    )


def test_the_supervisor_sees_the_summary_on_screen_and_as_a_pdf(support: Any) -> None:
    with_history(support)
    client = support.client_for(support.supervisor)
    page = client.get(summary_url(support))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Sleep through the night" in text and "Two good nights this week" in text
    assert "Building rapport" in text and "1 contacts logged, 1 reaching them." in text
    assert "Well-being 10" in text and "Needs: Housing: " in text
    assert AuditEntry.objects.filter(action="voice.summary", actor=support.supervisor, note__endswith="screen").exists()

    pdf = client.get(summary_url(support, suffix="summary.pdf"))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and "attachment" in pdf["Content-Disposition"]
    assert AuditEntry.objects.filter(action="voice.summary", note__endswith="PDF").count() == 1


def test_a_range_before_anything_happened_shows_nothing_of_it(support: Any) -> None:
    with_history(support)
    long_ago = timezone.localdate() - dt.timedelta(days=400)
    page = support.client_for(support.coordinator).get(
        summary_url(support), {"start": long_ago.isoformat(), "end": (long_ago + dt.timedelta(days=10)).isoformat()}
    )
    text = page.content.decode()
    assert page.status_code == 200 and "0 contacts logged" in text and "Two good nights" not in text
    assert "No outcome measure was completed in the period." in text
    backwards = support.client_for(support.coordinator).get(
        summary_url(support), {"start": "2026-05-01", "end": "2026-04-01"}
    )
    assert backwards.status_code == 400


def test_only_those_overseeing_the_relationship_see_a_summary(support: Any) -> None:
    assert support.client_for(support.supervisor).get(summary_url(support, support.ben)).status_code == 404
    assert support.client_for(support.supporter).get(summary_url(support)).status_code == 403


def test_a_summary_for_a_consented_clinician_holds_only_the_agreed_scope(support: Any) -> None:
    with_history(support)
    client = support.client_for(support.coordinator)
    until = timezone.localdate() + dt.timedelta(days=180)
    refused = client.post(
        summary_url(support, suffix="consents/"),
        {"recipient": "Dr Mara Quist", "scope": ["outcomes"], "expires_on": "2020-01-01"},
    )
    assert refused.status_code == 400 and not ShareConsent.objects.exists()
    recorded = client.post(
        summary_url(support, suffix="consents/"),
        {"recipient": "Dr Mara Quist", "scope": ["outcomes"], "expires_on": until.isoformat()},
    )
    assert recorded.status_code == 302
    consent = ShareConsent.objects.get()
    today = timezone.localdate().isoformat()
    query = {"start": "2026-01-01", "end": today, "consent": consent.pk}
    page = client.get(summary_url(support), query)
    text = page.content.decode()
    assert page.status_code == 200 and "Prepared for Dr Mara Quist" in text
    assert "Well-being 10" in text and "contacts logged" not in text and "Sleep through" not in text
    assert "Needs:" not in text
    assert client.get(summary_url(support, suffix="summary.pdf"), query).status_code == 200
    entry = AuditEntry.objects.filter(action="voice.summary", note__contains=f"consent {consent.pk}").count()
    assert entry == 2

    client.post(summary_url(support, suffix="consents/"), {"withdraw": consent.pk})
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert client.get(summary_url(support), query).status_code == 400  # no longer a choice
    pdf = client.get(summary_url(support, suffix="summary.pdf"), query)
    assert pdf.status_code == 302


def test_the_consent_recipient_is_encrypted_at_rest(support: Any) -> None:
    from django.db import connection

    ShareConsent.objects.create(
        program=support.program,
        participant=support.ana,
        recipient="Riverside Community Clinic",
        scope=["outcomes"],
        expires_on=timezone.localdate() + dt.timedelta(days=5),
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT recipient FROM voice_shareconsent")
        assert "Riverside" not in cursor.fetchone()[0]
