"""Who may not facilitate groups for reasons only apps above groups know: a registry.

The credentials app (after groups in ``peerpath/apps_order.py``) keeps qualifications such as
first aid or a background check, which a program may require for facilitating. Groups never
imports it; credentials registers its check in ``CredentialsConfig.ready()``::

    facilitation.register_facilitation_hold("qualifications", holds.facilitation_holds)

A check takes ``(program, on_date)`` and returns, per supporter id, the reason the coordinator
reads ("first aid expired"). `services.eligible_facilitators` leaves those people out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

from peerpath.programs.models import Program

FacilitationCheck = Callable[[Program, dt.date], Mapping[int, str]]

_CHECKS: dict[str, FacilitationCheck] = {}


def register_facilitation_hold(key: str, check: FacilitationCheck) -> None:
    """Keep from facilitating the supporters ``check(program, on_date)`` returns, with the reason."""
    _CHECKS[key] = check


def facilitation_holds(program: Program, on_date: dt.date) -> dict[int, list[str]]:
    """Every registered reason, per supporter id, in the order registered."""
    found: dict[int, list[str]] = {}
    for check in _CHECKS.values():
        for supporter_id, reason in check(program, on_date).items():
            found.setdefault(supporter_id, []).append(reason)
    return found
