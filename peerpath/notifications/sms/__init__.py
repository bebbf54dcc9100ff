"""Text messages: the provider interface, its errors, and the configured provider.

``PEERPATH_SMS_BACKEND`` names the provider: ``twilio`` (`sms.twilio_adapter`, the official
``twilio`` package), ``console`` (`sms.console`: written to the log and a file, for development
and tests), or ``off`` (no texts; the channel is not offered).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from typing import Protocol

from django.conf import settings


class SmsError(Exception):
    """The provider did not accept the message."""

    def __init__(self, message: str, *, code: str = "", transient: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.transient = transient


# Provider error codes that mean "this number must not be texted" (Twilio 21610: the person replied STOP).
OPTED_OUT_CODES = frozenset({"21610"})


class SmsProvider(Protocol):
    name: str

    def send(self, *, to: str, body: str, status_callback: str) -> str:
        """Send one text; returns the provider's message id. Raises SmsError (``transient`` when
        trying again later may work: a 5xx answer, a timeout, a refused connection)."""
        ...

    def sent_since(self, *, to: str, body: str, since: dt.datetime) -> str:
        """The id of a message with this body sent to ``to`` since ``since``, or "": asked before
        sending again after an attempt whose outcome is unknown (its worker died)."""
        ...

    def verify(self, *, url: str, params: Mapping[str, str], signature: str) -> bool:
        """Whether a webhook request really comes from the provider."""
        ...


def backend_name() -> str:
    return str(settings.SMS_BACKEND)


def enabled() -> bool:
    return backend_name() != "off"


@functools.cache
def _provider(name: str) -> SmsProvider:
    if name == "twilio":
        from peerpath.notifications.sms.twilio_adapter import TwilioProvider

        return TwilioProvider.from_settings()
    if name == "console":
        from peerpath.notifications.sms.console import ConsoleProvider

        return ConsoleProvider.from_settings()
    raise LookupError(f"PEERPATH_SMS_BACKEND={name!r}: texts are off")


def provider() -> SmsProvider:
    """The configured provider (one per process)."""
    return _provider(backend_name())


def reset() -> None:
    """Forget the provider made from the settings (tests change them)."""
    _provider.cache_clear()
