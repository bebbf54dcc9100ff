"""The development provider: texts are written to the log and appended to a file (one JSON
object a line, ``PEERPATH_SMS_FILE``), so a developer sees what a person would receive.

Webhooks are verified as Twilio's are (`twilio.request_validator.RequestValidator`), with
``PEERPATH_TWILIO_AUTH_TOKEN`` or, without one, a development token, so `manage.py sms_reply`
and the tests exercise the same checks as production."""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from twilio.request_validator import RequestValidator

logger = logging.getLogger("peerpath.sms")

# Not a secret: signs the development provider's webhooks when no Twilio token is set.
DEVELOPMENT_TOKEN = "peerpath-development-sms-token"  # noqa: S105


def auth_token() -> str:
    return str(settings.TWILIO_AUTH_TOKEN or DEVELOPMENT_TOKEN)


@dataclass
class ConsoleProvider:
    path: Path
    token: str
    name: str = "console"

    @classmethod
    def from_settings(cls) -> ConsoleProvider:
        return cls(path=Path(settings.SMS_FILE), token=auth_token())

    def send(self, *, to: str, body: str, status_callback: str) -> str:
        sid = f"SM{uuid.uuid4().hex}"
        line = {"sid": sid, "to": to, "body": body, "at": timezone.now().isoformat()}
        logger.info("Text to %s: %s", to, body)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
        return sid

    def messages(self) -> list[dict[str, str]]:
        """Every text written so far, oldest first."""
        if not self.path.exists():
            return []
        with self.path.open(encoding="utf-8") as lines:
            return [json.loads(line) for line in lines if line.strip()]

    def sent_since(self, *, to: str, body: str, since: dt.datetime) -> str:
        for line in reversed(self.messages()):
            if line["to"] == to and line["body"] == body and dt.datetime.fromisoformat(line["at"]) >= since:
                return line["sid"]
        return ""

    def verify(self, *, url: str, params: Mapping[str, str], signature: str) -> bool:
        return bool(signature) and RequestValidator(self.token).validate(url, dict(params), signature)
