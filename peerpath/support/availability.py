"""Who cannot take a new match for reasons only apps above support know: a registry.

Support sits below care in the pathway (core → programs → recruitment → training →
certification → support → care) and never imports it. Matching still has to leave out a
supporter who is on a break, which care knows. So support owns this registry and care
registers its answer in ``CareConfig.ready()``::

    availability.register_unavailable("on a break", queries.supporters_on_break)

A check takes ``(program, on_date)`` and returns the ids of the program's pathway records
(``recruitment.Supporter``) who cannot take a new match on that date. ``eligibility.supporter_pool``
leaves them out with the check's reason, which the coordinator reads on the matching page and in
the error when a match is refused ("cannot take a new match: on a break"). Checks run in the
order they were registered; registering a reason again replaces its check. What apps below
support know (stage, certification) is read directly in ``eligibility``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from peerpath.programs.models import Program

UnavailableCheck = Callable[[Program, dt.date], Iterable[int]]

_CHECKS: dict[str, UnavailableCheck] = {}


def register_unavailable(reason: str, check: UnavailableCheck) -> None:
    """Leave out of new matches the supporters ``check(program, on_date)`` returns, saying ``reason``."""
    _CHECKS[reason] = check


def unavailable(program: Program, on_date: dt.date) -> list[tuple[str, set[int]]]:
    """Each registered reason with the ids of the supporters it leaves out on ``on_date``."""
    return [(reason, set(check(program, on_date))) for reason, check in _CHECKS.items()]
