"""Training reports: each cohort's completion and outcomes, and the competencies trainees are
most often rated below competent in."""

from __future__ import annotations

from typing import Any

from django.db.models import CharField, Count, F, Q, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from peerpath.certification.models import (
    Assessment,
    AssessmentKind,
    AssessmentStatus,
    CompetencyRating,
    Level,
    Outcome,
)
from peerpath.reports.base import Chart, Column, Period, Report, percent, register
from peerpath.training.models import ATTENDED, Attendance, Cohort, EnrolmentStatus, SessionKind, TrainingSession
from peerpath.training.services import ON_ROSTER

BELOW_COMPETENT = (Level.NOT_YET, Level.DEVELOPING)


@register
class TrainingOutcomes(Report):
    slug = "training-outcomes"
    title = _("Training completion and outcomes")
    description = _(
        "Each cohort whose course ran during the period: trainees enrolled, who withdrew and who completed the "
        "course, the outcome of their end-of-training assessment, and attendance at the course sessions held so "
        "far (a make-up session counts for the session it replaces; withdrawn trainees are left out)."
    )
    columns = [
        Column("cohort", _("Cohort")),
        Column("starts_on", _("Starts"), "date"),
        Column("enrolled", _("Enrolled"), "int"),
        Column("withdrawn", _("Withdrew"), "int"),
        Column("completed", _("Completed"), "int"),
        Column("certified", _("Certified"), "int"),
        Column("provisional", _("Provisionally certified"), "int"),
        Column("not_graduated", _("Not graduated"), "int"),
        Column("attendance", _("Attendance (%)"), "percent"),
    ]
    chart = Chart("bar", "cohort", ("enrolled", "completed", "certified", "provisional", "not_graduated"))
    order = 20

    def rows(self, program: Any, period: Period) -> list[dict[str, Any]]:
        now = timezone.now()
        cohorts = list(
            Cohort.objects.filter(program=program, starts_on__lte=period.end, ends_on__gte=period.start)
            .order_by("starts_on", "id")
            .values("id", "name", "starts_on")
            .annotate(
                enrolled=Count("enrolments"),
                withdrawn=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.WITHDRAWN)),
                completed=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.COMPLETED)),
                on_roster=Count("enrolments", filter=Q(enrolments__status__in=ON_ROSTER)),
            )
        )
        ids = [c["id"] for c in cohorts]
        outcomes: dict[tuple[int, str], int] = {
            (row["cohort_id"], row["outcome"]): row["n"]
            for row in Assessment.objects.filter(
                program=program, cohort_id__in=ids, kind=AssessmentKind.INITIAL, status=AssessmentStatus.DECIDED
            )
            .values("cohort_id", "outcome")
            .annotate(n=Count("supporter_id", distinct=True))
        }
        held = dict(
            TrainingSession.objects.filter(
                cohort_id__in=ids, kind=SessionKind.REGULAR, is_cancelled=False, starts_at__lte=now
            )
            .values_list("cohort_id")
            .annotate(n=Count("id"))
            .values_list("cohort_id", "n")
        )
        # Attended (trainee, course session) pairs: present or late at the session itself or at a
        # make-up for it, counted once, for trainees still on the cohort's roster.
        attended = dict(
            Attendance.objects.filter(
                session__cohort_id__in=ids,
                status__in=ATTENDED,
                session__is_cancelled=False,
                supporter__enrolments__cohort=F("session__cohort"),
                supporter__enrolments__status__in=ON_ROSTER,
            )
            .filter(
                Q(session__kind=SessionKind.REGULAR, session__starts_at__lte=now)
                | Q(
                    session__kind=SessionKind.MAKE_UP,
                    session__makeup_for__kind=SessionKind.REGULAR,
                    session__makeup_for__is_cancelled=False,
                    session__makeup_for__starts_at__lte=now,
                )
            )
            .annotate(
                pair=Concat(
                    Cast("supporter_id", CharField()),
                    Value(":"),
                    Cast(Coalesce("session__makeup_for_id", "session_id"), CharField()),
                    output_field=CharField(),
                )
            )
            .values_list("session__cohort_id")
            .annotate(n=Count("pair", distinct=True))
            .values_list("session__cohort_id", "n")
        )
        return [
            {
                "cohort": c["name"],
                "starts_on": c["starts_on"],
                "enrolled": c["enrolled"],
                "withdrawn": c["withdrawn"],
                "completed": c["completed"],
                "certified": outcomes.get((c["id"], Outcome.CERTIFIED), 0),
                "provisional": outcomes.get((c["id"], Outcome.PROVISIONAL), 0),
                "not_graduated": outcomes.get((c["id"], Outcome.NOT_GRADUATED), 0),
                "attendance": percent(attended.get(c["id"], 0), held.get(c["id"], 0) * c["on_roster"]),
            }
            for c in cohorts
        ]

    def summary(self, rows: list[dict[str, Any]]) -> str:
        if not rows:
            return gettext("No cohort's course ran in the period.")
        enrolled = sum(r["enrolled"] for r in rows)
        cohorts = ngettext("%(n)s cohort", "%(n)s cohorts", len(rows)) % {"n": len(rows)}
        return ngettext(
            "%(cohorts)s with %(enrolled)s trainee enrolled: %(certified)s certified, %(provisional)s "
            "provisionally certified, %(not_graduated)s not graduated.",
            "%(cohorts)s with %(enrolled)s trainees enrolled: %(certified)s certified, %(provisional)s "
            "provisionally certified, %(not_graduated)s not graduated.",
            enrolled,
        ) % {
            "cohorts": cohorts,
            "enrolled": enrolled,
            "certified": sum(r["certified"] for r in rows),
            "provisional": sum(r["provisional"] for r in rows),
            "not_graduated": sum(r["not_graduated"] for r in rows),
        }


