"""The public application form."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from peerpath.programs.models import FocusArea
from peerpath.recruitment.models import Application, Stage, StageChange, Supporter
from tests.factories import FocusAreaFactory

pytestmark = pytest.mark.django_db


def form_data(world: Any, **overrides: Any) -> dict[str, Any]:
    area, _ = FocusArea.objects.get_or_create(program=world.program, name="Grief")
    data = {
        "full_name": "Jamie Rivera",
        "email": "Jamie@Example.org",
        "phone": "",
        "preferred_contact": "email",
        "focus_areas": [area.pk],
        "motivation": "I lost my brother and want to help others through it.",
        "availability": "Evenings",
        "languages": "english, Spanish",
        "source": "flyer",
        "clinician_name": "",
        "source_detail": "",
        "consent_to_contact": "on",
    }
    data.update(overrides)
    return data


def test_the_form_is_public_and_lists_only_this_programs_areas(world: Any) -> None:
    FocusAreaFactory(program=world.program, name="Chronic pain")
    FocusAreaFactory(program=world.other_program, name="Harbor only")
    page = Client().get("/apply/riverside/").content.decode()
    assert "Chronic pain" in page and "Harbor only" not in page
    assert "csrfmiddlewaretoken" in page


def test_applying_creates_the_person_confirms_and_notifies(world: Any) -> None:
    response = Client().post("/apply/riverside/", form_data(world))
    assert response.status_code == 302 and response.url == "/apply/riverside/thanks/"
    person = Supporter.objects.get(program=world.program, email="jamie@example.org")
    assert person.stage == Stage.APPLICANT
    assert person.languages == ["English", "Spanish"]
    application = person.applications.get()
    assert [a.name for a in application.focus_areas.all()] == ["Grief"]
    assert StageChange.objects.filter(supporter=person, to_stage=Stage.APPLICANT).exists()
    recipients = [m.to for m in mail.outbox]
    assert ["jamie@example.org"] in recipients
    assert [world.coordinator.email] in recipients
    assert "received your application" in next(m for m in mail.outbox if m.to == ["jamie@example.org"]).subject
    assert "Thank you" in Client().get(response.url).content.decode()


def test_a_second_application_links_to_the_same_person(world: Any) -> None:
    Client().post("/apply/riverside/", form_data(world))
    Client().post("/apply/riverside/", form_data(world, email="JAMIE@example.org", motivation="Still keen."))
    person = Supporter.objects.get(program=world.program, email="jamie@example.org")
    assert person.applications.count() == 2
    assert person.applications.filter(is_repeat=True).count() == 1
    assert Supporter.objects.filter(email="jamie@example.org").count() == 1


def test_same_email_in_another_program_is_another_person(world: Any) -> None:
    Client().post("/apply/riverside/", form_data(world))
    Client().post("/apply/harbor/", {**form_data(world), "focus_areas": []})
    assert Supporter.objects.filter(email="jamie@example.org").count() == 2


@pytest.mark.parametrize(
    ("overrides", "field_message"),
    [
        ({"consent_to_contact": ""}, "We can only process your application if we may contact you."),
        ({"source": "clinician", "clinician_name": ""}, "name of the clinician"),
        ({"email": "not-an-email"}, "Enter a valid email address."),
        ({"languages": " , "}, "Name at least one language."),
        ({"preferred_contact": "phone", "phone": ""}, "Give a phone number"),
        ({"motivation": ""}, "This field is required."),
    ],
)
def test_bad_input_re_renders_with_errors_and_saves_nothing(world: Any, overrides: dict, field_message: str) -> None:
    response = Client().post("/apply/riverside/", form_data(world, **overrides))
    assert response.status_code == 400
    assert field_message in response.content.decode()
    assert not Supporter.objects.filter(program=world.program, email__startswith="jamie").exists()
    assert Application.objects.count() == 0
    assert mail.outbox == []


def test_another_programs_area_is_refused(world: Any) -> None:
    foreign = FocusAreaFactory(program=world.other_program)
    response = Client().post("/apply/riverside/", form_data(world, focus_areas=[foreign.pk]))
    assert response.status_code == 400
    assert Application.objects.count() == 0


def test_a_closed_program_takes_no_applications(world: Any) -> None:
    world.program.accepting_applications = False
    world.program.save()
    assert "not taking applications" in Client().get("/apply/riverside/").content.decode()
    response = Client().post("/apply/riverside/", form_data(world))
    assert response.status_code == 400
    assert Application.objects.count() == 0


def test_unknown_program_is_404(db: Any) -> None:
    assert Client().get("/apply/nowhere/").status_code == 404


def test_the_form_needs_its_csrf_token(world: Any) -> None:
    response = Client(enforce_csrf_checks=True).post("/apply/riverside/", form_data(world))
    assert response.status_code == 403
    assert Application.objects.count() == 0


def test_submissions_are_rate_limited_per_address(world: Any, settings: Any) -> None:
    settings.PUBLIC_FORM_RATE = "2/m"
    statuses = [
        Client()
        .post("/apply/riverside/", form_data(world, email=f"p{i}@example.org"), REMOTE_ADDR="10.1.1.1")
        .status_code
        for i in range(3)
    ]
    assert statuses == [302, 302, 429]
    assert Application.objects.count() == 2
    other = Client().post("/apply/riverside/", form_data(world, email="q@example.org"), REMOTE_ADDR="10.1.1.2")
    assert other.status_code == 302
