"""The plan's lifecycles (allowed moves as data; `peerpath.core.lifecycle` makes them): a goal
is worked on, met or set aside, and may be taken up again. The services in `plans.services`
add their rules and side effects around `move`."""

from __future__ import annotations

from peerpath.core.lifecycle import Lifecycle
from peerpath.plans.models import Goal, GoalStatus

G = GoalStatus

GOAL = Lifecycle(
    model=Goal,
    field="status",
    transitions={
        G.OPEN: {G.MET, G.SET_ASIDE},
        # Taken up again: a goal met too early, or set aside and wanted after all.
        G.MET: {G.OPEN},
        G.SET_ASIDE: {G.OPEN},
    },
    audit_action="goal.status",
    label="This goal",
    unaudited={"met_on", "met_at_close"},
)
