"""The notification layer: channels per kind and per person, quiet hours, the digest, the
idempotency key, and a text never sent after STOP."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from peerpath.core.models import AuditEntry
from peerpath.notifications import delivery, services
from peerpath.notifications.models import Delivery, DeliveryStatus, Notice, Preferences
from peerpath.support import tasks as support_tasks
from tests.notifications.helpers import agree_to_texts, reply, texts_to

PHONE = "+15417543010"


def remind(world: Any, key: str = "") -> list[Notice]:
    return services.notify(
        kind="support.reminder",
        users=[world.supporter],
        program=world.program,
        context={"due": 2, "overdue": 1},
        url="/p/riverside/support/caseload/",
        key=key,
    )


def test_a_kind_goes_on_its_default_channels(world: Any) -> None:
    [notice] = remind(world)
    # Follow-ups due: e-mail by default, not in the inbox, no text.
    assert not notice.in_inbox
    assert [d.channel for d in notice.deliveries.all()] == ["email"]
    [message] = [m for m in mail.outbox if m.to == [world.supporter.email]]
    assert "2 follow-ups due" in message.body and "http://testserver/p/riverside/support/caseload/" in message.body
    assert notice.deliveries.get().email is not None


def test_a_person_chooses_the_app_and_texts_for_a_kind(world: Any) -> None:
    services.update_preferences(
        actor=world.supporter,
        channels={"support.reminder": ["in_app", "sms"]},
        quiet_from=None,
        quiet_until=None,
        digest=False,
        phone="(541) 754-3010",
        texts=True,
    )
    prefs = Preferences.objects.get(user=world.supporter)
    assert prefs.phone == PHONE and prefs.sms_opt_in_source == "profile page" and prefs.sms_opted_in_at
    [notice] = remind(world)
    assert notice.in_inbox and not mail.outbox
    [text] = texts_to(PHONE)
    assert "2 follow-ups due and 1 overdue" in text and text.endswith("/p/riverside/support/caseload/")
    assert notice.deliveries.get(channel="sms").status == DeliveryStatus.SENT
    assert AuditEntry.objects.filter(action="notifications.preferences", actor=world.supporter).exists()


def test_a_number_is_validated_and_kept_in_international_format(world: Any) -> None:
    assert services.normalise_phone("+44 20 7946 0958") == "+442079460958"
    with pytest.raises(ValidationError):
        services.normalise_phone("12")
    with pytest.raises(ValidationError):
        services.update_preferences(
            actor=world.supporter, channels={}, quiet_from=None, quiet_until=None, digest=False, phone="", texts=True
        )


def test_the_same_key_never_tells_a_person_twice(world: Any) -> None:
    agree_to_texts(world.supporter, PHONE, channels={"support.reminder": ["email", "sms"]})
    assert len(remind(world, key="day-1")) == 1
    assert remind(world, key="day-1") == []
    assert len(texts_to(PHONE)) == 1 and len(mail.outbox) == 1
    # The daily reminder task run twice the same day reaches nobody twice either.


def test_the_daily_reminder_task_run_twice_reminds_once(support: Any) -> None:
    from peerpath.support.services import contacts

    today = timezone.localdate()
    contacts.log_contact(
        actor=support.supporter,
        relationship=support.ana_rel,
        data={"contacted_on": today, "channel": "phone", "reached": True, "next_follow_up": today},
    )
    first = support_tasks.daily_reminders.call()
    again = support_tasks.daily_reminders.call()
    assert first >= 1 and again == 0
    assert Notice.objects.filter(kind="support.reminder", user=support.supporter).count() == 1


def test_stop_then_a_reminder_is_not_texted(world: Any) -> None:
    agree_to_texts(world.supporter, PHONE, channels={"support.reminder": ["sms"]})
    remind(world)
    assert len(texts_to(PHONE)) == 1
    response = reply(world.client_for(None), PHONE, "stop")
    assert response.status_code == 200
    prefs = Preferences.objects.get(user=world.supporter)
    assert not prefs.texts_allowed and prefs.sms_opt_out_source == "STOP reply" and prefs.sms_opted_out_at
    [notice] = remind(world)
    assert len(texts_to(PHONE)) == 1
    assert notice.deliveries.get().status == DeliveryStatus.SKIPPED
    # START brings texts back, recorded with its source.
    reply(world.client_for(None), PHONE, "START")
    prefs.refresh_from_db()
    assert prefs.texts_allowed and prefs.sms_opt_in_source == "START reply"
    remind(world)
    assert len(texts_to(PHONE)) == 2


def test_a_text_queued_before_stop_is_not_sent_after_it(world: Any) -> None:
    agree_to_texts(world.supporter, PHONE, channels={"support.reminder": ["sms"]})
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(delivery, "queue_text", lambda *args, **kwargs: None)  # the worker is busy
        [notice] = remind(world)
    reply(world.client_for(None), PHONE, "STOP")
    row = notice.deliveries.get()
    assert delivery.send_text(row.pk) == DeliveryStatus.SKIPPED
    assert texts_to(PHONE) == []


def _quiet(world: Any, start: int, end: int, **extra: Any) -> None:
    agree_to_texts(world.supporter, PHONE, quiet_from=dt.time(start), quiet_until=dt.time(end), **extra)


def test_quiet_hours_hold_email_and_texts_until_they_end(world: Any) -> None:
    now = timezone.localtime()
    # Quiet from an hour ago until two hours from now (over midnight when it must be).
    _quiet(
        world,
        (now - dt.timedelta(hours=1)).hour,
        (now + dt.timedelta(hours=2)).hour,
        channels={"support.reminder": ["email", "sms"]},
    )
    [notice] = remind(world)
    held = {d.channel: d for d in notice.deliveries.all()}
    assert {d.status for d in held.values()} == {DeliveryStatus.HELD}
    assert not mail.outbox and not texts_to(PHONE)
    assert delivery.release_due(now=timezone.now()) == 0
    end = held["sms"].send_after
    assert end is not None and end > timezone.now()
    assert delivery.release_due(now=end + dt.timedelta(seconds=1)) == 2
    assert len(mail.outbox) == 1 and len(texts_to(PHONE)) == 1


def test_a_crisis_ignores_quiet_hours(support: Any) -> None:
    from peerpath.support.services import concerns

    now = timezone.localtime()
    _quiet_user = support.supervisor
    agree_to_texts(
        _quiet_user,
        PHONE,
        quiet_from=dt.time((now - dt.timedelta(hours=1)).hour),
        quiet_until=dt.time((now + dt.timedelta(hours=2)).hour),
    )
    concerns.raise_concern(actor=support.supporter, relationship=support.ana_rel, kind="crisis", answers=[], notes="")
    assert any(m.subject.startswith("URGENT") for m in mail.outbox if m.to == [support.supervisor.email])
    assert len(texts_to(PHONE)) == 1


def test_quiet_hours_over_midnight() -> None:
    prefs = Preferences(quiet_from=dt.time(22), quiet_until=dt.time(7))
    tz = timezone.get_current_timezone()
    late = timezone.make_aware(dt.datetime(2026, 12, 7, 23, 30), tz)
    early = timezone.make_aware(dt.datetime(2026, 12, 8, 6, 0), tz)
    noon = timezone.make_aware(dt.datetime(2026, 12, 8, 12, 0), tz)
    seven = timezone.make_aware(dt.datetime(2026, 12, 8, 7, 0), tz)
    assert services.quiet_until(prefs, late) == seven
    assert services.quiet_until(prefs, early) == seven
    assert services.quiet_until(prefs, noon) is None


def test_the_digest_gathers_the_days_email_into_one(world: Any) -> None:
    agree_to_texts(world.supporter, PHONE, digest=True)
    remind(world, key="a")
    services.notify(
        kind="support.alert",
        users=[world.supporter],
        program=world.program,
        context={"text": "A match offer is waiting", "subject": "Offer"},
        url="/p/riverside/",
    )
    assert not mail.outbox
    assert Delivery.objects.filter(status=DeliveryStatus.DIGEST).count() == 2
    assert delivery.send_digests() == 1
    [digest] = mail.outbox
    assert "2 notifications" in digest.subject
    assert "2 follow-ups due" in digest.body and "A match offer is waiting" in digest.body
    assert not Delivery.objects.filter(status=DeliveryStatus.DIGEST).exists()
    assert delivery.send_digests() == 0
