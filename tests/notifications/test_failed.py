"""The coordinator's page of messages that could not be delivered: per program, coordinators only,
a retry for each, linked from the menu, with a bounded number of queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from peerpath.core.models import AuditEntry, EmailStatus, OutgoingEmail
from peerpath.notifications import services
from peerpath.notifications.models import Channel, Delivery, DeliveryStatus
from peerpath.support.services import texts
from tests.notifications.helpers import agree_to_texts, texts_to

pytestmark = pytest.mark.django_db

PHONE = "+15417543010"
PARTICIPANT_PHONE = "+12025550143"


def failed_text_to_participant(support: Any, key: str = "a") -> Delivery:
    recipient = texts.record_text_consent(
        actor=support.coordinator, participant=support.ana, phone=PARTICIPANT_PHONE, agreed=True, source="phone"
    )
    return Delivery.objects.create(
        recipient=recipient,
        program=support.program,
        kind="support.participant_follow_up",
        channel=Channel.SMS,
        key=f"recipient:test:{key}",
        body="Riverside: Priya, your peer supporter, plans to be in touch today.",
        status=DeliveryStatus.FAILED,
        attempts=3,
        last_error="The provider reported undelivered (error 30003)",
    )


def failed_text_to_person(world: Any) -> Delivery:
    agree_to_texts(world.supporter, PHONE, channels={"support.reminder": ["sms"]})
    [notice] = services.notify(
        kind="support.reminder", users=[world.supporter], program=world.program, context={"due": 1, "overdue": 0}
    )
    row = notice.deliveries.get(channel=Channel.SMS)
    Delivery.objects.filter(pk=row.pk).update(status=DeliveryStatus.FAILED, last_error="Twilio said no (21614)")
    row.refresh_from_db()
    return row


def undelivered_email(world: Any) -> Delivery:
    [notice] = services.notify(
        kind="support.reminder", users=[world.coordinator], program=world.program, context={"due": 1, "overdue": 0}
    )
    row = notice.deliveries.get(channel=Channel.EMAIL)
    assert row.email is not None
    OutgoingEmail.objects.filter(pk=row.email.pk).update(status=EmailStatus.UNDELIVERED, last_error="550 no such user")
    return row


def test_the_page_lists_failed_texts_and_undelivered_email(support: Any) -> None:
    failed_text_to_participant(support)
    failed_text_to_person(support.world)
    undelivered_email(support.world)
    url = reverse("notifications:failed", args=[support.program.slug])
    html = support.client_for(support.coordinator).get(url).content.decode()
    assert html.count("Send again</button>") == 3
    assert support.ana.reference in html and PARTICIPANT_PHONE not in html  # a participant by reference only
    assert "Follow-up reminder to a participant" in html and "error 30003" in html
    assert "550 no such user" in html and str(support.world.supporter) in html
    # The menu links to it.
    home = support.client_for(support.coordinator).get("/p/riverside/").content.decode()
    assert url in home


def test_only_coordinators_see_it_and_only_their_programs(support: Any) -> None:
    row = failed_text_to_participant(support)
    url = reverse("notifications:failed", args=[support.program.slug])
    assert support.client_for(support.supervisor).get(url).status_code == 403
    assert support.client_for(support.supporter).get(url).status_code == 403
    assert url not in support.client_for(support.supporter).get("/p/riverside/").content.decode()
    # Another program's coordinator: its own page never shows riverside's, nor retries it.
    other = reverse("notifications:failed", args=[support.other_program.slug])
    outsider = support.client_for(support.outsider)
    assert support.ana.reference not in outsider.get(other).content.decode()
    retry = reverse("notifications:retry", args=[support.other_program.slug, row.pk])
    assert outsider.post(retry).status_code == 404
    row.refresh_from_db()
    assert row.status == DeliveryStatus.FAILED


def test_retrying_a_text_sends_it_again_once_and_is_audited(support: Any) -> None:
    row = failed_text_to_participant(support)
    client = support.client_for(support.coordinator)
    retry = reverse("notifications:retry", args=[support.program.slug, row.pk])
    assert client.post(retry).status_code == 302
    row.refresh_from_db()
    assert row.status == DeliveryStatus.SENT and row.attempts == 1
    assert texts_to(PARTICIPANT_PHONE) == [row.body]
    assert AuditEntry.objects.filter(action="notifications.retry", actor=support.coordinator).count() == 1
    # Sent now: no longer on the page, and a second retry finds nothing.
    assert client.post(retry).status_code == 404
    assert len(texts_to(PARTICIPANT_PHONE)) == 1


def test_a_retried_text_still_honours_stop(support: Any) -> None:
    row = failed_text_to_participant(support)
    services.record_opt_out(actor=services.NOTIFICATIONS, phone=PARTICIPANT_PHONE, source="STOP reply")
    support.client_for(support.coordinator).post(reverse("notifications:retry", args=[support.program.slug, row.pk]))
    row.refresh_from_db()
    assert row.status == DeliveryStatus.SKIPPED and texts_to(PARTICIPANT_PHONE) == []


def test_retrying_an_e_mail_hands_it_back_to_the_outbox(world: Any) -> None:
    row = undelivered_email(world)
    client = world.client_for(world.coordinator)
    assert client.post(reverse("notifications:retry", args=[world.program.slug, row.pk])).status_code == 302
    assert row.email is not None
    row.email.refresh_from_db()
    assert row.email.status == EmailStatus.SENT


@pytest.mark.parametrize("rows", [2, 12])
def test_the_page_is_query_bounded(support: Any, rows: int, django_assert_max_num_queries: Any) -> None:
    for i in range(rows):
        failed_text_to_participant(support, key=str(i))
    client = support.client_for(support.coordinator)
    url = reverse("notifications:failed", args=[support.program.slug])
    client.get(url)
    with django_assert_max_num_queries(14):
        assert client.get(url).status_code == 200
