"""Buddies (pairing, suggestions, home pages) and recognition (milestones, records, certificates)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from peerpath.care import queries
from peerpath.care.models import BuddyPair, Recognition
from peerpath.care.services import buddies, recognition
from peerpath.care.services import common as care_common
from peerpath.recruitment.models import Stage, StageChange
from tests.care.helpers import supporter


def active_since(record: Any, days_ago: int) -> None:
    StageChange.objects.create(
        supporter=record,
        from_stage=Stage.CERTIFIED,
        to_stage=Stage.ACTIVE,
        created_at=timezone.now() - dt.timedelta(days=days_ago),
    )


@pytest.mark.django_db
def test_suggestions_pair_the_newest_with_the_most_experienced(world: Any) -> None:
    world.supporter_record.stage = Stage.INACTIVE
    world.supporter_record.save()
    veteran, senior = supporter(world.program, "Veteran"), supporter(world.program, "Senior")
    junior, newest = supporter(world.program, "Junior"), supporter(world.program, "Newest", stage=Stage.SHADOWING)
    active_since(veteran, 2000)
    active_since(senior, 900)
    active_since(junior, 60)
    suggestions = queries.buddy_suggestions(world.program, timezone.localdate())
    assert [(s["experienced"].full_name, s["newer"].full_name) for s in suggestions] == [
        ("Veteran", "Newest"),
        ("Senior", "Junior"),
    ]
    buddies.pair_buddies(actor=world.coordinator, program=world.program, first=veteran, second=newest)
    assert [
        (s["experienced"].full_name, s["newer"].full_name)
        for s in queries.buddy_suggestions(world.program, timezone.localdate())
    ] == [("Senior", "Junior")]


@pytest.mark.django_db
def test_pairing_rules_and_e_mails(world: Any) -> None:
    a, b, c = supporter(world.program, "Ann"), supporter(world.program, "Bea"), supporter(world.program, "Cy")
    pair = buddies.pair_buddies(actor=world.coordinator, program=world.program, first=a, second=b, note="Same area")
    assert {tuple(m.to) for m in mail.outbox} == {(a.email,), (b.email,)}
    assert "Bea" in next(m for m in mail.outbox if m.to == [a.email]).body
    with pytest.raises(ValidationError, match="already has a buddy"):
        buddies.pair_buddies(actor=world.coordinator, program=world.program, first=a, second=c)
    with pytest.raises(ValidationError, match="different"):
        buddies.pair_buddies(actor=world.coordinator, program=world.program, first=c, second=c)
    trainee = supporter(world.program, "Trainee", stage=Stage.IN_TRAINING)
    with pytest.raises(ValidationError, match="not a current supporter"):
        buddies.pair_buddies(actor=world.coordinator, program=world.program, first=c, second=trainee)
    buddies.end_buddy_pair(actor=world.coordinator, pair=pair)
    buddies.pair_buddies(actor=world.coordinator, program=world.program, first=a, second=c)
    assert BuddyPair.objects.filter(ended_on__isnull=True).count() == 1


@pytest.mark.django_db
def test_buddies_see_each_other_on_their_home_pages(world: Any) -> None:
    a, b = supporter(world.program, "Ann Able"), supporter(world.program, "Bea Bright")
    buddies.pair_buddies(actor=world.coordinator, program=world.program, first=a, second=b)
    home_a = world.client_for(a.user).get(reverse("programs:home", args=[world.program.slug])).content.decode()
    home_b = world.client_for(b.user).get(reverse("programs:home", args=[world.program.slug])).content.decode()
    assert "Your buddy: <strong>Bea Bright</strong>" in home_a and b.email in home_a
    assert "Your buddy: <strong>Ann Able</strong>" in home_b


@pytest.mark.django_db
def test_buddies_page_pairs_and_ends(world: Any) -> None:
    a, b = supporter(world.program, "Ann"), supporter(world.program, "Bea")
    client = world.client_for(world.coordinator)
    assert client.get(reverse("care:buddies", args=[world.program.slug])).status_code == 200
    same = client.post(reverse("care:buddy_pair", args=[world.program.slug]), {"first": a.pk, "second": a.pk})
    assert same.status_code == 400 and not BuddyPair.objects.exists()
    foreign = client.post(
        reverse("care:buddy_pair", args=[world.program.slug]), {"first": a.pk, "second": world.outsider_record.pk}
    )
    assert foreign.status_code == 400
    assert (
        client.post(reverse("care:buddy_pair", args=[world.program.slug]), {"first": a.pk, "second": b.pk}).status_code
        == 302
    )
    pair = BuddyPair.objects.get()
    assert client.post(reverse("care:buddy_end", args=[world.program.slug, pair.pk])).status_code == 302
    pair.refresh_from_db()
    assert pair.ended_on == timezone.localdate()
    other = buddies.pair_buddies(
        actor=world.outsider,
        program=world.other_program,
        first=supporter(world.other_program, "X"),
        second=supporter(world.other_program, "Y"),
    )
    assert client.post(reverse("care:buddy_end", args=[world.program.slug, other.pk])).status_code == 404


@pytest.mark.django_db
def test_service_milestones(world: Any) -> None:
    settings = care_common.get_settings(world.program)
    today = timezone.localdate()
    world.supporter_record.stage = Stage.INACTIVE
    world.supporter_record.save()
    soon = supporter(world.program, "Three Years Soon")
    active_since(soon, 3 * 365 - 10)  # third anniversary in about ten days
    reached = supporter(world.program, "One Year Reached")
    active_since(reached, 370)
    far = supporter(world.program, "Two Years")
    active_since(far, 730)
    found = queries.milestones(world.program, settings, today)
    assert [(m["supporter"].full_name, m["key"]) for m in found["upcoming"]] == [("Three Years Soon", "years:3")]
    assert [(m["supporter"].full_name, m["key"]) for m in found["reached"]] == [("One Year Reached", "years:1")]
    assert found["unit"] == "contacts"
    recognition.record_recognition(
        actor=world.coordinator,
        program=world.program,
        supporter=reached,
        kind="feedback",
        title="One year",
        milestone="years:1",
    )
    assert queries.milestones(world.program, settings, today)["reached"] == []


@pytest.mark.django_db
def test_support_given_milestones_count_contacts_that_reached_the_participant(world: Any) -> None:
    from peerpath.support.services import contacts as support_contacts
    from tests.support.helpers import make_participant, match, profile

    settings = care_common.get_settings(world.program)
    settings.support_milestones = "3,5"
    settings.save()
    record = world.supporter_record
    profile(world, record)
    relationship = match(world, make_participant(world), record, world.supporter)
    for reached in (True, True, True, True, False):
        support_contacts.log_contact(
            actor=world.supporter,
            relationship=relationship,
            data={"contacted_on": timezone.localdate(), "channel": "phone", "reached": reached, "tasks": []},
        )
    found = queries.milestones(world.program, settings, timezone.localdate())
    assert [(m["key"], m["label"]) for m in found["reached"]] == [("support:3", "3 contacts")]
    assert [(m["key"], m["count"]) for m in found["upcoming"]] == [("support:5", 4)]


@pytest.mark.django_db
def test_recognition_pages_and_certificate(world: Any) -> None:
    record = supporter(world.program, "Grace Giver")
    client = world.client_for(world.coordinator)
    url = reverse("care:recognition_new", args=[world.program.slug])
    assert client.get(url, {"supporter": record.pk, "milestone": "years:1", "title": "1 year"}).status_code == 200
    assert client.get(url, {"supporter": world.outsider_record.pk}).status_code == 404
    award = {
        "supporter": record.pk,
        "kind": "award",
        "title": "Supporter of the year",
        "given_on": timezone.localdate().isoformat(),
        "notify": "on",
    }
    missing_event = client.post(url, award)
    assert missing_event.status_code == 400 and "Name the event" in missing_event.content.decode()
    assert client.post(url, {**award, "event_name": "Annual dinner"}).status_code == 302
    made = Recognition.objects.get()
    assert mail.outbox[-1].to == [record.email] and "Supporter of the year" in mail.outbox[-1].subject
    listing = client.get(reverse("care:recognition", args=[world.program.slug])).content.decode()
    assert "Supporter of the year" in listing
    pdf = client.get(reverse("care:recognition_certificate", args=[world.program.slug, made.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    assert b"Grace Giver" in pdf.content  # in the document's title
    own = world.client_for(record.user).get(reverse("care:my_certificate", args=[world.program.slug, made.pk]))
    assert own.status_code == 200 and own.content.startswith(b"%PDF-")
    someone_else = supporter(world.program, "Someone Else")
    assert (
        world.client_for(someone_else.user)
        .get(reverse("care:my_certificate", args=[world.program.slug, made.pk]))
        .status_code
        == 404
    )
    assert (
        world.client_for(world.outsider)
        .get(reverse("care:recognition_certificate", args=[world.other_program.slug, made.pk]))
        .status_code
        == 404
    )
