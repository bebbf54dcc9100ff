"""Queries that build certification pages and that other areas read. Each runs a fixed number
of SQL statements whatever the number of supporters, certificates or activities."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from peerpath.certification import rules
from peerpath.certification.models import (
    Assessment,
    AssessmentStatus,
    CEActivity,
    Certificate,
    CERule,
    CEStatus,
    CompetencyRating,
    Outcome,
)
from peerpath.certification.services import current_rule, get_settings, rule_specs
from peerpath.core.permissions import Role, has_role
from peerpath.programs.models import Competency, Membership, Program
from peerpath.recruitment.models import Supporter
from peerpath.training.models import CESubject
from peerpath.training.queries import evidence_by_competency


def credential_standing(program: Program, supporter_ids: Iterable[int]) -> dict[int, str]:
    """For each supporter id: 'certified' (a certificate that is not revoked and not past its
    expiry), 'provisional' (their latest decided assessment is provisional and its reassessment
    deadline has not passed), or '' (none, expired, revoked, lapsed). Two queries."""
    ids = list(supporter_ids)
    today = timezone.localdate()
    result = dict.fromkeys(ids, "")
    certified = set(
        Certificate.objects.filter(
            program=program, supporter_id__in=ids, revoked_at__isnull=True, expires_on__gte=today
        ).values_list("supporter_id", flat=True)
    )
    latest: dict[int, tuple[str, dt.date | None]] = {}
    for supporter_id, outcome, due in (
        Assessment.objects.filter(program=program, supporter_id__in=ids, status=AssessmentStatus.DECIDED)
        .order_by("supporter_id", "-decided_at", "-id")
        .values_list("supporter_id", "outcome", "reassessment_due")
    ):
        latest.setdefault(supporter_id, (outcome, due))
    for supporter_id in ids:
        if supporter_id in certified:
            result[supporter_id] = "certified"
            continue
        outcome, due = latest.get(supporter_id, ("", None))
        if outcome == Outcome.PROVISIONAL and due is not None and due >= today:
            result[supporter_id] = "provisional"
    return result


def current_certificates(program: Program, supporter_ids: Iterable[int] | None = None) -> dict[int, Certificate]:
    """Each supporter's newest certificate that is not revoked (it may have expired)."""
    rows = Certificate.objects.filter(program=program, revoked_at__isnull=True).select_related("supporter")
    if supporter_ids is not None:
        rows = rows.filter(supporter_id__in=list(supporter_ids))
    found: dict[int, Certificate] = {}
    for certificate in rows.order_by("supporter_id", "-expires_on"):
        found.setdefault(certificate.supporter_id, certificate)
    return found


def standings(
    program: Program, certificates: Iterable[Certificate], today: dt.date | None = None
) -> dict[int, rules.StandingResult]:
    """The CE standing of each certificate (by certificate id): one query for the activities."""
    today = today or timezone.localdate()
    certificates = list(certificates)
    specs = certificate_rules(program, certificates)
    by_supporter: dict[int, list[CEActivity]] = defaultdict(list)
    for activity in CEActivity.objects.filter(
        supporter_id__in=[c.supporter_id for c in certificates], status=CEStatus.APPROVED
    ):
        by_supporter[activity.supporter_id].append(activity)
    return {
        c.pk: rules.standing(
            by_supporter[c.supporter_id],
            cycle_start=c.cycle_started_on,
            expires_on=c.expires_on,
            today=today,
            rule=specs[c.pk],
        )
        for c in certificates
    }


def certificate_rules(program: Program, certificates: Iterable[Certificate]) -> dict[int, rules.RuleSpec]:
    """The rule each certificate's current cycle runs under (by certificate id): two queries."""
    certificates = list(certificates)
    current = current_rule(program)
    others = {c.ce_rule_id for c in certificates if c.ce_rule_id and c.ce_rule_id != current.pk}
    by_id = {r.pk: r for r in CERule.objects.filter(pk__in=others)} if others else {}
    by_id[current.pk] = current
    specs = rule_specs(list(by_id.values()))
    return {c.pk: specs[c.ce_rule_id or current.pk] for c in certificates}


def name_subjects(program: Program, activities: Iterable[CEActivity]) -> None:
    """Set each activity's subject name for display (one query)."""
    names = dict(CESubject.objects.filter(program=program).values_list("key", "name"))
    for activity in activities:
        activity.subject_name = names.get(activity.category, activity.category)  # type: ignore[attr-defined]


