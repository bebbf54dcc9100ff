"""Requirements for certification that later apps own (the practice lab: N practice sessions at
"fair" or better), registered in their AppConfig.ready() so certification never imports them.

A check takes the trainee's pathway record and returns why the requirement is not met yet, or
"" when it is met (or the program does not ask for it). The assessment's outcome counts an unmet
requirement like too little attendance: "certified" is out of reach until it is met."""

from __future__ import annotations

from collections.abc import Callable

from peerpath.recruitment.models import Supporter

REQUIREMENTS: dict[str, Callable[[Supporter], str]] = {}


def register_requirement(name: str, check: Callable[[Supporter], str]) -> None:
    REQUIREMENTS[name] = check


def unmet(supporter: Supporter) -> list[str]:
    """Why each registered requirement is not met yet, for this trainee."""
    return [reason for check in REQUIREMENTS.values() if (reason := check(supporter))]
