"""The API's read endpoints follow the pages' permission rules: for every persona, an endpoint
answers what the equivalent page answers (200, 403 or 404), no token is 401, and what is shown
of participants is audited as the pages audit it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from peerpath.core.models import AuditEntry

pytestmark = pytest.mark.django_db

PERSONAS = ("coordinator", "trainer", "supervisor", "supporter", "outsider", "uma")

# (API path, the page that shows the same records); ids are filled from the api_world fixture.
MIRRORED = [
    ("/participants", "/support/participants/"),
    ("/participants/{ana}", "/support/participants/{ana}/"),
    ("/participants/{ben}", "/support/participants/{ben}/"),
    ("/relationships/{ana_rel}", "/support/relationships/{ana_rel}/"),
    ("/relationships/{ben_rel}", "/support/relationships/{ben_rel}/"),
    ("/cohorts", "/training/cohorts/"),
    ("/cohorts/{cohort}", "/training/cohorts/{cohort}/"),
    ("/cohorts/{other_cohort}", "/training/cohorts/{other_cohort}/"),
    ("/sessions/{session}", "/training/sessions/{session}/"),
    ("/people/{trainee}/competency-record", "/certification/people/{trainee}/"),
    ("/certificates/{certificate}", "/certification/certificates/{certificate}/"),
    ("/ce-activities/{activity}", "/certification/continuing-education/{activity}/"),
    ("/my/continuing-education", "/my/continuing-education/"),
    ("/supervision-meetings", "/care/supervision/"),
]

# Lists without a single equivalent page: who gets them (everyone else in the program: 403).
LISTS = [
    ("/relationships", {"coordinator", "supervisor", "supporter", "uma"}),
    ("/contacts", {"coordinator", "supervisor", "supporter", "uma"}),
    ("/follow-ups", {"coordinator", "supervisor", "supporter", "uma"}),
    ("/sessions", {"coordinator", "trainer"}),
    ("/certificates", {"coordinator"}),
    ("/ce-activities", {"coordinator"}),
]


def ids(w: Any) -> dict[str, int]:
    return {
        "ana": w.ana.pk,
        "ben": w.ben.pk,
        "ana_rel": w.ana_rel.pk,
        "ben_rel": w.ben_rel.pk,
        "cohort": w.cohort.pk,
        "other_cohort": w.other_cohort.pk,
        "session": w.session.pk,
        "trainee": w.trainee.pk,
        "certificate": w.certificate.pk,
        "activity": w.activity.pk,
    }


def user_of(w: Any, persona: str) -> Any:
    return w.uma_user if persona == "uma" else getattr(w, persona)


@pytest.fixture
def clients(api_world: Any, api_for: Any) -> dict[str, Any]:
    return {persona: api_for(user_of(api_world, persona)) for persona in PERSONAS}


@pytest.mark.parametrize(("api_path", "page_path"), MIRRORED)
def test_each_persona_gets_what_the_page_gives(
    api_world: Any, clients: dict[str, Any], api_for: Any, api_path: str, page_path: str
) -> None:
    values = ids(api_world)
    api_path = "/programs/riverside" + api_path.format(**values)
    page_path = "/p/riverside" + page_path.format(**values)
    seen = {}
    for persona in PERSONAS:
        page = api_world.client_for(user_of(api_world, persona)).get(page_path).status_code
        response = clients[persona].get(api_path)
        assert response.status_code == page, (persona, api_path, response.status_code, page, response.content)
        assert response["Content-Type"].startswith("application/json")
        if response.status_code != 200:
            assert isinstance(response.json()["detail"], str) and response.json()["detail"]
        seen[persona] = response.status_code
    assert 200 in seen.values(), f"nobody may read {api_path}: the test data does not exercise it"
    anonymous = api_for(None).get(api_path)
    assert anonymous.status_code == 401 and anonymous.json()["detail"]


@pytest.mark.parametrize(("path", "allowed"), LISTS)
def test_lists_follow_the_roles(api_world: Any, clients: dict[str, Any], api_for: Any, path: str, allowed: set) -> None:
    for persona in PERSONAS:
        response = clients[persona].get("/programs/riverside" + path)
        expected = 404 if persona == "outsider" else 200 if persona in allowed else 403
        assert response.status_code == expected, (persona, path, response.content)
    assert api_for(None).get("/programs/riverside" + path).status_code == 401
    # The outsider's own program answers them, with none of Riverside's records.
    mine = clients["outsider"].get("/programs/harbor" + path)
    if path in {"/certificates", "/ce-activities", "/relationships", "/contacts", "/follow-ups"}:
        assert mine.status_code == 200 and mine.json()["count"] == 0


def test_supporters_see_only_their_own_participants(api_world: Any, clients: dict[str, Any]) -> None:
    w = api_world
    priya, uma = clients["supporter"], clients["uma"]
    assert [p["id"] for p in priya.get("/programs/riverside/participants").json()["items"]] == [w.ana.pk]
    assert [p["id"] for p in uma.get("/programs/riverside/participants").json()["items"]] == [w.ben.pk]
    assert priya.get(f"/programs/riverside/participants/{w.ben.pk}").status_code == 404
    assert priya.get(f"/programs/riverside/participants/{w.waiting.pk}").status_code == 404
    assert {r["id"] for r in priya.get("/programs/riverside/relationships").json()["items"]} == {w.ana_rel.pk}
    assert {c["relationship_id"] for c in uma.get("/programs/riverside/contacts").json()["items"]} <= {w.ben_rel.pk}
    assert uma.get("/programs/riverside/contacts").json()["count"] == 0
    assert [f["relationship_id"] for f in priya.get("/programs/riverside/follow-ups").json()["items"]] == [w.ana_rel.pk]
    # The supervisor oversees Priya only; the coordinator sees everyone, waiting list included.
    supervised = clients["supervisor"].get("/programs/riverside/participants").json()
    assert [p["id"] for p in supervised["items"]] == [w.ana.pk]
    everyone = clients["coordinator"].get("/programs/riverside/participants").json()
    assert {p["id"] for p in everyone["items"]} == {w.ana.pk, w.ben.pk, w.waiting.pk}


def test_a_participant_record_shows_what_the_page_shows(api_world: Any, clients: dict[str, Any]) -> None:
    w = api_world
    data = clients["supporter"].get(f"/programs/riverside/participants/{w.ana.pk}").json()
    assert data["full_name"] == "Ana Lopez" and data["phone"] == "555-0142" and data["reference"] == w.ana.reference
    assert data["consent_scope"] == "To be called by a peer supporter."
    assert data["open_relationships"][0]["supporter_name"] == w.priya.full_name
    assert [r["id"] for r in data["relationships"]] == [w.ana_rel.pk]
    listed = clients["coordinator"].get("/programs/riverside/participants", status="waiting").json()
    assert [p["id"] for p in listed["items"]] == [w.waiting.pk]
    found = clients["coordinator"].post("/programs/riverside/participants/search", {"q": "carla"})
    assert found.status_code == 200 and [p["id"] for p in found.json()["items"]] == [w.waiting.pk]
    # Found by the surname, limited by status, paged: the term only ever in the body.
    found = clients["coordinator"].post("/programs/riverside/participants/search", {"q": "Diaz", "status": "matched"})
    assert found.json() == {"count": 0, "items": []}
    # A name in the query string is refused, not ignored (it would list everyone).
    refused = clients["coordinator"].get("/programs/riverside/participants", q="carla")
    assert refused.status_code == 400 and "POST" in refused.json()["detail"]
    assert clients["outsider"].post("/programs/riverside/participants/search", {"q": "carla"}).status_code == 404


def test_reads_of_participants_are_audited_like_the_pages(api_world: Any, clients: dict[str, Any]) -> None:
    w = api_world
    AuditEntry.objects.all().delete()
    clients["supporter"].get(f"/programs/riverside/participants/{w.ana.pk}")
    entry = AuditEntry.objects.get(action="participant.view")
    assert (entry.actor, entry.target_id, entry.note) == (w.supporter, str(w.ana.pk), "API: participant record")
    clients["supervisor"].get(f"/programs/riverside/relationships/{w.ana_rel.pk}")
    assert AuditEntry.objects.filter(action="participant.view", actor=w.supervisor, target_id=str(w.ana.pk)).exists()
    clients["coordinator"].get("/programs/riverside/participants", limit=2)
    listed = AuditEntry.objects.get(action="participant.list", actor=w.coordinator)
    assert len(listed.changes["shown"]) == 2 and listed.note == "API: participant list"
    for path in ("/contacts", "/follow-ups", "/relationships"):
        AuditEntry.objects.all().delete()
        clients["supporter"].get(f"/programs/riverside{path}")
        assert AuditEntry.objects.get(action="participant.list").changes["shown"] == [w.ana.pk], path
    # A refused read leaves no trace of a participant.
    AuditEntry.objects.all().delete()
    clients["supporter"].get(f"/programs/riverside/participants/{w.ben.pk}")
    assert not AuditEntry.objects.filter(action="participant.view").exists()
    clients["trainer"].get(f"/programs/riverside/people/{w.trainee.pk}/competency-record")
    assert AuditEntry.objects.filter(action="certification.record.view", actor=w.trainer).exists()


def test_contact_notes_are_shown_only_where_the_pages_show_them(api_world: Any, clients: dict[str, Any]) -> None:
    w = api_world
    for persona in ("coordinator", "supervisor", "supporter"):
        rows = clients[persona].get("/programs/riverside/contacts").json()["items"]
        assert [c["notes"] for c in rows] == ["Talked about her week"], persona
    detail = clients["supporter"].get(f"/programs/riverside/relationships/{w.ana_rel.pk}").json()
    assert detail["contacts"][0]["notes"] == "Talked about her week" and detail["contacts"][0]["tasks"] == ["rapport"]
    # After a rematch the new supporter sees the participant but not the previous supporter's notes.
    from peerpath.support.services import matches

    matches.rematch(actor=w.coordinator, relationship=w.ana_rel)
    from tests.support.helpers import match

    new = match(w.world, w.ana, w.uma, w.uma_user)
    assert clients["uma"].get(f"/programs/riverside/participants/{w.ana.pk}").status_code == 200
    assert clients["uma"].get(f"/programs/riverside/relationships/{w.ana_rel.pk}").status_code == 404
    assert clients["uma"].get("/programs/riverside/contacts", relationship=w.ana_rel.pk).json()["count"] == 0
    assert clients["uma"].get(f"/programs/riverside/relationships/{new.pk}").status_code == 200


def test_training_and_certification_records(api_world: Any, clients: dict[str, Any]) -> None:
    w = api_world
    trainer = clients["trainer"]
    assert [c["id"] for c in trainer.get("/programs/riverside/cohorts").json()["items"]] == [w.cohort.pk]
    cohort = trainer.get(f"/programs/riverside/cohorts/{w.cohort.pk}").json()
    assert cohort["on_roster"] == 1 and cohort["enrolments"][0]["supporter_id"] == w.trainee.pk
    assert [s["id"] for s in cohort["sessions"]] == [w.session.pk]
    assert [s["id"] for s in trainer.get("/programs/riverside/sessions").json()["items"]] == [w.session.pk]
    session = trainer.get(f"/programs/riverside/sessions/{w.session.pk}").json()
    assert session["attendance"] == [
        {"supporter_id": w.trainee.pk, "full_name": "Tia Trainee", "status": None, "note": "", "recorded_at": None}
    ]
    record = trainer.get(f"/programs/riverside/people/{w.trainee.pk}/competency-record").json()
    assert record["assessments"] == [] and all(c["level"] is None for c in record["competencies"])
    assert len(record["competencies"]) == w.program.competencies.filter(is_active=True).count()
    certificate = clients["coordinator"].get(f"/programs/riverside/certificates/{w.certificate.pk}").json()
    assert certificate["status"] == "valid" and certificate["standing"]["hours_required"] > 0
    mine = clients["supporter"].get("/programs/riverside/my/continuing-education").json()
    assert mine["certificate"]["id"] == w.certificate.pk
    assert [(a["title"], a["hours"], a["status"]) for a in mine["activities"]] == [
        ("Ethics refresher", 2.0, "submitted")
    ]
    waiting = clients["coordinator"].get("/programs/riverside/ce-activities", status="submitted").json()
    assert [a["id"] for a in waiting["items"]] == [w.activity.pk]


def test_supervision_meetings_leave_the_notes_on_the_page(api_world: Any, clients: dict[str, Any]) -> None:
    w = api_world
    rows = clients["supervisor"].get("/programs/riverside/supervision-meetings").json()["items"]
    assert [m["id"] for m in rows] == [w.meeting.pk]
    assert rows[0]["topics"] == "Boundaries" and rows[0]["attendees"] == [
        {"id": w.priya.pk, "full_name": "Priya Supporter"}
    ]
    assert "notes" not in rows[0] and "Private supervision notes" not in str(rows)
    assert clients["coordinator"].get("/programs/riverside/supervision-meetings").json()["count"] == 1


@pytest.mark.parametrize("extra", [0, 30])
def test_list_queries_do_not_grow_with_the_data(
    api_world: Any, clients: dict[str, Any], extra: int, django_assert_max_num_queries: Any
) -> None:
    from peerpath.support.services import contacts
    from tests.support.helpers import make_participant

    w = api_world
    for i in range(extra):
        make_participant(w.world, full_name=f"Person {i}", email=f"p{i}@example.net")
        contacts.log_contact(
            actor=w.supporter,
            relationship=w.ana_rel,
            data={"contacted_on": w.contact.contacted_on, "channel": "phone", "reached": False},
        )
    for persona, path in [
        ("coordinator", "/participants"),
        ("coordinator", "/relationships"),
        ("coordinator", "/contacts"),
        ("supporter", "/contacts"),
        ("coordinator", "/follow-ups"),
        ("coordinator", "/cohorts"),
        ("coordinator", "/sessions"),
        ("coordinator", "/certificates"),
        ("coordinator", "/ce-activities"),
        ("coordinator", "/supervision-meetings"),
    ]:
        with django_assert_max_num_queries(14):
            assert clients[persona].get("/programs/riverside" + path, limit=100).status_code == 200, path


def test_time_filters_take_any_offset_and_refuse_far_off_years(api_world: Any, clients: dict[str, Any]) -> None:
    w, trainer = api_world, clients["trainer"]
    before = (w.session.starts_at - dt.timedelta(hours=1)).astimezone(dt.timezone(dt.timedelta(hours=-20, minutes=-17)))
    found = trainer.get("/programs/riverside/sessions", starts_after=before.isoformat())
    assert found.status_code == 200 and [s["id"] for s in found.json()["items"]] == [w.session.pk]
    after = trainer.get(
        "/programs/riverside/sessions", starts_after=(w.session.starts_at + dt.timedelta(hours=1)).isoformat()
    )
    assert after.status_code == 200 and after.json()["items"] == []
    # Valid ISO 8601 that the database cannot compare: refused with the field named, not a 500.
    refused = trainer.get("/programs/riverside/sessions", starts_after="0016-02-23T15:45:30.9-20:17")
    assert refused.status_code == 422 and "starts_after" in refused.content.decode()