def certificates_expiring(
    program: Program, today: dt.date, within_days: int
) -> list[tuple[Certificate, rules.StandingResult]]:
    """Certificates not revoked, not yet expired, expiring within `within_days`, soonest first."""
    rows = list(
        Certificate.objects.filter(
            program=program,
            revoked_at__isnull=True,
            expires_on__gte=today,
            expires_on__lte=today + dt.timedelta(days=within_days),
        )
        .select_related("supporter")
        .order_by("expires_on")
    )
    found = standings(program, rows, today)
    return [(c, found[c.pk]) for c in rows]


def overview(program: Program, today: dt.date | None = None) -> dict[str, Any]:
    """The coordinator's certification overview: expiring soon, in grace, lapsed, at risk,
    requirements met (renewal due), provisional deadlines (passed ones first), CE awaiting
    approval. A fixed number of queries."""
    today = today or timezone.localdate()
    settings = get_settings(program)
    certificates = list(current_certificates(program).values())
    found = standings(program, certificates, today)
    rows = sorted(((c, found[c.pk]) for c in certificates), key=lambda pair: pair[0].expires_on)
    expiring = [(c, s) for c, s in rows if 0 <= s.days_to_expiry <= rules.REMINDER_DAYS[0]]
    in_grace = [(c, s) for c, s in rows if s.days_to_expiry < 0 and s.standing != rules.Standing.LAPSED]
    lapsed = [(c, s) for c, s in rows if s.standing == rules.Standing.LAPSED]
    at_risk = [(c, s) for c, s in rows if s.standing == rules.Standing.AT_RISK]
    met = [(c, s) for c, s in rows if s.standing == rules.Standing.MET]
    provisional = provisional_deadlines(program)
    awaiting = list(
        CEActivity.objects.filter(program=program, status=CEStatus.SUBMITTED)
        .select_related("supporter")
        .order_by("created_at")
    )
    name_subjects(program, awaiting)
    return {
        "settings": settings,
        "rule": current_rule(program),
        "today": today,
        "expiring": expiring,
        "in_grace": in_grace,
        "lapsed": lapsed,
        "at_risk": at_risk,
        "met": met,
        "provisional": provisional,
        "provisional_overdue": [
            a for a in provisional if a.reassessment_due is not None and a.reassessment_due < today
        ],
        "awaiting": awaiting,
        "counts": {
            "valid": sum(1 for c, _s in rows if c.expires_on >= today),
            "certificates": len(rows),
        },
        "recent_revoked": list(
            Certificate.objects.filter(program=program, revoked_at__isnull=False)
            .select_related("supporter")
            .order_by("-revoked_at")[:10]
        ),
    }


def provisional_deadlines(program: Program) -> list[Assessment]:
    """People still provisionally certified, with their reassessment deadline, earliest first
    (deadlines that have passed come first, as they are earliest)."""
    decided = (
        Assessment.objects.filter(
            program=program,
            status=AssessmentStatus.DECIDED,
            outcome=Outcome.PROVISIONAL,
            supporter__stage="provisional",
        )
        .select_related("supporter", "cohort", "assessor")
        .order_by("supporter_id", "-decided_at")
    )
    latest: dict[int, Assessment] = {}
    for assessment in decided:
        latest.setdefault(assessment.supporter_id, assessment)
    return sorted(latest.values(), key=lambda a: a.reassessment_due or dt.date.max)


