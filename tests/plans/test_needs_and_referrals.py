"""Needs, the resource directory and referrals: the checklist from intake on, a directory
searched by need, language and area and imported through the preview, referrals from suggested
to connected with warm-handoff notes and follow-ups among the supporter's, the report by need;
read and changed only by those the relationship's rule allows, encrypted and audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from peerpath.core.models import AuditEntry
from peerpath.exchange.models import ImportBatch
from peerpath.plans import queries, services
from peerpath.plans.models import Need, NeedStatus, Referral, ReferralState, Resource
from peerpath.reports.base import Period
from peerpath.reports.library.plans import NeedsAndReferrals
from peerpath.support.services import concerns, matches
from peerpath.support.services import participants as support_participants
from tests.support.test_encryption import dump_database

pytestmark = pytest.mark.django_db


def resource(support: Any, name: str = "Riverside Food Bank", **data: Any) -> Resource:
    return services.save_resource(
        actor=support.coordinator,
        program=support.program,
        resource=None,
        data={"name": name, "needs": ["Food"], "languages": ["English", "Spanish"], "area": "Downtown", **data},
    )


def needs_post(support: Any, **rows: tuple[str, str]) -> dict[str, str]:
    """The checklist form's data: every need of the program's list, with ``rows`` filled in."""
    names = [name for name, _need in queries.checklist(support.program, support.ana)]
    data = {}
    for index, name in enumerate(names):
        status, note = rows.get(name, ("", ""))
        data[f"status_{index}"], data[f"note_{index}"] = status, note
    return data


def test_the_checklist_records_needs_encrypted_and_audited(support: Any) -> None:
    client = support.client_for(support.supporter)
    url = f"/p/riverside/plans/participants/{support.ana.pk}/needs/"
    page = client.get(url).content.decode()
    assert "Housing" in page and "Childcare" in page  # the default checklist
    response = client.post(url, needs_post(support, Housing=("open", "Lease ends in March quetzal")))
    assert response.status_code == 302
    need = Need.objects.get()
    assert need.area == "Housing" and need.status == NeedStatus.OPEN and need.note.endswith("quetzal")
    assert "quetzal" not in dump_database()
    assert "quetzal" not in str(AuditEntry.objects.get(action="need.create").changes)
    response = client.post(url, needs_post(support, Housing=("met", "Lease ends in March quetzal")))
    assert response.status_code == 302
    need.refresh_from_db()
    assert need.status == NeedStatus.MET and need.met_on == timezone.localdate()
    # A need once recorded is not removed: leaving it blank is refused, on its own row.
    response = client.post(url, needs_post(support))
    assert response.status_code == 400 and "no longer needed" in response.content.decode()
    # A note without a status is refused too.
    assert client.post(url, needs_post(support, Food=("", "hungry"))).status_code == 400
    assert Need.objects.count() == 1


def test_coordinators_record_needs_at_intake_supervisors_only_read(support: Any) -> None:
    url = f"/p/riverside/plans/participants/{support.waiting.pk}/needs/"
    coordinator = support.client_for(support.coordinator)
    names = [name for name, _need in queries.checklist(support.program, support.waiting)]
    data = {f"status_{i}": "" for i in range(len(names))} | {f"note_{i}": "" for i in range(len(names))}
    data[f"status_{names.index('Food')}"] = "open"
    assert coordinator.post(url, data).status_code == 302
    assert Need.objects.get(participant=support.waiting).area == "Food"
    # The participant's own page shows the needs.
    assert "Food" in coordinator.get(f"/p/riverside/support/participants/{support.waiting.pk}/").content.decode()
    # Nobody else reaches a waiting participant's needs.
    assert support.client_for(support.supporter).get(url).status_code == 404
    assert support.client_for(support.supervisor).get(url).status_code == 404
    ana = f"/p/riverside/plans/participants/{support.ana.pk}/needs/"
    assert support.client_for(support.supervisor).get(ana).status_code == 200
    assert support.client_for(support.supervisor).post(ana, needs_post(support)).status_code == 403
    assert support.client_for(support.uma_user).get(ana).status_code == 404
    assert support.client_for(support.trainer).get(ana).status_code == 403


def test_the_directory_is_searched_by_words_need_language_and_area(support: Any) -> None:
    resource(support)
    resource(support, "Job Club", needs=["Employment"], languages=["Twi"], area="East Valley", offers="CV help")
    resource(support, "Old Service", needs=["Food"], is_active=False)
    client = support.client_for(support.supporter)

    def names(query: str) -> list[str]:
        page = client.get(f"/p/riverside/plans/directory/{query}").content.decode()
        return [n for n in ["Riverside Food Bank", "Job Club", "Old Service"] if n in page]

    assert names("") == ["Riverside Food Bank", "Job Club"]  # unlisted resources are left out
    assert names("?need=Food") == ["Riverside Food Bank"]
    assert names("?language=Twi") == ["Job Club"]
    assert names("?area=valley") == ["Job Club"]
    assert names("?q=cv") == ["Job Club"]
    coordinator = support.client_for(support.coordinator).get("/p/riverside/plans/directory/").content.decode()
    assert "Old Service" in coordinator  # the coordinator keeps the unlisted ones in sight
    assert support.client_for(support.trainer).get("/p/riverside/plans/directory/").status_code == 403


def test_coordinators_add_resources_with_field_errors(support: Any) -> None:
    client = support.client_for(support.coordinator)
    assert client.post("/p/riverside/plans/directory/new/", {"name": "", "is_active": "on"}).status_code == 400
    response = client.post(
        "/p/riverside/plans/directory/new/",
        {"name": "Food Bank", "needs": ["Food"], "languages": "English, Spanish", "email": "x@example.org"},
    )
    assert response.status_code == 302
    made = Resource.objects.get()
    assert made.languages == ["English", "Spanish"] and made.needs == ["Food"]
    response = client.post("/p/riverside/plans/directory/new/", {"name": "food bank"})
    assert response.status_code == 400 and "already has a resource" in response.content.decode()
    assert support.client_for(support.supporter).get("/p/riverside/plans/directory/new/").status_code == 403


def test_resources_import_through_the_preview(support: Any) -> None:
    resource(support)
    header = "name,organisation,offers,needs,eligibility,languages,hours,area,phone,email,website,address,listed"
    bad = SimpleUploadedFile(
        "resources.csv",
        (f"{header}\nJob Club,Library,CVs,Jobs,,English,,Downtown,,not-an-email,,,yes\n").encode(),
    )
    client = support.client_for(support.coordinator)
    response = client.post("/p/riverside/exchange/import/resources/", {"file": bad})
    preview = response.content.decode()
    assert response.status_code == 400 and not ImportBatch.objects.exists()
    assert "not on the program&#x27;s needs checklist" in preview and "is not an e-mail address" in preview
    good = SimpleUploadedFile(
        "resources.csv",
        (
            f"{header}\n"
            "Job Club,Library,CVs,Employment,,English; Twi,Wed,Downtown,555,club@example.org,https://x.example.org,,\n"
            "Riverside Food Bank,Churches,Parcels,Food,,English,,Downtown,,,,,no\n"
        ).encode(),
    )
    assert client.post("/p/riverside/exchange/import/resources/", {"file": good}).status_code == 302
    batch = ImportBatch.objects.filter(status="preview").latest("created_at")
    assert Resource.objects.count() == 1  # nothing before confirmation
    assert client.post(f"/p/riverside/exchange/imports/{batch.pk}/apply/").status_code == 302
    club = Resource.objects.get(name="Job Club")
    assert club.languages == ["English", "Twi"] and club.needs == ["Employment"]
    food = Resource.objects.get(name="Riverside Food Bank")
    assert food.organisation == "Churches" and not food.is_active  # the same name is updated
    assert Resource.objects.count() == 2


def test_resources_import_from_the_xlsx_template(support: Any) -> None:
    """The template to download, filled in as a spreadsheet and sent back as XLSX."""
    import io

    from openpyxl import Workbook, load_workbook

    client = support.client_for(support.coordinator)
    template = client.get("/p/riverside/exchange/templates/resources.xlsx")
    assert template.status_code == 200
    body = b"".join(template.streaming_content) if template.streaming else template.content
    header = [cell.value for cell in next(load_workbook(io.BytesIO(body)).active.iter_rows(max_row=1))]
    assert header[:3] == ["name", "organisation", "offers"]
    book = Workbook()
    book.active.append(header)
    values = {"name": "Dial-a-Ride", "organisation": "County", "needs": "Transport", "languages": "English; Spanish"}
    book.active.append([values.get(str(column)) for column in header])
    buffer = io.BytesIO()
    book.save(buffer)
    upload = SimpleUploadedFile("resources.xlsx", buffer.getvalue())
    assert client.post("/p/riverside/exchange/import/resources/", {"file": upload}).status_code == 302
    batch = ImportBatch.objects.get(status="preview")
    assert client.post(f"/p/riverside/exchange/imports/{batch.pk}/apply/").status_code == 302
    ride = Resource.objects.get(name="Dial-a-Ride")
    assert ride.needs == ["Transport"] and ride.languages == ["English", "Spanish"] and ride.is_active


def test_a_referral_from_suggested_to_connected_with_its_follow_up(support: Any) -> None:
    bank = resource(support)
    client = support.client_for(support.supporter)
    base = f"/p/riverside/plans/relationships/{support.ana_rel.pk}/referrals/new/"
    assert client.get(f"{base}?resource={bank.pk}").status_code == 200
    today = timezone.localdate()
    response = client.post(
        base,
        {
            "resource": str(bank.pk),
            "need": "Food",
            "follow_up_on": today.isoformat(),
            "handoff_notes": "Spoke to Maria at the desk ocelot",
        },
    )
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.state == ReferralState.SUGGESTED and referral.resource_name == "Riverside Food Bank"
    assert "ocelot" not in dump_database()
    # The follow-up date joins the supporter's follow-ups on the home page.
    home = client.get("/p/riverside/").content.decode()
    assert "Referral to Riverside Food Bank: Ana Lopez" in home
    move = f"/p/riverside/plans/referrals/{referral.pk}/state/"
    assert client.post(move, {"to": "connected"}).status_code == 400  # not made yet
    week = (today + dt.timedelta(days=7)).isoformat()
    assert client.post(move, {"to": "made", "follow_up_on": week}).status_code == 302
    referral.refresh_from_db()
    assert referral.state == ReferralState.MADE and referral.made_on == today
    assert referral.follow_up_on == today + dt.timedelta(days=7)
    assert "Referral to Riverside Food Bank" not in client.get("/p/riverside/").content.decode()
    assert client.post(move, {"to": "connected", "note": "Got a parcel"}).status_code == 302
    referral.refresh_from_db()
    assert referral.state == ReferralState.CONNECTED and referral.closed_on == today
    assert referral.follow_up_on is None and referral.outcome_note == "Got a parcel"
    assert AuditEntry.objects.filter(action="referral.state", target_id=str(referral.pk)).count() == 2


def test_a_referral_from_a_concern_and_to_a_resource_not_in_the_directory(support: Any) -> None:
    concern = concerns.raise_concern(
        actor=support.supporter, relationship=support.ana_rel, kind="concern", answers=[], notes="Worried"
    )
    client = support.client_for(support.supporter)
    base = f"/p/riverside/plans/relationships/{support.ana_rel.pk}/referrals/new/"
    assert client.post(base, {"need": "Food"}).status_code == 400  # neither a resource nor a name
    response = client.post(base, {"resource_name": "Her GP", "need": "Physical health", "concern": str(concern.pk)})
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.concern == concern and referral.resource is None and referral.resource_name == "Her GP"
    other = concerns.raise_concern(
        actor=support.uma_user, relationship=support.ben_rel, kind="concern", answers=[], notes="Other"
    )
    with pytest.raises(ValidationError):
        services.save_referral(
            actor=support.supporter,
            relationship=support.ana_rel,
            referral=None,
            data={"resource_name": "X", "concern": other},
        )


def test_the_concern_page_links_to_a_referral_from_that_concern(support: Any) -> None:
    concern = concerns.raise_concern(
        actor=support.supporter, relationship=support.ana_rel, kind="concern", answers=[], notes="No food at home"
    )
    page_url = f"/p/riverside/support/concerns/{concern.pk}/"
    new = f"/p/riverside/plans/relationships/{support.ana_rel.pk}/referrals/new/?concern={concern.pk}"
    page = support.client_for(support.supporter).get(page_url).content.decode()
    assert 'id="section-plans_referrals"' in page and new.replace("&", "&amp;") in page
    form = support.client_for(support.supporter).get(new).content.decode()
    assert f'<option value="{concern.pk}" selected>' in form  # the concern is chosen already
    services.save_referral(
        actor=support.supporter,
        relationship=support.ana_rel,
        referral=None,
        data={"resource": resource(support), "need": "Food", "concern": concern},
    )
    assert "Riverside Food Bank" in support.client_for(support.coordinator).get(page_url).content.decode()
    # The supervisor handles the concern and reads its referrals, but makes none.
    supervised = support.client_for(support.supervisor).get(page_url).content.decode()
    assert "Riverside Food Bank" in supervised and "referrals/new/" not in supervised


def test_who_reads_and_changes_referrals(support: Any) -> None:
    referral = services.save_referral(
        actor=support.supporter, relationship=support.ana_rel, referral=None, data={"resource": resource(support)}
    )
    url = f"/p/riverside/plans/referrals/{referral.pk}/"
    for user, status in [
        (support.supporter, 200),
        (support.coordinator, 200),
        (support.supervisor, 200),
        (support.uma_user, 404),
        (support.trainer, 403),
        (support.outsider, 404),
    ]:
        assert support.client_for(user).get(url).status_code == status, user
    assert support.client_for(support.supervisor).post(f"{url}state/", {"to": "made"}).status_code == 403
    matches.close_relationship(actor=support.coordinator, relationship=support.ana_rel, close_reason="other")
    assert support.client_for(support.supporter).get(url).status_code == 404
    assert support.client_for(support.coordinator).post(f"{url}state/", {"to": "made"}).status_code == 403


def test_the_report_counts_needs_met_and_referrals_connected_by_need(support: Any) -> None:
    today = timezone.localdate()
    bank = resource(support)
    services.save_needs(
        actor=support.coordinator,
        participant=support.ana,
        rows={"Food": ("met", ""), "Housing": ("open", "")},
        relationship=None,
    )
    services.save_needs(
        actor=support.coordinator, participant=support.ben, rows={"Food": ("open", "")}, relationship=None
    )
    first = services.save_referral(
        actor=support.supporter, relationship=support.ana_rel, referral=None, data={"resource": bank, "need": "Food"}
    )
    services.move_referral(actor=support.supporter, referral=first, to="made")
    services.move_referral(actor=support.supporter, referral=first, to="connected")
    second = services.save_referral(
        actor=support.uma_user, relationship=support.ben_rel, referral=None, data={"resource": bank, "need": "Food"}
    )
    services.move_referral(actor=support.uma_user, referral=second, to="not_connected")
    services.save_referral(
        actor=support.supporter, relationship=support.ana_rel, referral=None, data={"resource_name": "GP", "need": ""}
    )
    rows = {
        r["need"]: r for r in NeedsAndReferrals().rows(support.program, Period(today - dt.timedelta(days=30), today))
    }
    assert rows["Food"] == {
        "need": "Food",
        "recorded": 2,
        "met": 1,
        "suggested": 2,
        "made": 1,
        "connected": 1,
        "not_connected": 1,
    }
    assert rows["Housing"]["recorded"] == 1 and rows["Housing"]["met"] == 0
    assert rows["No need named"]["suggested"] == 1
    # A period that ended before any of it counts nothing in it.
    old = {
        r["need"]: r
        for r in NeedsAndReferrals().rows(
            support.program, Period(today - dt.timedelta(days=90), today - dt.timedelta(days=60))
        )
    }
    assert old["Food"]["met"] == 0 and old["Food"]["connected"] == 0 and old["Food"]["recorded"] == 2
    page = support.client_for(support.coordinator).get("/p/riverside/reports/").content.decode()
    assert "Needs met and referrals connected, by need" in page


def test_needs_and_referrals_over_a_date_range_and_in_the_export_and_erasure(support: Any) -> None:
    today = timezone.localdate()
    services.save_needs(
        actor=support.supporter, participant=support.ana, rows={"Food": ("met", "n")}, relationship=support.ana_rel
    )
    referral = services.save_referral(
        actor=support.supporter,
        relationship=support.ana_rel,
        referral=None,
        data={"resource": resource(support), "need": "Food", "handoff_notes": "handoff"},
    )
    services.move_referral(actor=support.supporter, referral=referral, to="made")
    found = queries.needs_and_referrals(support.ana_rel, today - dt.timedelta(days=7), today)
    assert [n.area for n in found["needs_met"]] == ["Food"] and found["referrals_made"] == [referral]
    earlier = queries.needs_and_referrals(support.ana_rel, today - dt.timedelta(days=30), today - dt.timedelta(days=20))
    assert earlier["needs"] == [] and earlier["referrals"] == []
    data = support_participants.export_participant(actor=support.coordinator, participant=support.ana)
    assert data["plans"]["needs"][0]["note"] == "n"
    assert data["plans"]["referrals"][0]["warm_handoff_notes"] == "handoff"
    matches.close_relationship(actor=support.coordinator, relationship=support.ana_rel, close_reason="other")
    support.ana.refresh_from_db()
    support_participants.erase_participant(actor=support.coordinator, participant=support.ana, reason="Asked")
    assert not Need.objects.exists() and not Referral.objects.exists()
    # What the erasure leaves: the month's anonymous tally counts the needs and referrals.
    from peerpath.support.models import ErasureTally

    tally = ErasureTally.objects.get(program=support.program)
    assert tally.participants == 1
    assert {k: tally.other_counts[k] for k in ("needs", "needs_met", "referrals", "referrals_connected")} == {
        "needs": 1,
        "needs_met": 1,
        "referrals": 1,
        "referrals_connected": 0,
    }
    assert Resource.objects.count() == 1  # the directory names nobody and stays
