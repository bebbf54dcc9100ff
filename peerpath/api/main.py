# No "from __future__ import annotations": django-ninja reads these annotations at import time.
"""The PeerPath JSON API (`/api/v1/`), with its OpenAPI schema at `/api/v1/openapi.json`.

Every endpoint authenticates with a personal token and checks the caller's role in the
program through `peerpath.core.permissions`, exactly as the pages do.
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router, Swagger
from ninja.errors import HttpError
from ninja.pagination import paginate

from peerpath.api.auth import ApiRequest, TokenAuth, require
from peerpath.api.care import router as care_router
from peerpath.api.certification import router as certification_router
from peerpath.api.common import PathId, error_items
from peerpath.api.groups import router as groups_router
from peerpath.api.hours import router as hours_router
from peerpath.api.pagination import BoundedPagination
from peerpath.api.plans import router as plans_router
from peerpath.api.schemas import (
    ApplicationOut,
    CompetencyOut,
    ErrorOut,
    MeOut,
    SupporterDetailOut,
    SupporterOut,
    ValidationErrorOut,
)
from peerpath.api.support import router as support_router
from peerpath.api.training import router as training_router
from peerpath.core.busy import busy_response, is_database_busy
from peerpath.programs.models import Competency, Membership
from peerpath.recruitment.models import Application, Source, Stage, Supporter

api = NinjaAPI(
    title="PeerPath API",
    version="1",
    description="Read a program's records and write contacts, attendance and continuing-education activities. "
    "Authenticate with `Authorization: Bearer <token>`; make tokens under 'API tokens' in the app.",
    auth=TokenAuth(),
    urls_namespace="api",
    # No deep links: Swagger UI puts them as links inside buttons (nested controls fail the accessibility check).
    docs=Swagger(settings={"deepLinking": False}),
)

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> Any:
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def database_busy(request: HttpRequest, exc: Exception) -> Any:
    """The database is busy (SQLite locked) or unreachable (PostgreSQL restarting): 503 with
    Retry-After, never 500 (`peerpath.core.busy`); anything else goes on to Django's handling."""
    if not is_database_busy(exc):
        raise exc
    return busy_response(request, exc)


@api.exception_handler(PermissionDenied)
def refused(request: HttpRequest, exc: PermissionDenied) -> Any:
    """A rule refused the request for this record (a write its state does not allow): 403, with why."""
    return api.create_response(request, {"detail": str(exc) or _("Not allowed.")}, status=403)


@api.exception_handler(ValidationError)
def service_error(request: HttpRequest, exc: ValidationError) -> Any:
    """A rule of a service (or of the page's form) refused the input: 422 naming the field, as the
    page would re-render with the error beside it. Nothing was saved: services validate first and
    write inside a transaction."""
    return api.create_response(request, {"detail": error_items(exc)}, status=422)


@api.get("/me", response={200: MeOut, 401: ErrorOut}, tags=["people"])
def me(request: ApiRequest) -> dict[str, Any]:
    user = request.auth
    memberships = Membership.objects.current().filter(user=user).select_related("program")
    return {
        "id": user.pk,
        "email": user.email,
        "full_name": user.full_name,
        "memberships": [
            {"program": m.program.slug, "program_name": m.program.name, "roles": sorted(r.value for r in m.roles)}
            for m in memberships
        ],
    }


programs = Router(tags=["programs"])


@programs.get("/{program}/competencies", response={200: list[CompetencyOut], **ERRORS})
def competencies(request: ApiRequest, program: str) -> Any:
    membership = require(request, program, "program.view_competencies")
    return list(Competency.objects.filter(program=membership.program))


recruitment = Router(tags=["recruitment"])


@recruitment.get("/{program}/supporters", response={200: list[SupporterOut], **ERRORS})
@paginate(BoundedPagination)
def supporters(request: ApiRequest, program: str, stage: Stage | None = None) -> Any:
    membership = require(request, program, "recruitment.view_board")
    rows = Supporter.objects.filter(program=membership.program).prefetch_related("focus_areas").order_by("id")
    return rows.filter(stage=stage) if stage else rows


@recruitment.get("/{program}/supporters/{supporter_id}", response={200: SupporterDetailOut, **ERRORS})
def supporter(request: ApiRequest, program: str, supporter_id: PathId) -> Any:
    membership = require(request, program, "recruitment.view_person")
    return get_object_or_404(
        Supporter.objects.prefetch_related("focus_areas", "stage_changes"), program=membership.program, pk=supporter_id
    )


@recruitment.get("/{program}/applications", response={200: list[ApplicationOut], **ERRORS})
@paginate(BoundedPagination)
def applications(request: ApiRequest, program: str, source: Source | None = None) -> Any:
    membership = require(request, program, "recruitment.view_board")
    rows = Application.objects.filter(program=membership.program).prefetch_related("focus_areas").order_by("id")
    return rows.filter(source=source) if source else rows


api.add_router("/programs", programs)
api.add_router("/programs", recruitment)
api.add_router("/programs", training_router)
api.add_router("/programs", certification_router)
api.add_router("/programs", support_router)
api.add_router("/programs", care_router)
api.add_router("/programs", groups_router)
api.add_router("/programs", plans_router)
api.add_router("/programs", hours_router)
