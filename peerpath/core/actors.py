"""Who acts in a state change: a person with an account, or someone or something without one.

Every service takes ``actor: Actor`` first. A ``User`` is a logged-in person; a ``SystemActor``
names what acted without an account (a scheduled task, a management command, the demo loader,
a participant on the public form, a person following a signed e-mail link). The audit log
records a user as the user and a system actor by its label, as Zulip's ``acting_user`` does.
"""

from __future__ import annotations

from dataclasses import dataclass

from peerpath.core.models import User


@dataclass(frozen=True, slots=True)
class SystemActor:
    """What acted without an account; ``label`` is what the audit log shows as the actor."""

    label: str

    def __str__(self) -> str:
        return self.label


Actor = User | SystemActor

# What acted when nothing more specific was named (the audit log's label for "nobody in particular").
SYSTEM = SystemActor("system")
# The demo loader (manage.py load_demo) setting up the demo programs.
DEMO = SystemActor("demo")
