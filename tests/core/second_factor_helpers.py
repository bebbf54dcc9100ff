"""Computing authenticator-app codes in tests, as a phone would from the secret shown."""

from __future__ import annotations

import base64
import time

from django_otp.oath import hotp


def code_for(secret: str, *, steps_ahead: int = 0) -> str:
    """The six-digit code for ``secret`` (base32, spaces allowed) now, or ``steps_ahead`` steps of
    30 seconds later (a code may only be used once, and the app accepts the next step's)."""
    key = base64.b32decode(secret.replace(" ", ""))
    return f"{hotp(key, int(time.time()) // 30 + steps_ahead, digits=6):06d}"
