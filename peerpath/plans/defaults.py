"""The program's plan settings row, created with the defaults on first use."""

from __future__ import annotations

from typing import Any

from peerpath.core.program_settings import ProgramSettings
from peerpath.plans.models import PlanSettings
from peerpath.programs.models import Program

_SETTINGS = ProgramSettings(PlanSettings)


def get_settings(program: Program) -> PlanSettings:
    return _SETTINGS.get(program)


def seed_settings(sender: Any, program: Program, **kwargs: Any) -> None:
    """A new program starts with the default review interval and needs checklist (its row made
    now, so the first page that reads it does not have to)."""
    get_settings(program)
