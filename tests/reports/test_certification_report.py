"""Certification status, expiries and CE progress against hand-counted certificates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from peerpath.certification.models import (
    Assessment,
    AssessmentStatus,
    CEActivity,
    Certificate,
    CertificateChange,
    CEStatus,
)
from peerpath.recruitment.models import Stage
from peerpath.reports.base import Period
from peerpath.reports.library import CertificationStatus
from peerpath.training.models import Cohort, Enrolment
from tests.factories import SupporterFactory
from tests.reports.helpers import TODAY, days_ago, moment

pytestmark = pytest.mark.django_db


def certificate(program: Any, person: Any = None, *, expires: int, cycle_start: int = 400, **extra: Any) -> Any:
    """A certificate expiring in ``expires`` days (negative: expired that many days ago)."""
    person = person or SupporterFactory(program=program, stage=Stage.ACTIVE)
    return Certificate.objects.create(
        program=program,
        supporter=person,
        credential_name="Certified Peer Supporter",
        holder_name=person.full_name,
        issued_on=days_ago(cycle_start),
        cycle_started_on=days_ago(cycle_start),
        expires_on=TODAY + dt.timedelta(days=expires),
        **extra,
    )


def ce(cert: Any, hours: str, *, days: int = 100, category: str = "general", **extra: Any) -> None:
    CEActivity.objects.create(
        program=cert.program,
        supporter=cert.supporter,
        date=days_ago(days),
        title=f"Course {CEActivity.objects.count()}",
        hours=Decimal(hours),
        category=category,
        status=extra.pop("status", CEStatus.APPROVED),
        **extra,
    )


def provisional(program: Any, due_in: int) -> None:
    person = SupporterFactory(program=program, stage=Stage.PROVISIONAL)
    cohort, _ = Cohort.objects.get_or_create(
        program=program, name="Course", defaults={"starts_on": days_ago(200), "ends_on": days_ago(150)}
    )
    enrolment = Enrolment.objects.create(program=program, cohort=cohort, supporter=person)
    Assessment.objects.create(
        program=program,
        supporter=person,
        cohort=cohort,
        enrolment=enrolment,
        status=AssessmentStatus.DECIDED,
        outcome="provisional",
        decided_at=moment(150),
        reassessment_due=TODAY + dt.timedelta(days=due_in),
    )


def test_status_expiries_and_ce_progress(world: Any) -> None:
    p = world.program
    a = certificate(p, expires=300)  # current; hours met
    ce(a, "14")
    ce(a, "6", category="ethics")
    certificate(p, a.supporter, expires=-500, cycle_start=1300)  # a's older certificate: not the newest
    b = certificate(p, expires=30)  # current, expiring within 90 days; at least half the hours
    ce(b, "12")
    ce(b, "10", days=500)  # before b's cycle began: not counted
    c = certificate(p, expires=-10)  # expired 10 days ago: in the grace period; no hours
    ce(c, "30", status=CEStatus.SUBMITTED)  # not approved yet
    certificate(p, expires=-200, cycle_start=1000)  # lapsed (grace of 90 days is over)
    certificate(p, expires=200, revoked_at=timezone.now())  # revoked: counts nowhere
    certificate(world.other_program, expires=300)  # another program
    provisional(p, due_in=-5)  # reassessment overdue
    provisional(p, due_in=40)
    for event, days, cert in [("issued", 20, a), ("issued", 200, b), ("renewed", 10, a), ("revoked", 5, b)]:
        change = CertificateChange.objects.create(certificate=cert, event=event)
        CertificateChange.objects.filter(pk=change.pk).update(created_at=moment(days))
    other = Certificate.objects.filter(program=world.other_program).get()
    CertificateChange.objects.create(certificate=other, event="issued")

    period = Period(days_ago(60), TODAY + dt.timedelta(days=60))
    rows = {r["measure"]: r["count"] for r in CertificationStatus().rows(p, period)}
    assert rows == {
        "Certified, certificate current": 2,
        "Expiring within 90 days": 1,
        "Expired, in the grace period": 1,
        "Lapsed (grace period over)": 1,
        "Provisionally certified": 2,
        "Provisional: reassessment overdue": 1,
        "Renewal falling due in the period": 2,  # b (in 30 days) and c (10 days ago)
        "Issued in the period": 1,
        "Renewed in the period": 1,
        "Revoked in the period": 1,
        "CE hours: requirements met": 1,  # a
        "CE hours: at least half": 1,  # b: 12 of 20
        "CE hours: less than half": 1,  # c
    }
    summary = CertificationStatus().summary(CertificationStatus().rows(p, period))
    assert summary.startswith("2 certified with a current certificate, 1 of them expiring within 90 days")


def test_ethics_minimum_is_part_of_the_rule(world: Any) -> None:
    cert = certificate(world.program, expires=300)
    ce(cert, "25")  # enough hours, but no ethics
    rows = {r["measure"]: r["count"] for r in CertificationStatus().rows(world.program, Period.default())}
    assert rows["CE hours: requirements met"] == 0 and rows["CE hours: at least half"] == 1
