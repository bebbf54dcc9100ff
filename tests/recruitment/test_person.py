from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from peerpath.recruitment.models import Milestone, Stage
from tests.factories import MembershipFactory, SupporterFactory

pytestmark = pytest.mark.django_db


def test_person_page_shows_the_record(world: Any) -> None:
    person = SupporterFactory(program=world.program, full_name="Ana Lima", stage=Stage.SCREENING)
    page = world.client_for(world.coordinator).get(f"/p/riverside/recruitment/people/{person.pk}/").content.decode()
    assert "Ana Lima" in page and "Screening" in page


def test_another_programs_person_is_404(world: Any) -> None:
    client = world.client_for(world.coordinator)
    pk = world.outsider_record.pk
    assert client.get(f"/p/riverside/recruitment/people/{pk}/").status_code == 404
    assert (
        client.post(f"/p/riverside/recruitment/people/{pk}/move/", {"to_stage": "withdrawn", "reason": "x"}).status_code
        == 404
    )
    assert client.post(f"/p/riverside/recruitment/people/{pk}/milestones/new/", {}).status_code == 404
    assert client.post(f"/p/riverside/recruitment/people/{pk}/supervisor/", {}).status_code == 404


def test_record_a_milestone(world: Any) -> None:
    person = world.supporter_record
    url = f"/p/riverside/recruitment/people/{person.pk}/milestones/new/"
    client = world.client_for(world.coordinator)
    today = timezone.localdate()
    assert (
        client.post(url, {"title": "Led an information session", "achieved_on": today.isoformat()}).status_code == 302
    )
    assert Milestone.objects.get(supporter=person).title == "Led an information session"
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    response = client.post(url, {"title": "Future", "achieved_on": tomorrow})
    assert response.status_code == 400 and "cannot be dated in the future" in response.content.decode()
    assert Milestone.objects.count() == 1
    assert (
        "Led an information session"
        in world.client_for(world.supporter).get("/p/riverside/my/pathway/").content.decode()
    )


def test_assign_a_supervisor(world: Any) -> None:
    person = world.supporter_record
    url = f"/p/riverside/recruitment/people/{person.pk}/supervisor/"
    client = world.client_for(world.coordinator)
    assert client.post(url, {"supervisor": world.supervisor.pk}).status_code == 302
    person.refresh_from_db()
    assert person.supervisor == world.supervisor
    # A trainer is not a supervisor; the choice is refused and nothing changes.
    assert client.post(url, {"supervisor": world.trainer.pk}).status_code == 400
    person.refresh_from_db()
    assert person.supervisor == world.supervisor
    assert client.post(url, {"supervisor": ""}).status_code == 302
    person.refresh_from_db()
    assert person.supervisor is None


def test_a_supervisor_of_another_program_cannot_be_assigned(world: Any) -> None:
    stranger = MembershipFactory(program=world.other_program, is_supervisor=True).user
    response = world.client_for(world.coordinator).post(
        f"/p/riverside/recruitment/people/{world.supporter_record.pk}/supervisor/", {"supervisor": stranger.pk}
    )
    assert response.status_code == 400


def test_supporter_sees_their_own_pathway_only(world: Any) -> None:
    page = world.client_for(world.supporter).get("/p/riverside/my/pathway/")
    assert page.status_code == 200 and "Active" in page.content.decode()
    home = world.client_for(world.supporter).get("/p/riverside/").content.decode()
    assert "My status" in home and "Recruitment" not in home


def test_a_supporter_without_a_pathway_record_gets_404(world: Any) -> None:
    stray = MembershipFactory(program=world.program, is_supporter=True).user
    assert world.client_for(stray).get("/p/riverside/my/pathway/").status_code == 404
