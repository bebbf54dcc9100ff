"""The demo shows the participant's plan (goals in their words, steps, progress, a review due),
needs, the resource directory and referrals, where each person would look for them; and the
practice lab's sample scenarios with two practice sessions and their trend."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from peerpath.core.models import User
from peerpath.demo.content import DOMAIN, SLUG
from peerpath.plans.models import Goal, Need, Referral, Resource
from peerpath.plans.queries import needs_report
from peerpath.practice.models import PracticeSession, Scenario
from peerpath.programs.models import Program
from peerpath.support.models import SupportRelationship
from tests.demo_copy import load_demo

pytestmark = pytest.mark.django_db


def client_for(login: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(email=f"{login}@{DOMAIN}"))
    return client


def test_the_demo_shows_goals_needs_referrals_and_practice() -> None:
    load_demo()
    program = Program.objects.get(slug=SLUG)
    today = timezone.localdate()
    assert Goal.objects.filter(program=program).count() == 4
    assert Goal.objects.filter(program=program, status="met").count() == 1
    assert Resource.objects.filter(program=program).count() == 6
    assert {n.participant.full_name for n in Need.objects.filter(program=program)} >= {"Helen Ward", "Marisol Vega"}
    assert sorted(Referral.objects.filter(program=program).values_list("state", flat=True)) == [
        "connected",
        "made",
        "suggested",
    ]

    supporter = client_for("supporter")  # Priya
    [helen] = [
        r
        for r in SupportRelationship.objects.filter(program=program).select_related("participant")
        if r.participant.full_name == "Helen Ward" and r.state != "closed"
    ]
    plan = supporter.get(f"/p/{SLUG}/plans/relationships/{helen.pk}/").content.decode()
    assert "Get back to my Sunday walks, even when it rains" in plan
    assert "Understand the bills my husband used to handle" in plan
    page = supporter.get(f"/p/{SLUG}/support/relationships/{helen.pk}/").content.decode()
    assert "Benefits Advice Line" in page and "Get back to my Sunday walks" in page  # its referral and goals
    home = supporter.get(f"/p/{SLUG}/").content.decode()
    assert "Plan review" in home and "Job Club" in home  # Dana's review is due; Ravi's referral to check on
    directory = supporter.get(f"/p/{SLUG}/plans/directory/").content.decode()
    assert "Riverside Food Bank" in directory and "Dial-a-Ride" in directory

    rows = needs_report(program, today - dt.timedelta(days=365), today)
    [benefits] = [row for row in rows if row["need"] == "Income and benefits"]
    assert (benefits["met"], benefits["connected"]) == (1, 1)
    report = client_for("coordinator").get(f"/p/{SLUG}/reports/")
    assert "Needs met and referrals connected, by need" in report.content.decode()

    assert Scenario.objects.filter(program=program, is_published=True).count() >= 8
    sessions = PracticeSession.objects.filter(program=program, status="finished")
    assert sessions.count() == 2 and {s.summary["risk_cue"] for s in sessions} == {"missed", "handled"}
    practice = supporter.get(f"/p/{SLUG}/practice/").content.decode()
    assert "Your sessions over time" in practice and "Sam, who wants it all to stop" in practice
