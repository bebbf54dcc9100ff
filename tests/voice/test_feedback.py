"""The participant's feedback link: sent after the first contact, answered once without an
account, read by the coordinators, seen by the supporter only as totals."""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from peerpath.core.models import AuditEntry, EmailStatus, OutgoingEmail
from peerpath.notifications.models import Notice as Notification
from peerpath.support.models import CloseReason, ParticipantStatus, RelationshipState
from peerpath.voice import links
from peerpath.voice.models import AnswerLink, FeedbackAnswer, Fit, Heard, Occasion
from peerpath.voice.services import feedback
from tests.voice.helpers import first_contact, latest_link, send_and_read_link

pytestmark = pytest.mark.django_db

ANSWERS = {"felt_heard": "mostly", "good_fit": "yes", "message": "She calls when she says she will."}


def test_no_link_before_the_first_contact_then_one_after_it(support: Any) -> None:
    assert feedback.send_due_links() == 0
    first_contact(support.ana_rel, support.supporter)
    assert feedback.send_due_links() == 1
    assert feedback.send_due_links() == 0  # the first one is still open
    link = latest_link(support.ana_rel)
    assert link.occasion == Occasion.FIRST_CONTACT and link.used_at is None


def test_the_link_is_never_stored_in_the_outbox(support: Any) -> None:
    first_contact(support.ana_rel, support.supporter)
    path = send_and_read_link("ana.lopez@example.net")
    stored = OutgoingEmail.objects.get(link_kind=links.KIND)
    assert path not in stored.body and "[[peerpath-account-link]]" in stored.body
    # Nor is the participant's address: it is read from their record as the e-mail leaves.
    assert stored.to == [] and "ana.lopez" not in stored.body
    assert stored.status == EmailStatus.SENT
    assert [m.to for m in mail.outbox] == [["ana.lopez@example.net"]]


def test_a_link_whose_participant_has_no_address_any_more_is_cancelled(support: Any) -> None:
    from peerpath.core import outbox

    first_contact(support.ana_rel, support.supporter)
    with mock.patch.object(outbox, "_queue"):  # queued, not yet sent
        feedback.send_due_links()
    support.ana.email = ""
    support.ana.save()
    stored = OutgoingEmail.objects.get(link_kind=links.KIND)
    assert outbox.deliver(stored.pk) == EmailStatus.CANCELLED


def test_participant_answers_once_and_the_coordinator_reads_it(support: Any) -> None:
    first_contact(support.ana_rel, support.supporter)
    path = send_and_read_link("ana.lopez@example.net")
    anonymous = Client()
    page = anonymous.get(path)
    assert page.status_code == 200 and b"Did you feel heard" in page.content
    assert b"Ana" not in page.content  # nothing of the participant on the open page

    sent = anonymous.post(path, ANSWERS)
    assert sent.status_code == 302
    answer = FeedbackAnswer.objects.get()
    assert (answer.felt_heard, answer.good_fit, answer.supporter) == ("mostly", "yes", support.priya)
    again = anonymous.get(path)
    assert again.status_code == 410 and b"Thank you" in again.content
    twice = anonymous.post(path, ANSWERS)
    assert twice.status_code == 410 and FeedbackAnswer.objects.count() == 1

    assert Notification.objects.filter(user=support.coordinator, text__contains=support.ana.reference).exists()
    coordinator = support.client_for(support.coordinator)
    listing = coordinator.get("/p/riverside/voice/feedback/")
    assert listing.status_code == 200 and support.ana.reference.encode() in listing.content
    detail = coordinator.get(f"/p/riverside/voice/feedback/{answer.pk}/")
    assert detail.status_code == 200 and b"She calls when she says she will." in detail.content
    assert AuditEntry.objects.filter(
        action="participant.view", target_id=str(support.ana.pk), note="feedback answer"
    ).exists()
    answer.refresh_from_db()
    assert answer.read_by == support.coordinator


def test_a_forged_or_altered_link_shows_a_kind_page(support: Any) -> None:
    first_contact(support.ana_rel, support.supporter)
    path = send_and_read_link("ana.lopez@example.net")
    link = latest_link(support.ana_rel)
    client = Client()
    assert client.get(path[:-3] + "xx/").status_code == 404
    assert client.get("/voice/answer/nonsense/").status_code == 404
    other = AnswerLink(pk=link.pk + 1, nonce="guess")
    assert client.get(f"/voice/answer/{links.token_for(other)}/").status_code == 404  # signed, but no such link
    wrong_nonce = AnswerLink(pk=link.pk, nonce="guess")
    response = client.get(f"/voice/answer/{links.token_for(wrong_nonce)}/")
    assert response.status_code == 404 and b"could not find this link" in response.content


def test_an_expired_link_shows_a_kind_page_and_records_nothing(support: Any) -> None:
    first_contact(support.ana_rel, support.supporter)
    path = send_and_read_link("ana.lopez@example.net")
    AnswerLink.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    client = Client()
    assert client.get(path).status_code == 410
    response = client.post(path, ANSWERS)
    assert response.status_code == 410 and b"expired" in response.content
    assert not FeedbackAnswer.objects.exists()


