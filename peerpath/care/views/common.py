"""Helpers the care pages share."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from peerpath.core.permissions import Role, has_role
from peerpath.programs.http import ProgramRequest
from peerpath.programs.models import Program

PAGE_SIZE = 50


def local_today() -> Any:
    return timezone.localdate()


def posted_data(request: ProgramRequest) -> Any:
    """The form data of a POST (even an empty one, so its errors show), or None for a GET."""
    return request.POST if request.method == "POST" else None


def member_user(program: Program, user_id: int) -> Any:
    membership = program.memberships.select_related("user").filter(user_id=user_id, is_active=True).first()
    return membership.user if membership else None


def is_coordinator(request: ProgramRequest) -> bool:
    return has_role(request.membership, Role.COORDINATOR)


def filter_query(request: ProgramRequest) -> str:
    """The page's filters, for its pagination and download links."""
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    return query.urlencode()
