import datetime as dt
from typing import Any

from ninja import Schema


class MembershipOut(Schema):
    program: str
    program_name: str
    roles: list[str]


class MeOut(Schema):
    id: int
    email: str
    full_name: str
    memberships: list[MembershipOut]


class CompetencyOut(Schema):
    id: int
    number: int
    title: str
    description: str
    is_core: bool
    is_active: bool


class SupporterOut(Schema):
    """A person on the pathway (applicant to alumni)."""

    id: int
    full_name: str
    email: str
    phone: str
    stage: str
    stage_changed_at: dt.datetime
    source: str
    languages: list[str]
    focus_areas: list[str]
    supervisor_id: int | None
    user_id: int | None
    created_at: dt.datetime

    @staticmethod
    def resolve_focus_areas(obj: Any) -> list[str]:
        return [area.name for area in obj.focus_areas.all()]


class StageChangeOut(Schema):
    from_stage: str
    to_stage: str
    reason: str
    created_at: dt.datetime


class SupporterDetailOut(SupporterOut):
    history: list[StageChangeOut]

    @staticmethod
    def resolve_history(obj: Any) -> list[Any]:
        return list(obj.stage_changes.all())


class ApplicationOut(Schema):
    id: int
    supporter_id: int
    submitted_at: dt.datetime
    full_name: str
    email: str
    source: str
    clinician_name: str
    motivation: str
    availability: str
    languages: list[str]
    focus_areas: list[str]
    consent_to_contact: bool
    is_repeat: bool

    @staticmethod
    def resolve_focus_areas(obj: Any) -> list[str]:
        return [area.name for area in obj.focus_areas.all()]


class ErrorOut(Schema):
    detail: str


class ValidationErrorOut(Schema):
    """The request did not match the schema: one entry per problem, with where it is."""

    detail: list[dict[str, Any]]
