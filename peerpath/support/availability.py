"""Who cannot take a new match, or only a few, for reasons only apps above support know: a registry.

Support sits below care in the pathway (core → programs → recruitment → training →
certification → support → care) and never imports it. Matching still has to hold back a
supporter who is on a break, whose supervisor paused new matches, who is being followed up
after a worrying check-in..., which care knows. So support owns this registry and care
registers its checks in ``CareConfig.ready()``::

    availability.register_hold_back("paused", holds.paused_by_supervisor)
    availability.register_unavailable("on a break", queries.supporters_on_break)

A hold-back check takes ``(program, on_date)`` and returns, for each of the program's pathway
records (``recruitment.Supporter``) it holds back on that date, a `HoldBack`: the reason the
coordinator reads (kind, and without private detail: "held back by their supervisor", never
the check-in's score), the words the supporter reads on their own page, and how many new
matches they may still take (0: none; "returning from a break" allows one in the first two
weeks). ``register_unavailable`` is the simple form: ids, one reason, no new match at all.

``eligibility.supporter_pool`` leaves out those with no new place left, with the reasons, which
the coordinator reads on the Matching page and in the error when a match is refused ("cannot
take a new match: held back by their supervisor"), and caps the free places of the others.
Checks run in the order they were registered; registering a key again replaces its check. What
apps below support know (stage, certification) is read directly in ``eligibility``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from peerpath.programs.models import Program


@dataclass(frozen=True)
class HoldBack:
    """Why a supporter is held back from new matches, as each side should read it."""

    reason: str  # to the coordinator: kind words, no private detail
    for_supporter: str = ""  # to the supporter, on their own page
    new_places: int = 0  # new matches they may still take while it lasts (0: none)


UnavailableCheck = Callable[[Program, dt.date], Iterable[int]]
HoldBackCheck = Callable[[Program, dt.date], Mapping[int, HoldBack]]

_CHECKS: dict[str, HoldBackCheck] = {}


def register_hold_back(key: str, check: HoldBackCheck) -> None:
    """Hold back from new matches the supporters ``check(program, on_date)`` returns, each with its `HoldBack`."""
    _CHECKS[key] = check


def register_unavailable(reason: str, check: UnavailableCheck, for_supporter: str = "") -> None:
    """Leave out of new matches the supporters ``check(program, on_date)`` returns, saying ``reason``."""

    def hold(program: Program, on_date: dt.date) -> dict[int, HoldBack]:
        # str() here, not at registration: a translated reason reads in the language of the page.
        found = HoldBack(reason=str(reason), for_supporter=str(for_supporter))
        return dict.fromkeys(check(program, on_date), found)

    _CHECKS[reason] = hold


def hold_backs(program: Program, on_date: dt.date) -> dict[int, list[HoldBack]]:
    """Every registered hold-back on ``on_date``, per supporter id, in the order registered."""
    found: dict[int, list[HoldBack]] = {}
    for check in _CHECKS.values():
        for supporter_id, hold in check(program, on_date).items():
            found.setdefault(supporter_id, []).append(hold)
    return found


def unavailable(program: Program, on_date: dt.date) -> list[tuple[str, set[int]]]:
    """Each reason that leaves supporters out entirely, with their ids (no new place at all)."""
    by_reason: dict[str, set[int]] = {}
    for supporter_id, holds in hold_backs(program, on_date).items():
        for hold in holds:
            if hold.new_places == 0:
                by_reason.setdefault(hold.reason, set()).add(supporter_id)
    return list(by_reason.items())
