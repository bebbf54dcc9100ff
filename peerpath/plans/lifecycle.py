"""The plan's lifecycles (allowed moves as data; `peerpath.core.lifecycle` makes them): a goal
is worked on, met or set aside, and may be taken up again. The services in `plans.services`
add their rules and side effects around `move`."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from peerpath.core.lifecycle import Lifecycle
from peerpath.plans.models import Goal, GoalStatus, Need, NeedStatus, Referral, ReferralState

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
    label=lambda _record: str(_("This goal")),
    unaudited={"met_on", "met_at_close"},
)

N = NeedStatus

# Where a need stands moves freely: met needs come back, and one thought gone may return.
NEED = Lifecycle(
    model=Need,
    field="status",
    transitions={state: {other for other in N if other != state} for state in N},
    audit_action="need.status",
    label=lambda _record: str(_("This need")),
    unaudited={"met_on"},
)

R = ReferralState

REFERRAL = Lifecycle(
    model=Referral,
    field="state",
    transitions={
        R.SUGGESTED: {R.MADE, R.NOT_CONNECTED},
        R.MADE: {R.CONNECTED, R.NOT_CONNECTED},
        # Tried again: the participant could not get through, and the referral is made anew.
        R.NOT_CONNECTED: {R.MADE},
        R.CONNECTED: set(),
    },
    audit_action="referral.state",
    label=lambda _record: str(_("This referral")),
    unaudited={"outcome_note"},
)
