"""Training outcomes and competency gaps against hand-counted cohorts and assessments."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from peerpath.certification.models import Assessment, AssessmentKind, AssessmentStatus, CompetencyRating, Level
from peerpath.recruitment.models import Stage
from peerpath.reports.library import CompetencyGaps, TrainingOutcomes
from peerpath.training.models import (
    Attendance,
    Cohort,
    Enrolment,
    EnrolmentStatus,
    SessionKind,
    TrainingSession,
)
from tests.factories import SupporterFactory
from tests.reports.helpers import PERIOD, days_ago, moment

pytestmark = pytest.mark.django_db


def make_cohort(program: Any, name: str, starts: int, ends: int) -> Cohort:
    return Cohort.objects.create(program=program, name=name, starts_on=days_ago(starts), ends_on=days_ago(ends))


def session(cohort: Cohort, days: int, **extra: Any) -> TrainingSession:
    start = moment(days, 18)
    return TrainingSession.objects.create(
        program=cohort.program,
        cohort=cohort,
        title=f"Session {days}",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        **extra,
    )


def enrol(cohort: Cohort, status: str = EnrolmentStatus.ENROLLED) -> tuple[Any, Enrolment]:
    person = SupporterFactory(program=cohort.program, stage=Stage.IN_TRAINING)
    return person, Enrolment.objects.create(program=cohort.program, cohort=cohort, supporter=person, status=status)


def assess(enrolment: Enrolment, outcome: str, days: int = 5, **extra: Any) -> Assessment:
    decided = extra.pop("status", AssessmentStatus.DECIDED) == AssessmentStatus.DECIDED
    return Assessment.objects.create(
        program=enrolment.program,
        supporter=enrolment.supporter,
        cohort=enrolment.cohort,
        enrolment=enrolment,
        status=AssessmentStatus.DECIDED if decided else AssessmentStatus.DRAFT,
        outcome=outcome if decided else "",
        decided_at=moment(days) if decided else None,
        **extra,
    )


def mark(person: Any, sessions: list[TrainingSession], statuses: list[str]) -> None:
    for s, status in zip(sessions, statuses, strict=True):
        Attendance.objects.create(session=s, supporter=person, status=status)


def test_training_outcomes_per_cohort(world: Any) -> None:
    course = make_cohort(world.program, "Spring course", starts=30, ends=-30)
    make_cohort(world.program, "Old course", starts=300, ends=200)  # ended before the period
    make_cohort(world.other_program, "Harbor course", starts=30, ends=-30)  # another program
    s1, s2, s3 = session(course, 21), session(course, 14), session(course, 7)
    session(course, -7)  # not held yet
    cancelled = session(course, 10, is_cancelled=True)
    makeup = session(course, 12, kind=SessionKind.MAKE_UP, makeup_for=s2)
    t1, e1 = enrol(course, EnrolmentStatus.COMPLETED)
    t2, e2 = enrol(course)
    t3, _e3 = enrol(course, EnrolmentStatus.WITHDRAWN)
    _t4, e4 = enrol(course, EnrolmentStatus.COMPLETED)
    mark(t1, [s1, s2, s3, cancelled], ["present", "present", "late", "present"])  # 3 of 3
    mark(t2, [s1, s2, makeup, s3], ["present", "absent", "present", "absent"])  # 2 of 3 (a make-up)
    mark(t3, [s1], ["present"])  # withdrew: left out
    assess(e1, "certified")
    assess(e2, "provisional")
    assess(e4, "not_graduated")
    assess(e2, "certified", kind=AssessmentKind.REASSESSMENT)  # later reassessment: not the course outcome
    _t5, e5 = enrol(course)
    assess(e5, "", status=AssessmentStatus.DRAFT)  # still in progress

    rows = TrainingOutcomes().rows(world.program, PERIOD)
    assert len(rows) == 1
    row = rows[0]
    assert row["cohort"] == "Spring course"
    assert (row["enrolled"], row["withdrawn"], row["completed"]) == (5, 1, 2)
    assert (row["certified"], row["provisional"], row["not_graduated"]) == (1, 1, 1)
    # Roster of 4 (t1, t2, t4, t5) x 3 held sessions = 12; attended 3 + 2 = 5.
    assert row["attendance"] == 41.7
    assert "1 cohort with 5 trainees enrolled: 1 certified, 1 provisionally certified, 1 not graduated" in (
        TrainingOutcomes().summary(rows)
    )


def test_competencies_rated_below_competent(world: Any) -> None:
    course = make_cohort(world.program, "Spring course", starts=60, ends=10)
    c1, c2, c3 = world.program.competencies.order_by("number")[:3]
    _t1, e1 = enrol(course)
    _t2, e2 = enrol(course)
    _t3, e3 = enrol(course)

    def rate(assessment: Assessment, levels: dict[Any, str]) -> None:
        for competency, level in levels.items():
            CompetencyRating.objects.create(assessment=assessment, competency=competency, level=level)

    rate(assess(e1, "not_graduated"), {c1: Level.NOT_YET, c2: Level.DEVELOPING, c3: Level.COMPETENT})
    rate(assess(e2, "provisional"), {c1: Level.DEVELOPING, c2: Level.COMPETENT, c3: Level.STRONG})
    # A reassessment of the same trainee, still developing in c1: counted once.
    rate(assess(e2, "provisional", kind=AssessmentKind.REASSESSMENT), {c1: Level.DEVELOPING})
    rate(assess(e3, "not_graduated", days=200), {c3: Level.NOT_YET})  # decided before the period
    rate(assess(e3, "", status=AssessmentStatus.DRAFT), {c3: Level.NOT_YET})  # not decided
    other_course = make_cohort(world.other_program, "Harbor course", starts=60, ends=10)
    _o, eo = enrol(other_course)
    rate(assess(eo, "not_graduated"), {world.other_program.competencies.first(): Level.NOT_YET})

    rows = CompetencyGaps().rows(world.program, PERIOD)
    assert [r["competency"] for r in rows] == [f"{c.number}. {c.title}" for c in (c1, c2, c3)]
    assert [(r["rated"], r["not_yet"], r["developing"], r["below"]) for r in rows] == [
        (2, 1, 1, 2),
        (2, 0, 1, 1),
        (2, 0, 0, 0),
    ]
    assert rows[0]["below_percent"] == 100.0 and rows[2]["below_percent"] == 0.0
    assert CompetencyGaps().summary(rows).startswith("2 competencies had trainees rated below competent")
