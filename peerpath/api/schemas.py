import datetime as dt
from typing import Any

from ninja import Field, Schema

from peerpath.certification.models import DeliveryMode
from peerpath.support.models import Channel, ContactKind, SupportTask
from peerpath.training.models import AttendanceStatus


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


class NamedRef(Schema):
    id: int
    full_name: str


# --- Support: participants, relationships, contacts, follow-ups -----------------------------------


class OpenRelationshipOut(Schema):
    id: int
    supporter_id: int
    supporter_name: str
    state: str

    @staticmethod
    def resolve_supporter_name(obj: Any) -> str:
        return obj.supporter.full_name


class ParticipantOut(Schema):
    """A participant as the participant list shows them to the caller."""

    id: int
    reference: str
    full_name: str
    status: str
    waiting_since: dt.datetime
    focus_areas: list[str]
    open_relationships: list[OpenRelationshipOut]

    @staticmethod
    def resolve_focus_areas(obj: Any) -> list[str]:
        return [area.name for area in obj.focus_areas.all()]


class RelationshipOut(Schema):
    id: int
    participant_id: int
    participant_reference: str
    supporter_id: int
    supporter_name: str
    state: str
    proposed_at: dt.datetime
    activated_at: dt.datetime | None
    first_contact_on: dt.date | None
    closing_started_at: dt.datetime | None
    closing_conversation_on: dt.date | None
    closed_at: dt.datetime | None
    close_reason: str

    @staticmethod
    def resolve_participant_reference(obj: Any) -> str:
        return f"P-{obj.participant_id:04d}"

    @staticmethod
    def resolve_supporter_name(obj: Any) -> str:
        return obj.supporter.full_name


class ParticipantDetailOut(ParticipantOut):
    """Everything the participant page shows the caller (contact details, needs, consent)."""

    email: str
    phone: str
    preferred_contact: str
    languages: list[str]
    area: str
    modes: list[str]
    availability: list[str]
    preferred_gender: str
    preferred_age_bands: list[str]
    preferred_communities: list[str]
    must_haves: list[str]
    consent_given: bool
    consent_scope: str
    consent_at: dt.datetime | None
    consent_recorded_by: str
    intake_notes: str
    relationships: list[RelationshipOut]

    @staticmethod
    def resolve_consent_scope(obj: Any) -> str:
        # The page shows what was agreed only alongside a recorded consent.
        return obj.consent_scope if obj.consent_given else ""

    @staticmethod
    def resolve_consent_recorded_by(obj: Any) -> str:
        return obj.consent_recorded_by_label

    @staticmethod
    def resolve_relationships(obj: Any) -> list[Any]:
        return obj.relationship_rows


class ContactOut(Schema):
    """A contact or attempt. `notes` is null where the caller may not read the notes (as on the pages)."""

    id: int
    relationship_id: int
    participant_id: int
    contacted_on: dt.date
    channel: str
    reached: bool
    duration_minutes: int | None
    tasks: list[str]
    kind: str
    notes: str | None
    next_follow_up: dt.date | None
    logged_by_id: int | None
    created_at: dt.datetime
    corrected_at: dt.datetime | None

    @staticmethod
    def resolve_participant_id(obj: Any) -> int:
        return obj.relationship.participant_id

    @staticmethod
    def resolve_notes(obj: Any) -> str | None:
        return obj.notes if getattr(obj, "notes_visible", False) else None


class StateChangeOut(Schema):
    from_state: str
    to_state: str
    created_at: dt.datetime


class RelationshipDetailOut(RelationshipOut):
    contacts: list[ContactOut]
    history: list[StateChangeOut]

    @staticmethod
    def resolve_contacts(obj: Any) -> list[Any]:
        return obj.contact_rows

    @staticmethod
    def resolve_history(obj: Any) -> list[Any]:
        return obj.history_rows


class ContactIn(Schema):
    """A contact or an attempt to reach the participant, as on the 'Log a contact' page."""

    contacted_on: dt.date
    channel: Channel
    reached: bool
    duration_minutes: int | None = Field(None, ge=0, le=1440)
    tasks: list[SupportTask] = Field(default_factory=list, max_length=4)
    kind: ContactKind = ContactKind.CHECK_IN
    notes: str = Field("", max_length=20000)
    next_follow_up: dt.date | None = None


class FollowUpOut(Schema):
    """A working relationship's next follow-up, with the program's window flags."""

    relationship_id: int
    participant_id: int
    participant_reference: str
    supporter_id: int
    supporter_name: str
    next_follow_up: dt.date
    last_contact_on: dt.date | None
    flags: list[str]


# --- Training ----------------------------------------------------------------------------------


class CohortOut(Schema):
    id: int
    name: str
    description: str
    starts_on: dt.date
    ends_on: dt.date
    default_location: str
    trainers: list[NamedRef]
    on_roster: int

    @staticmethod
    def resolve_trainers(obj: Any) -> list[Any]:
        return list(obj.trainers.all())


class EnrolmentOut(Schema):
    id: int
    supporter_id: int
    full_name: str
    status: str
    enrolled_at: dt.datetime

    @staticmethod
    def resolve_full_name(obj: Any) -> str:
        return obj.supporter.full_name


