"""A participant's language: asked on the public form (in the language they read it in), kept on
their record, and the support pages and messages in Spanish."""

from __future__ import annotations

from html import unescape
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from peerpath.support.defaults import get_settings
from peerpath.support.models import Participant
from peerpath.support.services.participants import save_participant
from tests.support.test_views import participant_post, url


def _open_requests(support: Any) -> None:
    row = get_settings(support.program)
    row.requests_open = True
    row.save()


def _request(client: Client, **extra: Any) -> Any:
    data = {
        "full_name": "Lucía Benítez",
        "email": "lucia@example.net",
        "preferred_contact": "email",
        "languages": "español",
        "consent_given": "on",
        **extra,
    }
    return client.post(reverse("support:request", args=["riverside"]), data)


def test_the_public_form_reads_in_spanish_and_keeps_the_language_it_was_read_in(support: Any) -> None:
    _open_requests(support)
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    page = client.get(reverse("support:request", args=["riverside"])).content.decode()
    assert "Pedir un acompañante par" in page
    assert "¿En qué idioma quieres que te escribamos?" in page
    assert "Ask for a peer supporter" not in page

    response = _request(client)
    assert response.status_code == 302
    assert Participant.objects.latest("id").preferred_language == "es"


def test_a_language_chosen_on_the_public_form_wins_over_the_browsers(support: Any) -> None:
    _open_requests(support)
    assert _request(Client(HTTP_ACCEPT_LANGUAGE="es"), preferred_language="en").status_code == 302
    assert Participant.objects.latest("id").preferred_language == "en"


def test_the_public_form_refuses_a_language_not_offered(support: Any) -> None:
    _open_requests(support)
    before = Participant.objects.count()
    response = _request(Client(HTTP_ACCEPT_LANGUAGE="es"), preferred_language="xx")
    assert response.status_code == 400
    assert Participant.objects.count() == before


def test_the_coordinator_records_the_participants_language(support: Any) -> None:
    client = support.client_for(support.coordinator)
    response = client.post(url("support:participant_new"), participant_post(preferred_language="es"))
    person = Participant.objects.latest("id")
    assert response.status_code == 302 and person.preferred_language == "es"
    page = client.get(url("support:participant", person.pk)).content.decode()
    assert "Language for messages" in page and "Español" in page

    response = client.post(url("support:participant_edit", person.pk), participant_post(preferred_language=""))
    person.refresh_from_db()
    assert response.status_code == 302 and person.preferred_language == ""
    assert "The program's language" in unescape(client.get(url("support:participant", person.pk)).content.decode())


def test_the_service_refuses_a_language_not_offered(support: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        save_participant(
            actor=support.coordinator,
            program=support.program,
            participant=support.ana,
            data={"preferred_language": "klingon"},
        )
    assert "preferred_language" in refused.value.message_dict
    support.ana.refresh_from_db()
    assert support.ana.preferred_language == ""


def test_support_messages_and_choices_read_in_spanish(support: Any) -> None:
    from django.utils import translation

    from peerpath.support import matching
    from peerpath.support.models import ParticipantStatus

    with translation.override("es"):
        assert str(ParticipantStatus.WAITING.label) == "Esperando un acompañante"
        assert matching.result_sentence(3, 3, {}) == (
            "3 de 3 asignados; se atendió a todas las personas a las que se podía proponer."
        )
    assert matching.result_sentence(3, 3, {}) == "3 of 3 matched; everyone who could be offered was served."
