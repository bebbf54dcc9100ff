"""Every action the audit log records has words people use, in each language."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from peerpath.core import audit
from peerpath.core.audit_actions import ACTIONS, SAVED
from peerpath.core.models import User
from peerpath.support.models import AdverseKind, ConcernKind

SOURCE = Path(__file__).resolve().parents[2] / "peerpath"
# `action=` literals that are not audit actions: concern steps (support.ConcernEvent) and argparse.
NOT_AUDIT = {"raised", "notified", "escalated", "store_true"}
# Actions built at run time (f-strings and concatenation), spelled out.
BUILT = [
    *(f"adverse_event.{kind}" for kind in AdverseKind.values),
    *(f"concern.raise_{kind}" for kind in ConcernKind.values),
    *(f"import.{kind}{step}" for kind in ("supporters", "participants", "resources") for step in ("", ".preview")),
    *(
        f"training.{what}.{verb}"
        for what in ("topic", "cohort", "session", "refresher")
        for verb in ("create", "update")
    ),
    *(f"{what}.{verb}" for what in ("certification.ce", "hours.duty") for verb in ("approve", "return")),
]


def recorded_actions() -> set[str]:
    found = set()
    for path in SOURCE.rglob("*.py"):
        found |= set(re.findall(r'action="([a-z_.]+)"', path.read_text(encoding="utf-8")))
    return found - NOT_AUDIT


def test_every_recorded_action_has_a_label() -> None:
    found = recorded_actions()
    assert len(found) > 150  # the scan finds the source
    # A literal ending in "." is completed at run time: BUILT spells those out.
    missing = sorted(
        code
        for code in found
        if code not in ACTIONS
        and code not in SAVED
        and not any(b.startswith(code) for b in BUILT if code.endswith("."))
    )
    missing += sorted(code for code in BUILT if code not in ACTIONS)
    assert not missing, f"Name these audit actions in peerpath/core/audit_actions.py: {missing}"


def test_labels_are_in_the_readers_language() -> None:
    assert audit.action_label("participant.view") == "Viewed a participant's record"
    assert audit.action_label("goal.create") == "Added a goal"
    assert audit.action_label("no.such.action") == "no.such.action"
    with translation.override("es"):
        assert audit.action_label("participant.view") == "Vio la ficha de un/a participante"
        assert audit.action_label("goal.update") == "Cambió una meta"


@pytest.mark.django_db
def test_the_log_shows_spanish_labels_and_filters_by_them(world: Any) -> None:
    audit.record(actor=world.coordinator, program=world.program, action="participant.view", target=world.program)
    audit.record(actor=world.coordinator, program=world.program, action="pathway.move", target=world.program)
    User.objects.filter(pk=world.coordinator.pk).update(language="es")  # a Spanish reader
    client = world.client_for(world.coordinator)
    page = client.get("/p/riverside/audit/").content.decode()
    assert "Vio la ficha de un/a participante" in page
    assert '<code class="small muted" translate="no">participant.view</code>' in page
    found = client.get("/p/riverside/audit/?action=ficha").content.decode()
    assert "participant.view" in found and "pathway.move" not in found
