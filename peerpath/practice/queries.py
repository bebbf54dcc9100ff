"""What the practice pages read: the library, a person's sessions and their trend, a transcript
with its feedback, and the sessions a reviewer looks after. Each in a fixed number of queries."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from peerpath.core.models import User
from peerpath.practice import conversation, fidelity
from peerpath.practice.codes import Code
from peerpath.practice.models import PracticeSession, Reply, ReplyComment, Scenario, SessionStatus
from peerpath.programs.models import Membership, Program
from peerpath.recruitment.models import Supporter

SUMMARY_MEASURES = ("rq", "complex", "open")


def library(program: Program) -> QuerySet[Scenario]:
    return Scenario.objects.filter(program=program, is_published=True).order_by("title", "pk")


def all_scenarios(program: Program) -> QuerySet[Scenario]:
    return (
        Scenario.objects.filter(program=program)
        .select_related("program")
        .annotate(
            step_count=Count("steps", distinct=True),
            played=Count("sessions", filter=Q(sessions__is_preview=False), distinct=True),
        )
    )


def own_sessions(program: Program, user: User) -> list[PracticeSession]:
    return list(
        PracticeSession.objects.filter(program=program, user=user, is_preview=False)
        .select_related("scenario", "program")
        .order_by("-started_at", "-pk")[:50]
    )


REVIEW_PAGE = 100


def sessions_to_review(reviewable: QuerySet[PracticeSession]) -> list[PracticeSession]:
    """The latest finished or stopped sessions a reviewer looks after (``access.reviewable_sessions``),
    with what the review page shows of each, in one query."""
    return list(
        reviewable.exclude(status=SessionStatus.IN_PROGRESS)
        .select_related("scenario", "supporter", "user", "program")
        .order_by("-started_at", "-pk")[:REVIEW_PAGE]
    )


def trend(sessions: list[PracticeSession]) -> list[dict[str, Any]]:
    """Finished sessions, oldest first, with their measures: the trend across sessions."""
    rows = []
    for session in sorted(
        (s for s in sessions if s.status == SessionStatus.FINISHED), key=lambda s: (s.started_at, s.pk)
    ):
        summary = session.summary or {}
        rows.append(
            {
                "session": session,
                "rq": summary.get("rq"),
                "complex_share": summary.get("complex_share"),
                "open_share": summary.get("open_share"),
                "advice": summary.get("advice_without_permission", 0),
                "rating": fidelity.RATING_LABELS.get(session.rating, ""),
                "rating_key": session.rating,
            }
        )
    return rows


def transcript(session: PracticeSession) -> list[dict[str, Any]]:
    """Each reply with its codes (named), the feedback beside it and its comments."""
    replies = (
        Reply.objects.filter(session=session)
        .select_related("step", "corrected_by")
        .prefetch_related(Prefetch("comments", queryset=ReplyComment.objects.select_related("author")))
        .order_by("position")
    )
    rows = []
    for reply in replies:
        final = reply.final_codes
        rows.append(
            {
                "reply": reply,
                "codes": [{"key": c, "label": Code(c).label} for c in final],
                "corrected": reply.corrected_codes is not None,
                "notes": conversation.feedback(reply.step, final),
            }
        )
    return rows


def summary_rows(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """The summary as lines to show: each measure, its value, its level and the thresholds."""
    levels = summary.get("levels", {})
    return [
        {
            "measure": "rq",
            "value": summary.get("rq"),
            "level": fidelity.level_label("rq", levels.get("rq")),
            "level_key": levels.get("rq"),
        },
        {
            "measure": "complex",
            "value": summary.get("complex_share"),
            "level": fidelity.level_label("complex", levels.get("complex")),
            "level_key": levels.get("complex"),
        },
        {
            "measure": "open",
            "value": summary.get("open_share"),
            "level": fidelity.level_label("open", levels.get("open")),
            "level_key": levels.get("open"),
        },
    ]


def evidence_by_competency(supporter: Supporter, viewer: Membership | None = None) -> dict[int, list[dict[str, str]]]:
    """training.extensions evidence source: the trainee's finished sessions attached as evidence,
    by competency, each a line for the competency record with a link to its transcript (the
    viewer is not consulted: the session page applies its own rule)."""
    from django.utils.formats import date_format
    from django.utils.translation import gettext

    sessions = (
        PracticeSession.objects.filter(supporter=supporter, evidence_at__isnull=False)
        .select_related("scenario", "program")
        .prefetch_related("competencies")
        .order_by("started_at", "pk")
    )
    found: dict[int, list[dict[str, str]]] = {}
    for session in sessions:
        label = gettext("Practice: %(title)s, %(date)s (%(rating)s)") % {
            "title": session.scenario.title,
            "date": date_format(session.started_at, "SHORT_DATE_FORMAT"),
            "rating": fidelity.RATING_LABELS.get(session.rating, ""),
        }
        for competency in session.competencies.all():
            found.setdefault(competency.pk, []).append({"label": label, "url": session.get_absolute_url()})
    return found
