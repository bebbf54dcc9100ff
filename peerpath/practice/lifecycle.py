"""A practice session's moves (as data; `peerpath.core.lifecycle` makes them, the services add
the rules): in progress until the conversation reaches an ending or the trainee stops."""

from __future__ import annotations

from peerpath.core.lifecycle import Lifecycle
from peerpath.practice.models import PracticeSession, SessionStatus

SESSION_TRANSITIONS: dict[str, frozenset[str]] = {
    SessionStatus.IN_PROGRESS: frozenset({SessionStatus.FINISHED, SessionStatus.STOPPED}),
    SessionStatus.FINISHED: frozenset(),
    SessionStatus.STOPPED: frozenset(),
}


def _refusal(session: PracticeSession, from_state: str, to_state: str) -> str:
    return "This practice session is over."


PRACTICE_SESSION = Lifecycle(
    model=PracticeSession,
    field="status",
    transitions=SESSION_TRANSITIONS,
    audit_action="practice.session.{to}",
    refusal=_refusal,
    stamp="finished_at",
)
