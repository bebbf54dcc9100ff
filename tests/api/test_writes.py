"""Writes through the API: the pages' roles, forms and services; refused input answers 4xx with
the field named and changes nothing; every change is audited as the pages audit it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from peerpath.certification.models import CEActivity
from peerpath.core.models import AuditEntry
from peerpath.support.models import Contact
from peerpath.training.models import Attendance

pytestmark = pytest.mark.django_db


def contact_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "contacted_on": timezone.localdate().isoformat(),
        "channel": "phone",
        "reached": True,
        "duration_minutes": 30,
        "tasks": ["emotional", "practical"],
        "kind": "check_in",
        "notes": "Went for a walk together",
        "next_follow_up": (timezone.localdate() + dt.timedelta(days=7)).isoformat(),
    }
    body.update(overrides)
    return body


def fields_named(response: Any) -> set[str]:
    """The body fields a 422 names (schema errors may add a list index after the field)."""
    return {part for item in response.json()["detail"] for part in item["loc"][2:] if isinstance(part, str)}


def state(w: Any) -> tuple[int, int, int, int]:
    return (
        Contact.objects.count(),
        Attendance.objects.count(),
        CEActivity.objects.count(),
        AuditEntry.objects.exclude(action__in=["participant.view", "api_token.create"]).count(),
    )


# --- Contacts ------------------------------------------------------------------------------------


def test_the_supporter_logs_a_contact_through_the_service(api_world: Any, api_for: Any) -> None:
    w = api_world
    response = api_for(w.supporter).post(f"/programs/riverside/relationships/{w.ana_rel.pk}/contacts", contact_body())
    assert response.status_code == 201, response.content
    data = response.json()
    contact = Contact.objects.get(pk=data["id"])
    assert (contact.logged_by, contact.tasks, contact.notes) == (
        w.supporter,
        ["emotional", "practical"],
        "Went for a walk together",
    )
    assert data["notes"] == "Went for a walk together" and data["participant_id"] == w.ana.pk
    entry = AuditEntry.objects.get(action="contact.create", target_id=str(contact.pk))
    assert entry.actor == w.supporter and "Went for a walk" not in str(entry.changes)  # notes stay out of the log
    assert AuditEntry.objects.filter(action="participant.view", note="API: log contact", actor=w.supporter).exists()


def test_a_closing_conversation_moves_the_relationship_like_the_page(api_world: Any, api_for: Any) -> None:
    w = api_world
    response = api_for(w.supporter).post(
        f"/programs/riverside/relationships/{w.ana_rel.pk}/contacts", contact_body(kind="closing")
    )
    assert response.status_code == 201
    w.ana_rel.refresh_from_db()
    assert w.ana_rel.state == "closing" and w.ana_rel.closing_conversation_on == timezone.localdate()


@pytest.mark.parametrize(
    ("persona", "relationship", "expected"),
    [
        ("supporter", "ana_rel", 201),
        ("coordinator", "ana_rel", 201),  # the page lets coordinators log on any relationship
        ("uma", "ana_rel", 404),  # another supporter's participant
        ("supervisor", "ana_rel", 403),  # supervisors correct contacts, they do not log them
        ("trainer", "ana_rel", 403),
        ("outsider", "ana_rel", 404),
        ("supporter", "ben_rel", 404),
    ],
)
def test_who_may_log_a_contact(api_world: Any, api_for: Any, persona: str, relationship: str, expected: int) -> None:
    w = api_world
    user = w.uma_user if persona == "uma" else getattr(w, persona)
    rel = getattr(w, relationship)
    before = Contact.objects.count()
    response = api_for(user).post(f"/programs/riverside/relationships/{rel.pk}/contacts", contact_body())
    assert response.status_code == expected, response.content
    # The page answers the same person the same way.
    page = w.client_for(user).get(f"/p/riverside/support/relationships/{rel.pk}/contacts/new/")
    assert page.status_code == (200 if expected == 201 else expected)
    assert Contact.objects.count() == before + (1 if expected == 201 else 0)


def test_no_token_logs_nothing(api_world: Any, api_for: Any) -> None:
    w = api_world
    before = state(w)
    response = api_for(None).post(f"/programs/riverside/relationships/{w.ana_rel.pk}/contacts", contact_body())
    assert response.status_code == 401 and state(w) == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"contacted_on": "2999-01-01"}, "contacted_on"),  # service: not in the future
        ({"contacted_on": "yesterday"}, "contacted_on"),  # schema: not a date
        ({"channel": "pigeon"}, "channel"),
        ({"reached": False, "tasks": ["rapport"]}, "tasks"),  # the page's form: tasks need a reached contact
        ({"reached": False, "tasks": [], "kind": "first"}, "kind"),  # service: a first contact reached them
        ({"kind": "first"}, "kind"),  # service: the first contact is already recorded
        ({"next_follow_up": "2000-01-01"}, "next_follow_up"),  # service: the follow-up comes after
        ({"duration_minutes": 5000}, "duration_minutes"),
        ({"tasks": ["juggling"]}, "tasks"),
    ],
)
def test_bad_contacts_answer_422_naming_the_field_and_change_nothing(
    api_world: Any, api_for: Any, overrides: dict[str, Any], field: str
) -> None:
    w = api_world
    client = api_for(w.supporter)
    before = state(w)
    response = client.post(f"/programs/riverside/relationships/{w.ana_rel.pk}/contacts", contact_body(**overrides))
    assert response.status_code == 422, response.content
    assert field in fields_named(response), response.json()
    assert state(w) == before


def test_a_contact_on_a_closed_relationship_is_refused(api_world: Any, api_for: Any) -> None:
    w = api_world
    from peerpath.support.services import matches

    matches.start_closing(actor=w.coordinator, relationship=w.ana_rel)
    matches.close_relationship(actor=w.coordinator, relationship=w.ana_rel, close_reason="goals_met")
    before = state(w)
    response = api_for(w.coordinator).post(f"/programs/riverside/relationships/{w.ana_rel.pk}/contacts", contact_body())
    assert response.status_code == 403
    assert "only while it is active or closing" in response.json()["detail"]
    assert state(w) == before


def test_a_body_that_is_not_json_is_a_4xx(api_world: Any, api_for: Any) -> None:
    w = api_world
    client = api_for(w.supporter)
    before = state(w)
    response = client.client.post(
        f"/api/v1/programs/riverside/relationships/{w.ana_rel.pk}/contacts",
        "\x00{",
        content_type="application/json",
        headers=client.headers,
    )
    assert response.status_code == 400 and response.json()["detail"]
    assert state(w) == before


# --- Attendance ----------------------------------------------------------------------------------


def test_the_cohorts_trainer_records_attendance(api_world: Any, api_for: Any) -> None:
    w = api_world
    path = f"/programs/riverside/sessions/{w.session.pk}/attendance"
    response = api_for(w.trainer).post(path, {"marks": [{"supporter_id": w.trainee.pk, "status": "late"}]})
    assert response.status_code == 200, response.content
    assert response.json()["attendance"][0]["status"] == "late"
    mark = Attendance.objects.get(session=w.session, supporter=w.trainee)
    assert (mark.status, mark.recorded_by) == ("late", w.trainer)
    assert AuditEntry.objects.filter(
        action="training.attendance", actor=w.trainer, target_id=str(w.session.pk)
    ).exists()
    # Marking again replaces the mark, as on the page.
    api_for(w.coordinator).post(path, {"marks": [{"supporter_id": w.trainee.pk, "status": "present", "note": "ok"}]})
    mark.refresh_from_db()
    assert (mark.status, mark.note) == ("present", "ok")


def test_only_those_who_run_the_cohort_record_attendance(api_world: Any, api_for: Any) -> None:
    w = api_world
    from tests.factories import MembershipFactory

    other_trainer = MembershipFactory(program=w.program, is_trainer=True).user
    body = {"marks": [{"supporter_id": w.trainee.pk, "status": "present"}]}
    path = f"/programs/riverside/sessions/{w.session.pk}/attendance"
    for user, expected in [
        (other_trainer, 404),  # a trainer of another cohort: not their session (the page: 404 too)
        (w.supervisor, 403),
        (w.supporter, 403),
        (w.trainee.user, 403),
        (w.outsider, 404),
    ]:
        assert api_for(user).post(path, body).status_code == expected
        assert w.client_for(user).get(f"/p/riverside/training/sessions/{w.session.pk}/").status_code == expected
    assert api_for(None).post(path, body).status_code == 401
    assert not Attendance.objects.exists()


@pytest.mark.parametrize(
    "marks",
    [
        [{"supporter_id": 999999, "status": "present"}],  # not on the roster
        [{"supporter_id": "me", "status": "present"}],
        [{"status": "present"}],
        [{"supporter_id": 1, "status": "asleep"}],
        [],
    ],
)
def test_bad_attendance_changes_nothing(api_world: Any, api_for: Any, marks: list[Any]) -> None:
    w = api_world
    before = state(w)
    response = api_for(w.trainer).post(f"/programs/riverside/sessions/{w.session.pk}/attendance", {"marks": marks})
    assert response.status_code == 422 and response.json()["detail"]
    assert state(w) == before


def test_attendance_twice_for_one_person_or_before_the_start_is_refused(api_world: Any, api_for: Any) -> None:
    w = api_world
    from tests.training.helpers import session

    client = api_for(w.trainer)
    mark = {"supporter_id": w.trainee.pk, "status": "present"}
    twice = client.post(f"/programs/riverside/sessions/{w.session.pk}/attendance", {"marks": [mark, mark]})
    assert twice.status_code == 422 and fields_named(twice) == {"marks"}
    later = session(w.world, w.cohort, days_ago=-3, title="Next week")
    early = client.post(f"/programs/riverside/sessions/{later.pk}/attendance", {"marks": [mark]})
    assert early.status_code == 422 and "started" in early.json()["detail"][0]["msg"]
    assert not Attendance.objects.exists()


# --- Continuing education ------------------------------------------------------------------------


def ce_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "date": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        "title": "Trauma-informed listening",
        "provider": "County college",
        "hours": 1.5,
        "category": "peer-specific",
    }
    body.update(overrides)
    return body


def test_the_supporter_logs_their_own_activity(api_world: Any, api_for: Any) -> None:
    w = api_world
    response = api_for(w.supporter).post("/programs/riverside/my/continuing-education", ce_body())
    assert response.status_code == 201, response.content
    activity = CEActivity.objects.get(pk=response.json()["id"])
    assert (activity.supporter, activity.status, str(activity.hours)) == (w.priya, "submitted", "1.50")
    assert AuditEntry.objects.filter(action="certification.ce.submit", target_id=str(activity.pk)).exists()
    mine = api_for(w.supporter).get("/programs/riverside/my/continuing-education").json()
    assert activity.pk in [a["id"] for a in mine["activities"]]


def test_only_supporters_log_their_own_activities(api_world: Any, api_for: Any) -> None:
    w = api_world
    before = CEActivity.objects.count()
    for user, expected in [(w.coordinator, 403), (w.trainer, 403), (w.supervisor, 403), (w.outsider, 404)]:
        assert api_for(user).post("/programs/riverside/my/continuing-education", ce_body()).status_code == expected
        assert w.client_for(user).get("/p/riverside/my/continuing-education/new/").status_code == expected
    assert api_for(None).post("/programs/riverside/my/continuing-education", ce_body()).status_code == 401
    assert CEActivity.objects.count() == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"date": (timezone.localdate() + dt.timedelta(days=3)).isoformat()}, "date"),
        ({"hours": 0.1}, "hours"),
        ({"hours": 1.333}, "hours"),  # the page's form: two decimal places
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"category": "astrology"}, "category"),
    ],
)
def test_bad_activities_answer_422_naming_the_field(
    api_world: Any, api_for: Any, overrides: dict[str, Any], field: str
) -> None:
    w = api_world
    before = state(w)
    response = api_for(w.supporter).post("/programs/riverside/my/continuing-education", ce_body(**overrides))
    assert response.status_code == 422, response.content
    assert field in fields_named(response), response.json()
    assert state(w) == before
