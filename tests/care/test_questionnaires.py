"""Questionnaire files: validation (all or nothing, every problem listed), import, export, pages."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from peerpath.care import instruments
from peerpath.care.defaults import BRIEF_CHECKIN
from peerpath.care.models import Item, Questionnaire
from peerpath.care.services import checkins
from peerpath.care.services import common as care_common
from peerpath.core.models import AuditEntry
from tests.factories import TESTS

# A made-up instrument in the ProQOL shape: 1-5 scale, three subscales of sums, reverse items.
PUBLISHED: dict[str, Any] = {
    "format": "peerpath-questionnaire/1",
    "name": "Helper wellness scale",
    "credit": "Example authors (2024). Used with permission.",
    "scale": [
        {"value": v, "label": label}
        for v, label in enumerate(["Never", "Rarely", "Sometimes", "Often", "Very often"], 1)
    ],
    "subscales": [
        {
            "key": "cs",
            "name": "Satisfaction",
            "bands": [{"from": 2, "label": "Low", "concern": True}, {"from": 5, "label": "High"}],
        },
        {
            "key": "bo",
            "name": "Burnout",
            "bands": [{"from": 2, "label": "Low"}, {"from": 8, "label": "High", "concern": True}],
        },
    ],
    "items": [
        {"number": 1, "text": "I am happy.", "subscale": "cs"},
        {"number": 2, "text": "I feel connected.", "subscale": "cs"},
        {"number": 3, "text": "I am worn out.", "subscale": "bo"},
        {"number": 4, "text": "I have energy.", "subscale": "bo", "reverse": True},
    ],
}


def test_a_valid_file_parses() -> None:
    form = instruments.parse(json.dumps(PUBLISHED).encode())
    assert form.name == "Helper wellness scale"
    assert [s.key for s in form.subscales] == ["cs", "bo"]
    assert form.items[3].reverse and form.items[3].subscale == "bo"


def test_every_problem_is_reported_with_where_it_is() -> None:
    bad = copy.deepcopy(PUBLISHED)
    bad["scale"][1]["value"] = 1  # duplicate value
    bad["subscales"][1]["key"] = "Bad Key!"
    bad["subscales"][0]["bands"][1]["from"] = "lots"
    bad["items"][2]["subscale"] = "nope"
    bad["items"][3]["reverse"] = "yes"
    bad["items"][1]["colour"] = "red"
    with pytest.raises(instruments.InstrumentErrors) as caught:
        instruments.from_data(bad)
    errors = caught.value.errors
    assert "Scale option 2: value 1 appears twice." in errors
    assert any(e.startswith("Subscale 2: field 'key'") for e in errors)
    assert "Subscale 1, band 2: field 'from' must be a number (the lowest score in the band)." in errors
    assert "Item 3: field 'subscale': no subscale has the key 'nope'." in errors
    assert "Item 4: field 'reverse' must be true or false." in errors
    assert any(e.startswith("Item 2: unknown field 'colour'") for e in errors)


def test_bands_must_cover_the_lowest_score_and_be_reachable() -> None:
    bad = copy.deepcopy(PUBLISHED)
    bad["subscales"][0]["bands"] = [{"from": 3, "label": "Low"}, {"from": 11, "label": "Impossible"}]
    with pytest.raises(instruments.InstrumentErrors) as caught:
        instruments.from_data(bad)
    assert caught.value.errors == [
        "Subscale 1 ('cs'): the lowest band must start at or below the lowest possible score (2).",
        "Subscale 1 ('cs'): band 'Impossible' starts above the highest possible score (10).",
    ]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"{not json", "File: not valid JSON"),
        (b"[]", "File: the top level must be an object"),
        (b"\xff\xfe", "File: not UTF-8 text."),
        (json.dumps({"name": "x"}).encode(), "Scale: give at least two response options"),
    ],
)
def test_unreadable_files(raw: bytes, message: str) -> None:
    with pytest.raises(instruments.InstrumentErrors) as caught:
        instruments.parse(raw)
    assert caught.value.errors[0].startswith(message)


def test_export_then_import_gives_the_same_questionnaire() -> None:
    form = instruments.from_data(BRIEF_CHECKIN)
    assert instruments.from_data(json.loads(json.dumps(instruments.to_data(form)))) == form


@pytest.mark.django_db
def test_import_page_stores_a_valid_file_and_can_use_it_for_checkins(world: Any) -> None:
    client = world.client_for(world.coordinator)
    upload = SimpleUploadedFile("scale.json", json.dumps(PUBLISHED).encode(), content_type="application/json")
    response = client.post(
        reverse("care:questionnaire_import", args=[world.program.slug]), {"file": upload, "use_for_checkins": "on"}
    )
    created = Questionnaire.objects.get(program=world.program, name="Helper wellness scale")
    assert response.status_code == 302 and response["Location"].endswith(f"/questionnaires/{created.pk}/")
    assert created.items.count() == 4 and created.items.get(number=4).reverse_scored
    assert care_common.get_settings(world.program).checkin_questionnaire == created
    assert AuditEntry.objects.filter(action="questionnaire.import", target_id=str(created.pk)).exists()
    page = client.get(reverse("care:questionnaire", args=[world.program.slug, created.pk]))
    assert page.status_code == 200 and "Used with permission" in page.content.decode()


@pytest.mark.django_db
def test_import_with_errors_saves_nothing_and_lists_them(world: Any) -> None:
    bad = copy.deepcopy(PUBLISHED)
    bad["items"][0]["text"] = ""
    bad["items"][2]["subscale"] = "zz"
    before = (Questionnaire.objects.count(), Item.objects.count())
    upload = SimpleUploadedFile("scale.json", json.dumps(bad).encode())
    response = world.client_for(world.coordinator).post(
        reverse("care:questionnaire_import", args=[world.program.slug]), {"file": upload}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Nothing was imported" in body
    assert "Item 1: field &#x27;text&#x27; is required." in body
    assert "Item 3: field &#x27;subscale&#x27;: no subscale has the key &#x27;zz&#x27;." in body
    assert (Questionnaire.objects.count(), Item.objects.count()) == before


@pytest.mark.django_db
def test_import_needs_a_file(world: Any) -> None:
    response = world.client_for(world.coordinator).post(reverse("care:questionnaire_import", args=[world.program.slug]))
    assert response.status_code == 400 and "This field is required" in response.content.decode()


@pytest.mark.django_db
def test_export_download_round_trips(world: Any) -> None:
    questionnaire = care_common.get_settings(world.program).checkin_questionnaire
    response = world.client_for(world.coordinator).get(
        reverse("care:questionnaire_export", args=[world.program.slug, questionnaire.pk])
    )
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert instruments.from_data(json.loads(response.content)) == instruments.from_data(BRIEF_CHECKIN)


@pytest.mark.django_db
def test_the_questionnaire_in_use_cannot_be_retired_but_another_can(world: Any) -> None:
    client = world.client_for(world.coordinator)
    in_use = care_common.get_settings(world.program).checkin_questionnaire
    response = client.post(reverse("care:questionnaire_active", args=[world.program.slug, in_use.pk]))
    assert response.status_code == 302
    in_use.refresh_from_db()
    assert in_use.is_active
    other = checkins.install_questionnaire(actor=TESTS, program=world.program, form=instruments.from_data(PUBLISHED))
    client.post(reverse("care:questionnaire_active", args=[world.program.slug, other.pk]))
    other.refresh_from_db()
    assert not other.is_active
    # A retired questionnaire cannot be chosen for check-ins.
    client.post(reverse("care:questionnaire_use", args=[world.program.slug, other.pk]))
    assert care_common.get_settings(world.program).checkin_questionnaire == in_use
    client.post(reverse("care:questionnaire_active", args=[world.program.slug, other.pk]))
    client.post(reverse("care:questionnaire_use", args=[world.program.slug, other.pk]))
    assert care_common.get_settings(world.program).checkin_questionnaire == other


@pytest.mark.django_db
def test_questionnaires_of_another_program_are_not_found(world: Any) -> None:
    foreign = care_common.get_settings(world.other_program).checkin_questionnaire
    client = world.client_for(world.coordinator)
    for name in ("care:questionnaire", "care:questionnaire_export"):
        assert client.get(reverse(name, args=[world.program.slug, foreign.pk])).status_code == 404
    for name in ("care:questionnaire_active", "care:questionnaire_use"):
        assert client.post(reverse(name, args=[world.program.slug, foreign.pk])).status_code == 404


@pytest.mark.django_db
def test_questionnaire_pages_list_and_show(world: Any) -> None:
    client = world.client_for(world.coordinator)
    listing = client.get(reverse("care:questionnaires", args=[world.program.slug]))
    assert listing.status_code == 200 and "PeerPath brief check-in" in listing.content.decode()
    assert client.get(reverse("care:questionnaire_import", args=[world.program.slug])).status_code == 200
