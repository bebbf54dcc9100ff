"""Certification's home-page panels and its sections on a trainee's "My training" page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from peerpath.certification import queries, rules
from peerpath.certification.models import CEActivity, CEStatus
from peerpath.core.permissions import can
from peerpath.programs.http import ProgramRequest
from peerpath.programs.models import Program
from peerpath.recruitment.access import supporter_record_for
from peerpath.recruitment.models import Supporter


def coordinator_panel(request: ProgramRequest, program: Program, membership: Any) -> tuple[str, dict] | None:
    if not can(membership, "certification.overview"):
        return None
    today = timezone.localdate()
    expiring = queries.certificates_expiring(program, today, within_days=rules.REMINDER_DAYS[0])
    provisional = queries.provisional_deadlines(program)
    return (
        "certification/_panel_coordinator.html",
        {
            "expiring": len(expiring),
            "overdue": [a for a in provisional if a.reassessment_due and a.reassessment_due < today],
            "awaiting": CEActivity.objects.filter(program=program, status=CEStatus.SUBMITTED).count(),
        },
    )


def my_certificate_panel(request: ProgramRequest, program: Program, membership: Any) -> tuple[str, dict] | None:
    """Reminder on the home page from 90 days before expiry (and in the grace period)."""
    if not can(membership, "certification.own_credentials"):
        return None
    supporter = supporter_record_for(request, program)
    if supporter is None:
        return None
    data = queries.my_ce(supporter)
    certificate, result = data["certificate"], data["standing"]
    if certificate is None or result is None:
        return None
    if result.days_to_expiry > rules.REMINDER_DAYS[0] and result.standing != rules.Standing.LAPSED:
        return None
    return ("certification/_panel_my_certificate.html", {"certificate": certificate, "standing": result})


def outcome_section(request: ProgramRequest, program: Program, supporter: Supporter) -> tuple[str, dict] | None:
    assessment = queries.latest_decided(supporter)
    if assessment is None:
        return None
    return (
        "certification/_section_outcome.html",
        {"assessment": assessment, "today": timezone.localdate(), "top": True},
    )


def credentials_section(request: ProgramRequest, program: Program, supporter: Supporter) -> tuple[str, dict] | None:
    data = queries.my_ce(supporter)
    if data["certificate"] is None and not data["activities"]:
        return None
    data["today"] = timezone.localdate()
    data["soon"] = data["today"] + dt.timedelta(days=rules.REMINDER_DAYS[0])
    data["top"] = True
    return ("certification/_section_credentials.html", data)
