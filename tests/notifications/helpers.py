"""Helpers the notification tests share: texts written by the development provider, a person
who agreed to texts, and signed webhook posts."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from twilio.request_validator import RequestValidator

from peerpath.core.models import User
from peerpath.notifications import sms
from peerpath.notifications.models import Preferences
from peerpath.notifications.sms.console import ConsoleProvider, auth_token


def texts() -> list[dict[str, str]]:
    """Every text the development provider wrote in this test."""
    provider = sms.provider()
    assert isinstance(provider, ConsoleProvider)
    return provider.messages()


def texts_to(phone: str) -> list[str]:
    return [t["body"] for t in texts() if t["to"] == phone]


def agree_to_texts(user: User, phone: str, **extra: Any) -> Preferences:
    row, _created = Preferences.objects.update_or_create(
        user=user,
        defaults={"phone": phone, "sms_opted_in_at": timezone.now(), "sms_opt_in_source": "test", **extra},
    )
    return row


def signed_post(client: Client, name: str, data: dict[str, str], token: str | None = None) -> Any:
    """POST to a webhook as the provider does, with its X-Twilio-Signature over the full URL."""
    path = reverse(name)
    signature = RequestValidator(token or auth_token()).compute_signature(f"http://testserver{path}", data)
    return client.post(path, data, HTTP_X_TWILIO_SIGNATURE=signature)


def reply(client: Client, phone: str, body: str) -> Any:
    return signed_post(client, "notifications:sms_inbound", {"From": phone, "Body": body, "MessageSid": "SMreply"})
