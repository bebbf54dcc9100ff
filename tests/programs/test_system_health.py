"""Coordinators see the readiness checks and their program's undelivered e-mail, and resend it."""

from __future__ import annotations

from typing import Any

from django.core import mail

from peerpath.core.models import AuditEntry, EmailStatus, OutgoingEmail


def undelivered(program: Any, subject: str = "Your interview") -> OutgoingEmail:
    return OutgoingEmail.objects.create(
        program=program,
        message_id=f"<{subject.replace(' ', '')}@testserver>",
        to=["applicant@example.org"],
        subject=subject,
        body="See you on Monday.",
        status=EmailStatus.UNDELIVERED,
        attempts=6,
        last_error="ConnectionRefusedError: connection refused",
    )


def test_the_health_page_shows_the_readiness_checks(world: Any) -> None:
    undelivered(world.program)
    page = world.client_for(world.coordinator).get("/p/riverside/settings/health/")
    assert page.status_code == 200
    text = page.content.decode()
    for label in ("Database", "Cache", "Task queue", "Scheduler", "Undelivered e-mail", "Crisis escalation"):
        assert label in text
    assert "failing" in text  # the scheduler never ran, and one e-mail is undelivered
    assert "1 e-mail could not be delivered." in text


def test_the_undelivered_list_shows_only_this_programs_messages(world: Any, django_assert_max_num_queries: Any) -> None:
    mine = undelivered(world.program)
    theirs = undelivered(world.other_program, "Elsewhere")
    OutgoingEmail.objects.create(
        program=world.program, message_id="<sent@testserver>", to=["x@example.org"], subject="Sent fine", body="b"
    )
    client = world.client_for(world.coordinator)
    with django_assert_max_num_queries(12):
        page = client.get("/p/riverside/settings/undelivered/")
    assert page.status_code == 200
    text = page.content.decode()
    assert mine.subject in text and "connection refused" in text
    assert theirs.subject not in text and "Sent fine" not in text
    for n in range(5):
        undelivered(world.program, f"More {n}")
    with django_assert_max_num_queries(12):
        assert client.get("/p/riverside/settings/undelivered/").status_code == 200


def test_resending_sends_it_with_the_same_message_id_and_is_audited(world: Any) -> None:
    message = undelivered(world.program)
    response = world.client_for(world.coordinator).post(f"/p/riverside/settings/undelivered/{message.pk}/resend/")
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == EmailStatus.SENT
    assert [m.message()["Message-ID"] for m in mail.outbox] == [message.message_id]
    entry = AuditEntry.objects.get(action="email.resend")
    assert (entry.actor, entry.program, entry.target_id) == (world.coordinator, world.program, str(message.pk))


def test_another_programs_message_cannot_be_resent(world: Any) -> None:
    theirs = undelivered(world.other_program)
    response = world.client_for(world.coordinator).post(f"/p/riverside/settings/undelivered/{theirs.pk}/resend/")
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == EmailStatus.UNDELIVERED
    assert mail.outbox == []


def test_a_sent_message_is_not_resent(world: Any) -> None:
    sent = OutgoingEmail.objects.create(
        program=world.program, message_id="<s@testserver>", to=["x@example.org"], subject="s", body="b", status="sent"
    )
    response = world.client_for(world.coordinator).post(f"/p/riverside/settings/undelivered/{sent.pk}/resend/")
    assert response.status_code == 404
    assert mail.outbox == []


def test_only_coordinators_see_the_pages(world: Any) -> None:
    for path in ("/p/riverside/settings/health/", "/p/riverside/settings/undelivered/"):
        assert world.client_for(world.supervisor).get(path).status_code == 403
        assert world.client_for(world.coordinator).get(path).status_code == 200
