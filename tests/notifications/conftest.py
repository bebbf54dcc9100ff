from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from peerpath.notifications import sms


@pytest.fixture(autouse=True)
def _texts_to_a_file_of_the_test(settings: Any, tmp_path: Path) -> Iterator[None]:
    """The development provider writes this test's texts to a file of its own."""
    settings.SMS_BACKEND = "console"
    settings.SMS_FILE = str(tmp_path / "sms.log")
    sms.reset()
    yield
    sms.reset()
