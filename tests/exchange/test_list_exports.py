"""Every list page downloads what it shows: the same rows, the same filters, the same people
allowed, and an audit entry when the rows name participants."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.urls import resolve, reverse
from django.utils import timezone
from openpyxl import load_workbook

from peerpath.care.models import CareTask
from peerpath.care.services import breaks as care_breaks
from peerpath.care.services import buddies as care_buddies
from peerpath.care.services import debriefs as care_debriefs
from peerpath.care.services import newsletters as care_newsletters
from peerpath.care.services import recognition as care_recognition
from peerpath.care.services import supervision as care_supervision
from peerpath.certification import services as certification
from peerpath.core.exports import CSV_TYPE, XLSX_TYPE
from peerpath.core.models import AuditEntry
from peerpath.core.permissions import ACTIONS, Role, access_of
from peerpath.recruitment.models import Stage
from peerpath.support.services import concerns as support_concerns
from peerpath.support.services import contacts as support_contacts
from peerpath.support.services import matches as support_matches
from peerpath.training import services as training
from tests.care.helpers import HIGH_STRAIN, check_in
from tests.care.helpers import supporter as care_supporter
from tests.factories import MembershipFactory
from tests.fixtures import SupportWorld
from tests.training.helpers import attend, cohort, held_sessions, trainee

pytestmark = pytest.mark.django_db

# Every list page with a download (object pages such as a cohort's roster are tested below).
LIST_PAGES = [
    "recruitment:board",
    "programs:members",
    "programs:audit_log",
    "support:participants",
    "support:caseload",
    "support:supporters",
    "support:attention",
    "support:concerns",
    "support:supervision",
    "training:curriculum",
    "training:cohorts",
    "training:feedback",
    "training:refreshers",
    "training:my_cohorts",
    "certification:overview",
    "certification:my_ce",
    "care:supporters",
    "care:tasks",
    "care:attention",
    "care:meetings",
    "care:supervision_hours",
    "care:breaks",
    "care:buddies",
    "care:recognition",
    "care:newsletters",
    "care:topics",
    "care:supervisors",
]


def rows_of(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200, response.status_code
    if response["Content-Type"] == XLSX_TYPE:
        sheet = load_workbook(io.BytesIO(response.content)).active
        values = [[("" if v is None else str(v)) for v in row] for row in sheet.iter_rows(values_only=True)]
        return [dict(zip(values[0], row, strict=True)) for row in values[1:]]
    assert response["Content-Type"] == CSV_TYPE
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def export(client: Any, url: str, fmt: str = "csv") -> list[dict[str, str]]:
    return rows_of(client.get(url + ("&" if "?" in url else "?") + f"export={fmt}"))


def url(name: str, *args: Any) -> str:
    return reverse(name, args=["riverside", *args])


def user_for(world: Any, role: Role) -> Any:
    return {
        Role.COORDINATOR: world.coordinator,
        Role.TRAINER: world.trainer,
        Role.SUPERVISOR: world.supervisor,
        Role.SUPPORTER: world.supporter,
    }[role]


@pytest.mark.parametrize("name", LIST_PAGES)
def test_every_list_page_downloads_for_its_roles_only(world: Any, name: str) -> None:
    path = url(name)
    _kind, action = access_of(resolve(path).func)
    allowed = ACTIONS[action]
    for role in Role:
        client = world.client_for(user_for(world, role))
        csv_response = client.get(path + "?export=csv")
        if role in allowed:
            assert csv_response.status_code == 200, (name, role)
            assert csv_response["Content-Type"] == CSV_TYPE
            assert csv_response["Content-Disposition"].startswith('attachment; filename="riverside-')
            header = next(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig"))))
            assert len(header) == len(set(header)), f"{name}: repeated column names {header}"
            xlsx = client.get(path + "?export=xlsx")
            assert xlsx["Content-Type"] == XLSX_TYPE and xlsx.content[:2] == b"PK"
            page = client.get(path).content.decode()
            assert "export=csv" in page and "export=xlsx" in page, f"{name} shows no download links"
        else:
            assert csv_response.status_code == 403, (name, role)
    outsider = world.client_for(world.outsider).get(path + "?export=csv")
    assert outsider.status_code == 404
    anonymous = world.client_for(None).get(path + "?export=csv")
    assert anonymous.status_code == 302


# --- Support --------------------------------------------------------------------------------


def references(rows: list[dict[str, str]]) -> list[str]:
    return [r["Reference"] for r in rows]


def test_participants_export_the_filtered_list_each_person_may_see(support: SupportWorld) -> None:
    s = support
    coordinator = s.client_for(s.coordinator)
    base = url("support:participants")
    page = coordinator.get(base)
    shown = [p.reference for p in page.context["page"]]
    assert references(export(coordinator, base)) == shown and len(shown) == 3
    waiting = export(coordinator, base + "?status=waiting")
    assert references(waiting) == [s.waiting.reference] and waiting[0]["Participant"] == "Carla Diaz"
    coordinator.post(base, {"q": "Okoro"})  # the search is kept in the session, out of the URL
    assert references(export(coordinator, base)) == [s.ben.reference]
    coordinator.post(base, {"q": "Okoro", "clear": "1"})
    assert references(export(coordinator, base + "?status=matched", "xlsx")) == [
        p.reference for p in coordinator.get(base + "?status=matched").context["page"]
    ]
    # The supervisor (of Priya) and Priya herself: only Ana.
    assert references(export(s.client_for(s.supervisor), base)) == [s.ana.reference]
    assert references(export(s.client_for(s.supporter), base)) == [s.ana.reference]
    assert export(s.client_for(s.supervisor), base)[0]["Supporter"] == s.priya.full_name
    # Every download naming participants is audited with each one it names.
    entry = AuditEntry.objects.filter(action="participant.list_export", actor=s.supporter).latest("id")
    assert entry.changes == {"exported": [s.ana.pk]} and "CSV" in entry.note


def test_my_participants_export(support: SupportWorld) -> None:
    s = support
    client = s.client_for(s.supporter)
    page = client.get(url("support:caseload")).context
    rows = export(client, url("support:caseload"))
    assert references(rows) == [r.participant.reference for r in [*page["offers"], *page["working"], *page["closed"]]]
    assert rows == [{**rows[0], "Reference": s.ana.reference, "Participant": "Ana Lopez", "Section": "Supporting"}]
    assert references(export(s.client_for(s.uma_user), url("support:caseload"))) == [s.ben.reference]


def test_attention_and_supervision_exports(support: SupportWorld) -> None:
    s = support
    support_data = {
        "contacted_on": timezone.localdate() - dt.timedelta(days=10),
        "channel": "phone",
        "reached": True,
        "tasks": ["rapport"],
        "kind": "first",
        "notes": "",
        "next_follow_up": timezone.localdate() - dt.timedelta(days=5),
    }
    support_contacts.log_contact(actor=s.supporter, relationship=s.ana_rel, data=support_data)
    coordinator = s.client_for(s.coordinator)
    page = coordinator.get(url("support:attention")).context
    rows = export(coordinator, url("support:attention"))
    expected = [
        (name, r.participant.reference)
        for name, key in (
            ("Cannot be reached", "unreachable"),
            ("Follow-up overdue", "overdue"),
            ("No contact lately", "quiet"),
        )
        for r in page[key]
    ]
    assert [(r["List"], r["Reference"]) for r in rows] == expected
    assert ("Follow-up overdue", s.ana.reference) in expected

    supervisor = s.client_for(s.supervisor)
    shown = [r.participant.reference for r in supervisor.get(url("support:supervision")).context["relationships"]]
    rows = export(supervisor, url("support:supervision"))
    assert references(rows) == shown == [s.ana.reference]
    assert rows[0]["Flags"] == "Follow-up overdue"
    stranger = MembershipFactory(program=s.program, is_supervisor=True).user
    assert export(s.client_for(stranger), url("support:supervision")) == []


def test_concerns_export_follows_who_handles_them(support: SupportWorld) -> None:
    s = support
    support_concerns.raise_concern(
        actor=s.supporter, relationship=s.ana_rel, kind="concern", answers=[], notes="Worried"
    )
    support_concerns.raise_concern(actor=s.uma_user, relationship=s.ben_rel, kind="crisis", answers=[], notes="Now")
    coordinator = s.client_for(s.coordinator)
    shown = [c.participant.reference for c in coordinator.get(url("support:concerns")).context["rows"]]
    rows = export(coordinator, url("support:concerns"))
    assert references(rows) == shown == [s.ben.reference, s.ana.reference]  # crises first
    assert rows[0]["What"].startswith("Crisis")
    # Priya's supervisor handles only Priya's concern.
    assert references(export(s.client_for(s.supervisor), url("support:concerns"))) == [s.ana.reference]


def test_supporters_and_batch_match_exports(support: SupportWorld) -> None:
    s = support
    coordinator = s.client_for(s.coordinator)
    shown = [row["supporter"].full_name for row in coordinator.get(url("support:supporters")).context["rows"]]
    rows = export(coordinator, url("support:supporters"))
    assert [r["Supporter"] for r in rows] == shown and set(shown) == {s.priya.full_name, "Uma Iyer"}
    assert rows[shown.index("Uma Iyer")]["Caseload"] == "1"

    run = support_matches.run_batch_match(actor=s.coordinator, program=s.program)
    path = url("support:batch_run", run.pk)
    page = coordinator.get(path).context
    rows = export(coordinator, path)
    assert references(rows) == [p.participant.reference for p in [*page["proposals"], *page["left_over"]]]
    assert s.waiting.reference in references(rows)
    assert s.client_for(s.outsider).get(f"/p/harbor/support/matching/{run.pk}/?export=csv").status_code == 404


# --- Training and certification -------------------------------------------------------------


def test_cohorts_roster_and_feedback_exports(world: Any) -> None:
    mine = cohort(world, name="Spring course")
    other_trainer = MembershipFactory(program=world.program, is_trainer=True).user
    theirs = cohort(world, name="Autumn course", trainers=[other_trainer])
    person = trainee(world.program, "Tia Trainee")
    training.enrol_trainee(actor=world.trainer, cohort=mine, supporter=person)
    sessions = held_sessions(world, mine, 2)
    attend(world, sessions, person, ["present", "absent"])

    trainer = world.client_for(world.trainer)
    assert [r["Cohort"] for r in export(trainer, url("training:cohorts"))] == ["Spring course"]
    coordinator = world.client_for(world.coordinator)
    shown = [c.name for c in coordinator.get(url("training:cohorts")).context["cohorts"]]
    assert [r["Cohort"] for r in export(coordinator, url("training:cohorts"))] == shown
    assert set(shown) == {"Spring course", "Autumn course"}

    roster = export(trainer, url("training:cohort", mine.pk))
    assert [r["Trainee"] for r in roster] == ["Tia Trainee"]
    marks = [v for k, v in roster[0].items() if k.endswith(("Session 1", "Session 2"))]
    assert marks == ["Present", "Absent"]
    assert roster[0]["Attendance %"] == "50.0" and roster[0]["Held"] == "2"
    # Another trainer's cohort is not theirs to download.
    assert trainer.get(url("training:cohort", theirs.pk) + "?export=csv").status_code == 404
    assert export(trainer, url("training:my_cohorts"))[0]["Trainee"] == "Tia Trainee"

    training.give_feedback(
        actor=person.user,
        supporter=person,
        cohort=mine,
        session=sessions[0],
        helpful=4,
        learn_more="Motivational interviewing",
        comments="Clear",
    )
    rows = export(coordinator, url("training:feedback") + f"?cohort={mine.pk}")
    sections = {(r["Section"], r["Item"]) for r in rows}
    assert ("Session", "Session 1") in sections and ("Comment", "Session 1") in sections
    assert any(r["Section"] == "Learn more about" for r in rows)
    assert trainer.get(url("training:feedback") + f"?cohort={theirs.pk}&export=csv").status_code == 404


def test_curriculum_and_refreshers_exports(world: Any) -> None:
    coordinator = world.client_for(world.coordinator)
    modules = coordinator.get(url("training:curriculum")).context["modules"]
    rows = export(coordinator, url("training:curriculum"))
    assert [r["Topic"] for r in rows] == [t.title for m in modules for t in m.topics.all()] and rows
    start = timezone.now() + dt.timedelta(days=10)
    training.save_refresher_event(
        actor=world.coordinator,
        program=world.program,
        event=None,
        data={
            "title": "Guest speaker",
            "starts_at": start,
            "ends_at": start + dt.timedelta(hours=1),
            "location": "Online",
            "online_url": "",
            "credited_hours": 1,
            "ce_category": "ethics",
            "description": "",
        },
    )
    assert [(r["When"], r["Event"]) for r in export(coordinator, url("training:refreshers"))] == [
        ("Coming up", "Guest speaker")
    ]


def test_certification_overview_and_my_ce_exports(world: Any) -> None:
    certification.issue_certificate(
        actor=world.coordinator,
        supporter=world.supporter_record,
        issued_on=timezone.localdate() - dt.timedelta(days=700),
    )
    certification.log_ce_activity(
        actor=world.supporter,
        supporter=world.supporter_record,
        date=timezone.localdate(),
        title="Ethics workshop",
        provider="State board",
        hours=3,
        category="ethics",
    )
    coordinator = world.client_for(world.coordinator)
    page = coordinator.get(url("certification:overview")).context
    rows = export(coordinator, url("certification:overview"))
    expected = (
        len(page["awaiting"])
        + len(page["provisional"])
        + sum(len(page[k]) for k in ("expiring", "in_grace", "lapsed", "at_risk", "met"))
        + len(page["recent_revoked"])
    )
    assert len(rows) == expected
    lists = {r["List"] for r in rows}
    assert "CE awaiting approval" in lists and "Expiring within 90 days" in lists
    own = export(world.client_for(world.supporter), url("certification:my_ce"))
    assert [(r["Activity"], r["Status"], r["Hours"]) for r in own] == [("Ethics workshop", "Awaiting approval", "3.00")]


# --- Supporter care -------------------------------------------------------------------------


@pytest.fixture
def care_world(world: Any) -> dict[str, Any]:
    """Two supporters of world.supervisor's and one of another supervisor, with care records."""
    other_supervisor = MembershipFactory(program=world.program, is_supervisor=True, user__full_name="Olu Other").user
    mine = care_supporter(world.program, "Mina Mine", supervisor=world.supervisor)
    also = care_supporter(world.program, "Abe Also", supervisor=world.supervisor)
    theirs = care_supporter(world.program, "Theo Theirs", supervisor=other_supervisor)
    check_in(mine, HIGH_STRAIN)  # opens a task for world.supervisor
    check_in(theirs, HIGH_STRAIN)  # opens a task for the other supervisor
    for supervisor, people in ((world.supervisor, [mine, also]), (other_supervisor, [theirs])):
        care_supervision.log_meeting(
            actor=supervisor,
            program=world.program,
            kind="group" if len(people) > 1 else "one_on_one",
            held_on=timezone.localdate(),
            duration_minutes=90,
            supervisor=supervisor,
            attendees=people,
        )
    return {"mine": mine, "also": also, "theirs": theirs, "other_supervisor": other_supervisor}