@register
class CompetencyGaps(Report):
    slug = "competency-gaps"
    title = _("Competencies most often rated below competent")
    description = _(
        "In the assessments trainers decided during the period: for each competency, how many trainees were rated "
        "'not yet' or 'developing' (a trainee assessed twice counts once), most often first."
    )
    columns = [
        Column("competency", _("Competency")),
        Column("rated", _("Trainees rated"), "int"),
        Column("not_yet", _("Not yet"), "int"),
        Column("developing", _("Developing"), "int"),
        Column("below", _("Below competent"), "int"),
        Column("below_percent", _("Below competent (%)"), "percent"),
    ]
    chart = Chart("bar", "competency", ("not_yet", "developing"), stacked=True, horizontal=True)
    order = 30

    def rows(self, program: Any, period: Period) -> list[dict[str, Any]]:
        trainee = "assessment__supporter_id"
        found = (
            CompetencyRating.objects.filter(
                assessment__program=program,
                assessment__status=AssessmentStatus.DECIDED,
                assessment__decided_at__gte=period.start_at,
                assessment__decided_at__lt=period.end_at,
            )
            .values("competency_id", "competency__number", "competency__title")
            .annotate(
                rated=Count(trainee, distinct=True),
                not_yet=Count(trainee, distinct=True, filter=Q(level=Level.NOT_YET)),
                developing=Count(trainee, distinct=True, filter=Q(level=Level.DEVELOPING)),
                below=Count(trainee, distinct=True, filter=Q(level__in=BELOW_COMPETENT)),
            )
            .order_by("-below", "competency__number")
        )
        return [
            {
                "competency": f"{row['competency__number']}. {row['competency__title']}",
                "rated": row["rated"],
                "not_yet": row["not_yet"],
                "developing": row["developing"],
                "below": row["below"],
                "below_percent": percent(row["below"], row["rated"]),
            }
            for row in found
        ]

    def summary(self, rows: list[dict[str, Any]]) -> str:
        gaps = [r for r in rows if r["below"]]
        if not gaps:
            return gettext("No trainee was rated below competent in an assessment decided in the period.")
        top = gaps[0]
        return ngettext(
            "%(n)s competency had trainees rated below competent; most often %(top)s (%(below)s of %(rated)s "
            "trainees).",
            "%(n)s competencies had trainees rated below competent; most often %(top)s (%(below)s of %(rated)s "
            "trainees).",
            len(gaps),
        ) % {"n": len(gaps), "top": top["competency"], "below": top["below"], "rated": top["rated"]}
