from __future__ import annotations

import pytest

from peerpath.core.permissions import ACTIONS, Role, can, roles_for
from tests.factories import MembershipFactory


def test_unknown_action_is_an_error() -> None:
    with pytest.raises(LookupError):
        roles_for("nothing.here")


@pytest.mark.django_db
def test_can_follows_the_action_map() -> None:
    supporter = MembershipFactory(is_supporter=True)
    coordinator = MembershipFactory(is_coordinator=True)
    both = MembershipFactory(is_supporter=True, is_supervisor=True)
    assert can(coordinator, "recruitment.view_board")
    assert not can(supporter, "recruitment.view_board")
    assert can(supporter, "recruitment.view_own_pathway")
    assert both.roles == {Role.SUPPORTER, Role.SUPERVISOR}
    assert not can(None, "program.home")


def test_every_action_allows_someone() -> None:
    assert all(ACTIONS.values())
