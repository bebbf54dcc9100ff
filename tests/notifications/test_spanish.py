"""A Spanish-speaking recipient gets their texts in Spanish: a crisis page, the answer to HELP,
and the digest e-mail, whatever language the sender's request was in."""

from __future__ import annotations

from typing import Any

from django.core import mail

from peerpath.core.models import User
from peerpath.notifications import delivery, services
from peerpath.support.services import concerns
from tests.notifications.helpers import agree_to_texts, reply, texts_to

PHONE = "+15417543010"


def test_a_spanish_speakers_crisis_page_and_help_reply_are_in_spanish(support: Any) -> None:
    User.objects.filter(pk=support.supervisor.pk).update(language="es")
    agree_to_texts(support.supervisor, PHONE)
    relationship = type(support.ana_rel).objects.get(pk=support.ana_rel.pk)  # read with the language set
    concerns.raise_concern(actor=support.supporter, relationship=relationship, kind="crisis", answers=[], notes="")
    [page] = texts_to(PHONE)
    assert "para confirmar que la recibiste, o abre http://testserver/notifications/pages/" in page
    assert "to acknowledge" not in page
    answer = reply(support.client_for(None), PHONE, "AYUDA").content.decode()
    assert "Responde STOP para dejar de recibir mensajes" in answer


def test_a_spanish_speakers_digest_is_in_spanish(world: Any) -> None:
    User.objects.filter(pk=world.supporter.pk).update(language="es")
    agree_to_texts(world.supporter, PHONE, digest=True)
    supporter = User.objects.get(pk=world.supporter.pk)
    services.notify(kind="support.reminder", users=[supporter], program=world.program, context={"due": 1, "overdue": 0})
    assert delivery.send_digests() == 1
    [digest] = mail.outbox
    assert digest.subject == "PeerPath: 1 notificación"
    assert "Esto es lo que PeerPath tenía para ti" in digest.body


def test_a_notice_is_written_in_the_readers_language_not_the_senders(support: Any) -> None:
    """An English supporter raises a concern: the Spanish supervisor's notice and e-mail are in
    Spanish. The supervisor, working in Spanish, acknowledges it: the English supporter's notice
    is in English."""
    from django.utils import translation

    from peerpath.notifications.models import Notice

    User.objects.filter(pk=support.supervisor.pk).update(language="es")
    User.objects.filter(pk=support.supporter.pk).update(language="en")
    relationship = type(support.ana_rel).objects.get(pk=support.ana_rel.pk)
    reference = relationship.participant.reference
    with translation.override("en"):  # the supporter's own request
        concern = concerns.raise_concern(
            actor=User.objects.get(pk=support.supporter.pk),
            relationship=relationship,
            kind="concern",
            answers=[],
            notes="",
        )
    told = Notice.objects.get(user=support.supervisor, about=f"support.concern:{concern.pk}")
    assert told.text.startswith("Preocupación: ") and f"planteó una preocupación sobre {reference}" in told.text
    assert "raised a concern" not in told.text
    [email] = [m for m in mail.outbox if support.supervisor.email in m.to]
    assert "Preocupación planteada por" in email.subject and "Preocupación: " in email.body
    with translation.override("es"):  # the supervisor's request
        concerns.acknowledge_concern(actor=User.objects.get(pk=support.supervisor.pk), concern=concern)
    answered = Notice.objects.filter(user=support.supporter).latest("created_at")
    assert answered.text.endswith(f"acknowledged your concern about {reference}.")
