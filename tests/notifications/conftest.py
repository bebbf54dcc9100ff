from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from peerpath.notifications import sms
from tests.notifications import fake_twilio


@pytest.fixture(autouse=True)
def _texts_to_a_file_of_the_test(settings: Any, tmp_path: Path) -> Iterator[None]:
    """The development provider writes this test's texts to a file of its own."""
    settings.SMS_BACKEND = "console"
    settings.SMS_FILE = str(tmp_path / "sms.log")
    sms.reset()
    yield
    sms.reset()


@pytest.fixture
def twilio(settings: Any) -> Iterator[fake_twilio.FakeTwilio]:
    """A local server speaking Twilio's Messages API, and the Twilio adapter pointed at it."""
    with fake_twilio.running() as fake:
        settings.SMS_BACKEND = "twilio"
        settings.TWILIO_ACCOUNT_SID = fake.account_sid
        settings.TWILIO_AUTH_TOKEN = fake.auth_token
        settings.TWILIO_FROM = "+15005550006"
        settings.TWILIO_API_URL = fake.url
        settings.SMS_RETRY_SECONDS = 30
        sms.reset()
        yield fake
        sms.reset()
