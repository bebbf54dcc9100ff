"""Who sees which qualification records: coordinators every one of their program's; a supporter
their own. Views fetch through these (404 for anything else)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from peerpath.credentials.models import Qualification, QualificationType
from peerpath.programs.models import Program
from peerpath.recruitment.models import Supporter


def get_type(program: Program, pk: int) -> QualificationType:
    return get_object_or_404(QualificationType, program=program, pk=pk)


def get_record(program: Program, pk: int) -> Qualification:
    return get_object_or_404(Qualification.objects.select_related("supporter", "qtype"), program=program, pk=pk)


def get_supporter(program: Program, pk: int) -> Supporter:
    return get_object_or_404(Supporter, program=program, pk=pk)


def get_agreement(program: Program, pk: int) -> QualificationType:
    return get_object_or_404(QualificationType, program=program, pk=pk, kind="agreement", is_active=True)
