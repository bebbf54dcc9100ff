"""Texts to participants who agreed to them, against the local server speaking Twilio's API: the
consent on the record (time, source, E.164), the follow-up reminder and the feedback link by
text, STOP honoured, and a Spanish reader's texts in Spanish."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from peerpath.core import account_links
from peerpath.core.models import AuditEntry
from peerpath.notifications import delivery
from peerpath.notifications.models import Delivery, DeliveryStatus, TextRecipient
from peerpath.support.services import contacts, texts
from peerpath.voice.services import feedback
from tests.notifications import fake_twilio
from tests.notifications.helpers import signed_post
from tests.voice.helpers import first_contact

pytestmark = pytest.mark.django_db

PHONE = "+15417543010"


def agree(support: Any, phone: str = "(541) 754-3010", source: str = "told me on the phone") -> Any:
    client = support.client_for(support.coordinator)
    url = reverse("support:participant_texts", args=[support.program.slug, support.ana.pk])
    return client.post(url, {"phone": phone, "agreed": "on", "source": source})


def follow_up_today(support: Any) -> None:
    today = timezone.localdate()
    contacts.log_contact(
        actor=support.supporter,
        relationship=support.ana_rel,
        data={
            "contacted_on": today - dt.timedelta(days=3),
            "channel": "phone",
            "reached": True,
            "tasks": ["rapport"],
            "kind": "first",
            "notes": "",
            "next_follow_up": today,
        },
    )


def daytime() -> dt.datetime:
    """Noon today: texts to participants wait for the morning at night."""
    return timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(12)))


def bodies(twilio: fake_twilio.FakeTwilio, to: str = PHONE) -> list[str]:
    return [r.form["Body"][0] for r in twilio.sent() if r.form["To"] == [to]]


def test_the_consent_is_recorded_with_time_and_source_and_shown_on_the_record(
    support: Any, twilio: fake_twilio.FakeTwilio
) -> None:
    response = agree(support)
    assert response.status_code == 302
    consent = texts.consent_of(support.ana)
    assert consent is not None and consent.texts_allowed
    assert consent.phone == PHONE and consent.opt_in_source == "told me on the phone"
    assert consent.opted_in_at is not None and consent.label == support.ana.reference
    entry = AuditEntry.objects.filter(action="notifications.recipient_texts").get()
    assert PHONE not in str(entry.changes) and entry.target_label == support.ana.reference
    # The supporter matched with Ana sees it on her record too.
    page = support.client_for(support.supporter).get(f"/p/riverside/support/participants/{support.ana.pk}/")
    html = page.content.decode()
    assert "Agreed to texts" in html and "told me on the phone" in html and PHONE in html


def test_agreeing_needs_a_valid_number_and_how_they_agreed(support: Any, twilio: fake_twilio.FakeTwilio) -> None:
    assert agree(support, phone="12").status_code == 400
    assert agree(support, source="").status_code == 400
    assert not TextRecipient.objects.exists()


def test_a_supervisor_may_not_record_it_and_another_program_gets_404(
    support: Any, twilio: fake_twilio.FakeTwilio
) -> None:
    url = reverse("support:participant_texts", args=[support.program.slug, support.ana.pk])
    data = {"phone": PHONE, "agreed": "on", "source": "x"}
    assert support.client_for(support.supervisor).post(url, data).status_code == 403
    other = reverse("support:participant_texts", args=[support.other_program.slug, support.ana.pk])
    assert support.client_for(support.outsider).post(other, data).status_code == 404


def test_the_follow_up_reminder_is_texted_once_and_names_no_participant(
    support: Any, twilio: fake_twilio.FakeTwilio
) -> None:
    agree(support)
    follow_up_today(support)
    assert texts.send_follow_up_texts(support.program, daytime()) == 1
    assert texts.send_follow_up_texts(support.program, daytime()) == 0  # the same day again: nobody twice
    [body] = bodies(twilio)
    assert body == "Riverside: Priya, your peer supporter, plans to be in touch today. Reply STOP to stop these texts."
    assert "Ana" not in body and "Lopez" not in body
    row = Delivery.objects.get(kind="support.participant_follow_up")
    assert row.status == DeliveryStatus.SENT and row.to == ""  # the number never rests on the delivery


def test_the_feedback_link_goes_by_text_built_as_it_is_sent(support: Any, twilio: fake_twilio.FakeTwilio) -> None:
    agree(support)
    first_contact(support.ana_rel, support.supporter)
    assert feedback.send_due_links(daytime()) >= 1
    [body] = bodies(twilio)
    found = re.search(r"http://testserver(/voice/answer/[^/\s]+/)", body)
    assert found, body
    assert support.client_for(None).get(found.group(1)).status_code == 200
    stored = Delivery.objects.get(kind="voice.answer_link")
    assert account_links.PLACEHOLDER in stored.body and "/voice/answer/" not in stored.body


def test_stop_is_honoured_and_shown_on_the_record(support: Any, twilio: fake_twilio.FakeTwilio) -> None:
    agree(support)
    client = support.client_for(None)
    answer = signed_post(
        client,
        "notifications:sms_inbound",
        {"From": PHONE, "Body": "STOP", "MessageSid": "SMstop"},
        token=twilio.auth_token,
    )
    assert answer.status_code == 200
    consent = texts.consent_of(support.ana)
    assert consent is not None and not consent.texts_allowed and consent.opt_out_source == "STOP reply"
    follow_up_today(support)
    assert texts.send_follow_up_texts(support.program, daytime()) == 0
    assert bodies(twilio) == []
    html = support.client_for(support.coordinator).get(f"/p/riverside/support/participants/{support.ana.pk}/")
    assert "STOP reply" in html.content.decode()


def test_a_spanish_reader_gets_the_text_in_spanish(support: Any, twilio: fake_twilio.FakeTwilio) -> None:
    ana = support.ana
    ana.preferred_language = "es"
    ana.save(update_fields=["preferred_language"])
    agree(support)
    follow_up_today(support)
    texts.send_follow_up_texts(support.program, daytime())
    [body] = bodies(twilio)
    assert body.startswith("Riverside: Priya, tu acompañante") and "STOP" in body


def test_an_erased_participant_leaves_no_number(support: Any, twilio: fake_twilio.FakeTwilio) -> None:
    from peerpath.support.services import matches, participants

    agree(support)
    matches.close_relationship(actor=support.coordinator, relationship=support.ana_rel, close_reason="goals_met")
    participants.erase_participant(actor=support.coordinator, participant=support.ana, reason="They asked")
    assert not TextRecipient.objects.exists()


def test_a_text_made_at_night_waits_for_the_morning(support: Any, twilio: fake_twilio.FakeTwilio) -> None:
    agree(support)
    follow_up_today(support)
    night = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(23, 30)))
    assert texts.send_follow_up_texts(support.program, night) == 1
    row = Delivery.objects.get(kind="support.participant_follow_up")
    assert row.status == DeliveryStatus.HELD and bodies(twilio) == []
    morning = timezone.make_aware(dt.datetime.combine(timezone.localdate() + dt.timedelta(days=1), dt.time(8)))
    assert row.send_after == morning
    assert delivery.release_due(now=morning + dt.timedelta(seconds=1)) == 1
    assert len(bodies(twilio)) == 1