def assessment_status(program: Program, cohort: Any, supporter_ids: Iterable[int], membership: Any) -> dict[int, dict]:
    """Roster column: each trainee's assessment in this cohort (two queries)."""
    ids = list(supporter_ids)
    latest: dict[int, Assessment] = {}
    for found in Assessment.objects.filter(cohort=cohort, supporter_id__in=ids).order_by("-created_at", "-id"):
        latest.setdefault(found.supporter_id, found)
    stages = dict(Supporter.objects.filter(pk__in=ids).values_list("pk", "stage"))
    is_trainer = has_role(membership, Role.TRAINER)
    result = {}
    for supporter_id in ids:
        assess_url = reverse("certification:assess", args=[program.slug, cohort.pk, supporter_id])
        record_url = reverse("certification:record", args=[program.slug, supporter_id])
        assessment = latest.get(supporter_id)
        stage = stages.get(supporter_id)
        can_assess_now = is_trainer and stage in ("in_training", "provisional")
        if assessment is None:
            label, tone = (str(_("Not assessed")), "") if stage == "in_training" else ("—", "")
            url = assess_url if can_assess_now else record_url
        elif assessment.status == AssessmentStatus.DRAFT:
            label, tone, url = "Assessment in progress", "warn", assess_url if is_trainer else record_url
        else:
            label = str(Outcome(assessment.outcome).label)
            tone = {"certified": "ok", "provisional": "warn", "not_graduated": "bad"}[assessment.outcome]
            if assessment.outcome == Outcome.PROVISIONAL and stage == "provisional" and assessment.reassessment_due:
                label += str(
                    _(", reassess by %(date)s")
                    % {"date": date_format(assessment.reassessment_due, "SHORT_DATE_FORMAT")}
                )
                if assessment.reassessment_due < timezone.localdate():
                    tone = "bad"
            url = assess_url if can_assess_now else record_url
        result[supporter_id] = {"label": label, "tone": tone, "url": url}
    return result


def competency_record(supporter: Supporter, viewer: Membership | None = None) -> dict[str, Any]:
    """A trainee's competency record: per competency the latest rating and the evidence (linked
    where the viewer may open it)."""
    competencies = list(Competency.objects.filter(program=supporter.program, is_active=True).order_by("number"))
    assessments = list(
        Assessment.objects.filter(supporter=supporter)
        .select_related("assessor", "cohort")
        .order_by("-created_at", "-id")
    )
    ratings: dict[int, CompetencyRating] = {}
    if assessments:
        for rating in CompetencyRating.objects.filter(assessment__supporter=supporter).order_by(
            "-assessment__created_at", "-assessment_id"
        ):
            ratings.setdefault(rating.competency_id, rating)
    evidence = evidence_by_competency(supporter, viewer)
    rows = [
        {
            "competency": c,
            "rating": ratings.get(c.pk),
            "role_plays": evidence.get(c.pk, {}).get("role_plays", []),
            "shadowings": evidence.get(c.pk, {}).get("shadowings", []),
            "other": evidence.get(c.pk, {}).get("other", []),
        }
        for c in competencies
    ]
    return {"rows": rows, "assessments": assessments}


def my_ce(supporter: Supporter, today: dt.date | None = None) -> dict[str, Any]:
    today = today or timezone.localdate()
    certificate = (
        Certificate.objects.filter(supporter=supporter, revoked_at__isnull=True).order_by("-expires_on").first()
    )
    activities = list(CEActivity.objects.filter(supporter=supporter).order_by("-date", "-id"))
    name_subjects(supporter.program, activities)
    result = None
    if certificate is not None:
        result = rules.standing(
            [a for a in activities if a.status == CEStatus.APPROVED],
            cycle_start=certificate.cycle_started_on,
            expires_on=certificate.expires_on,
            today=today,
            rule=certificate_rules(supporter.program, [certificate])[certificate.pk],
        )
    counted = {a.pk for a in result.tally.counted} if result else set()
    repeats = {a.pk for a in result.tally.repeats} if result else set()
    over_cap = {a.pk for a in result.tally.over_cap} if result else set()
    return {
        "over_cap_ids": over_cap,
        "counted_hours": result.tally.counted_hours if result else {},
        "certificate": certificate,
        "standing": result,
        "activities": activities,
        "counted_ids": counted,
        "repeat_ids": repeats,
    }


def latest_decided(supporter: Supporter) -> Assessment | None:
    return (
        Assessment.objects.filter(supporter=supporter, status=AssessmentStatus.DECIDED)
        .select_related("assessor")
        .order_by("-decided_at", "-id")
        .first()
    )


def supporters_with_credentials(program: Program, q: str = "") -> list[Certificate]:
    rows = Certificate.objects.filter(program=program).select_related("supporter").order_by("supporter__full_name")
    if q:
        rows = rows.filter(Q(holder_name__icontains=q) | Q(identifier__icontains=q.strip().upper()))
    return list(rows)


def ce_rule_versions(program: Program) -> list[CERule]:
    """The program's rule versions, newest first, each with how many certificates' current
    cycles run under it (``in_use``)."""
    return list(
        CERule.objects.filter(program=program)
        .annotate(in_use=Count("certificates", filter=Q(certificates__revoked_at__isnull=True)))
        .order_by("-created_at", "-id")
    )
