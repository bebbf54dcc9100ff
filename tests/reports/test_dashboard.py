"""Report numbers against small, hand-counted data."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation
from openpyxl import load_workbook

from peerpath.programs.models import Membership
from peerpath.recruitment.models import Source, Stage, StageChange
from peerpath.reports.base import Period, ordered_reports
from peerpath.reports.library import RecruitmentFunnel, SupporterRetention
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db
NOW = timezone.now()


@pytest.fixture(autouse=True)
def _old_supporter(world: Any) -> None:
    # The persona supporter joined long ago: outside every period these tests count.
    type(world.supporter_record).objects.filter(pk=world.supporter_record.pk).update(
        created_at=NOW - dt.timedelta(days=800)
    )


def person(world: Any, source: str, path: list[str], days_ago: int = 10, stage: str | None = None) -> Any:
    record = SupporterFactory(program=world.program, source=source, stage=stage or path[-1])
    record.created_at = NOW - dt.timedelta(days=days_ago)
    record.save()
    previous = ""
    for to_stage in path:
        StageChange.objects.create(supporter=record, from_stage=previous, to_stage=to_stage)
        previous = to_stage
    return record


def test_funnel_counts_by_source(world: Any) -> None:
    s = Stage
    person(world, Source.FLYER, [s.APPLICANT])
    person(world, Source.FLYER, [s.APPLICANT, s.SCREENING, s.DECLINED])
    person(world, Source.FLYER, [s.APPLICANT, s.SCREENING, s.ACCEPTED, s.IN_TRAINING])
    person(
        world,
        Source.CLINICIAN,
        [s.APPLICANT, s.SCREENING, s.ACCEPTED, s.IN_TRAINING, s.ASSESSED, s.CERTIFIED, s.ACTIVE],
    )
    person(world, Source.CLINICIAN, [s.APPLICANT], days_ago=400)  # before the period
    SupporterFactory(program=world.other_program, source=Source.FLYER)  # another program
    rows = {r["source"]: r for r in RecruitmentFunnel().rows(world.program, Period.default())}
    flyer = rows[Source.FLYER.label]
    assert (flyer["applied"], flyer["screened"], flyer["accepted"], flyer["trained"], flyer["active"]) == (
        3,
        2,
        1,
        0,
        0,
    )
    assert flyer["accept_rate"] == 33.3
    clinician = rows[Source.CLINICIAN.label]
    assert (clinician["applied"], clinician["accepted"], clinician["trained"], clinician["active"]) == (1, 1, 1, 1)
    assert rows[Source.OTHER.label]["applied"] == 0 and rows[Source.OTHER.label]["accept_rate"] is None


def test_retention_walks_back_from_today(world: Any) -> None:
    today = timezone.localdate()
    this_month = today.replace(day=1)
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    world.supporter_record.stage_changes.all().delete()
    # Last month: two became active. This month: one of them left.
    a = person(world, Source.FLYER, [Stage.CERTIFIED], stage=Stage.INACTIVE)
    b = person(world, Source.FLYER, [Stage.CERTIFIED], stage=Stage.ACTIVE)
    for record in (a, b):
        StageChange.objects.create(
            supporter=record,
            from_stage=Stage.CERTIFIED,
            to_stage=Stage.ACTIVE,
            created_at=timezone.make_aware(dt.datetime.combine(last_month, dt.time(12))),
        )
    StageChange.objects.create(supporter=a, from_stage=Stage.ACTIVE, to_stage=Stage.INACTIVE)
    # world.supporter_record is active with no history: counted as active throughout.
    rows = SupporterRetention().rows(world.program, Period(last_month, today))
    assert [(r["joined"], r["left"], r["active_at_end"]) for r in rows] == [(2, 0, 3), (0, 1, 2)]


def test_dashboard_and_downloads(world: Any) -> None:
    person(world, Source.FLYER, [Stage.APPLICANT])
    client = world.client_for(world.coordinator)
    page = client.get("/p/riverside/reports/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Recruitment funnel by source" in body and "<table" in body and "canvas" in body
    period = Period.default()
    query = f"?start={period.start}&end={period.end}"
    response = client.get(f"/p/riverside/reports/recruitment-funnel.csv{query}")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Source" and rows[1][:2] == [Source.FLYER.label, "1"]
    response = client.get(f"/p/riverside/reports/recruitment-funnel.xlsx{query}")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A2"].value == Source.FLYER.label and sheet["B2"].value == 1


def test_bad_periods_are_explained(world: Any) -> None:
    client = world.client_for(world.coordinator)
    response = client.get("/p/riverside/reports/?start=2026-05-01&end=2026-01-01")
    assert response.status_code == 400 and "on or after the start date" in response.content.decode()
    assert client.get("/p/riverside/reports/recruitment-funnel.csv?start=x&end=y").status_code == 400
    assert client.get("/p/riverside/reports/nothing.csv").status_code == 404
    assert client.get("/p/riverside/reports/recruitment-funnel.pdf").status_code == 404


def test_every_report_is_on_the_dashboard_and_downloads(world: Any) -> None:
    client = world.client_for(world.coordinator)
    body = client.get("/p/riverside/reports/").content.decode()
    period = Period.default()
    query = f"?start={period.start}&end={period.end}"
    for report in ordered_reports():
        assert f'id="{report.slug}"' in body, report.slug
        assert f'href="/p/riverside/reports/{report.slug}.csv{query}"' in body.replace("&amp;", "&")
        for fmt in ("csv", "xlsx"):
            response = client.get(f"/p/riverside/reports/{report.slug}.{fmt}{query}")
            assert response.status_code == 200, (report.slug, fmt)
    assert "fewer than 5" in body and "Refresh figures" in body and "Figures computed at" in body


def test_task_and_wellbeing_downloads(world: Any) -> None:
    from tests.reports.test_care_reports import check_in, strain_questionnaire
    from tests.reports.test_support_reports import contact, relationship

    rel = relationship(world.program)
    contact(rel, 3, tasks=["practical", "emotional"])
    contact(rel, 4, tasks=["practical"])
    questionnaire = strain_questionnaire(world.program)
    for _ in range(5):
        check_in(world.program, questionnaire, "Medium")
    check_in(world.program, questionnaire, "High")
    client = world.client_for(world.coordinator)
    period = Period.default()
    query = f"?start={period.start}&end={period.end}"
    response = client.get(f"/p/riverside/reports/contacts-by-task.csv{query}")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Task", "Contacts", "Share (%)"]
    assert rows[3][:2] == ["Emotional support", "1"] and rows[4][:2] == ["Practical guidance", "2"]
    response = client.get(f"/p/riverside/reports/wellbeing-bands.xlsx{query}")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [[cell.value for cell in row] for row in sheet.iter_rows(min_row=1, max_row=4)] == [
        ["Subscale", "Band", "Highest concern", "People"],
        ["Strain", "Low", None, "fewer than 5"],
        ["Strain", "Medium", None, 5],
        ["Strain", "High", "yes", "fewer than 5"],
    ]


@pytest.mark.parametrize("user", ["trainer", "supervisor", "supporter"])
def test_only_coordinators_see_reports(world: Any, user: str) -> None:
    client = world.client_for(getattr(world, user))
    assert client.get("/p/riverside/reports/").status_code == 403
    assert client.get("/p/riverside/reports/recruitment-funnel.csv").status_code == 403
    assert client.post("/p/riverside/reports/refresh/").status_code == 403


def test_other_programs_do_not_see_the_reports(world: Any) -> None:
    client = world.client_for(world.outsider)
    assert client.get("/p/riverside/reports/").status_code == 404
    assert client.get("/p/riverside/reports/wellbeing-bands.xlsx").status_code == 404
    assert client.post("/p/riverside/reports/refresh/").status_code == 404


def test_figures_are_cached_until_refreshed(world: Any) -> None:
    client = world.client_for(world.coordinator)
    period = Period.default()
    query = f"?start={period.start}&end={period.end}"

    def applied() -> str:
        rows = list(
            csv.reader(
                io.StringIO(
                    client.get(f"/p/riverside/reports/recruitment-funnel.csv{query}").content.decode("utf-8-sig")
                )
            )
        )
        return rows[1][1]

    person(world, Source.FLYER, [Stage.APPLICANT])
    assert client.get(f"/p/riverside/reports/{query}").status_code == 200
    assert applied() == "1"
    person(world, Source.FLYER, [Stage.APPLICANT])
    assert applied() == "1"  # the figures computed a moment ago
    harbor = world.client_for(world.outsider)
    assert harbor.post("/p/harbor/reports/refresh/").status_code == 302  # another program's cache only
    assert applied() == "1"
    assert client.get("/p/riverside/reports/refresh/").status_code == 405
    response = client.post("/p/riverside/reports/refresh/", {"start": period.start, "end": period.end})
    assert response.status_code == 302 and response["Location"] == f"/p/riverside/reports/{query}"
    assert applied() == "2"


def test_refresh_needs_the_csrf_token(world: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.coordinator)
    assert client.post("/p/riverside/reports/refresh/").status_code == 403


@pytest.mark.parametrize("size", [3, 60])
def test_dashboard_runs_a_bounded_number_of_queries(world: Any, size: int, django_assert_max_num_queries: Any) -> None:
    from tests.reports.test_support_reports import contact, relationship

    for i in range(size):
        person(world, [Source.FLYER, Source.CLINICIAN][i % 2], [Stage.APPLICANT, Stage.SCREENING])
        contact(relationship(world.program), i % 50, reached=bool(i % 3), next_follow_up=timezone.localdate())
    client = world.client_for(world.coordinator)
    # A fixed number per report, the same for 3 or 60 people: the contact reports read the period's
    # rollup days once between them, the funder reports the hours ledger's other sources
    # (supervision, sessions taught, groups, duties) and the people reached (four counts), the
    # CE rule's versions and subjects, and the menu's unread notifications (65 for 3 or 60 people).
    with django_assert_max_num_queries(66):
        assert client.get("/p/riverside/reports/").status_code == 200
    # From the cache: only what every page needs (session, user, memberships for the menu).
    with django_assert_max_num_queries(8):
        assert client.get("/p/riverside/reports/").status_code == 200


def browser_for(user: Any) -> Client:
    """A logged-in client that, like a browser, has kept the form-token cookie of its first page."""
    client = Client()
    client.force_login(user)
    return client


def test_the_rendered_dashboard_is_kept_per_session_until_refreshed(
    world: Any, django_assert_max_num_queries: Any
) -> None:
    client = browser_for(world.coordinator)
    person(world, Source.FLYER, [Stage.APPLICANT])
    first = client.get("/p/riverside/reports/")  # sets the form-token cookie: not kept
    assert first.status_code == 200 and "csrftoken" in client.cookies
    second = client.get("/p/riverside/reports/")  # rendered with the cookie, and kept
    # Session, user, membership: the role check still runs; and the staff page view's crisis check.
    with django_assert_max_num_queries(4):
        kept = client.get("/p/riverside/reports/")
    assert kept.status_code == 200 and kept.content == second.content
    # The refresh form in the kept page still carries a token that matches the cookie.
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', kept.content).group(1).decode()
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = client.cookies
    refreshed = strict.post("/p/riverside/reports/refresh/", {"csrfmiddlewaretoken": token})
    assert refreshed.status_code == 302
    person(world, Source.FLYER, [Stage.APPLICANT])
    client.post("/p/riverside/reports/refresh/")
    page = client.get("/p/riverside/reports/")  # shows the message: rendered afresh, not kept
    assert b"computed again" in page.content
    again = client.get("/p/riverside/reports/")
    assert again.content != second.content and b"2 people applied in the period" in again.content


def test_a_kept_dashboard_is_never_shown_to_another_session_or_a_former_coordinator(world: Any) -> None:
    first, second = browser_for(world.coordinator), browser_for(world.coordinator)
    for client in (first, second):
        client.get("/p/riverside/reports/")
        client.get("/p/riverside/reports/")
    own_token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', second.get("/p/riverside/reports/").content)
    assert own_token is not None
    other = first.get("/p/riverside/reports/").content
    assert own_token.group(0) not in other  # each session's page carries its own form token
    Membership.objects.filter(user=world.coordinator, program=world.program).update(is_coordinator=False)
    assert first.get("/p/riverside/reports/").status_code == 403  # still a member, no longer a coordinator


def test_no_page_is_kept_without_a_cache_lifetime(world: Any, settings: Any) -> None:
    settings.REPORT_CACHE_SECONDS = 0
    client = browser_for(world.coordinator)
    client.get("/p/riverside/reports/")
    assert b"0 people applied in the period" in client.get("/p/riverside/reports/").content
    person(world, Source.FLYER, [Stage.APPLICANT])
    assert b"1 people applied in the period" in client.get("/p/riverside/reports/").content


def test_no_page_is_kept_for_a_browser_without_its_form_token_cookie(world: Any) -> None:
    # The page that sets the cookie would otherwise be served to the next such request, with a
    # token that matches no cookie that browser holds.
    client = Client()
    client.force_login(world.coordinator)
    for _ in range(2):
        response = client.get("/p/riverside/reports/")
        assert response.status_code == 200 and "csrftoken" in response.cookies  # rendered, with a new cookie
        client.cookies.pop("csrftoken")


def test_each_reader_gets_the_figures_in_their_own_language(world: Any) -> None:
    """The figures and the rendered page are kept per language: a Spanish reader never gets a page
    or a download an English reader's visit left in the cache, nor the other way round."""
    person(world, Source.FLYER, [Stage.APPLICANT])
    english = browser_for(world.coordinator)
    for _ in range(3):  # the second visit keeps the page, the third is served from the cache
        page = english.get("/p/riverside/reports/").content.decode()
    assert "1 people applied in the period" in page and "Recruitment funnel by source" in page
    type(world.coordinator).objects.filter(pk=world.coordinator.pk).update(language="es")
    for _ in range(3):  # the same session, now in Spanish: neither the kept page nor the figures
        page = english.get("/p/riverside/reports/").content.decode()
        assert "1 personas presentaron su solicitud en el período" in page
        assert "Embudo de reclutamiento por origen" in page
        assert "people applied" not in page and "Recruitment funnel" not in page
    download = english.get("/p/riverside/reports/recruitment-funnel.csv").content.decode("utf-8-sig")
    with translation.override("es"):
        spanish = ",".join(str(c.label) for c in RecruitmentFunnel.columns)
    assert download.splitlines()[0] == spanish and spanish.startswith("Fuente,Presentaron solicitud")
    type(world.coordinator).objects.filter(pk=world.coordinator.pk).update(language="en")
    assert "1 people applied in the period" in english.get("/p/riverside/reports/").content.decode()
