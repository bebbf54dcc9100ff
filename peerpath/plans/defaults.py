"""The program's plan settings row, created with the defaults on first use."""

from __future__ import annotations

from peerpath.core.program_settings import ProgramSettings
from peerpath.plans.models import PlanSettings
from peerpath.programs.models import Program

_SETTINGS = ProgramSettings(PlanSettings)


def get_settings(program: Program) -> PlanSettings:
    return _SETTINGS.get(program)