def test_supervisors_download_only_their_supervisees(world: Any, care_world: dict[str, Any]) -> None:
    supervisor = world.client_for(world.supervisor)
    page = supervisor.get(url("care:supporters")).context
    rows = export(supervisor, url("care:supporters"))
    assert [r["Name"] for r in rows] == [r.supporter.full_name for r in page["rows"]] == ["Abe Also", "Mina Mine"]
    assert "Supervisor" not in rows[0]  # the page does not show it to supervisors either
    assert rows[1]["Last check-in of high concern"] == "True"

    tasks = export(supervisor, url("care:tasks"))
    assert [r["Supporter"] for r in tasks] == ["Mina Mine"]
    assert [r["Supporter"] for r in export(supervisor, url("care:tasks") + "?status=done")] == []

    meetings = export(supervisor, url("care:meetings"))
    assert [(r["Led by"], r["Attendees"]) for r in meetings] == [(world.supervisor.full_name, "Abe Also; Mina Mine")]
    hours = export(supervisor, url("care:supervision_hours"))
    assert {r["Supporter"]: r["Hours"] for r in hours} == {"Abe Also": "1.50", "Mina Mine": "1.50"}
    assert "Theo Theirs" not in str(export(supervisor, url("care:attention")))

    coordinator = world.client_for(world.coordinator)
    everyone = export(coordinator, url("care:supporters") + "?q=The")
    assert [r["Name"] for r in everyone] == ["Theo Theirs"] and everyone[0]["Supervisor"] == "Olu Other"
    all_tasks = export(coordinator, url("care:tasks"))
    shown = [t.supporter.full_name for t in coordinator.get(url("care:tasks")).context["page"]]
    assert [r["Supporter"] for r in all_tasks] == shown and len(shown) == 2
    assert {r["Supporter"] for r in export(coordinator, url("care:supervision_hours"))} >= {"Theo Theirs"}
    assert len(export(coordinator, url("care:meetings"))) == 2
    assigned = export(coordinator, url("care:supervisors"))
    assert {r["Supporter"]: r["Supervisor"] for r in assigned}["Theo Theirs"] == "Olu Other"
    CareTask.objects.update(status="done", completed_at=timezone.now())
    assert len(export(coordinator, url("care:tasks") + "?status=done&who=all")) == 2


