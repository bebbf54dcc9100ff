"""Every app reads its per-program settings row through one helper: prepared, created on first use."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Model

from peerpath.care.models import CareSettings
from peerpath.care.services.common import get_settings as care_settings
from peerpath.certification.models import CertificationSettings
from peerpath.certification.services import get_settings as certification_settings
from peerpath.core.program_settings import ProgramSettings
from peerpath.programs.models import Program
from peerpath.support.defaults import defaults as support_defaults
from peerpath.support.defaults import get_settings as support_settings
from peerpath.support.models import SupportSettings


def values(instance: Model) -> dict[str, Any]:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def fresh(program: Program) -> Program:
    return Program.objects.get(pk=program.pk)


@pytest.mark.parametrize(
    ("get_settings", "model"),
    [
        (certification_settings, CertificationSettings),
        (care_settings, CareSettings),
        (support_settings, SupportSettings),
    ],
)
def test_the_row_is_the_one_the_orm_loads_read_in_one_query(
    world: Any, get_settings: Any, model: type[Model], django_assert_num_queries: Any
) -> None:
    program = fresh(world.program)
    created = get_settings(program)
    assert model.objects.filter(program=world.program).count() == 1
    assert values(created) == values(model.objects.get(program=world.program))
    program = fresh(world.program)
    with django_assert_num_queries(1):
        found = get_settings(program)
        assert found.program is program  # no query for the program either
    assert values(found) == values(model.objects.get(program=world.program))
    assert get_settings(fresh(world.other_program)).program_id == world.other_program.pk


def test_a_related_row_comes_in_the_same_query(world: Any, django_assert_num_queries: Any) -> None:
    questionnaire = CareSettings.objects.get(program=world.program).checkin_questionnaire
    assert questionnaire is not None  # a new program uses the brief check-in
    program = fresh(world.program)
    with django_assert_num_queries(1):
        assert care_settings(program).checkin_questionnaire == questionnaire


def test_a_new_row_starts_with_the_apps_defaults(world: Any) -> None:
    SupportSettings.objects.filter(program=world.program).delete()
    row = support_settings(fresh(world.program))
    assert row.crisis_steps == support_defaults()["crisis_steps"] and row.emergency_number == "911"
    assert SupportSettings.objects.get(program=world.program).crisis_steps == row.crisis_steps


def test_a_row_created_by_a_concurrent_first_use_is_the_one_returned(world: Any) -> None:
    existing = CareSettings.objects.get(program=world.program)
    lookup = ProgramSettings(CareSettings, related="checkin_questionnaire")
    # The read found nothing; another request created the row before our insert.
    lookup._lookup.first = lambda **values: None  # type: ignore[method-assign]
    found = lookup.get(fresh(world.program))
    assert found.pk == existing.pk and CareSettings.objects.filter(program=world.program).count() == 1


def test_a_remembered_row_is_read_once_per_program_object(world: Any, django_assert_num_queries: Any) -> None:
    program = fresh(world.program)
    first = support_settings(program)
    with django_assert_num_queries(0):
        assert support_settings(program) is first
        assert program.support_settings is first
    other_object = fresh(world.program)
    with django_assert_num_queries(1):
        assert support_settings(other_object) is not first
    program.refresh_from_db()
    with django_assert_num_queries(1):  # a reloaded program reads the row again
        assert values(support_settings(program)) == values(first)
