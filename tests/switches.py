"""Test switches that turn a skip for a missing service into a failure (CI sets them).

``PEERPATH_REQUIRE_POSTGRES=1``: the tests that need the machine's PostgreSQL server, or its
binaries to run a private cluster, fail instead of skipping when it is not there, so a CI run
cannot pass without having run them. (The browser and Redis switches live with their fixtures.)
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest

REQUIRE_POSTGRES = os.environ.get("PEERPATH_REQUIRE_POSTGRES", "") not in ("", "0", "false")


def no_postgres(reason: str) -> NoReturn:
    """Skip the test for want of PostgreSQL, or fail it when PEERPATH_REQUIRE_POSTGRES is set."""
    if REQUIRE_POSTGRES:
        pytest.fail(f"PEERPATH_REQUIRE_POSTGRES is set but {reason}")
    pytest.skip(f"{reason} (PEERPATH_REQUIRE_POSTGRES=1 makes this a failure)")
