"""Who may open which training records, and fetching them for a view; anything else is a 404."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from peerpath.core.models import User
from peerpath.core.permissions import Role, has_role
from peerpath.programs.models import Membership, Program
from peerpath.recruitment.models import Supporter
from peerpath.training.models import (
    CalendarFeed,
    Cohort,
    Enrolment,
    Module,
    SessionKind,
    Shadowing,
    Topic,
    TrainingSession,
)


def can_run_cohort(membership: Membership | None, cohort: Cohort | None) -> bool:
    """Coordinators run every cohort of their program; trainers only the cohorts they teach."""
    if membership is None or cohort is None or cohort.program_id != membership.program_id:
        return False
    if has_role(membership, Role.COORDINATOR):
        return True
    return has_role(membership, Role.TRAINER) and cohort.trainers.filter(pk=membership.user_id).exists()


def cohorts_visible_to(membership: Membership) -> QuerySet[Cohort]:
    """The cohorts a member may open: all for coordinators, the ones they teach for trainers."""
    cohorts = Cohort.objects.filter(program=membership.program)
    if has_role(membership, Role.COORDINATOR):
        return cohorts
    if has_role(membership, Role.TRAINER):
        return cohorts.filter(trainers=membership.user_id)
    return cohorts.none()


def get_module(program: Program, pk: int) -> Module:
    return get_object_or_404(Module, program=program, pk=pk)


def get_topic(program: Program, pk: int) -> Topic:
    return get_object_or_404(Topic, program=program, pk=pk)


def get_cohort(membership: Membership, pk: int) -> Cohort:
    """A cohort the member may open: any for coordinators, the ones they teach for trainers."""
    cohort: Cohort = get_object_or_404(cohorts_visible_to(membership).prefetch_related("trainers"), pk=pk)
    return cohort


def get_cohort_session(membership: Membership, pk: int) -> TrainingSession:
    session = get_object_or_404(
        TrainingSession.objects.select_related("cohort", "makeup_for").exclude(kind=SessionKind.REFRESHER),
        program=membership.program,
        pk=pk,
    )
    if session.cohort_id is None or not cohorts_visible_to(membership).filter(pk=session.cohort_id).exists():
        raise Http404(_("No such session."))
    return session


def get_refresher(program: Program, pk: int) -> TrainingSession:
    return get_object_or_404(TrainingSession, program=program, kind=SessionKind.REFRESHER, pk=pk)


def get_session(membership: Membership, pk: int) -> TrainingSession:
    """Any session the member may open (cohort sessions by cohort access, refresher events for
    coordinators and trainers)."""
    session = get_object_or_404(TrainingSession, program=membership.program, pk=pk)
    if session.kind == SessionKind.REFRESHER:
        if not has_role(membership, Role.COORDINATOR, Role.TRAINER):
            raise Http404(_("No such session."))
        return session
    return get_cohort_session(membership, pk)


def get_enrolment(membership: Membership, cohort: Cohort, pk: int) -> Enrolment:
    return get_object_or_404(Enrolment.objects.select_related("supporter"), cohort=cohort, pk=pk)


def get_trainee(cohort: Cohort, pk: int) -> Supporter:
    """A trainee enrolled in this cohort (any enrolment status)."""
    return get_object_or_404(Supporter, program=cohort.program, enrolments__cohort=cohort, pk=pk)


def own_enrolment_cohort(supporter: Supporter, pk: int) -> Cohort:
    return get_object_or_404(Cohort, program=supporter.program, enrolments__supporter=supporter, pk=pk)


def own_session(supporter: Supporter, pk: int) -> TrainingSession:
    return get_object_or_404(
        TrainingSession.objects.select_related("cohort"),
        program=supporter.program,
        cohort__enrolments__supporter=supporter,
        pk=pk,
    )


def shadowing_to_comment(program: Program, user: User, pk: int) -> Shadowing:
    """A shadowing in which this user was the experienced supporter."""
    return get_object_or_404(
        Shadowing.objects.select_related("trainee", "experienced_supporter"),
        program=program,
        experienced_supporter__user=user,
        pk=pk,
    )


def own_feed(program: Program, user: User, pk: int) -> CalendarFeed:
    return get_object_or_404(CalendarFeed, program=program, owner=user, revoked_at__isnull=True, pk=pk)
