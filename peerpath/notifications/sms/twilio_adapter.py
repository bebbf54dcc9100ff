"""Twilio, through its official Python package.

Messages are created with ``client.messages.create`` (the Messages API: a form POST to
``/2010-04-01/Accounts/{sid}/Messages.json`` with HTTP basic authentication). The base URL is
``PEERPATH_TWILIO_API_URL`` (Twilio's own by default); the package's documented way to change
where requests go is a custom ``http_client``, which `_RoutedHttpClient` is. Webhooks are
verified with the package's ``RequestValidator`` and the account's auth token.

Errors: a 5xx answer, a timeout or a refused connection is transient (the delivery is tried
again); a 4xx answer is final, with Twilio's error code (21610: the person replied STOP).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from peerpath.notifications.sms import SmsError

TWILIO_API = "https://api.twilio.com"


class _RoutedHttpClient(TwilioHttpClient):
    """Twilio's HTTP client, sending the API's requests to ``base_url`` instead."""

    def __init__(self, base_url: str, timeout: float) -> None:
        super().__init__(timeout=timeout)
        self.base_url = base_url.rstrip("/")

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        if self.base_url != TWILIO_API and url.startswith(TWILIO_API):
            url = self.base_url + url[len(TWILIO_API) :]
        return super().request(method, url, *args, **kwargs)


@dataclass
class TwilioProvider:
    account_sid: str
    auth_token: str
    sender: str  # a number (+15551234567) or a messaging service (MG...)
    base_url: str = TWILIO_API
    timeout: float = 10.0
    name: str = "twilio"

    @classmethod
    def from_settings(cls) -> TwilioProvider:
        return cls(
            account_sid=str(settings.TWILIO_ACCOUNT_SID),
            auth_token=str(settings.TWILIO_AUTH_TOKEN),
            sender=str(settings.TWILIO_FROM),
            base_url=str(settings.TWILIO_API_URL),
            timeout=float(settings.SMS_TIMEOUT),
        )

    def client(self) -> Client:
        return Client(
            self.account_sid, self.auth_token, http_client=_RoutedHttpClient(self.base_url, timeout=self.timeout)
        )

    def send(self, *, to: str, body: str, status_callback: str) -> str:
        options: dict[str, Any] = {"to": to, "body": body}
        if self.sender.startswith("MG"):
            options["messaging_service_sid"] = self.sender
        else:
            options["from_"] = self.sender
        if status_callback:
            options["status_callback"] = status_callback
        try:
            message = self.client().messages.create(**options)
        except TwilioRestException as error:
            raise SmsError(
                f"Twilio answered {error.status}: {error.msg}",
                code=str(error.code or ""),
                transient=error.status >= 500 or error.status == 429,
            ) from error
        except (TwilioException, OSError) as error:  # timeouts and refused connections
            raise SmsError(f"Twilio could not be reached: {error}", transient=True) from error
        return str(message.sid)

    def sent_since(self, *, to: str, body: str, since: dt.datetime) -> str:
        try:
            recent = self.client().messages.list(to=to, date_sent_after=since, limit=20)
        except (TwilioException, OSError) as error:
            raise SmsError(f"Twilio could not be asked what was sent: {error}", transient=True) from error
        return next((str(m.sid) for m in recent if m.body == body), "")

    def verify(self, *, url: str, params: Mapping[str, str], signature: str) -> bool:
        return bool(signature) and RequestValidator(self.auth_token).validate(url, dict(params), signature)