def test_an_unsent_link_is_cancelled_once_it_expired(support: Any) -> None:
    first_contact(support.ana_rel, support.supporter)
    link_id = feedback.due_links(support.program)[0]
    made = feedback.send_link(plan=link_id)
    AnswerLink.objects.filter(pk=made.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert links.build_for_delivery(made.pk) is None


def test_a_form_with_missing_answers_is_shown_again(support: Any) -> None:
    first_contact(support.ana_rel, support.supporter)
    path = send_and_read_link("ana.lopez@example.net")
    response = Client().post(path, {"message": "only this"})
    assert response.status_code == 400 and b"Choose an answer." in response.content
    assert latest_link(support.ana_rel).used_at is None


def test_the_answer_is_encrypted_at_rest(support: Any) -> None:
    from django.db import connection

    first_contact(support.ana_rel, support.supporter)
    Client().post(send_and_read_link("ana.lopez@example.net"), {**ANSWERS, "good_fit": "not_sure"})
    with connection.cursor() as cursor:
        cursor.execute("SELECT felt_heard, good_fit, message FROM voice_feedbackanswer")
        row = cursor.fetchone()
    assert "mostly" not in row[0] and "not_sure" not in row[1] and "She calls" not in row[2]


def test_regular_links_follow_the_program_cadence(support: Any) -> None:
    first_contact(support.ana_rel, support.supporter)
    start = timezone.now()
    feedback.send_due_links(now=start)
    assert feedback.due_links(support.program, start + dt.timedelta(days=29)) == []
    AnswerLink.objects.update(used_at=start)
    later = feedback.due_links(support.program, start + dt.timedelta(days=31))
    assert [p.occasion for p in later] == [Occasion.REGULAR]


def test_closing_sends_one_more_link(support: Any) -> None:
    first_contact(support.ana_rel, support.supporter)
    feedback.send_due_links()
    AnswerLink.objects.update(used_at=timezone.now())
    from peerpath.support.services import matches

    matches.start_closing(actor=support.supporter, relationship=support.ana_rel)
    assert [p.occasion for p in feedback.due_links(support.program)] == [Occasion.CLOSING]


def test_the_supporter_sees_only_totals_over_enough_answers(support: Any) -> None:
    priya = support.priya
    client = support.client_for(support.supporter)
    for n in range(5):
        FeedbackAnswer.objects.create(
            program=support.program,
            relationship=support.ana_rel,
            participant=support.ana,
            supporter=priya,
            occasion=Occasion.REGULAR,
            felt_heard=Heard.YES if n < 4 else Heard.NO,
            good_fit=Fit.YES if n < 3 else Fit.NOT_SURE,
            message=f"secret message {n}",
        )
        totals = feedback.supporter_totals(priya)
        home = client.get("/p/riverside/").content.decode()
        assert "secret message" not in home
        if n < 4:
            assert not totals.shown and "answers so far" in home
    assert (totals.count, totals.heard, totals.fit) == (5, 4, 3)
    assert "80% felt heard, 60% said it is a good fit" in home
    relationship_page = client.get(f"/p/riverside/support/relationships/{support.ana_rel.pk}/")
    assert b"secret message" not in relationship_page.content


def test_not_a_good_fit_alerts_coordinators_and_opens_the_rematch(support: Any) -> None:
    first_contact(support.ana_rel, support.supporter)
    path = send_and_read_link("ana.lopez@example.net")
    Client().post(path, {**ANSWERS, "good_fit": "no"})
    answer = FeedbackAnswer.objects.get()
    waiting_since = support.ana.waiting_since
    alert = Notification.objects.get(user=support.coordinator, text__contains="not a good fit")
    assert alert.is_urgent
    coordinator = support.client_for(support.coordinator)
    response = coordinator.post(f"/p/riverside/voice/feedback/{answer.pk}/rematch/", {"note": ""})
    assert response.status_code == 302
    support.ana_rel.refresh_from_db()
    support.ana.refresh_from_db()
    assert support.ana_rel.state == RelationshipState.CLOSED
    assert support.ana_rel.close_reason == CloseReason.REMATCHED
    assert support.ana.status == ParticipantStatus.WAITING
    assert support.ana.waiting_since == waiting_since  # their place in the queue is kept
    assert AuditEntry.objects.filter(action="relationship.fit_rematch").exists()
    again = coordinator.post(f"/p/riverside/voice/feedback/{answer.pk}/rematch/", {"note": ""})
    assert again.status_code == 400


def test_supporters_and_supervisors_cannot_open_answers(support: Any) -> None:
    answer = FeedbackAnswer.objects.create(
        program=support.program,
        relationship=support.ana_rel,
        participant=support.ana,
        supporter=support.priya,
        occasion=Occasion.REGULAR,
        felt_heard=Heard.YES,
        good_fit=Fit.YES,
    )
    for user in (support.supporter, support.supervisor):
        client = support.client_for(user)
        assert client.get(f"/p/riverside/voice/feedback/{answer.pk}/").status_code == 403
        assert client.get("/p/riverside/voice/feedback/").status_code == 403


def test_answers_go_with_an_erased_participant(support: Any) -> None:
    from peerpath.support.services import matches, participants

    first_contact(support.ana_rel, support.supporter)
    Client().post(send_and_read_link("ana.lopez@example.net"), ANSWERS)
    matches.close_relationship(actor=support.coordinator, relationship=support.ana_rel, close_reason="goals_met")
    participants.erase_participant(actor=support.coordinator, participant=support.ana, reason="Asked by phone")
    assert not FeedbackAnswer.objects.exists() and not AnswerLink.objects.exists()
    assert mail.outbox is not None


def test_the_participant_export_holds_their_answers(support: Any) -> None:
    import json

    first_contact(support.ana_rel, support.supporter)
    Client().post(send_and_read_link("ana.lopez@example.net"), ANSWERS)
    response = support.client_for(support.coordinator).get(
        f"/p/riverside/support/participants/{support.ana.pk}/export/"
    )
    data = json.loads(b"".join(response.streaming_content) if response.streaming else response.content)
    [given] = data["voice"]["feedback"]
    assert (given["felt_heard"], given["message"]) == ("mostly", ANSWERS["message"])
