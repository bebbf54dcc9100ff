"""Playing practice scenarios in tests: replies that take each branch, and a plan that walks
every branch of a scenario from its start to an ending."""

from __future__ import annotations

from collections import deque

from peerpath.core.models import User
from peerpath.practice import services
from peerpath.practice.models import PracticeSession, Scenario, Step

# A reply that the coder codes so that the person takes the branch (checked in test_coder).
REPLY_FOR = {
    "open": "What has that been like for you?",
    "close": "You should just stop worrying about it.",
    "other": "Do you work full time?",
    "safety": "Are you thinking about suicide?",
    "missed": "What has that been like for you?",
}
FIELDS = {"open": "on_open_id", "other": "on_other_id", "close": "on_close_id", "missed": "on_missed_risk_id"}


def edges(step: Step) -> list[tuple[str, int]]:
    names = ["open", "missed"] if step.risk_cue else ["open", "other", "close"]
    return [(name, getattr(step, FIELDS[name])) for name in names if getattr(step, FIELDS[name])]


def reply_for(step: Step, branch: str) -> str:
    return REPLY_FOR["safety"] if step.risk_cue and branch == "open" else REPLY_FOR[branch]


def plans(scenario: Scenario) -> list[list[tuple[int, str]]]:
    """For every branch of every reachable step: a way there, the branch, then the shortest way
    on to an ending, as [(step id, branch), ...]."""
    steps = {s.pk: s for s in scenario.steps.all()}

    def route(start: int, goal: set[int]) -> list[tuple[int, str]]:
        seen, todo = {start}, deque([(start, [])])
        while todo:
            pk, path = todo.popleft()
            if pk in goal:
                return path
            for branch, target in edges(steps[pk]):
                if target not in seen:
                    seen.add(target)
                    todo.append((target, [*path, (pk, branch)]))
        raise AssertionError(f"{scenario}: no way from {steps[start].key} to {goal}")

    endings = {pk for pk, s in steps.items() if s.is_ending}
    assert scenario.first_step_id is not None
    result = []
    for pk, step in steps.items():
        for branch, target in edges(step):
            there = route(scenario.first_step_id, {pk})
            onward = route(target, endings)
            result.append([*there, (pk, branch), *onward])
    return result


def play(user: User, scenario: Scenario, plan: list[tuple[int, str]]) -> PracticeSession:
    """Play a plan through the services, checking the person goes where each branch leads."""
    session = services.start_session(actor=user, program=scenario.program, scenario=scenario, supporter=None)
    steps = {s.pk: s for s in scenario.steps.all()}
    for step_id, branch in plan:
        session.refresh_from_db()
        assert session.current_step_id == step_id, (scenario.title, steps[step_id].key, branch)
        made = services.reply(actor=user, session=session, text=reply_for(steps[step_id], branch))
        assert made.next_step_id == getattr(steps[step_id], FIELDS[branch]), (
            scenario.title,
            steps[step_id].key,
            branch,
            made.codes,
        )
    session.refresh_from_db()
    return session
