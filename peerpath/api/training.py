# No "from __future__ import annotations": django-ninja reads these annotations at import time.
"""Training records: cohorts, sessions with attendance; recording attendance.

Coordinators see every cohort, trainers the cohorts they teach (`training.access`), exactly
as the cohort and session pages; attendance is recorded through `training.services`.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from peerpath.api.auth import ApiRequest, require
from peerpath.api.common import ERRORS, WRITE_ERRORS, Id, Moment, PageIn, PathId, page_of, paged
from peerpath.api.schemas import (
    AttendanceIn,
    CohortDetailOut,
    CohortOut,
    SessionDetailOut,
    SessionOut,
)
from peerpath.training import access, services
from peerpath.training.access import can_run_cohort, cohorts_visible_to
from peerpath.training.models import Attendance, SessionKind, TrainingSession

router = Router(tags=["training"])


def _with_roster_counts(rows: Any) -> Any:
    return rows.prefetch_related("trainers").annotate(
        on_roster=Count("enrolments", filter=Q(enrolments__status__in=services.ON_ROSTER), distinct=True)
    )


@router.get("/{program}/cohorts", response={200: paged(CohortOut), **ERRORS})
def cohorts(request: ApiRequest, program: str, page: Query[PageIn]) -> dict[str, Any]:
    """Cohorts: all of them for coordinators, the ones they teach for trainers."""
    membership = require(request, program, "training.view_cohorts")
    count, items = page_of(_with_roster_counts(cohorts_visible_to(membership)).order_by("-starts_on", "id"), page)
    return {"count": count, "items": items}


@router.get("/{program}/cohorts/{cohort_id}", response={200: CohortDetailOut, **ERRORS})
def cohort(request: ApiRequest, program: str, cohort_id: PathId) -> Any:
    """A cohort with its enrolments and sessions."""
    membership = require(request, program, "training.view_cohorts")
    found = access.get_cohort(membership, cohort_id)
    found = _with_roster_counts(type(found).objects.filter(pk=found.pk)).get()
    found.enrolment_rows = list(found.enrolments.select_related("supporter").order_by("supporter__full_name"))
    found.session_rows = list(found.sessions.order_by("starts_at", "id"))
    return found


class SessionFilter(Schema):
    cohort: Id | None = None
    kind: SessionKind | None = None
    starts_after: Moment | None = None
    starts_before: Moment | None = None


def _sessions_to_run(membership: Any) -> Any:
    """The sessions the session page opens for this member: those of cohorts they may run, and
    refresher events (coordinators and trainers)."""
    return TrainingSession.objects.filter(program=membership.program).filter(
        Q(cohort__in=cohorts_visible_to(membership).values("pk")) | Q(kind=SessionKind.REFRESHER)
    )


@router.get("/{program}/sessions", response={200: paged(SessionOut), **ERRORS})
def sessions(request: ApiRequest, program: str, filters: Query[SessionFilter], page: Query[PageIn]) -> dict[str, Any]:
    """Training sessions the caller runs (coordinators: all; trainers: their cohorts' and refresher events)."""
    membership = require(request, program, "training.run_cohort")
    rows = _sessions_to_run(membership)
    if filters.cohort is not None:
        rows = rows.filter(cohort_id=filters.cohort)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.starts_after:
        rows = rows.filter(starts_at__gte=filters.starts_after)
    if filters.starts_before:
        rows = rows.filter(starts_at__lt=filters.starts_before)
    count, items = page_of(rows.order_by("starts_at", "id"), page)
    return {"count": count, "items": items}


def _session_to_run(request: ApiRequest, session_id: int) -> TrainingSession:
    """The session page's rule: a session of a cohort the member may run, or a refresher event."""
    session = access.get_session(request.membership, session_id)
    if session.cohort_id and not can_run_cohort(request.membership, session.cohort):
        raise Http404("No such session.")
    return session


def _with_attendance(session: TrainingSession) -> TrainingSession:
    marks = {a.supporter_id: a for a in Attendance.objects.filter(session=session)}
    session.attendance_rows = [
        {
            "supporter_id": person.pk,
            "full_name": person.full_name,
            "status": marks[person.pk].status if person.pk in marks else None,
            "note": marks[person.pk].note if person.pk in marks else "",
            "recorded_at": marks[person.pk].recorded_at if person.pk in marks else None,
        }
        for person in services.roster_for(session)
    ]
    return session


@router.get("/{program}/sessions/{session_id}", response={200: SessionDetailOut, **ERRORS})
def session(request: ApiRequest, program: str, session_id: PathId) -> Any:
    """A session with its roster and each person's attendance mark."""
    require(request, program, "training.run_cohort")
    return _with_attendance(_session_to_run(request, session_id))


@router.post(
    "/{program}/sessions/{session_id}/attendance",
    response={200: SessionDetailOut, **WRITE_ERRORS},
    summary="Record attendance",
)
def record_attendance(request: ApiRequest, program: str, session_id: PathId, payload: AttendanceIn) -> Any:
    """Mark people on the session's roster present, late, excused or absent (a trainer of the
    cohort, or a coordinator), through the same service as the session page. The session must
    have started and not be cancelled; everyone marked must be on its roster. Refused input
    answers 422 and saves nothing."""
    require(request, program, "training.run_cohort")
    found = _session_to_run(request, session_id)
    ids = [mark.supporter_id for mark in payload.marks]
    if len(set(ids)) != len(ids):
        raise ValidationError({"marks": _("Mark each person once.")})
    services.record_attendance(
        actor=request.user,
        session=found,
        marks={mark.supporter_id: (mark.status.value, mark.note) for mark in payload.marks},
    )
    return _with_attendance(found)