def test_breaks_buddies_recognition_and_newsletters_exports(world: Any, support: SupportWorld) -> None:
    s = support
    brk = care_breaks.request_break(
        actor=s.coordinator, supporter=s.priya, starts_on=timezone.localdate(), ends_on=None, by_staff=True
    )
    coordinator = s.client_for(s.coordinator)
    rows = export(coordinator, url("care:breaks"))
    listed = "On a break now" if brk.status == "current" else "Coming up"
    assert [(r["List"], r["Supporter"]) for r in rows] == [(listed, s.priya.full_name)]
    assert s.ana.reference in rows[0]["Relationships to cover"] and "Ana" not in rows[0]["Relationships to cover"]
    entry = AuditEntry.objects.filter(action="care.export_relationships_to_cover").get()
    assert entry.changes == {"relationships": [s.ana_rel.pk]}
    care_breaks.end_break(actor=s.coordinator, brk=brk)

    newcomer = care_supporter(world.program, "Nell Newcomer", stage=Stage.ACTIVE)
    care_buddies.pair_buddies(actor=s.coordinator, program=s.program, first=s.priya, second=newcomer)
    page = coordinator.get(url("care:buddies")).context
    rows = export(coordinator, url("care:buddies"))
    assert len(rows) == len(page["pairs"]) + len(page["suggestions"])
    assert (rows[0]["List"], rows[0]["Buddy"], rows[0]["Other buddy"]) == (
        "Current pair",
        s.priya.full_name,
        newcomer.full_name,
    )

    care_recognition.record_recognition(
        actor=s.coordinator, program=s.program, supporter=newcomer, kind="certificate", title="Thanks"
    )
    rows = export(coordinator, url("care:recognition"))
    assert ("Recorded", "Nell Newcomer", "Thanks") in [(r["List"], r["Supporter"], r["Recognition"]) for r in rows]

    letter = care_newsletters.save_newsletter(
        actor=s.coordinator,
        program=s.program,
        newsletter=None,
        subject="Spring news",
        body="Hello",
        audiences=["active"],
    )
    assert [r["Status"] for r in export(coordinator, url("care:newsletters"))] == ["Draft"]
    care_newsletters.send_newsletter(actor=s.coordinator, newsletter=letter)
    reader = export(s.client_for(s.supporter), url("care:newsletters"))
    assert [(r["Status"], r["Subject"]) for r in reader] == [("Sent", "Spring news")]  # no drafts for readers


def test_refresher_topics_export(world: Any) -> None:
    person = care_supporter(world.program, "Deb Debrief", supervisor=world.supervisor)
    care_debriefs.submit_debrief(
        actor=person.user,
        supporter=person,
        kind="support_group",
        occurred_on=timezone.localdate(),
        what_happened="Group",
        topics="Grief after suicide",
    )
    client = world.client_for(world.trainer)
    entries = client.get(url("care:topics")).context["entries"]
    rows = export(client, url("care:topics"))
    assert [r["Topic"] for r in rows] == [e["suggestion"].label for e in entries] and rows