class SessionOut(Schema):
    id: int
    cohort_id: int | None
    kind: str
    title: str
    description: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    location: str
    online_url: str
    makeup_for_id: int | None
    is_cancelled: bool
    cancel_reason: str


class CohortDetailOut(CohortOut):
    enrolments: list[EnrolmentOut]
    sessions: list[SessionOut]

    @staticmethod
    def resolve_enrolments(obj: Any) -> list[Any]:
        return obj.enrolment_rows

    @staticmethod
    def resolve_sessions(obj: Any) -> list[Any]:
        return obj.session_rows


class AttendanceOut(Schema):
    """One person on the session's roster and their mark (null when not marked yet)."""

    supporter_id: int
    full_name: str
    status: str | None
    note: str
    recorded_at: dt.datetime | None


class SessionDetailOut(SessionOut):
    attendance: list[AttendanceOut]

    @staticmethod
    def resolve_attendance(obj: Any) -> list[Any]:
        return obj.attendance_rows


class MarkIn(Schema):
    supporter_id: int = Field(..., ge=1, le=2**31 - 1)
    status: AttendanceStatus
    note: str = Field("", max_length=300)


class AttendanceIn(Schema):
    """Marks for people on the session's roster; marking someone again replaces their mark."""

    marks: list[MarkIn] = Field(..., min_length=1, max_length=500)


# --- Certification ---------------------------------------------------------------------------


class RatingOut(Schema):
    competency_id: int
    number: int
    title: str
    level: str | None
    role_plays: int
    shadowings: int


class AssessmentOut(Schema):
    id: int
    cohort_id: int
    cohort_name: str
    kind: str
    status: str
    outcome: str
    computed_outcome: str
    assessor_name: str
    attendance_percent: float | None
    reassessment_due: dt.date | None
    next_step: str
    created_at: dt.datetime
    decided_at: dt.datetime | None

    @staticmethod
    def resolve_cohort_name(obj: Any) -> str:
        return obj.cohort.name

    @staticmethod
    def resolve_assessor_name(obj: Any) -> str:
        return obj.assessor.full_name if obj.assessor else ""

    @staticmethod
    def resolve_attendance_percent(obj: Any) -> float | None:
        value = obj.attendance_percent
        return None if value is None else float(value)


class CompetencyRecordOut(Schema):
    """A trainee's competency record: the latest rating per competency and their assessments."""

    supporter_id: int
    full_name: str
    stage: str
    competencies: list[RatingOut]
    assessments: list[AssessmentOut]


class StandingOut(Schema):
    """Continuing-education standing of a certificate's current cycle."""

    standing: str
    label: str
    hours_counted: float
    ethics_hours_counted: float
    hours_required: float
    ethics_hours_required: float
    days_to_expiry: int
    explanation: str
    missing: list[str] = Field(description="What is still missing, e.g. '2 h confidentiality, 1 h live'.")


class CertificateOut(Schema):
    id: int
    supporter_id: int
    holder_name: str
    identifier: str
    credential_name: str
    issued_on: dt.date
    cycle_started_on: dt.date
    expires_on: dt.date
    status: str
    revoked_at: dt.datetime | None


class CertificateDetailOut(CertificateOut):
    revocation_reason: str
    standing: StandingOut | None


class CEActivityOut(Schema):
    id: int
    supporter_id: int
    supporter_name: str
    date: dt.date
    title: str
    provider: str
    hours: float
    category: str
    delivery: str
    status: str
    is_automatic: bool
    has_evidence: bool
    review_comment: str
    reviewed_at: dt.datetime | None
    created_at: dt.datetime

    @staticmethod
    def resolve_supporter_name(obj: Any) -> str:
        return obj.supporter.full_name

    @staticmethod
    def resolve_hours(obj: Any) -> float:
        return float(obj.hours)

    @staticmethod
    def resolve_has_evidence(obj: Any) -> bool:
        return bool(obj.evidence)


class MyContinuingEducationOut(Schema):
    certificate: CertificateOut | None
    standing: StandingOut | None
    activities: list[CEActivityOut]


class CEActivityIn(Schema):
    """A continuing-education activity, as on the 'Log an activity' page (evidence files: on the page)."""

    date: dt.date
    title: str = Field(..., min_length=1, max_length=200)
    provider: str = Field("", max_length=200)
    hours: float = Field(..., ge=0.25, le=100)
    category: str = Field(..., min_length=1, max_length=30, description="The key of one of the program's CE subjects.")
    delivery: DeliveryMode = DeliveryMode.LIVE


# --- Supporter care --------------------------------------------------------------------------


class MeetingOut(Schema):
    """A supervision meeting as the supervision log lists it (the notes stay on the meeting page)."""

    id: int
    held_on: dt.date
    kind: str
    duration_minutes: int
    supervisor: NamedRef | None
    attendees: list[NamedRef]
    topics: str

    @staticmethod
    def resolve_attendees(obj: Any) -> list[Any]:
        return list(obj.attendees.all())
