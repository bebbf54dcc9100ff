"""The one expiry-reminder loop certification and credentials share: the threshold, the reminder
row once per threshold, and the message in the recipient's language through the layer."""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from peerpath.certification import rules
from peerpath.certification import services as certification
from peerpath.certification.models import ExpiryReminder
from peerpath.credentials import services as credentials
from peerpath.credentials.models import QualificationReminder, QualificationType
from peerpath.notifications import reminders
from peerpath.notifications.models import Notice

pytestmark = pytest.mark.django_db


def test_the_threshold_is_the_nearest_one_reached() -> None:
    assert reminders.threshold_for(61, (60, 30, 7)) is None
    assert reminders.threshold_for(60, (60, 30, 7)) == 60
    assert reminders.threshold_for(12, (60, 30, 7)) == 30  # a missed run sends the nearest, once
    assert reminders.threshold_for(0, (60, 30, 7)) == 7
    assert reminders.threshold_for(-1, (60, 30, 7)) is None  # expired: no reminder


def test_both_loops_call_the_one_helper(world: Any) -> None:
    today = timezone.localdate()
    certificate = certification.issue_certificate(
        actor=world.coordinator, supporter=world.supporter_record, issued_on=rules.add_months(today, -24)
    )
    qtype = QualificationType.objects.get(program=world.program, name="First aid")
    credentials.record_qualification(
        actor=world.coordinator,
        supporter=world.supporter_record,
        qtype=qtype,
        obtained_on=today - dt.timedelta(days=100),
        expires_on=certificate.expires_on,
    )
    real = reminders.send_expiry_reminder
    with (
        mock.patch("peerpath.certification.services.send_expiry_reminder", side_effect=real) as cert_calls,
        mock.patch("peerpath.credentials.services.send_expiry_reminder", side_effect=real) as cred_calls,
    ):
        certification.send_expiry_reminders(program=world.program, today=certificate.expires_on - dt.timedelta(days=7))
        credentials.send_qualification_reminders(
            program=world.program, today=certificate.expires_on - dt.timedelta(days=7)
        )
    assert cert_calls.call_args.kwargs["reminders"] is ExpiryReminder
    assert cred_calls.call_args.kwargs["reminders"] is QualificationReminder


def test_a_spanish_reader_is_reminded_in_spanish_once_per_threshold(world: Any) -> None:
    world.supporter.language = "es"
    world.supporter.save(update_fields=["language"])
    today = timezone.localdate()
    certificate = certification.issue_certificate(
        actor=world.coordinator,
        supporter=world.supporter_record,
        issued_on=rules.add_months(today, -24) + dt.timedelta(days=30),
    )
    record = credentials.record_qualification(
        actor=world.coordinator,
        supporter=world.supporter_record,
        qtype=QualificationType.objects.get(program=world.program, name="First aid"),
        obtained_on=today - dt.timedelta(days=100),
        expires_on=today + dt.timedelta(days=30),
    )
    mail.outbox.clear()
    for _run in range(2):  # a second run sends nothing
        certification.send_expiry_reminders(program=world.program, today=today)
        credentials.send_qualification_reminders(program=world.program, today=today)
    assert sorted(m.subject for m in mail.outbox) == [
        "Riverside: tu First aid vence en 30 días",
        "Riverside: tu certificado vence en 30 días",
    ]
    assert all(m.to == [world.supporter.email] for m in mail.outbox)
    # Through the layer: in the inbox too, one notice per reminder (its idempotency key).
    notices = Notice.objects.filter(user=world.supporter).order_by("kind")
    assert [n.kind for n in notices] == ["certification.expiry_reminder", "credentials.qualification_reminder"]
    assert "vence" in notices[0].text and notices[0].url == reverse("certification:my_ce", args=["riverside"])
    assert ExpiryReminder.objects.filter(certificate=certificate, days_before=30).count() == 1
    assert QualificationReminder.objects.filter(qualification=record, days_before=30).count() == 1


def test_a_holder_without_an_account_is_reminded_by_e_mail(world: Any) -> None:
    record = world.supporter_record
    record.user = None
    record.save(update_fields=["user"])
    today = timezone.localdate()
    credentials.record_qualification(
        actor=world.coordinator,
        supporter=record,
        qtype=QualificationType.objects.get(program=world.program, name="First aid"),
        obtained_on=today - dt.timedelta(days=100),
        expires_on=today + dt.timedelta(days=7),
    )
    mail.outbox.clear()
    sent = credentials.send_qualification_reminders(program=world.program, today=today)
    assert len(sent) == 1 and not Notice.objects.filter(kind="credentials.qualification_reminder").exists()
    assert [m.to for m in mail.outbox] == [[record.email]]
    assert "http://testserver/p/riverside/my/qualifications/" in mail.outbox[0].body
