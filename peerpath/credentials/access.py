"""Who sees which qualification records: coordinators every one of their program's; a supporter
their own; and the learning modules and learners' progress (below). Views fetch through these
(404 for anything else)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from peerpath.core.permissions import Role, has_role
from peerpath.credentials.models import (
    LearningMaterial,
    LearningModule,
    Qualification,
    QualificationType,
    QuizQuestion,
)
from peerpath.credentials.queries import WORKING_STAGES
from peerpath.programs.models import Membership, Program
from peerpath.recruitment.models import Supporter
from peerpath.training.access import cohorts_visible_to
from peerpath.training.models import Enrolment


def get_type(program: Program, pk: int) -> QualificationType:
    return get_object_or_404(QualificationType, program=program, pk=pk)


def get_record(program: Program, pk: int) -> Qualification:
    return get_object_or_404(Qualification.objects.select_related("supporter", "qtype"), program=program, pk=pk)


def get_supporter(program: Program, pk: int) -> Supporter:
    return get_object_or_404(Supporter, program=program, pk=pk)


def get_agreement(program: Program, pk: int) -> QualificationType:
    return get_object_or_404(QualificationType, program=program, pk=pk, kind="agreement", is_active=True)


# --- Self-paced learning -----------------------------------------------------------------------
# Trainers and coordinators write every module of their program; a supporter (trainee or at work)
# opens only published ones. Whose learning progress a member sees: coordinators everyone in
# training or at work, trainers the trainees of the cohorts they teach (as with every other
# training record).


def get_module(program: Program, pk: int) -> LearningModule:
    return get_object_or_404(LearningModule, program=program, pk=pk)


def get_published_module(program: Program, pk: int) -> LearningModule:
    return get_object_or_404(LearningModule, program=program, pk=pk, is_published=True)


def get_material(program: Program, pk: int, *, published_only: bool) -> LearningMaterial:
    found = LearningMaterial.objects.select_related("module").filter(module__program=program, pk=pk)
    if published_only:
        found = found.filter(module__is_published=True)
    return get_object_or_404(found)


def get_question(module: LearningModule, pk: int) -> QuizQuestion:
    return get_object_or_404(QuizQuestion, module=module, pk=pk)


def learner_records_open_to(membership: Membership) -> QuerySet[Supporter]:
    """Whose learning record (a person's learning progress page) a member may open: the same
    people whose competency record they may open, where completed modules show as evidence.
    Coordinators anyone of their program; trainers the trainees of the cohorts they teach in it
    (whatever their stage or enrolment status); nobody else."""
    program = membership.program
    if has_role(membership, Role.COORDINATOR):
        return Supporter.objects.filter(program=program)
    if has_role(membership, Role.TRAINER):
        return Supporter.objects.filter(
            program=program,
            pk__in=Enrolment.objects.filter(cohort__in=cohorts_visible_to(membership)).values("supporter_id"),
        )
    return Supporter.objects.none()


def may_see_learner(membership: Membership, supporter: Supporter) -> bool:
    """Whether the member may open the supporter's learning record (and so is shown links to it)."""
    return learner_records_open_to(membership).filter(pk=supporter.pk).exists()


def learners_visible_to(membership: Membership) -> QuerySet[Supporter]:
    """The supporters whose learning progress a member may see: for coordinators everyone in
    training or at work; for trainers the trainees of the cohorts they teach; nobody else."""
    program = membership.program
    people = Supporter.objects.filter(program=program, stage__in=WORKING_STAGES)
    if has_role(membership, Role.COORDINATOR):
        return people.order_by("full_name", "pk")
    if has_role(membership, Role.TRAINER):
        cohorts = cohorts_visible_to(membership)
        return (
            Supporter.objects.filter(program=program, enrolments__cohort__in=cohorts)
            .distinct()
            .order_by("full_name", "pk")
        )
    return people.none()


def get_learner(membership: Membership, pk: int) -> Supporter:
    return get_object_or_404(learner_records_open_to(membership), pk=pk)
