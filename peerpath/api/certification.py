# No "from __future__ import annotations": django-ninja reads these annotations at import time.
"""Certification records: competency records, certificates with status and expiry, continuing
education (hours and activities); a supporter logs their own activities.

The same rules as the pages: a competency record for coordinators and the trainers of the
person's cohorts; certificates and the program's CE activities for coordinators; a supporter's
own certificate, standing and activities for the supporter. Writes go through
`certification.services.log_ce_activity`.
"""

from typing import Any

from ninja import Query, Router, Schema, Status

from peerpath.api.auth import ApiRequest, require
from peerpath.api.common import ERRORS, WRITE_ERRORS, Id, PageIn, PathId, check_form, page_of, paged
from peerpath.api.schemas import (
    CEActivityIn,
    CEActivityOut,
    CertificateDetailOut,
    CertificateOut,
    CompetencyRecordOut,
    MyContinuingEducationOut,
)
from peerpath.certification import access, queries, services
from peerpath.certification.forms import CEActivityForm
from peerpath.certification.models import CEActivity, Certificate, CEStatus
from peerpath.certification.rules import StandingResult
from peerpath.core import audit
from peerpath.recruitment.access import own_supporter_record

router = Router(tags=["certification"])


def _standing(result: StandingResult | None) -> dict[str, Any] | None:
    if result is None:
        return None
    return {
        "standing": result.standing,
        "label": result.label,
        "hours_counted": float(result.tally.total),
        "ethics_hours_counted": float(result.tally.ethics),
        "hours_required": float(result.required),
        "ethics_hours_required": float(result.ethics_required),
        "days_to_expiry": result.days_to_expiry,
        "explanation": result.explanation,
        "missing": list(result.missing),
    }


@router.get("/{program}/people/{supporter_id}/competency-record", response={200: CompetencyRecordOut, **ERRORS})
def competency_record(request: ApiRequest, program: str, supporter_id: PathId) -> dict[str, Any]:
    """A trainee's latest rating per competency, the evidence counted for it, and their
    assessments with outcomes. Coordinators: anyone; trainers: trainees of cohorts they teach.
    Audited like the competency record page."""
    membership = require(request, program, "certification.view_record")
    supporter = access.get_record_supporter(membership, supporter_id)
    audit.record(
        actor=request.user, program=membership.program, action="certification.record.view", target=supporter, note="API"
    )
    data = queries.competency_record(supporter)
    return {
        "supporter_id": supporter.pk,
        "full_name": supporter.full_name,
        "stage": supporter.stage,
        "competencies": [
            {
                "competency_id": row["competency"].pk,
                "number": row["competency"].number,
                "title": row["competency"].title,
                "level": row["rating"].level if row["rating"] else None,
                "role_plays": len(row["role_plays"]),
                "shadowings": len(row["shadowings"]),
            }
            for row in data["rows"]
        ],
        "assessments": data["assessments"],
    }


class CertificateFilter(Schema):
    supporter: Id | None = None


@router.get("/{program}/certificates", response={200: paged(CertificateOut), **ERRORS})
def certificates(
    request: ApiRequest, program: str, filters: Query[CertificateFilter], page: Query[PageIn]
) -> dict[str, Any]:
    """Every certificate of the program (coordinators), newest first, with its status today
    (valid, expired, revoked) and expiry."""
    membership = require(request, program, "certification.manage_certificates")
    rows = Certificate.objects.filter(program=membership.program)
    if filters.supporter is not None:
        rows = rows.filter(supporter_id=filters.supporter)
    count, items = page_of(rows.order_by("-issued_on", "-id"), page)
    return {"count": count, "items": items}


@router.get("/{program}/certificates/{certificate_id}", response={200: CertificateDetailOut, **ERRORS})
def certificate(request: ApiRequest, program: str, certificate_id: PathId) -> Any:
    """A certificate with the continuing-education standing of its current cycle."""
    membership = require(request, program, "certification.manage_certificates")
    found = access.get_certificate(membership.program, certificate_id)
    found.standing = _standing(services.certificate_standing(found) if found.revoked_at is None else None)
    return found


class ActivityFilter(Schema):
    status: CEStatus | None = None
    supporter: Id | None = None


@router.get("/{program}/ce-activities", response={200: paged(CEActivityOut), **ERRORS})
def ce_activities(
    request: ApiRequest, program: str, filters: Query[ActivityFilter], page: Query[PageIn]
) -> dict[str, Any]:
    """The program's continuing-education activities (coordinators, who review them)."""
    membership = require(request, program, "certification.review_ce")
    rows = CEActivity.objects.filter(program=membership.program).select_related("supporter")
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.supporter is not None:
        rows = rows.filter(supporter_id=filters.supporter)
    count, items = page_of(rows.order_by("-date", "-id"), page)
    return {"count": count, "items": items}


@router.get("/{program}/ce-activities/{activity_id}", response={200: CEActivityOut, **ERRORS})
def ce_activity(request: ApiRequest, program: str, activity_id: PathId) -> Any:
    membership = require(request, program, "certification.review_ce")
    return access.get_ce_activity(membership.program, activity_id)


@router.get("/{program}/my/continuing-education", response={200: MyContinuingEducationOut, **ERRORS})
def my_continuing_education(request: ApiRequest, program: str) -> dict[str, Any]:
    """The caller's own certificate, the hours counted towards its renewal, and their activities."""
    membership = require(request, program, "certification.own_credentials")
    supporter = own_supporter_record(membership.program, request.user)
    data = queries.my_ce(supporter)
    for activity in data["activities"]:
        activity.supporter = supporter
    return {
        "certificate": data["certificate"],
        "standing": _standing(data["standing"]),
        "activities": data["activities"],
    }


@router.post(
    "/{program}/my/continuing-education",
    response={201: CEActivityOut, **WRITE_ERRORS},
    summary="Log a continuing-education activity",
)
def log_ce_activity(request: ApiRequest, program: str, payload: CEActivityIn) -> Any:
    """Log one of the caller's own continuing-education activities for approval, through the
    same form rules and service as the page (evidence files are added on the page). Refused
    input answers 422 naming the field and saves nothing."""
    membership = require(request, program, "certification.own_credentials")
    supporter = own_supporter_record(membership.program, request.user)
    data = check_form(
        CEActivityForm(
            {
                "date": payload.date.isoformat(),
                "title": payload.title,
                "provider": payload.provider,
                "hours": str(payload.hours),
                "category": payload.category,
                "delivery": payload.delivery,
            },
            program=membership.program,
        )
    )
    data.pop("evidence", None)
    activity = services.log_ce_activity(actor=request.user, supporter=supporter, **data)
    return Status(201, activity)
