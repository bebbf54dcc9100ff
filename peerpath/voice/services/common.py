"""Voice settings and what every voice service shares."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from peerpath.care.models import Questionnaire
from peerpath.core import audit
from peerpath.core.actors import Actor, SystemActor
from peerpath.core.program_settings import ProgramSettings
from peerpath.programs.models import Program
from peerpath.voice.models import VoiceSettings

SYSTEM = SystemActor("PeerPath (participant feedback)")
# What the audit log names as the actor of an answer sent through a link (no account).
PARTICIPANT = SystemActor("participant (through their answer link)")
# No fewer answers than this are ever shown to a supporter, whatever the setting says.
FLOOR = 3

SETTINGS_FIELDS = [
    "feedback_links",
    "feedback_every_days",
    "link_valid_days",
    "supporter_minimum_answers",
    "outcome_measures",
    "outcome_every_months",
]

_SETTINGS = ProgramSettings(VoiceSettings)


def get_settings(program: Program) -> VoiceSettings:
    return _SETTINGS.get(program)


def measures_of(settings: VoiceSettings) -> list[Questionnaire]:
    """The program's chosen outcome measures that are still active."""
    return [q for q in settings.outcome_measures.all() if q.is_active]


def update_settings(*, actor: Actor, program: Program, data: dict[str, Any]) -> VoiceSettings:
    """Change how the program asks its participants.

    Rules: outcome measures are the program's own active questionnaires; the supporters'
    minimum is at least `FLOOR`; a link works for 1 to 60 days; feedback is asked every 7 to
    365 days and the measures every 1 to 24 months.
    """
    errors: dict[str, str] = {}
    for q in data.get("outcome_measures", []):
        if q.program_id != program.pk or not q.is_active:
            errors["outcome_measures"] = _("Choose this program's active questionnaires.")
    if data.get("supporter_minimum_answers", FLOOR) < FLOOR:
        errors["supporter_minimum_answers"] = _("At least %(floor)s, so no single answer can be traced.") % {
            "floor": FLOOR
        }
    if not 1 <= data.get("link_valid_days", 14) <= 60:
        errors["link_valid_days"] = _("Between 1 and 60 days.")
    if not 7 <= data.get("feedback_every_days", 30) <= 365:
        errors["feedback_every_days"] = _("Between 7 and 365 days.")
    if not 1 <= data.get("outcome_every_months", 3) <= 24:
        errors["outcome_every_months"] = _("Between 1 and 24 months.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        settings = get_settings(program)
        measures = data.get("outcome_measures")
        plain = {k: v for k, v in data.items() if k != "outcome_measures"}
        before = audit.snapshot(settings, SETTINGS_FIELDS)
        for name, value in plain.items():
            if name in SETTINGS_FIELDS:
                setattr(settings, name, value)
        settings.save()
        if measures is not None:
            settings.outcome_measures.set(measures)
        changes = audit.diff(before, audit.snapshot(settings, SETTINGS_FIELDS))
        if changes:
            audit.record(actor=actor, program=program, action="voice.settings.update", target=settings, changes=changes)
    return settings
