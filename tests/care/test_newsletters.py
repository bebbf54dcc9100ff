"""Newsletters: audiences by pathway stage, background sending, the archive, and unsubscribing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse

from peerpath.care.models import Newsletter, NewsletterDelivery, NewsletterPreference, NewsletterStatus
from peerpath.care.services import newsletters
from peerpath.care.tasks import deliver_newsletter, unsubscribe_token
from peerpath.core.models import AuditEntry
from peerpath.recruitment.models import Stage
from tests.care.helpers import supporter
from tests.factories import SupporterFactory


def people(world: Any) -> dict[str, Any]:
    program = world.program
    return {
        "active": world.supporter_record,
        "on_break": supporter(program, "On Break", stage=Stage.ON_BREAK),
        "trainee": supporter(program, "Trainee", stage=Stage.IN_TRAINING),
        "alumni": SupporterFactory(program=program, full_name="Alum No Login", stage=Stage.ALUMNI),
        "applicant": SupporterFactory(program=program, full_name="Applicant", stage=Stage.APPLICANT),
    }


@pytest.mark.django_db
def test_writing_and_sending_an_update_to_chosen_audiences(world: Any) -> None:
    who = people(world)
    client = world.client_for(world.coordinator)
    empty = client.post(reverse("care:newsletter_new", args=[world.program.slug]), {"subject": "Hi"})
    assert empty.status_code == 400 and not Newsletter.objects.exists()
    response = client.post(
        reverse("care:newsletter_new", args=[world.program.slug]),
        {
            "subject": "Spring news",
            "body": "Hello all.\n\nDinner on Friday.",
            "audiences": ["active", "inactive_alumni"],
        },
    )
    letter = Newsletter.objects.get()
    assert response.status_code == 302 and letter.status == NewsletterStatus.DRAFT
    draft = client.get(reverse("care:newsletter_edit", args=[world.program.slug, letter.pk])).content.decode()
    assert "It goes to <strong>2</strong> people" in draft
    mail.outbox.clear()
    sent = client.post(reverse("care:newsletter_send", args=[world.program.slug, letter.pk]))
    assert sent.status_code == 302
    letter.refresh_from_db()
    assert letter.status == NewsletterStatus.SENT and letter.recipient_count == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([who["active"].email, who["alumni"].email])
    message = mail.outbox[0]
    assert message.subject == "Riverside: Spring news" and "Dinner on Friday." in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/updates/unsubscribe/" in message.extra_headers["List-Unsubscribe"]
    assert "/updates/unsubscribe/" in message.body
    # Sent once: sending again is refused, re-running the task sends nothing more.
    again = client.post(reverse("care:newsletter_send", args=[world.program.slug, letter.pk]))
    assert again.status_code == 302 and len(mail.outbox) == 2
    deliver_newsletter.call(newsletter_id=letter.pk)
    assert len(mail.outbox) == 2 and NewsletterDelivery.objects.count() == 2
    assert AuditEntry.objects.filter(action="newsletter.send", target_id=str(letter.pk)).exists()


@pytest.mark.django_db
def test_people_who_unsubscribed_are_left_out(world: Any) -> None:
    who = people(world)
    newsletters.set_newsletter_preference(
        actor=who["trainee"].user, supporter=who["trainee"], receive=False, via="page"
    )
    letter = newsletters.save_newsletter(
        actor=world.coordinator,
        program=world.program,
        newsletter=None,
        subject="S",
        body="B",
        audiences=["trainees", "on_break"],
    )
    mail.outbox.clear()
    newsletters.send_newsletter(actor=world.coordinator, newsletter=letter)
    assert [m.to for m in mail.outbox] == [[who["on_break"].email]]


@pytest.mark.django_db
def test_nobody_to_send_to_is_refused(world: Any) -> None:
    letter = newsletters.save_newsletter(
        actor=world.coordinator, program=world.program, newsletter=None, subject="S", body="B", audiences=["on_break"]
    )
    response = world.client_for(world.coordinator).post(
        reverse("care:newsletter_send", args=[world.program.slug, letter.pk])
    )
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.status == NewsletterStatus.DRAFT


@pytest.mark.django_db
def test_the_one_click_unsubscribe_link(world: Any) -> None:
    who = people(world)
    letter = newsletters.save_newsletter(
        actor=world.coordinator,
        program=world.program,
        newsletter=None,
        subject="S",
        body="B",
        audiences=["inactive_alumni"],
    )
    mail.outbox.clear()
    newsletters.send_newsletter(actor=world.coordinator, newsletter=letter)
    link = re.search(r"http://testserver(/updates/unsubscribe/\S+/)", mail.outbox[0].body).group(1)
    anonymous = world.client_for(None)
    page = anonymous.get(link)
    assert page.status_code == 200 and "Stop sending me updates" in page.content.decode()
    assert not NewsletterPreference.objects.exists()  # looking at the page changes nothing
    # A mail client's RFC 8058 one-click POST, without a CSRF token.
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    done = strict.post(link, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "will not receive" in done.content.decode()
    assert NewsletterPreference.objects.get(supporter=who["alumni"]).receive is False
    resubscribed = strict.post(link, {"action": "resubscribe"})
    assert "receive the program" in resubscribed.content.decode()
    assert NewsletterPreference.objects.get(supporter=who["alumni"]).receive is True
    assert anonymous.get("/updates/unsubscribe/forged-token/").status_code == 404
    tampered = unsubscribe_token(who["alumni"].pk)[:-2] + "xx"
    assert anonymous.post(f"/updates/unsubscribe/{tampered}/").status_code == 404


@pytest.mark.django_db
def test_preference_page(world: Any) -> None:
    client = world.client_for(world.supporter)
    url = reverse("care:my_updates", args=[world.program.slug])
    assert client.get(url).status_code == 200
    assert client.post(url, {}).status_code == 302  # unticked: stop
    assert NewsletterPreference.objects.get(supporter=world.supporter_record).receive is False
    assert client.post(url, {"receive": "on"}).status_code == 302
    assert NewsletterPreference.objects.get(supporter=world.supporter_record).receive is True


@pytest.mark.django_db
def test_the_archive_is_readable_by_everyone_in_the_program_but_drafts_are_not(world: Any) -> None:
    letter = newsletters.save_newsletter(
        actor=world.coordinator,
        program=world.program,
        newsletter=None,
        subject="Winter update",
        body="Warm <b>wishes</b>",
        audiences=["active"],
    )
    draft_url = reverse("care:newsletter", args=[world.program.slug, letter.pk])
    assert world.client_for(world.supporter).get(draft_url).status_code == 404
    newsletters.send_newsletter(actor=world.coordinator, newsletter=letter)
    for user in (world.supporter, world.trainer, world.supervisor, world.coordinator):
        archive = world.client_for(user).get(reverse("care:newsletters", args=[world.program.slug]))
        assert archive.status_code == 200 and "Winter update" in archive.content.decode()
        page = world.client_for(user).get(draft_url)
        assert page.status_code == 200 and "Warm &lt;b&gt;wishes&lt;/b&gt;" in page.content.decode()
    assert (
        world.client_for(world.outsider)
        .get(reverse("care:newsletter", args=[world.other_program.slug, letter.pk]))
        .status_code
        == 404
    )
    # A sent update can no longer be edited.
    edit = world.client_for(world.coordinator).get(
        reverse("care:newsletter_edit", args=[world.program.slug, letter.pk])
    )
    assert edit.status_code == 302
