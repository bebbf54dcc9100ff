"""Demo certification data: assessments for last year's cohort (certified, provisional with a
passed deadline, not graduated), certificates for the certified and active supporters at every
point of the renewal cycle, and continuing-education activities (approved, awaiting approval,
returned). Idempotent: nothing is added once certificates exist."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from peerpath.certification import services
from peerpath.certification.models import (
    Assessment,
    AssessmentKind,
    AssessmentStatus,
    CEActivity,
    CEActivityChange,
    Certificate,
    CEStatus,
    CompetencyRating,
    DeliveryMode,
    Level,
    NextStep,
    Outcome,
)
from peerpath.programs.models import Program
from peerpath.recruitment.models import Supporter
from peerpath.training.demo import FINISHED
from peerpath.training.models import Cohort, Enrolment

# e-mail local part -> (days since issue, approved CE: [(title, provider, hours, category, days ago)])
CERTIFIED: dict[str, tuple[int, list[tuple[str, str, str, str, int]]]] = {
    "supporter": (
        400,
        [
            ("Ethics for peer workers", "State Peer Network", "4", "ethics", 300),
            ("Trauma-informed care basics", "County Health", "6", "general", 200),
            ("Facilitating support groups", "State Peer Network", "2", "peer-specific", 90),
        ],
    ),
    "uma": (
        660,
        [
            ("Confidentiality refresher", "County Health", "3", "ethics", 500),
            ("Suicide prevention gatekeeper training", "Crisis Line", "4", "peer-specific", 400),
        ],
    ),
    "victor": (
        560,
        [
            ("Ethics for peer workers", "State Peer Network", "6", "ethics", 400),
            ("Co-occurring conditions", "County Health", "8", "general", 300),
            ("Motivational interviewing, level 2", "MI Institute", "7", "peer-specific", 200),
            ("Ethics for peer workers", "State Peer Network", "6", "ethics", 100),
        ],
    ),
    "tomas": (180, [("Cultural humility workshop", "Riverside Library", "3", "cultural-competence", 60)]),
    "wendy": (930, [("Self-care for helpers", "County Health", "2", "general", 700)]),
    "xavier": (760, [("Ethics for peer workers", "State Peer Network", "6", "ethics", 500)]),
}


def load(program: Program, people: dict[str, Any]) -> None:
    if Certificate.objects.filter(program=program).exists():
        return
    coordinator = people["coordinator"]
    trainer = people["logins"]["trainer"]
    supporters: dict[str, Supporter] = people["supporters"]
    for s in supporters.values():
        s.refresh_from_db()
    today = timezone.localdate()
    cohort = Cohort.objects.filter(program=program, name=FINISHED).first()
    if cohort is not None:
        _assessments(program, cohort, trainer, supporters, today)
    for key, (days_ago, activities) in CERTIFIED.items():
        person = supporters[key]
        services.issue_certificate(actor=coordinator, supporter=person, issued_on=today - dt.timedelta(days=days_ago))
        for title, provider, hours, category, ago in activities:
            _approved(
                program,
                person,
                coordinator,
                title=title,
                provider=provider,
                hours=hours,
                category=category,
                days_ago=ago,
            )
    # Self-study counts too, within the rule's cap on self-paced hours.
    _approved(
        program,
        supporters["supporter"],
        coordinator,
        title="Reading: the ethics of self-disclosure",
        provider="Peer Network online library",
        hours="2",
        category="ethics",
        days_ago=60,
        delivery=DeliveryMode.SELF_PACED,
    )
    # A rule change, as a board's renewal rule changes: two subject minimums (ethics and
    # confidentiality), a live minimum and a cap on self-study. The certificates above keep the
    # rule their cycle started under; each takes the new one from its next cycle.
    services.apply_ce_preset(actor=coordinator, program=program, key="two-minimums-30")
    # Refresher hours credited before the certificates existed count now.
    # Awaiting approval, with evidence; and one returned for a fix.
    uma, priya = supporters["uma"], supporters["supporter"]
    assert uma.user is not None and priya.user is not None  # demo supporters have accounts
    services.log_ce_activity(
        actor=uma.user,
        supporter=uma,
        date=today - dt.timedelta(days=14),
        title="Ethics in small communities",
        provider="State Peer Network",
        hours="3",
        category="ethics",
        evidence=ContentFile(b"Certificate of attendance: Uma Iyer, 3 hours.\n", name="attendance-certificate.txt"),
    )
    returned = services.log_ce_activity(
        actor=priya.user,
        supporter=priya,
        date=today - dt.timedelta(days=30),
        title="Webinar on grief",
        provider="",
        hours="1",
        category="peer-specific",
    )
    services.review_ce_activity(
        actor=coordinator,
        activity=returned,
        approve=False,
        comment="Please add the provider and attach the attendance e-mail.",
    )


def _approved(
    program: Program,
    person: Supporter,
    coordinator: Any,
    *,
    title: str,
    provider: str,
    hours: str,
    category: str,
    days_ago: int,
    delivery: str = DeliveryMode.LIVE,
) -> CEActivity:
    activity = CEActivity.objects.create(
        program=program,
        supporter=person,
        date=timezone.localdate() - dt.timedelta(days=days_ago),
        title=title,
        provider=provider,
        hours=Decimal(hours),
        category=category,
        delivery=delivery,
        status=CEStatus.APPROVED,
        reviewed_by=coordinator,
        reviewed_at=timezone.now(),
        created_by=person.user,
    )
    CEActivityChange.objects.create(activity=activity, to_status=CEStatus.SUBMITTED, actor=person.user)
    CEActivityChange.objects.create(
        activity=activity, from_status=CEStatus.SUBMITTED, to_status=CEStatus.APPROVED, actor=coordinator
    )
    return activity


def _assessments(
    program: Program, cohort: Cohort, trainer: Any, supporters: dict[str, Supporter], today: dt.date
) -> None:
    competencies = list(program.competencies.filter(is_active=True).order_by("number"))
    plans: dict[str, tuple[Outcome, list[Level], dict[str, Any]]] = {
        "quinn": (Outcome.CERTIFIED, [Level.COMPETENT] * 7 + [Level.STRONG] * 3, {}),
        "rosa": (
            Outcome.PROVISIONAL,
            [Level.COMPETENT] * 8 + [Level.DEVELOPING] * 2,
            {
                "plan_what": "Practise ending support relationships and managing a crisis call, in two role plays.",
                "plan_who": "Theo Park, with Priya Shah as a mentor",
                "reassessment_due": today - dt.timedelta(days=5),
            },
        ),
        "sanjay": (
            Outcome.NOT_GRADUATED,
            [Level.DEVELOPING] * 6 + [Level.NOT_YET] * 2 + [Level.COMPETENT] * 2,
            {"next_step": NextStep.REPEAT_COURSE, "next_step_note": "Welcome to join the next course in autumn."},
        ),
    }
    decided_at = timezone.now() - dt.timedelta(days=120)
    for key, (outcome, levels, extra) in plans.items():
        person = supporters[key]
        enrolment = Enrolment.objects.get(cohort=cohort, supporter=person)
        assessment = Assessment.objects.create(
            program=program,
            supporter=person,
            cohort=cohort,
            enrolment=enrolment,
            kind=AssessmentKind.INITIAL,
            status=AssessmentStatus.DECIDED,
            assessor=trainer,
            computed_outcome=outcome,
            outcome=outcome,
            attendance_attended=10 if key != "sanjay" else 6,
            attendance_held=10,
            decided_at=decided_at,
            **extra,
        )
        CompetencyRating.objects.bulk_create(
            CompetencyRating(assessment=assessment, competency=c, level=level, evidence_notes="")
            for c, level in zip(competencies, levels, strict=False)
        )
        if outcome == Outcome.CERTIFIED:
            services.issue_certificate(
                actor=trainer, supporter=person, assessment=assessment, issued_on=decided_at.date()
            )
