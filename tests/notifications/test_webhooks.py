"""The provider's webhooks: signature accepted and rejected, replies (STOP, START, HELP) and
delivery-status callbacks recorded."""

from __future__ import annotations

from typing import Any

from peerpath.notifications import services
from peerpath.notifications.models import DeliveryStatus, Preferences, SmsEvent
from tests.notifications.helpers import agree_to_texts, reply, signed_post

PHONE = "+15417543010"


def test_a_reply_signed_with_the_token_is_accepted(world: Any) -> None:
    agree_to_texts(world.supporter, PHONE)
    response = reply(world.client_for(None), PHONE, "HELP")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/xml")
    assert "Reply STOP to stop texts" in response.content.decode()
    assert SmsEvent.objects.get().keyword == "HELP"


def test_a_forged_or_missing_signature_is_refused(world: Any) -> None:
    agree_to_texts(world.supporter, PHONE)
    client = world.client_for(None)
    forged = signed_post(client, "notifications:sms_inbound", {"From": PHONE, "Body": "STOP"}, token="not-the-token")
    assert forged.status_code == 403
    missing = client.post("/sms/inbound/", {"From": PHONE, "Body": "STOP"})
    assert missing.status_code == 403
    assert Preferences.objects.get(user=world.supporter).texts_allowed
    assert not SmsEvent.objects.exists()


def test_a_signature_over_other_parameters_is_refused(world: Any) -> None:
    agree_to_texts(world.supporter, PHONE)
    client = world.client_for(None)
    from twilio.request_validator import RequestValidator

    from peerpath.notifications.sms.console import auth_token

    signature = RequestValidator(auth_token()).compute_signature(
        "http://testserver/sms/inbound/", {"From": PHONE, "Body": "HELP"}
    )
    response = client.post("/sms/inbound/", {"From": PHONE, "Body": "STOP"}, HTTP_X_TWILIO_SIGNATURE=signature)
    assert response.status_code == 403
    assert Preferences.objects.get(user=world.supporter).texts_allowed


def test_webhooks_take_only_posts(world: Any) -> None:
    assert world.client_for(None).get("/sms/inbound/").status_code == 405


def test_stop_from_a_number_stops_everyone_with_it_and_start_needs_an_earlier_agreement(world: Any) -> None:
    agree_to_texts(world.supporter, PHONE)
    Preferences.objects.create(user=world.trainer, phone=PHONE)  # gave the number, never agreed
    reply(world.client_for(None), PHONE, "Stop please")
    assert not Preferences.objects.get(user=world.supporter).texts_allowed
    reply(world.client_for(None), PHONE, "START")
    assert Preferences.objects.get(user=world.supporter).texts_allowed
    assert not Preferences.objects.get(user=world.trainer).texts_allowed
    assert list(SmsEvent.objects.order_by("id").values_list("keyword", flat=True)) == ["STOP", "START"]


def test_delivery_status_callbacks_are_recorded(world: Any) -> None:
    agree_to_texts(world.supporter, PHONE, channels={"support.reminder": ["sms"]})
    [notice] = services.notify(
        kind="support.reminder", users=[world.supporter], program=world.program, context={"due": 1, "overdue": 0}
    )
    row = notice.deliveries.get()
    client = world.client_for(None)
    response = signed_post(
        client, "notifications:sms_status", {"MessageSid": row.provider_id, "MessageStatus": "delivered", "To": PHONE}
    )
    assert response.status_code == 204
    row.refresh_from_db()
    assert row.status == DeliveryStatus.DELIVERED and row.delivered_at is not None
    signed_post(
        client,
        "notifications:sms_status",
        {"MessageSid": row.provider_id, "MessageStatus": "undelivered", "ErrorCode": "21610", "To": PHONE},
    )
    row.refresh_from_db()
    assert row.status == DeliveryStatus.FAILED and "21610" in row.last_error
    assert not Preferences.objects.get(user=world.supporter).texts_allowed
    assert SmsEvent.objects.filter(kind="status").count() == 2


def test_an_unknown_message_status_is_kept_but_changes_nothing(world: Any) -> None:
    response = signed_post(
        world.client_for(None), "notifications:sms_status", {"MessageSid": "SMunknown", "MessageStatus": "sent"}
    )
    assert response.status_code == 204
    assert SmsEvent.objects.get().provider_id == "SMunknown"
