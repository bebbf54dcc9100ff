"""A repeat application never writes to the person: the coordinator reviews what differs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from peerpath.core.models import AuditEntry
from peerpath.programs.models import FocusArea
from peerpath.recruitment.models import Application, Stage, StageChange, Supporter
from peerpath.recruitment.pathway import move_to_stage
from tests.recruitment.test_apply import form_data

pytestmark = pytest.mark.django_db


def record_fields(person: Supporter) -> dict[str, Any]:
    person.refresh_from_db()
    return {
        "full_name": person.full_name,
        "email": person.email,
        "phone": person.phone,
        "preferred_contact": person.preferred_contact,
        "languages": person.languages,
        "source": person.source,
        "stage": person.stage,
        "focus_areas": sorted(person.focus_areas.values_list("name", flat=True)),
    }


@pytest.fixture
def priya(world: Any) -> Supporter:
    """An active supporter already on the pathway, with her own details."""
    grief, _ = FocusArea.objects.get_or_create(program=world.program, name="Grief")
    person = world.supporter_record
    person.phone, person.preferred_contact, person.languages = "555-0100", "email", ["English"]
    person.save()
    person.focus_areas.set([grief])
    return person


def impostor(world: Any, person: Supporter, **overrides: Any) -> dict[str, Any]:
    """The public form filled in with the person's e-mail (in other case) and someone else's details."""
    chronic, _ = FocusArea.objects.get_or_create(program=world.program, name="Chronic pain")
    return form_data(
        world,
        email=person.email.upper(),
        full_name="Ivan Impostor",
        phone="555-9999",
        preferred_contact="phone",
        languages="Klingon",
        focus_areas=[chronic.pk],
        **overrides,
    )


def application_url(world: Any, application: Application, action: str = "") -> str:
    name = f"recruitment:application{'_' + action if action else ''}"
    return reverse(name, args=[world.program.slug, application.pk])


def test_a_repeat_application_never_changes_the_person_or_their_stage(world: Any, priya: Supporter) -> None:
    before = record_fields(priya)
    response = Client().post("/apply/riverside/", impostor(world, priya))
    # The applicant sees what any applicant sees: nothing tells them the address is known.
    assert response.status_code == 302 and response.url == "/apply/riverside/thanks/"
    assert record_fields(priya) == before
    application = priya.applications.get()
    assert application.is_repeat and application.needs_review
    assert application.full_name == "Ivan Impostor" and application.phone == "555-9999"
    assert not AuditEntry.objects.filter(target_type="recruitment.supporter", target_id=str(priya.pk)).exists()


def test_the_board_and_the_person_page_show_repeat_applications_awaiting_review(world: Any, priya: Supporter) -> None:
    Client().post("/apply/riverside/", impostor(world, priya))
    application = priya.applications.get()
    coordinator = world.client_for(world.coordinator)
    board = coordinator.get(reverse("recruitment:board", args=["riverside"])).content.decode()
    assert "Repeat applications awaiting review" in board and application_url(world, application) in board
    person = coordinator.get(reverse("recruitment:person", args=["riverside", priya.pk])).content.decode()
    assert "awaiting review" in person and application_url(world, application) in person


def test_the_review_page_shows_what_differs_from_the_record(world: Any, priya: Supporter) -> None:
    Client().post("/apply/riverside/", impostor(world, priya))
    page = world.client_for(world.coordinator).get(application_url(world, priya.applications.get()))
    assert page.status_code == 200
    text = page.content.decode()
    for value in ("Ivan Impostor", "555-9999", "Klingon", "Chronic pain", priya.full_name, "555-0100"):
        assert value in text
    assert [name for name, *_ in page.context["differences"]] == [
        "full_name",
        "phone",
        "preferred_contact",
        "languages",
        "focus_areas",
    ]


def test_the_coordinator_accepts_changes_field_by_field_audited(world: Any, priya: Supporter) -> None:
    Client().post("/apply/riverside/", impostor(world, priya))
    application = priya.applications.get()
    before = record_fields(priya)
    response = world.client_for(world.coordinator).post(
        application_url(world, application, "review"), {"accept": ["phone", "languages"], "action": "accept"}
    )
    assert response.status_code == 302
    after = record_fields(priya)
    assert after == {**before, "phone": "555-9999", "languages": ["Klingon"]}
    entry = AuditEntry.objects.get(action="supporter.accept_application", target_id=str(priya.pk))
    assert entry.actor == world.coordinator
    assert entry.changes == {"phone": ["555-0100", "555-9999"], "languages": [["English"], ["Klingon"]]}
    application.refresh_from_db()
    assert not application.needs_review and application.reviewed_by == world.coordinator
    # Reviewed once: a second review changes nothing.
    again = world.client_for(world.coordinator).post(
        application_url(world, application, "review"), {"accept": ["full_name"], "action": "accept"}
    )
    assert again.status_code == 400 and record_fields(priya) == after


def test_accepting_areas_adds_them_to_the_record(world: Any, priya: Supporter) -> None:
    Client().post("/apply/riverside/", impostor(world, priya))
    world.client_for(world.coordinator).post(
        application_url(world, priya.applications.get(), "review"), {"accept": ["focus_areas"], "action": "accept"}
    )
    assert record_fields(priya)["focus_areas"] == ["Chronic pain", "Grief"]


def test_dismissing_keeps_the_record_and_is_audited(world: Any, priya: Supporter) -> None:
    Client().post("/apply/riverside/", impostor(world, priya))
    application = priya.applications.get()
    before = record_fields(priya)
    response = world.client_for(world.coordinator).post(
        application_url(world, application, "review"), {"accept": ["full_name"], "action": "dismiss"}
    )
    assert response.status_code == 302
    assert record_fields(priya) == before
    application.refresh_from_db()
    assert not application.needs_review
    assert AuditEntry.objects.filter(action="application.dismiss", target_id=str(application.pk)).exists()
    board = world.client_for(world.coordinator).get(reverse("recruitment:board", args=["riverside"])).content.decode()
    assert "Repeat applications awaiting review" not in board


def test_a_withdrawn_person_is_reopened_by_the_coordinator_from_the_application(world: Any) -> None:
    Client().post("/apply/riverside/", form_data(world))
    person = Supporter.objects.get(email="jamie@example.org")
    move_to_stage(actor=world.coordinator, supporter=person, to_stage=Stage.WITHDRAWN, reason="Moved away")
    Client().post("/apply/riverside/", form_data(world, email="JAMIE@example.org"))
    person.refresh_from_db()
    assert person.stage == Stage.WITHDRAWN  # the form alone never moves anyone
    repeat = person.applications.get(is_repeat=True)
    coordinator = world.client_for(world.coordinator)
    assert coordinator.post(application_url(world, repeat, "reopen"), {"reason": ""}).status_code == 400
    response = coordinator.post(application_url(world, repeat, "reopen"), {"reason": "Back in town; keen to restart."})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.stage == Stage.APPLICANT
    change = StageChange.objects.filter(supporter=person).first()
    assert change.actor == world.coordinator and "Back in town" in change.reason


def test_declined_person_is_reopened_only_after_the_date(world: Any) -> None:
    Client().post("/apply/riverside/", form_data(world))
    person = Supporter.objects.get(email="jamie@example.org")
    later = timezone.localdate() + dt.timedelta(days=30)
    Supporter.objects.filter(pk=person.pk).update(stage=Stage.DECLINED, may_reapply_after=later)
    Client().post("/apply/riverside/", form_data(world))
    person.refresh_from_db()
    assert person.stage == Stage.DECLINED and person.applications.count() == 2
    repeat = person.applications.get(is_repeat=True)
    coordinator = world.client_for(world.coordinator)
    refused = coordinator.post(application_url(world, repeat, "reopen"), {"reason": "Applied again"})
    assert refused.status_code == 400 and "re-apply" in refused.content.decode()
    person.refresh_from_db()
    assert person.stage == Stage.DECLINED
    Supporter.objects.filter(pk=person.pk).update(may_reapply_after=timezone.localdate())
    assert coordinator.post(application_url(world, repeat, "reopen"), {"reason": "Applied again"}).status_code == 302
    person.refresh_from_db()
    assert person.stage == Stage.APPLICANT


def test_an_active_person_cannot_be_reopened(world: Any, priya: Supporter) -> None:
    Client().post("/apply/riverside/", impostor(world, priya))
    response = world.client_for(world.coordinator).post(
        application_url(world, priya.applications.get(), "reopen"), {"reason": "Try"}
    )
    assert response.status_code == 400
    assert record_fields(priya)["stage"] == Stage.ACTIVE


def test_another_programs_coordinator_cannot_see_or_review(world: Any, priya: Supporter) -> None:
    Client().post("/apply/riverside/", impostor(world, priya))
    application = priya.applications.get()
    outsider = world.client_for(world.outsider)
    harbor = [world.other_program.slug, application.pk]
    assert outsider.get(reverse("recruitment:application", args=harbor)).status_code == 404
    response = outsider.post(reverse("recruitment:application_review", args=harbor), {"accept": ["full_name"]})
    assert response.status_code == 404
    assert record_fields(priya)["full_name"] == "Priya Supporter"
