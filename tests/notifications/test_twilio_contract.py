"""The Twilio adapter against a local server speaking Twilio's Messages API: the request's shape
and authentication, error answers, and a retry after a 5xx answer that texts the person once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from peerpath.notifications import delivery, services, sms
from peerpath.notifications.models import DeliveryStatus, Preferences
from peerpath.notifications.sms.twilio_adapter import TwilioProvider
from tests.notifications import fake_twilio
from tests.notifications.helpers import agree_to_texts

PHONE = "+15417543010"


def test_a_text_is_a_form_post_with_basic_auth(twilio: fake_twilio.FakeTwilio) -> None:
    sid = sms.provider().send(to=PHONE, body="Hola", status_callback="http://testserver/sms/status/")
    [request] = twilio.sent()
    assert request.path == f"/2010-04-01/Accounts/{twilio.account_sid}/Messages.json"
    assert request.form == {
        "To": [PHONE],
        "From": ["+15005550006"],
        "Body": ["Hola"],
        "StatusCallback": ["http://testserver/sms/status/"],
    }
    assert request.authorization.startswith("Basic ")
    assert sid == twilio.messages[0]["sid"]


def test_a_messaging_service_is_named_as_such(twilio: fake_twilio.FakeTwilio) -> None:
    provider = TwilioProvider(twilio.account_sid, twilio.auth_token, "MG" + "1" * 32, base_url=twilio.url)
    provider.send(to=PHONE, body="Hi", status_callback="")
    assert twilio.sent()[0].form["MessagingServiceSid"] == ["MG" + "1" * 32]
    assert "From" not in twilio.sent()[0].form


def test_wrong_credentials_are_a_final_error(twilio: fake_twilio.FakeTwilio) -> None:
    provider = TwilioProvider(twilio.account_sid, "wrong", "+15005550006", base_url=twilio.url)
    with pytest.raises(sms.SmsError) as failed:
        provider.send(to=PHONE, body="Hi", status_callback="")
    assert failed.value.code == "20003" and not failed.value.transient


def test_a_4xx_answer_is_final_with_twilios_code(twilio: fake_twilio.FakeTwilio) -> None:
    with pytest.raises(sms.SmsError) as failed:
        sms.provider().send(to="5417543010", body="Hi", status_callback="")
    assert failed.value.code == "21211" and not failed.value.transient


def test_a_5xx_answer_is_transient(twilio: fake_twilio.FakeTwilio) -> None:
    twilio.fail_next.append((503, 20500, "Service unavailable"))
    with pytest.raises(sms.SmsError) as failed:
        sms.provider().send(to=PHONE, body="Hi", status_callback="")
    assert failed.value.transient


def test_an_unreachable_provider_is_transient(settings: Any) -> None:
    provider = TwilioProvider("AC" + "0" * 32, "t", "+15005550006", base_url="http://127.0.0.1:9", timeout=2)
    with pytest.raises(sms.SmsError) as failed:
        provider.send(to=PHONE, body="Hi", status_callback="")
    assert failed.value.transient


def _remind(world: Any) -> Any:
    [notice] = services.notify(
        kind="support.reminder", users=[world.supporter], program=world.program, context={"due": 1, "overdue": 0}
    )
    return notice.deliveries.get(channel="sms")


def test_a_delivery_is_retried_after_a_5xx_and_reaches_the_person_once(
    twilio: fake_twilio.FakeTwilio, world: Any
) -> None:
    agree_to_texts(world.supporter, PHONE, channels={"support.reminder": ["sms"]})
    twilio.fail_next.append((500, 20500, "Internal Server Error"))
    row = _remind(world)
    assert row.status == DeliveryStatus.QUEUED and row.attempts == 1 and "500" in row.last_error
    assert row.send_after is not None
    # The task run again early (a second copy in the queue) waits for its time.
    assert delivery.send_text(row.pk) == DeliveryStatus.QUEUED
    assert delivery.release_due(now=row.send_after + dt.timedelta(seconds=1)) == 1
    row.refresh_from_db()
    assert row.status == DeliveryStatus.SENT and row.attempts == 2 and row.provider_id.startswith("SM")
    assert len(twilio.messages) == 1 and len(twilio.sent()) == 2
    # Once sent, nothing sends it again.
    assert delivery.send_text(row.pk) == DeliveryStatus.SENT
    assert len(twilio.sent()) == 2


def test_an_attempt_whose_worker_died_asks_twilio_before_sending_again(
    twilio: fake_twilio.FakeTwilio, world: Any
) -> None:
    agree_to_texts(world.supporter, PHONE, channels={"support.reminder": ["sms"]})
    row = _remind(world)
    assert len(twilio.messages) == 1
    # The worker died after Twilio accepted the text but before it was recorded as sent.
    type(row).objects.filter(pk=row.pk).update(
        status=DeliveryStatus.SENDING, last_attempt_at=timezone.now() - dt.timedelta(hours=1)
    )
    assert delivery.send_text(row.pk) == DeliveryStatus.SENT
    assert len(twilio.messages) == 1
    assert [r.method for r in twilio.requests] == ["POST", "GET"]
    assert twilio.requests[1].query["To"] == [PHONE]


def test_giving_up_after_the_last_attempt(twilio: fake_twilio.FakeTwilio, world: Any, settings: Any) -> None:
    settings.SMS_MAX_ATTEMPTS = 2
    agree_to_texts(world.supporter, PHONE, channels={"support.reminder": ["sms"]})
    twilio.fail_next.extend([(502, 20500, "Bad gateway"), (502, 20500, "Bad gateway")])
    row = _remind(world)
    delivery.release_due(now=row.send_after + dt.timedelta(seconds=1))
    row.refresh_from_db()
    assert row.status == DeliveryStatus.FAILED and row.attempts == 2
    assert twilio.messages == []


def test_twilio_saying_the_number_opted_out_stops_texts(twilio: fake_twilio.FakeTwilio, world: Any) -> None:
    agree_to_texts(world.supporter, PHONE, channels={"support.reminder": ["sms"]})
    twilio.fail_next.append((400, 21610, "Attempt to send to unsubscribed recipient"))
    row = _remind(world)
    assert row.status == DeliveryStatus.SKIPPED
    assert not Preferences.objects.get(user=world.supporter).texts_allowed
