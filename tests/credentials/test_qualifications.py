"""Qualifications that gate work: statuses at their boundaries, an expired background check
holding back matching (with the reason on both sides) until renewed, agreements signed in the
app with their exact text, evidence kept behind the coordinator's permission, reminders."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from peerpath.credentials import services
from peerpath.credentials.models import Qualification, QualificationReminder, QualificationType
from peerpath.credentials.status import State, status_of
from peerpath.credentials.tasks import daily_qualification_reminders
from peerpath.groups.services import eligible_facilitators
from peerpath.support import eligibility
from peerpath.support.services import matches

pytestmark = pytest.mark.django_db
D = dt.date


def kind(program: Any, name: str) -> QualificationType:
    return QualificationType.objects.get(program=program, name=name)


def held(support: Any, record: Any, on_date: dt.date | None = None) -> list[str]:
    pool = eligibility.supporter_pool(support.program, on_date)
    return [reason for s, reason in pool.excluded + pool.limited if s.pk == record.pk]


class Row:
    _next = 0

    def __init__(self, obtained: dt.date, expires: dt.date | None, outcome: str = "satisfactory") -> None:
        Row._next += 1
        self.pk, self.obtained_on, self.expires_on, self.outcome = Row._next, obtained, expires, outcome


def test_status_boundaries(world: Any) -> None:
    check = kind(world.program, "Background check")
    today = D(2026, 6, 1)
    assert status_of(check, [], today).state == State.MISSING
    assert status_of(check, [Row(D(2023, 6, 1), today)], today).state == State.EXPIRING  # the expiry day counts
    assert status_of(check, [Row(D(2023, 6, 1), today - dt.timedelta(days=1))], today).state == State.EXPIRED
    assert status_of(check, [Row(D(2024, 1, 1), today + dt.timedelta(days=60))], today).state == State.EXPIRING
    assert status_of(check, [Row(D(2024, 1, 1), today + dt.timedelta(days=61))], today).state == State.VALID
    assert status_of(check, [Row(D(2026, 1, 1), None, "concerns")], today).state == State.UNSATISFACTORY
    # A renewal after an expired one: current again.
    both = [Row(D(2022, 1, 1), D(2025, 1, 1)), Row(D(2026, 5, 1), D(2029, 5, 1))]
    assert status_of(check, both, today).state == State.VALID
    references = kind(world.program, "References")
    one = [Row(D(2026, 1, 1), None)]
    assert status_of(references, one, today).state == State.MISSING  # two needed
    assert status_of(references, [*one, Row(D(2026, 2, 1), None, "concerns")], today).state == State.MISSING
    two = status_of(references, [*one, Row(D(2026, 2, 1), None)], today)
    assert two.state == State.VALID and two.have == 2


def test_an_expired_background_check_holds_back_matching_until_renewed(support: Any) -> None:
    today = timezone.localdate()
    check = kind(support.program, "Background check")
    assert check.for_new_matches and held(support, support.priya) == []  # none on file holds nobody back by default
    services.record_qualification(
        actor=support.coordinator,
        supporter=support.priya,
        qtype=check,
        obtained_on=today - dt.timedelta(days=3 * 365),
        expires_on=today - dt.timedelta(days=1),
    )
    reasons = held(support, support.priya)
    assert reasons == [f"qualification not current: Background check expired on {today - dt.timedelta(days=1)}"]
    with pytest.raises(ValidationError, match="Background check expired"):
        matches.propose_match(actor=support.coordinator, participant=support.waiting, supporter=support.priya)
    # The coordinator reads it on the qualifications pages, the supporter on their own.
    coordinator = support.client_for(support.coordinator)
    page = coordinator.get(reverse("credentials:qualifications", args=[support.program.slug])).content.decode()
    assert "Background check expired on" in page
    own = support.client_for(support.supporter).get(reverse("credentials:mine", args=[support.program.slug]))
    assert "You can take no new match until this is renewed: Background check expired" in own.content.decode()
    # Renewed: the hold clears.
    services.record_qualification(actor=support.coordinator, supporter=support.priya, qtype=check, obtained_on=today)
    assert held(support, support.priya) == []
    matches.propose_match(actor=support.coordinator, participant=support.waiting, supporter=support.priya)


def test_missing_holds_back_only_when_the_program_says_so(support: Any) -> None:
    check = kind(support.program, "Background check")
    check.missing_holds_back = True
    check.save()
    assert held(support, support.priya) == ["qualification not current: Background check missing"]


def test_an_expired_first_aid_keeps_a_supporter_from_facilitating(support: Any) -> None:
    today = timezone.localdate()
    before = {s.pk for s in eligible_facilitators(support.program)}
    assert support.priya.pk in before
    services.record_qualification(
        actor=support.coordinator,
        supporter=support.priya,
        qtype=kind(support.program, "First aid"),
        obtained_on=today - dt.timedelta(days=1200),
        expires_on=today - dt.timedelta(days=2),
    )
    assert support.priya.pk not in {s.pk for s in eligible_facilitators(support.program)}
    assert held(support, support.priya) == []  # first aid is not required for new matches


def test_signing_an_agreement_keeps_the_exact_text_and_version(world: Any) -> None:
    program, supporter = world.program, world.supporter_record
    agreement = kind(program, "Confidentiality agreement")
    client = world.client_for(world.supporter)
    url = reverse("credentials:sign", args=[program.slug, agreement.pk])
    page = client.get(reverse("credentials:mine", args=[program.slug])).content.decode()
    assert agreement.agreement_text[:40] in page
    token_free = {"typed_name": "Someone Else", "agree": "on"}
    assert client.post(url, token_free).status_code == 400 and not Qualification.objects.exists()
    assert client.post(url, {"typed_name": supporter.full_name.upper()}).status_code == 400  # must tick "agree"
    assert client.post(url, {"typed_name": f"  {supporter.full_name.lower()} ", "agree": "on"}).status_code == 302
    signed = Qualification.objects.get(qtype=agreement)
    assert signed.agreement_text == agreement.agreement_text and signed.agreement_version == 1
    assert signed.expires_on == services.expiry_for(agreement, timezone.localdate())
    # A new text is a new version: the old signature keeps its text, and the supporter signs again.
    old_text = agreement.agreement_text
    data = {f: getattr(agreement, f) for f in services.TYPE_FIELDS}
    services.save_type(
        actor=world.coordinator, program=program, qtype=agreement, data={**data, "agreement_text": "New words."}
    )
    agreement.refresh_from_db()
    signed.refresh_from_db()
    assert agreement.agreement_version == 2 and signed.agreement_text == old_text
    assert (
        "Sign: Confidentiality agreement (version 2)"
        in client.get(reverse("credentials:mine", args=[program.slug])).content.decode()
    )
    other_program_type = QualificationType.objects.filter(program=world.other_program, kind="agreement").first()
    assert other_program_type is not None
    wrong = reverse("credentials:sign", args=[program.slug, other_program_type.pk])
    assert client.post(wrong, {"typed_name": supporter.full_name, "agree": "on"}).status_code == 404


def test_coordinator_records_with_evidence_kept_behind_permission(world: Any, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    program, supporter = world.program, world.supporter_record
    client = world.client_for(world.coordinator)
    url = reverse("credentials:person", args=[program.slug, supporter.pk])
    assert client.get(url).status_code == 200
    check = kind(program, "Background check")
    bad = client.post(
        url,
        {
            "qtype": check.pk,
            "obtained_on": (timezone.localdate() + dt.timedelta(days=2)).isoformat(),
            "outcome": "satisfactory",
        },
    )
    assert bad.status_code == 400 and not Qualification.objects.exists()
    evidence = SimpleUploadedFile("check.pdf", b"%PDF-1.4 clear", "application/pdf")
    response = client.post(
        url,
        {
            "qtype": check.pk,
            "obtained_on": timezone.localdate().isoformat(),
            "outcome": "satisfactory",
            "detail": "Ref 123-ABC",
            "evidence": evidence,
        },
    )
    assert response.status_code == 302
    record = Qualification.objects.get()
    assert record.expires_on == services.expiry_for(check, timezone.localdate()) and record.detail == "Ref 123-ABC"
    download = reverse("credentials:evidence", args=[program.slug, record.pk])
    assert b"".join(client.get(download).streaming_content).startswith(b"%PDF")
    assert world.client_for(world.supporter).get(download).status_code == 403
    assert (
        world.client_for(world.outsider)
        .get(reverse("credentials:evidence", args=[world.other_program.slug, record.pk]))
        .status_code
        == 404
    )
    other = world.outsider_record
    assert client.get(reverse("credentials:person", args=[program.slug, other.pk])).status_code == 404


def test_types_page_adds_and_edits(world: Any) -> None:
    client = world.client_for(world.coordinator)
    new = reverse("credentials:type_new", args=[world.program.slug])
    data = {
        "name": "Driving licence",
        "kind": "document",
        "valid_months": 60,
        "references_needed": 1,
        "for_new_matches": "on",
        "is_active": "on",
    }
    assert client.post(new, {**data, "kind": "agreement"}).status_code == 400  # an agreement needs its text
    assert client.post(new, data).status_code == 302
    created = kind(world.program, "Driving licence")
    assert created.required_for == ["new matches"]
    assert client.post(new, data).status_code == 400  # the name is taken
    edit = reverse("credentials:type_edit", args=[world.program.slug, created.pk])
    assert client.post(edit, {**data, "for_new_matches": ""}).status_code == 302
    assert kind(world.program, "Driving licence").required_for == []
    assert world.client_for(world.trainer).get(new).status_code == 403


def test_reminders_60_30_and_7_days_before_expiry_once_each(world: Any) -> None:
    today = timezone.localdate()
    record = services.record_qualification(
        actor=world.coordinator,
        supporter=world.supporter_record,
        qtype=kind(world.program, "First aid"),
        obtained_on=today - dt.timedelta(days=100),
        expires_on=today + dt.timedelta(days=60),
    )
    mail.outbox.clear()
    daily_qualification_reminders.call()
    daily_qualification_reminders.call()
    assert [m.subject for m in mail.outbox] == ["Riverside: your First aid expires in 60 days"]
    for days in (31, 30, 8, 7):
        sent = services.send_qualification_reminders(
            program=world.program, today=record.expires_on - dt.timedelta(days=days)
        )
        assert len(sent) == (1 if days in (30, 7) else 0)
    assert sorted(QualificationReminder.objects.values_list("days_before", flat=True)) == [7, 30, 60]
    # Renewed: no more reminders for the old one.
    services.record_qualification(
        actor=world.coordinator, supporter=world.supporter_record, qtype=record.qtype, obtained_on=today
    )
    assert services.send_qualification_reminders(program=world.program, today=record.expires_on) == []
