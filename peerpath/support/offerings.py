"""What else a program offers people who ask for support, beyond a supporter of their own.

Support knows only one-to-one relationships. A later app that runs other kinds of support
(``peerpath.groups``: peer-led groups) registers here, in its ``AppConfig.ready()``, a check
saying whether a program offers it to people who ask; the public "ask for support" form and
the coordinator's participant form then ask whether the person wants one-to-one support, a
group, or both (``Participant.support_wanted``).
"""

from __future__ import annotations

from collections.abc import Callable

from peerpath.programs.models import Program

_GROUP_OFFERS: dict[str, Callable[[Program], bool]] = {}


def register_group_offer(name: str, offered: Callable[[Program], bool]) -> None:
    """Register ``offered(program)``: whether the program runs groups people may ask to join."""
    _GROUP_OFFERS[name] = offered


def groups_offered(program: Program) -> bool:
    """Whether any registered app offers this program's askers a group (one query at most each)."""
    return any(offered(program) for offered in _GROUP_OFFERS.values())
