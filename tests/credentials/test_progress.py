"""Initial-credential progress and the application packet, checked against the demo data counted
by hand (peerpath/training/demo.py, hours/demo.py, credentials/demo.py), and the pages."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from peerpath.credentials import services
from peerpath.credentials.models import ExamResult, ExternalTraining, TrainingDomain
from peerpath.credentials.packet import summary_lines
from peerpath.credentials.progress import progress
from peerpath.recruitment.models import Supporter
from peerpath.training.models import Topic
from tests.demo_copy import load_demo

pytestmark = pytest.mark.django_db
H = Decimal


def test_quinn_against_the_hand_count() -> None:
    """Quinn attended all ten sessions of last year's course, each 18:00-20:30 (2.5 h), three
    topics of one module each. Foundations x3 and Recovery principles x1 -> recovery and wellness
    10 h; Ethics x1 -> 2.5 h; Crisis x1 -> 2.5 h; the other four sessions' modules are in no
    domain. External: 4 h mentoring approved (2 h ethics still awaiting approval: not counted).
    No supervision; one approved duty of 60 min -> 1 h experience. Exams 64% then 82% (pass
    70%): the latest passes. Code of ethics signed 150 days ago, no expiry: current."""
    load_demo()
    quinn = Supporter.objects.get(full_name="Quinn Murphy")
    found = progress(quinn)
    assert [(d.label, d.counted, d.required) for d in found.domains] == [
        ("Recovery and wellness support", H("10.00"), H("20")),
        ("Ethical responsibility", H("2.50"), H("10")),
        ("Crisis and safety", H("2.50"), H("6")),
        ("Mentoring and education", H("4.00"), H("6")),
    ]
    assert found.training_total == H("19.00")
    assert (found.supervised.counted, found.experience.counted) == (H("0.00"), H("1.00"))
    assert found.exam is not None and found.exam.score == 82 and found.exam_met
    assert [(d.qtype.name, d.state) for d in found.documents] == [("Code of ethics", "valid")]
    assert not found.complete
    lines = dict(summary_lines(found))
    assert lines["  Recovery and wellness support"] == "10.00 / 20.00 h"
    assert lines["Training hours in all"] == "19.00 h"
    # The CSV: every underlying record, adding up to the figures.
    client = _coordinator_client(quinn)
    response = client.get(reverse("credentials:packet", args=[quinn.program.slug, quinn.pk, "csv"]))
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    by_domain: dict[str, Decimal] = {}
    for row in rows:
        if row["Domain"]:
            by_domain[row["Domain"]] = by_domain.get(row["Domain"], H("0")) + H(row["Hours"])
    assert by_domain == {d.label: d.counted for d in found.domains}
    assert sum(H(r["Hours"]) for r in rows if r["Section"] == "Training") == H("25.00")  # all ten sessions
    assert [r["Record"] for r in rows if r["Section"] == "Experience"] == [
        "Logged: Flyers for the information session, approved by Cora Mendes"
    ]
    pdf = client.get(reverse("credentials:packet", args=[quinn.program.slug, quinn.pk, "pdf"]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and pdf["Content-Type"] == "application/pdf"
    assert client.get(reverse("credentials:packet", args=[quinn.program.slug, quinn.pk, "zip"])).status_code == 404
    page = client.get(reverse("credentials:progress", args=[quinn.program.slug, quinn.pk])).content.decode()
    assert "Recovery and wellness support" in page and "10.00 h" in page and "Ethics webinar" in page


def _coordinator_client(supporter: Supporter) -> Any:
    from django.test import Client

    from peerpath.programs.models import Membership

    coordinator = Membership.objects.filter(program=supporter.program, is_coordinator=True).first()
    client = Client()
    assert coordinator is not None
    client.force_login(coordinator.user)
    return client


def test_pages_log_approve_and_record(world: Any) -> None:
    program, supporter = world.program, world.supporter_record
    topic = Topic.objects.filter(program=program).first()
    assert topic is not None
    coordinator = world.client_for(world.coordinator)
    setup = reverse("credentials:setup", args=[program.slug])
    assert coordinator.get(setup).status_code == 200
    new = reverse("credentials:domain_new", args=[program.slug])
    assert coordinator.post(new, {"name": "Ethics", "hours_required": "10", "topics": [topic.pk]}).status_code == 302
    domain = TrainingDomain.objects.get(program=program, name="Ethics")
    # A topic counts in one domain only.
    again = coordinator.post(new, {"name": "Other", "hours_required": "5", "topics": [topic.pk]})
    assert again.status_code == 400 and "Already in another domain" in again.content.decode()
    own = world.client_for(world.supporter)
    mine = reverse("credentials:my_progress", args=[program.slug])
    assert own.get(mine).status_code == 200
    data = {
        "what": "external",
        "domain": domain.pk,
        "title": "Ethics day",
        "provider": "",
        "hours": "3",
        "taken_on": timezone.localdate().isoformat(),
    }
    assert own.post(mine, {**data, "hours": "0"}).status_code == 400
    assert own.post(mine, data).status_code == 302
    external = ExternalTraining.objects.get()
    assert external.status == "submitted" and progress(supporter).domains[0].counted == 0
    person = reverse("credentials:progress", args=[program.slug, supporter.pk])
    assert coordinator.post(person, {"what": "approve", "pk": external.pk}).status_code == 302
    assert progress(supporter).domains[0].counted == H("3.00")
    exam = {"what": "exam", "taken_on": timezone.localdate().isoformat(), "score": 70}
    assert coordinator.post(person, {**exam, "score": 101}).status_code == 400
    assert coordinator.post(person, exam).status_code == 302
    assert ExamResult.objects.get().passed  # exactly the pass mark passes
    services.record_exam(actor=world.coordinator, supporter=supporter, taken_on=timezone.localdate(), score=69)
    assert not progress(supporter).exam_met
    assert own.get(reverse("credentials:my_packet", args=[program.slug, "pdf"])).content.startswith(b"%PDF")
    # Other people's progress: not for supporters, not across programs.
    assert own.get(person).status_code == 403
    assert (
        world.client_for(world.outsider)
        .get(reverse("credentials:progress", args=[world.other_program.slug, supporter.pk]))
        .status_code
        == 404
    )
    assert (
        coordinator.get(reverse("credentials:progress", args=[program.slug, world.outsider_record.pk])).status_code
        == 404
    )
    future = timezone.localdate() + dt.timedelta(days=1)
    assert own.post(mine, {**data, "taken_on": future.isoformat()}).status_code == 400
