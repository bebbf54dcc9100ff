"""Each support page: it works for those it is for, and refuses (404) everyone else's records."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from peerpath.core.models import AuditEntry
from peerpath.support.models import (
    Conflict,
    Contact,
    ContactDraft,
    ErasureTally,
    MatchingProfile,
    MatchRun,
    Participant,
    ParticipantStatus,
    RelationshipState,
    SupervisorCover,
    SupportRelationship,
)
from tests.support.helpers import make_participant, profile


def url(name: str, *args: Any) -> str:
    return reverse(name, args=["riverside", *args])


def participant_post(**overrides: Any) -> dict[str, Any]:
    data = {
        "full_name": "Dora Vance",
        "email": "dora@example.net",
        "phone": "555-0199",
        "preferred_contact": "phone",
        "languages": "English, Spanish",
        "modes": ["phone"],
        "availability": ["weekday_evening"],
        "must_haves": ["language"],
        "consent_given": "on",
        "consent_scope": "To be called by a peer supporter.",
    }
    data.update(overrides)
    return data


# --- Participants ---------------------------------------------------------------------------


def test_coordinator_adds_a_participant(support: Any) -> None:
    client = support.client_for(support.coordinator)
    response = client.post(url("support:participant_new"), participant_post(focus_areas=[support.grief.pk]))
    person = Participant.objects.latest("id")
    assert response.status_code == 302 and response["Location"] == url("support:participant", person.pk)
    assert person.full_name == "Dora Vance" and person.languages == ["English", "Spanish"]
    assert person.consent_recorded_by == support.coordinator and person.consent_at is not None
    assert AuditEntry.objects.filter(action="participant.create", target_id=str(person.pk)).exists()


def test_adding_a_participant_without_a_way_to_reach_them_changes_nothing(support: Any) -> None:
    before = Participant.objects.count()
    response = support.client_for(support.coordinator).post(
        url("support:participant_new"), participant_post(email="", phone="")
    )
    assert response.status_code == 400 and "Give a phone number or an e-mail" in response.content.decode()
    assert Participant.objects.count() == before


def test_viewing_a_participant_is_audited(support: Any) -> None:
    support.client_for(support.supporter).get(url("support:participant", support.ana.pk))
    entry = AuditEntry.objects.filter(action="participant.view", target_id=str(support.ana.pk)).latest("id")
    assert entry.actor == support.supporter and entry.target_label == support.ana.reference


def test_supporter_sees_only_their_own_participants(support: Any) -> None:
    client = support.client_for(support.supporter)
    assert client.get(url("support:participant", support.ana.pk)).status_code == 200
    # Another supporter's participant, a waiting one, and another program's: all 404.
    assert client.get(url("support:participant", support.ben.pk)).status_code == 404
    assert client.get(url("support:relationship", support.ben_rel.pk)).status_code == 404
    assert client.get(url("support:contact_new", support.ben_rel.pk)).status_code == 404
    assert client.post(url("support:contact_new", support.ben_rel.pk), {"notes": "x"}).status_code == 404
    assert client.get(url("support:concern_new", support.ben_rel.pk)).status_code == 404
    assert client.get(url("support:participant", support.waiting.pk)).status_code == 404
    listing = client.get(url("support:participants")).content.decode()
    assert support.ana.full_name in listing and support.ben.full_name not in listing
    assert not AuditEntry.objects.filter(action="participant.view", target_id=str(support.ben.pk)).exists()


def test_supervisor_sees_only_their_supporters_participants(support: Any) -> None:
    client = support.client_for(support.supervisor)
    assert client.get(url("support:participant", support.ana.pk)).status_code == 200
    assert client.get(url("support:participant", support.ben.pk)).status_code == 404  # Uma is not theirs
    page = client.get(url("support:supervision")).content.decode()
    assert support.ana.full_name in page and support.ben.full_name not in page


def test_other_programs_records_are_404(support: Any) -> None:
    client = support.client_for(support.outsider)
    assert client.get(reverse("support:participant", args=["harbor", support.ana.pk])).status_code == 404
    assert client.get(reverse("support:relationship", args=["harbor", support.ana_rel.pk])).status_code == 404
    coordinator = support.client_for(support.coordinator)
    assert coordinator.get(reverse("support:participant", args=["harbor", support.ana.pk])).status_code == 404


def test_coordinator_edits_a_participant(support: Any) -> None:
    client = support.client_for(support.coordinator)
    page = client.get(url("support:participant_edit", support.ana.pk))
    assert page.status_code == 200 and "Ana Lopez" in page.content.decode()
    client.post(url("support:participant_edit", support.ana.pk), participant_post(full_name="Ana María Lopez"))
    support.ana.refresh_from_db()
    assert support.ana.full_name == "Ana María Lopez"
    assert support.client_for(support.supporter).get(url("support:participant_edit", support.ana.pk)).status_code == 403


def test_search_finds_by_name_word(support: Any) -> None:
    page = support.client_for(support.coordinator).post(url("support:participants"), {"q": "lopez"}, follow=True)
    page = page.content.decode()
    assert "Ana Lopez" in page and "Carla Diaz" not in page


def test_export_json_and_csv(support: Any) -> None:
    client = support.client_for(support.coordinator)
    response = client.get(url("support:participant_export", support.ana.pk) + "?format=json")
    data = json.loads(response.content)
    assert (
        data["participant"]["full_name"] == "Ana Lopez" and data["relationships"][0]["supporter"] == "Priya Supporter"
    )
    assert "attachment" in response["Content-Disposition"]
    csv_text = client.get(url("support:participant_export", support.ana.pk) + "?format=csv").content.decode()
    assert "participant,,full_name,Ana Lopez" in csv_text
    assert AuditEntry.objects.filter(action="participant.export", target_id=str(support.ana.pk)).count() == 2
    assert (
        support.client_for(support.supporter).get(url("support:participant_export", support.ana.pk)).status_code == 403
    )


def test_erasure_keeps_only_anonymous_counts(support: Any) -> None:
    from peerpath.support.services import adverse_events, contacts, matches

    contacts.log_contact(
        actor=support.supporter,
        relationship=support.ana_rel,
        data={"contacted_on": timezone.localdate(), "channel": "phone", "reached": True, "notes": "n"},
    )
    adverse_events.record_adverse_event(
        actor=support.supporter, relationship=support.ana_rel, kind="relapsed", occurred_at=timezone.now()
    )
    client = support.client_for(support.coordinator)
    refused = client.post(
        url("support:participant_erase", support.ana.pk), {"reason": "Asked by phone", "confirm": "on"}
    )
    assert refused.status_code == 400 and "Close the participant&#x27;s open relationship" in refused.content.decode()
    matches.close_relationship(
        actor=support.coordinator, relationship=support.ana_rel, close_reason="participant_ended"
    )
    pk = support.ana.pk
    response = client.post(url("support:participant_erase", pk), {"reason": "Asked by phone on 3 May", "confirm": "on"})
    assert response.status_code == 302
    assert not Participant.objects.filter(pk=pk).exists()
    assert not SupportRelationship.objects.filter(participant_id=pk).exists()
    assert not Contact.objects.filter(relationship_id=support.ana_rel.pk).exists()
    tally = ErasureTally.objects.get(program=support.program)
    assert (tally.participants, tally.relationships, tally.contacts, tally.contacts_reached) == (1, 1, 1, 1)
    event = support.priya.adverse_events.get()
    assert event.participant is None and event.kind == "relapsed"
    for entry in AuditEntry.objects.filter(target_type="support.participant", target_id=str(pk)):
        assert entry.changes == {} or entry.action == "participant.erase"


def test_conflict_declared_by_coordinator(support: Any) -> None:
    client = support.client_for(support.coordinator)
    bad = client.post(url("support:conflict_add", support.waiting.pk), {"supporter": 999999})
    assert bad.status_code == 400
    client.post(
        url("support:conflict_add", support.waiting.pk), {"supporter": support.priya.pk, "reason": "Neighbours"}
    )
    assert Conflict.objects.filter(supporter=support.priya, participant=support.waiting).exists()
    page = client.get(url("support:participant_match", support.waiting.pk)).content.decode()
    assert "declared conflict" in page


# --- Matching -------------------------------------------------------------------------------


def test_match_page_ranks_with_explanations_and_proposes(support: Any) -> None:
    client = support.client_for(support.coordinator)
    page = client.get(url("support:participant_match", support.waiting.pk)).content.decode()
    assert "Priya Supporter" in page and "shares: Grief and loss, Spanish" in page
    assert "misses a must-have (speaks the language)" in page  # Uma speaks no Spanish
    response = client.post(url("support:participant_match", support.waiting.pk), {"supporter": support.priya.pk})
    relationship = SupportRelationship.objects.get(participant=support.waiting)
    assert response.status_code == 302 and relationship.state == RelationshipState.PROPOSED
    again = client.post(url("support:participant_match", support.waiting.pk), {"supporter": support.priya.pk})
    assert again.status_code == 400


def test_supporter_accepts_or_declines_an_offer(support: Any) -> None:
    from peerpath.support.services import matches

    relationship = matches.propose_match(
        actor=support.coordinator, participant=support.waiting, supporter=support.priya
    )
    other = support.client_for(support.uma_user)
    assert other.get(url("support:offer", relationship.pk)).status_code == 404
    client = support.client_for(support.supporter)
    page = client.get(url("support:offer", relationship.pk)).content.decode()
    assert "Carla" in page and "carla@example.net" not in page  # contact details only after accepting
    bad = client.post(url("support:offer", relationship.pk), {"decision": "decline"})
    assert bad.status_code == 400
    client.post(url("support:offer", relationship.pk), {"decision": "decline", "reason": "conflict", "note": "Cousin"})
    relationship.refresh_from_db()
    support.waiting.refresh_from_db()
    assert relationship.state == RelationshipState.CLOSED and relationship.close_reason == "declined"
    assert support.waiting.status == ParticipantStatus.WAITING
    assert Conflict.objects.filter(supporter=support.priya, participant=support.waiting).exists()


def test_batch_match_is_reviewed_then_published(support: Any) -> None:
    extra = make_participant(support.world, full_name="Eli Stone", email="eli@example.net", languages=["Klingon"])
    client = support.client_for(support.coordinator)
    response = client.post(url("support:batch"))
    run_url = response["Location"]
    page = client.get(run_url).content.decode()
    assert "Carla Diaz" in page and "Eli Stone" in page
    assert "speaks the language: 0 of" in page  # why Eli is left unmatched
    assert not SupportRelationship.objects.filter(participant=support.waiting).exists()  # not before publishing
    run_pk = int(run_url.rstrip("/").split("/")[-1])
    client.post(url("support:batch_publish", run_pk))
    assert SupportRelationship.objects.get(participant=support.waiting).state == RelationshipState.PROPOSED
    assert not SupportRelationship.objects.filter(participant=extra).exists()
    again = client.post(url("support:batch_publish", run_pk), follow=True)
    assert "already published" in again.content.decode()


def test_the_batch_match_serves_the_urgent_first_and_says_so(support: Any) -> None:
    """One free place (Priya's), two who fit it: Carla has waited longer, Eli is urgent."""
    profile(support.world, support.priya, capacity=2)  # one relationship already: one place free
    profile(support.world, support.uma, capacity=1)  # full
    client = support.client_for(support.coordinator)
    client.post(url("support:participant_new"), participant_post(full_name="Eli Stone", email="eli@example.net"))
    eli = Participant.objects.latest("id")
    assert eli.urgency == "routine"  # the form's default
    client.post(url("support:participant_edit", eli.pk), participant_post(full_name="Eli Stone", urgency="urgent"))
    eli.refresh_from_db()
    assert eli.urgency == "urgent" and "Urgent" in client.get(url("support:participant", eli.pk)).content.decode()
    matching_page = client.get(url("support:batch")).content.decode()
    assert "Serve as many waiting participants as possible." in matching_page
    assert "each participant is weighed against their 30 best-fitting supporters" in matching_page
    run_url = client.post(url("support:batch"))["Location"]
    run = MatchRun.objects.latest("id")
    assert list(run.proposals.values_list("participant_id", flat=True)) == [eli.pk]
    assert run.matched == 1 and run.urgency_total == 2
    page = client.get(run_url).content.decode()
    assert "1 of 2 matched; the 1 left: 1 had supporters who fit" in page
    assert "urgent counts 2" in page


def test_relationship_close_and_rematch(support: Any) -> None:
    client = support.client_for(support.supporter)
    client.post(url("support:relationship_move", support.ana_rel.pk), {"action": "start_closing"})
    support.ana_rel.refresh_from_db()
    assert support.ana_rel.state == RelationshipState.CLOSING
    bad = client.post(
        url("support:relationship_move", support.ana_rel.pk), {"action": "close", "close_reason": "rematched"}
    )
    assert bad.status_code == 400  # rematching is the coordinator's
    coordinator = support.client_for(support.coordinator)
    response = coordinator.post(url("support:relationship_rematch", support.ana_rel.pk))
    assert response["Location"] == url("support:participant_match", support.ana.pk)
    support.ana.refresh_from_db()
    assert support.ana.status == ParticipantStatus.WAITING
    history = list(support.ana_rel.changes.values_list("to_state", flat=True))
    assert history[:2] == ["closed", "closing"]


def test_notes_of_a_previous_supporter_are_hidden_after_a_rematch(support: Any) -> None:
    from peerpath.support.defaults import get_settings
    from peerpath.support.services import contacts, matches

    contacts.log_contact(
        actor=support.supporter,
        relationship=support.ana_rel,
        data={
            "contacted_on": timezone.localdate(),
            "channel": "phone",
            "reached": True,
            "notes": "Priya's private note",
        },
    )
    matches.rematch(actor=support.coordinator, relationship=support.ana_rel)
    support.uma.languages = ["English", "Spanish"]
    support.uma.save()
    new = matches.propose_match(actor=support.coordinator, participant=support.ana, supporter=support.uma)
    matches.respond_to_offer(actor=support.uma_user, relationship=new, accept=True)
    uma_page = support.client_for(support.uma_user).get(url("support:participant", support.ana.pk)).content.decode()
    assert "Priya&#x27;s private note" not in uma_page and "Hidden: written by a previous supporter" in uma_page
    assert support.client_for(support.uma_user).get(url("support:relationship", support.ana_rel.pk)).status_code == 404
    coordinator_page = support.client_for(support.coordinator).get(url("support:participant", support.ana.pk))
    assert "Priya&#x27;s private note" in coordinator_page.content.decode()
    row = get_settings(support.program)
    row.show_previous_notes = True
    row.save()
    uma_page = support.client_for(support.uma_user).get(url("support:participant", support.ana.pk)).content.decode()
    assert "Priya&#x27;s private note" in uma_page


# --- Contacts -------------------------------------------------------------------------------


def contact_post(**overrides: Any) -> dict[str, Any]:
    data = {
        "contacted_on": timezone.localdate().isoformat(),
        "channel": "phone",
        "reached": "yes",
        "duration_minutes": "25",
        "tasks": ["rapport", "emotional"],
        "kind": "first",
        "notes": "We talked about her week.",
        "next_follow_up": "",
    }
    data.update(overrides)
    return data


def test_supporter_logs_a_first_contact(support: Any) -> None:
    client = support.client_for(support.supporter)
    response = client.post(url("support:contact_new", support.ana_rel.pk), contact_post())
    assert response.status_code == 302
    support.ana_rel.refresh_from_db()
    assert support.ana_rel.first_contact_on == timezone.localdate()
    again = client.post(url("support:contact_new", support.ana_rel.pk), contact_post())
    assert again.status_code == 400 and "first contact is already recorded" in again.content.decode()
    future = client.post(
        url("support:contact_new", support.ana_rel.pk), contact_post(kind="check_in", contacted_on="2999-01-01")
    )
    assert future.status_code == 400
    assert Contact.objects.filter(relationship=support.ana_rel).count() == 1


def test_the_contact_form_reports_every_problem_in_one_submit(support: Any) -> None:
    client = support.client_for(support.supporter)
    response = client.post(
        url("support:contact_new", support.ana_rel.pk),
        contact_post(kind="check_in", contacted_on="2999-01-01", channel="", duration_minutes="-5"),
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    # The form's own errors and the service's rules, together.
    assert set(errors) == {"contacted_on", "channel", "duration_minutes"}
    assert "future" in errors["contacted_on"][0]
    late = client.post(
        url("support:contact_new", support.ana_rel.pk),
        contact_post(kind="check_in", next_follow_up="2000-01-01", channel=""),
    )
    assert set(late.context["form"].errors) == {"channel", "next_follow_up"}
    assert not Contact.objects.filter(relationship=support.ana_rel).exists()


def test_closing_conversation_moves_the_relationship_to_closing(support: Any) -> None:
    support.client_for(support.supporter).post(
        url("support:contact_new", support.ana_rel.pk), contact_post(kind="closing")
    )
    support.ana_rel.refresh_from_db()
    assert support.ana_rel.state == RelationshipState.CLOSING and support.ana_rel.closing_conversation_on


def test_draft_is_kept_and_restored(support: Any) -> None:
    client = support.client_for(support.supporter)
    response = client.post(
        url("support:contact_draft", support.ana_rel.pk), {"notes": "Half a thought", "tasks": ["rapport"]}
    )
    assert response.status_code == 200 and "Draft saved" in response.content.decode()
    draft = ContactDraft.objects.get(user=support.supporter, relationship=support.ana_rel)
    assert draft.values()["notes"] == "Half a thought"
    # A fresh login (another session) finds it again.
    page = support.client_for(support.supporter).get(url("support:contact_new", support.ana_rel.pk)).content.decode()
    assert "Half a thought" in page and "Draft restored" in page
    assert "Finish the contact" in support.client_for(support.supporter).get(url("support:caseload")).content.decode()
    # Other supporters cannot write drafts on it; saving the contact removes it.
    assert (
        support.client_for(support.uma_user)
        .post(url("support:contact_draft", support.ana_rel.pk), {"notes": "x"})
        .status_code
        == 404
    )
    client.post(url("support:contact_new", support.ana_rel.pk), contact_post())
    assert not ContactDraft.objects.exists()


def test_supervisor_corrects_a_contact_under_their_own_name(support: Any) -> None:
    support.client_for(support.supporter).post(url("support:contact_new", support.ana_rel.pk), contact_post())
    contact = Contact.objects.get()
    client = support.client_for(support.supervisor)
    assert client.get(url("support:contact_correct", contact.pk)).status_code == 200
    missing_reason = client.post(url("support:contact_correct", contact.pk), contact_post(duration_minutes="40"))
    assert missing_reason.status_code == 400
    client.post(url("support:contact_correct", contact.pk), contact_post(duration_minutes="40", reason="Typo"))
    contact.refresh_from_db()
    assert contact.duration_minutes == 40 and contact.corrected_by == support.supervisor
    entry = AuditEntry.objects.get(action="contact.correct")
    assert entry.actor == support.supervisor and entry.changes["duration_minutes"] == [25, 40]
    # Uma's contacts are not this supervisor's to correct.
    from peerpath.support.services import contacts

    other = contacts.log_contact(
        actor=support.uma_user,
        relationship=support.ben_rel,
        data={"contacted_on": timezone.localdate(), "channel": "phone", "reached": False},
    )
    assert client.get(url("support:contact_correct", other.pk)).status_code == 404
    assert support.client_for(support.supporter).get(url("support:contact_correct", contact.pk)).status_code == 403


# --- Profiles, supervision, settings, public form --------------------------------------------


def test_supporter_edits_their_matching_profile(support: Any) -> None:
    client = support.client_for(support.supporter)
    response = client.post(
        url("support:my_profile"),
        {"languages": "English, Hindi", "modes": ["video"], "capacity": "5", "accepting_new": "on"},
    )
    assert response.status_code == 302
    assert MatchingProfile.objects.get(supporter=support.priya).capacity == 5
    support.priya.refresh_from_db()
    assert support.priya.languages == ["English", "Hindi"]
    bad = client.post(url("support:my_profile"), {"languages": "English", "capacity": "0"})
    assert bad.status_code == 400


def test_coordinator_sees_caseloads_and_edits_a_profile(support: Any) -> None:
    client = support.client_for(support.coordinator)
    page = client.get(url("support:supporters")).content.decode()
    assert "1 of 3" in page and "Can take someone" in page
    assert client.get(url("support:supporter_profile", support.outsider_record.pk)).status_code == 404


def test_supervisor_names_a_backup(support: Any) -> None:
    from tests.factories import MembershipFactory

    backup = MembershipFactory(program=support.program, is_supervisor=True, user__full_name="Bea Backup").user
    client = support.client_for(support.supervisor)
    today = timezone.localdate()
    bad = client.post(
        url("support:cover_add"),
        {"backup": backup.pk, "starts_on": today, "ends_on": today.replace(year=today.year - 1)},
    )
    assert bad.status_code == 400
    client.post(url("support:cover_add"), {"backup": backup.pk, "starts_on": today, "ends_on": today})
    cover = SupervisorCover.objects.get()
    backup_page = support.client_for(backup).get(url("support:supervision")).content.decode()
    assert support.ana.full_name in backup_page and "covering for" in backup_page
    assert support.client_for(backup).get(url("support:participant", support.ana.pk)).status_code == 200
    assert support.client_for(backup).post(url("support:cover_end", cover.pk)).status_code == 404
    client.post(url("support:cover_end", cover.pk))
    assert support.client_for(backup).get(url("support:participant", support.ana.pk)).status_code == 404


def test_settings_page_saves_and_refuses_bad_weights(support: Any) -> None:
    from peerpath.support.defaults import get_settings
    from peerpath.support.forms import SupportSettingsForm

    client = support.client_for(support.coordinator)
    form = SupportSettingsForm(instance=get_settings(support.program))
    data = {k: v for k, v in form.initial.items() if v is not None and k != "id"}
    data = {k: ("on" if v is True else v) for k, v in data.items() if v is not False}
    data["unreachable_attempts"] = 4
    assert client.post(url("support:settings"), data).status_code == 302
    assert get_settings(type(support.program).objects.get(pk=support.program.pk)).unreachable_attempts == 4
    data["weight_language"] = 11
    assert client.post(url("support:settings"), data).status_code == 400


@pytest.mark.parametrize("open_form", [True, False])
def test_public_request_form(support: Any, open_form: bool) -> None:
    from django.test import Client

    from peerpath.support.defaults import get_settings

    row = get_settings(support.program)
    row.requests_open = open_form
    row.save()
    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("support:request", args=["riverside"]))
    assert page.status_code == 200
    csrf = page.cookies["csrftoken"].value if open_form else ""
    data = {
        "csrfmiddlewaretoken": csrf,
        "full_name": "Fatima Noor",
        "email": "fatima@example.net",
        "preferred_contact": "email",
        "languages": "English",
        "consent_given": "on",
    }
    response = client.post(reverse("support:request", args=["riverside"]), data)
    if open_form:
        assert response.status_code == 302
        person = Participant.objects.latest("id")
        assert person.source == "request" and person.full_name == "Fatima Noor"
        assert person.consent_recorded_by_label == "the participant, on the public form"
    else:
        assert response.status_code == 403
        assert not Participant.objects.filter(source="request").exists()


def test_public_request_form_refuses_without_csrf(support: Any) -> None:
    from django.test import Client

    from peerpath.support.defaults import get_settings

    row = get_settings(support.program)
    row.requests_open = True
    row.save()
    response = Client(enforce_csrf_checks=True).post(reverse("support:request", args=["riverside"]), {"full_name": "x"})
    assert response.status_code == 403


def test_notifications_are_marked_read(support: Any) -> None:
    from peerpath.notifications.models import Notice as Notification

    support.client_for(support.coordinator).post(url("support:notifications_read"))
    assert not Notification.objects.filter(user=support.coordinator, read_at__isnull=True).exists()


def test_batch_match_can_be_discarded(support: Any) -> None:
    client = support.client_for(support.coordinator)
    run_pk = int(client.post(url("support:batch"))["Location"].rstrip("/").split("/")[-1])
    assert support.client_for(support.supporter).post(url("support:batch_discard", run_pk)).status_code == 403
    client.post(url("support:batch_discard", run_pk))
    assert client.post(url("support:batch_publish", run_pk), follow=True).status_code == 200
    assert not SupportRelationship.objects.filter(participant=support.waiting).exists()
    assert client.get(reverse("support:batch_run", args=["harbor", run_pk])).status_code == 404


def test_supporter_declares_a_conflict_on_their_relationship(support: Any) -> None:
    client = support.client_for(support.supporter)
    assert client.post(url("support:relationship_conflict", support.ben_rel.pk)).status_code == 404
    client.post(url("support:relationship_conflict", support.ana_rel.pk), {"reason": "Same church"})
    assert Conflict.objects.filter(supporter=support.priya, participant=support.ana).exists()
    from peerpath.notifications.models import Notice as Notification

    assert Notification.objects.filter(user=support.coordinator, text__contains="please rematch").exists()
