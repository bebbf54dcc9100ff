"""What else recognition milestones can be counted by, for apps after care.

Care counts years of service and support given itself. An app that knows another measure (the
hours ledger counts hours of service) registers it here in its AppConfig.ready(), and the
recognition page and the coordinator's panel find the milestones it reaches with the others,
without care importing that app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class MilestoneMeasure:
    """A measure of service: ``key`` prefixes the milestone's key (e.g. "hours:100"),
    ``unit`` names it after a number ("hours of service"); ``counts(program)`` gives each
    supporter's count so far ({supporter id: n}, one or a few queries for the whole program)
    and ``thresholds(program)`` the numbers worth recognising, ascending."""

    key: str
    unit: str | Promise
    counts: Callable[[Any], dict[int, int]]
    thresholds: Callable[[Any], list[int]]


MEASURES: list[MilestoneMeasure] = []


def register_milestone_measure(measure: MilestoneMeasure) -> None:
    if not any(m.key == measure.key for m in MEASURES):
        MEASURES.append(measure)
