"""The prepared lookups behind every page give exactly what the ORM gives."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Model

from peerpath.core.auth import ModelBackend
from peerpath.core.permissions import membership_for
from peerpath.core.prepared import PreparedLookup
from peerpath.programs.models import Membership, Program
from tests.factories import MembershipFactory, ProgramFactory, UserFactory

pytestmark = pytest.mark.django_db


def values(instance: Model) -> dict[str, Any]:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def test_a_membership_and_its_program_are_those_the_orm_loads(django_assert_num_queries: Any) -> None:
    membership = MembershipFactory(is_coordinator=True, is_supervisor=True)
    with django_assert_num_queries(1):
        found = membership_for(membership.user, membership.program.slug)
        assert found.program.slug == membership.program.slug  # the program came with it
    expected = Membership.objects.select_related("program").get(pk=membership.pk)
    assert values(found) == values(expected)
    assert values(found.program) == values(expected.program)
    assert found.roles == expected.roles and found._state.db == "default" and not found._state.adding


def test_only_an_active_membership_in_an_active_program_counts() -> None:
    membership = MembershipFactory()
    other = ProgramFactory()
    MembershipFactory(program=other)
    assert membership_for(membership.user, other.slug) is None
    assert membership_for(membership.user, "no-such-program") is None
    assert membership_for(UserFactory(), membership.program.slug) is None
    Membership.objects.filter(pk=membership.pk).update(is_active=False)
    assert membership_for(membership.user, membership.program.slug) is None
    Membership.objects.filter(pk=membership.pk).update(is_active=True)
    Program.objects.filter(pk=membership.program.pk).update(is_active=False)
    assert membership_for(membership.user, membership.program.slug) is None


def test_the_session_user_is_the_one_the_orm_loads() -> None:
    user = UserFactory()
    backend = ModelBackend()
    found = backend.get_user(str(user.pk))  # sessions keep the id as text
    assert values(found) == values(type(user).objects.get(pk=user.pk))
    assert backend.get_user("not a number") is None
    assert backend.get_user(str(user.pk + 1000)) is None
    type(user).objects.filter(pk=user.pk).update(is_active=False)
    assert backend.get_user(user.pk) is None


def test_a_lookup_whose_placeholder_is_not_in_the_query_is_refused() -> None:
    lookup = PreparedLookup(lambda slug: Program.objects.filter(is_active=True), slug="\x00never")
    with pytest.raises(ValueError, match="placeholder"):
        lookup.first(slug="riverside")


def test_a_missing_nullable_relation_is_none_and_a_present_one_is_loaded(world: Any) -> None:
    from django.test import RequestFactory

    from peerpath.recruitment.access import supporter_record_for
    from peerpath.recruitment.models import Supporter

    record = world.supporter_record
    for supervisor in (None, world.supervisor):
        Supporter.objects.filter(pk=record.pk).update(supervisor=supervisor)
        request = RequestFactory().get("/")
        request.user = world.supporter
        found = supporter_record_for(request, world.program)
        assert found.supervisor == supervisor
        assert values(found) == values(Supporter.objects.get(pk=record.pk))
        assert found.program is world.program  # no query for the program either


def test_a_supporters_own_record_is_the_orm_row_with_supervisor_or_a_404(
    world: Any, django_assert_num_queries: Any
) -> None:
    from django.http import Http404

    from peerpath.recruitment.access import own_supporter_record
    from peerpath.recruitment.models import Stage, Supporter

    record = world.supporter_record
    Supporter.objects.filter(pk=record.pk).update(supervisor=world.supervisor)
    with django_assert_num_queries(1):
        found = own_supporter_record(world.program, world.supporter)
        assert found.supervisor == world.supervisor and found.program is world.program
    assert values(found) == values(Supporter.objects.get(pk=record.pk))
    # Every stage counts: the record is the person's own, whatever the pathway says.
    Supporter.objects.filter(pk=record.pk).update(stage=Stage.APPLICANT)
    assert own_supporter_record(world.program, world.supporter).pk == record.pk
    for program, user in [(world.other_program, world.supporter), (world.program, world.coordinator)]:
        with pytest.raises(Http404):
            own_supporter_record(program, user)


def test_the_program_switcher_lists_what_the_orm_lists_in_its_order() -> None:
    from peerpath.programs.access import _MEMBERSHIPS

    user = UserFactory()
    for name in ("Zeta", "Alpha", "Mid"):
        MembershipFactory(user=user, program=ProgramFactory(name=name))
    MembershipFactory(user=user, is_active=False)
    MembershipFactory(user=user, program=ProgramFactory(name="Closed", is_active=False))
    expected = list(
        Membership.objects.select_related("program")
        .filter(user=user, is_active=True, program__is_active=True)
        .order_by("program__name")
    )
    found = _MEMBERSHIPS.all(user_id=user.pk)
    assert [m.program.name for m in found] == ["Alpha", "Mid", "Zeta"]
    assert [values(m) for m in found] == [values(m) for m in expected]
    assert _MEMBERSHIPS.all(user_id=UserFactory().pk) == []


def test_a_staff_page_view_runs_two_queries_for_who_may_see_it(world: Any, django_assert_max_num_queries: Any) -> None:
    client = world.client_for(world.coordinator)
    client.get("/p/riverside/reports/")
    client.get("/p/riverside/reports/")  # now kept for this session
    # The session, the user, the membership with its program; and, for staff, the one indexed
    # check that no crisis escalation step is due (support.noticers.from_page).
    with django_assert_max_num_queries(4):
        assert client.get("/p/riverside/reports/").status_code == 200
    Membership.objects.filter(user=world.coordinator, program=world.program).update(is_coordinator=False)
    assert client.get("/p/riverside/reports/").status_code == 403  # the role is read on every request
