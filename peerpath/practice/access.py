"""Who may see which practice session, and fetching records for a view; anything else is a 404.

Everyone sees their own sessions. Reviewers see the sessions of the people they look after
(never previews, which are a trainer trying a scenario): coordinators every trainee's and
supporter's, trainers those of trainees in the cohorts they teach, supervisors those of the
supporters they supervise. Scenarios belong to the program: every member plays the published
ones; coordinators and trainers write them.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from peerpath.core.models import User
from peerpath.core.permissions import Role, has_role
from peerpath.practice.models import PracticeSession, Reply, Scenario, Step
from peerpath.programs.models import Membership, Program


def reviewable_sessions(membership: Membership, user: User) -> QuerySet[PracticeSession]:
    """Other people's sessions this member reviews (see the module docstring)."""
    rows = PracticeSession.objects.filter(program_id=membership.program_id, is_preview=False).exclude(user=user)
    if has_role(membership, Role.COORDINATOR):
        return rows.filter(supporter__isnull=False)
    rule = Q(pk__in=[])
    if has_role(membership, Role.TRAINER):
        rule |= Q(supporter__enrolments__cohort__trainers=user)
    if has_role(membership, Role.SUPERVISOR):
        rule |= Q(supporter__supervisor=user)
    return rows.filter(pk__in=PracticeSession.objects.filter(rule).values("pk"))


def sessions_visible_to(membership: Membership, user: User) -> QuerySet[PracticeSession]:
    """One's own sessions and the ones one reviews."""
    return PracticeSession.objects.filter(program_id=membership.program_id).filter(
        Q(user=user) | Q(pk__in=reviewable_sessions(membership, user).values("pk"))
    )


def can_review(membership: Membership, user: User, session: PracticeSession) -> bool:
    return reviewable_sessions(membership, user).filter(pk=session.pk).exists()


def get_session(membership: Membership, user: User, pk: int) -> PracticeSession:
    session: PracticeSession = get_object_or_404(
        sessions_visible_to(membership, user).select_related("scenario", "current_step", "supporter", "user"), pk=pk
    )
    return session


def get_own_session(program: Program, user: User, pk: int) -> PracticeSession:
    session: PracticeSession = get_object_or_404(PracticeSession, program=program, user=user, pk=pk)
    return session


def get_reviewable_session(membership: Membership, user: User, pk: int) -> PracticeSession:
    session: PracticeSession = get_object_or_404(
        reviewable_sessions(membership, user).select_related("scenario", "supporter", "program"), pk=pk
    )
    return session


def get_reply(session: PracticeSession, pk: int) -> Reply:
    reply: Reply = get_object_or_404(Reply.objects.select_related("session__program"), session=session, pk=pk)
    return reply


def get_scenario(program: Program, pk: int) -> Scenario:
    """Any scenario of the program, for the people who write them."""
    scenario: Scenario = get_object_or_404(Scenario, program=program, pk=pk)
    return scenario


def get_playable_scenario(program: Program, pk: int) -> Scenario:
    scenario: Scenario = get_object_or_404(Scenario, program=program, is_published=True, pk=pk)
    return scenario


def get_step(scenario: Scenario, pk: int) -> Step:
    step: Step = get_object_or_404(Step, scenario=scenario, pk=pk)
    return step
