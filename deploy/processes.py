"""Two helpers for whatever starts real PeerPath processes and waits on them: the two-machine check
beside this file (`deploy/two_machines_check.py`) and the fault tests (`tests/faults/`)."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from typing import Any


class TimedOut(AssertionError):
    """What was waited for did not happen in time (an AssertionError, so a test fails on it)."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(
    condition: Callable[[], Any],
    timeout: float,
    what: str,
    *,
    detail: Callable[[], str] | None = None,
    interval: float = 0.2,
) -> Any:
    """Ask ``condition`` every ``interval`` seconds until it gives something true, and return that;
    after ``timeout`` seconds raise TimedOut naming ``what`` (and ``detail()``, say the logs)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    message = f"timed out after {timeout:g} s waiting for {what}"
    raise TimedOut(f"{message}\n{detail()}" if detail is not None else message)
