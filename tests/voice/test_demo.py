"""The demo shows feedback answers (one saying it is not a good fit) and outcome change."""

from __future__ import annotations

import pytest
from django.test import Client

from peerpath.core.models import User
from peerpath.demo.content import DOMAIN, SLUG
from peerpath.programs.models import Program
from peerpath.voice.models import FeedbackAnswer, Fit
from peerpath.voice.services import outcomes
from tests.demo_copy import load_demo

pytestmark = pytest.mark.django_db


def client_for(login: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(email=f"{login}@{DOMAIN}"))
    return client


def test_the_demo_has_feedback_and_outcome_change() -> None:
    load_demo()
    program = Program.objects.get(slug=SLUG)
    answers = list(FeedbackAnswer.objects.filter(program=program))
    assert len(answers) == 7 and sum(1 for a in answers if a.good_fit == Fit.NO) == 1
    [change] = outcomes.program_change(program)
    assert change.people == 5 and not change.hidden and change.change is not None and change.change > 0

    coordinator = client_for("coordinator")
    home = coordinator.get(f"/p/{SLUG}/").content.decode()
    assert "said it is not a good fit" in home
    assert "1 former participant would like to hear about becoming a peer supporter." in home
    listing = coordinator.get(f"/p/{SLUG}/voice/feedback/")
    assert listing.status_code == 200 and b"No, not a good fit" in listing.content
    report = coordinator.get(f"/p/{SLUG}/reports/outcome-change.csv")
    assert report.status_code == 200 and b"PeerPath brief well-being (participants): Well-being,5," in report.content

    former = coordinator.get(f"/p/{SLUG}/voice/former-participants/")
    assert b"Joan Mercer" in former.content and b"Invite to apply" in former.content

    supporter_home = client_for("supporter").get(f"/p/{SLUG}/").content.decode()
    assert "Over 4 answers" in supporter_home and "bus pass" not in supporter_home
