"""What the plan adds to support's pages (registered in `PlansConfig.ready()` through
`support.extensions`): the plan's section of the relationship page, the goals worked on in the
contact form, and which goals were met in the close form. Each reads a fixed number of rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from peerpath.plans import queries, services
from peerpath.plans.access import plan_access
from peerpath.plans.forms import GoalsMetForm, GoalsWorkedOnForm
from peerpath.plans.models import Goal, GoalStatus
from peerpath.programs.models import Program
from peerpath.support.models import CloseReason, Concern, Participant, SupportRelationship


def relationship_section(
    request: Any, program: Program, relationship: SupportRelationship
) -> tuple[str, dict[str, Any]] | None:
    """The goals and the next plan review, for those who may read the plan (support.sections)."""
    found = plan_access(request, program, relationship)
    if not found.may_read:
        return None
    return ("plans/_section.html", {**queries.plan(relationship), "access": found, "relationship": relationship})


@dataclass
class GoalsWorkedOn:
    """The contact form's part: the open goals, to tick those the contact worked on."""

    form: GoalsWorkedOnForm
    template: str = "plans/_contact_part.html"
    context: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.context = {"form": self.form}

    def is_valid(self) -> bool:
        return self.form.is_valid()

    def save(self, *, actor: Any, record: Any) -> None:
        for goal, note in self.form.worked_on():
            services.record_progress(actor=actor, goal=goal, note=note, contact=record)

    def draft_fields(self) -> list[str]:
        """The contact draft keeps the goals ticked and the notes (support.extensions.DraftedPart)."""
        return [self.form.add_prefix(name) for name in self.form.fields]

    def restore(self, values: dict[str, Any]) -> None:
        """Tick again the goals the draft kept, with their notes (goals closed since are left out)."""
        for name in self.form.fields:
            value = values.get(self.form.add_prefix(name))
            if value is None:
                continue
            if name.startswith("worked_"):
                self.form.initial[name] = value not in ("", False, "false", "off")
            elif isinstance(value, str):
                self.form.initial[name] = value


def contact_part(request: Any, relationship: SupportRelationship, data: Any) -> GoalsWorkedOn | None:
    goals = list(Goal.objects.filter(relationship=relationship, status=GoalStatus.OPEN).order_by("created_at", "id"))
    if not goals:
        return None
    for goal in goals:
        goal.relationship = relationship  # the same row, already read: spares a query per goal saved
    return GoalsWorkedOn(GoalsWorkedOnForm(data, goals=goals))


@dataclass
class GoalsMet:
    """The close form's part: with 'goals met', which goals were met."""

    form: GoalsMetForm
    relationship: SupportRelationship
    close_reason: str
    template: str = "plans/_close_part.html"
    context: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.context = {"form": self.form}

    def is_valid(self) -> bool:
        return self.form.is_valid()

    def save(self, *, actor: Any, record: Any) -> None:
        if self.close_reason != CloseReason.GOALS_MET:
            return
        ids = [int(pk) for pk in self.form.cleaned_data.get("goals_met", [])]
        services.record_goals_met_at_close(actor=actor, relationship=self.relationship, goal_ids=ids)


def close_part(request: Any, relationship: SupportRelationship, data: Any) -> GoalsMet | None:
    goals = list(
        Goal.objects.filter(relationship=relationship).exclude(status=GoalStatus.SET_ASIDE).order_by("created_at", "id")
    )
    if not goals:
        return None
    reason = (data or {}).get("close_reason", "")
    return GoalsMet(GoalsMetForm(data, goals=goals), relationship, reason)


def needs_section(
    request: Any, program: Program, relationship: SupportRelationship
) -> tuple[str, dict[str, Any]] | None:
    """The participant's needs and the relationship's referrals (support.sections)."""
    found = plan_access(request, program, relationship)
    if not found.may_read:
        return None
    return (
        "plans/_needs_section.html",
        {
            "needs": queries.needs_of(relationship.participant),
            "referrals": queries.referrals_of(relationship),
            "access": found,
            "relationship": relationship,
        },
    )


def participant_needs(
    request: Any, program: Program, participant: Participant, viewer: Any
) -> tuple[str, dict[str, Any]] | None:
    """The needs on the participant's own page (support.extensions): from intake on. The page
    has already checked that the reader may open the participant's record."""
    return ("plans/_participant_needs.html", {"needs": queries.needs_of(participant), "participant": participant})


def concern_referrals(
    request: Any, program: Program, concern: Concern, viewer: Any
) -> tuple[str, dict[str, Any]] | None:
    """On a concern's page (support.extensions): the referrals made from it and, for whoever may
    change the relationship's plan, "Make a referral" from this concern. Nothing for a concern
    without a relationship, or for a reader who may not read the plan (the supporter of a closed
    relationship, a supervisor's view is read-only)."""
    relationship = concern.relationship
    if relationship is None:
        return None
    found = plan_access(request, program, relationship)
    if not found.may_read:
        return None
    return (
        "plans/_concern_referrals.html",
        {"referrals": queries.referrals_from(concern), "access": found, "concern": concern},
    )
