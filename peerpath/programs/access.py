"""Fetching a program's own records for a view: anything else is a 404."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from peerpath.programs.models import Competency, FocusArea, Membership, Program


def get_membership(program: Program, pk: int) -> Membership:
    return get_object_or_404(Membership.objects.select_related("user"), program=program, pk=pk)


def get_competency(program: Program, pk: int) -> Competency:
    return get_object_or_404(Competency, program=program, pk=pk)


def get_focus_area(program: Program, pk: int) -> FocusArea:
    return get_object_or_404(FocusArea, program=program, pk=pk)
