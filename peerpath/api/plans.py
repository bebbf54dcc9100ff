# No "from __future__ import annotations": django-ninja reads these annotations at import time.
"""The participant's side (`peerpath.plans`): a relationship's plan and referrals, a participant's
needs, the program's resource directory. Read only.

The same rules as the pages (`peerpath.plans.access`): the plan and the referrals of a
relationship to whoever sees its participant's contact details (its supporter while it is
working, their supervisor, a coordinator); the needs to whoever may open the participant's record.
Every read that shows a participant writes the audit entry the equivalent page writes.
"""

import datetime as dt
from typing import Any

from django.utils.translation import gettext_noop
from ninja import Query, Router, Schema

from peerpath.api.auth import ApiRequest, require
from peerpath.api.common import ERRORS, PageIn, PathId, Words, page_of, paged
from peerpath.core.permissions import can
from peerpath.plans import access, queries

router = Router(tags=["plans"])


class StepOut(Schema):
    id: int
    text: str
    owner: str
    target_on: dt.date | None
    done_on: dt.date | None


class ProgressOut(Schema):
    id: int
    noted_on: dt.date
    note: str
    contact_id: int | None


class GoalOut(Schema):
    id: int
    text: str
    status: str
    target_on: dt.date | None
    met_on: dt.date | None
    met_at_close: bool
    created_at: dt.datetime
    steps: list[StepOut]
    progress: list[ProgressOut]

    @staticmethod
    def resolve_steps(goal: Any) -> list[Any]:
        return list(goal.step_rows)

    @staticmethod
    def resolve_progress(goal: Any) -> list[Any]:
        return list(goal.progress_rows)


class ReviewOut(Schema):
    id: int
    reviewed_on: dt.date
    note: str


class PlanOut(Schema):
    relationship_id: int
    participant_reference: str
    review_every_weeks: int
    review_due_on: dt.date | None
    goals: list[GoalOut]
    reviews: list[ReviewOut]


class NeedOut(Schema):
    id: int
    area: str
    status: str
    note: str
    met_on: dt.date | None
    created_at: dt.datetime


class ReferralOut(Schema):
    id: int
    relationship_id: int
    resource_id: int | None
    resource_name: str
    need: str
    concern_id: int | None
    state: str
    suggested_on: dt.date
    made_on: dt.date | None
    closed_on: dt.date | None
    follow_up_on: dt.date | None
    handoff_notes: str
    outcome_note: str


class ResourceOut(Schema):
    id: int
    name: str
    organisation: str
    offers: str
    needs: list[str]
    eligibility: str
    languages: list[str]
    hours: str
    area: str
    phone: str
    email: str
    website: str
    address: str
    is_active: bool


@router.get("/{program}/relationships/{relationship_id}/plan", response={200: PlanOut, **ERRORS})
def plan(request: ApiRequest, program: str, relationship_id: PathId) -> Any:
    """A relationship's goals (with steps and progress), its plan reviews and when the next is due."""
    membership = require(request, program, "plans.view")
    relationship, _found = access.get_plan(request, membership.program, relationship_id, page=gettext_noop("API: plan"))
    data = queries.plan(relationship)
    return {
        "relationship_id": relationship.pk,
        "participant_reference": relationship.participant.reference,
        "review_every_weeks": data["review_every_weeks"],
        "review_due_on": data["review_due_on"],
        "goals": data["goals"],
        "reviews": data["reviews"],
    }


@router.get("/{program}/relationships/{relationship_id}/referrals", response={200: list[ReferralOut], **ERRORS})
def referrals(request: ApiRequest, program: str, relationship_id: PathId) -> Any:
    """A relationship's referrals, latest first, with their warm-handoff notes."""
    membership = require(request, program, "plans.view")
    relationship, _found = access.get_plan(
        request, membership.program, relationship_id, page=gettext_noop("API: referrals")
    )
    return queries.referrals_of(relationship)


@router.get("/{program}/participants/{participant_id}/needs", response={200: list[NeedOut], **ERRORS})
def needs(request: ApiRequest, program: str, participant_id: PathId) -> Any:
    """A participant's needs on the program's checklist and where each stands."""
    membership = require(request, program, "plans.view")
    participant, _found = access.get_needs(request, membership.program, participant_id, page=gettext_noop("API: needs"))
    return queries.needs_of(participant)


class ResourceFilter(Schema):
    q: Words = ""
    need: Words = ""
    language: Words = ""
    area: Words = ""


@router.get("/{program}/resources", response={200: paged(ResourceOut), **ERRORS})
def resources(request: ApiRequest, program: str, filters: Query[ResourceFilter], page: Query[PageIn]) -> dict[str, Any]:
    """The program's resource directory (listed resources; coordinators also see unlisted ones),
    searched as on the directory page."""
    membership = require(request, program, "plans.view_resources")
    rows = queries.directory(
        membership.program,
        q=filters.q[:100],
        need=filters.need[:60],
        language=filters.language[:60],
        area=filters.area[:100],
        listed_only=not can(membership, "plans.manage_resources"),
    )
    count, items = page_of(rows, page)
    return {"count": count, "items": items}
