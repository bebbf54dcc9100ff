"""Who may assess whom, and fetching certification records for a view; anything else is a 404."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from peerpath.certification.models import CEActivity, Certificate
from peerpath.core.permissions import Role, has_role
from peerpath.programs.models import Membership, Program
from peerpath.recruitment.models import Supporter
from peerpath.training.access import get_cohort
from peerpath.training.models import Cohort


def can_assess(membership: Membership | None, cohort: Cohort, trainee: Supporter) -> bool:
    """A trainer of the trainee's cohort assesses them; nobody assesses themselves."""
    if membership is None or not has_role(membership, Role.TRAINER) or cohort.program_id != membership.program_id:
        return False
    if trainee.user_id is not None and trainee.user_id == membership.user_id:
        return False
    return cohort.trainers.filter(pk=membership.user_id).exists()


def get_assessable(membership: Membership, cohort_pk: int, supporter_pk: int) -> tuple[Cohort, Supporter]:
    """A cohort the trainer teaches and one of its trainees who is not themselves."""
    cohort = get_cohort(membership, cohort_pk)
    trainee = get_object_or_404(
        Supporter.objects.filter(enrolments__cohort=cohort).distinct(), program=membership.program, pk=supporter_pk
    )
    if not can_assess(membership, cohort, trainee):
        raise Http404(_("No such trainee."))
    return cohort, trainee


def get_record_supporter(membership: Membership, pk: int) -> Supporter:
    """Coordinators open anyone's record; trainers the records of trainees in cohorts they teach."""
    people = Supporter.objects.filter(program=membership.program)
    if not has_role(membership, Role.COORDINATOR):
        people = people.filter(enrolments__cohort__trainers=membership.user_id).distinct()
    return get_object_or_404(people, pk=pk)


def get_certificate(program: Program, pk: int) -> Certificate:
    return get_object_or_404(Certificate.objects.select_related("supporter", "program"), program=program, pk=pk)


def own_certificate(supporter: Supporter, pk: int) -> Certificate:
    return get_object_or_404(Certificate.objects.select_related("supporter", "program"), supporter=supporter, pk=pk)


def get_ce_activity(program: Program, pk: int) -> CEActivity:
    return get_object_or_404(CEActivity.objects.select_related("supporter", "reviewed_by"), program=program, pk=pk)


def own_ce_activity(supporter: Supporter, pk: int) -> CEActivity:
    return get_object_or_404(CEActivity, supporter=supporter, pk=pk)
