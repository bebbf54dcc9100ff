"""The practice lab's pages: playing with feedback (plain and htmx), reviewing, writing
scenarios, the settings; each with its denial."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from peerpath.practice import services
from peerpath.practice.models import LabelledExample, PracticeSession, Scenario, SessionStatus
from peerpath.programs.models import Competency
from peerpath.training.models import Cohort, Enrolment

pytestmark = pytest.mark.django_db


@pytest.fixture
def samples(world: Any) -> list[Scenario]:
    return services.add_sample_scenarios(actor=world.coordinator, program=world.program)


def url(name: str, world: Any, *args: Any) -> str:
    return reverse(f"practice:{name}", args=[world.program.slug, *args])


def finished_session(world: Any, scenario: Scenario) -> PracticeSession:
    session = services.start_session(
        actor=world.supporter, program=world.program, scenario=scenario, supporter=world.supporter_record
    )
    for text in ("What has work been like?", "It sounds like you feel watched.", "What would help?"):
        session.refresh_from_db()
        if session.status == SessionStatus.IN_PROGRESS:
            services.reply(actor=world.supporter, session=session, text=text)
    session.refresh_from_db()
    assert session.status == SessionStatus.FINISHED
    return session


def test_a_supporter_practises_and_sees_feedback_beside_each_reply(world: Any, samples: list[Scenario]) -> None:
    client = world.client_for(world.supporter)
    home = client.get(url("home", world))
    assert home.status_code == 200 and samples[0].title in home.content.decode()
    started = client.post(url("start", world, samples[0].pk))
    assert started.status_code == 302
    session = PracticeSession.objects.get(user=world.supporter)
    page = client.get(started["Location"])
    assert escape(session.scenario.first_step.says) in page.content.decode()
    sent = client.post(url("reply", world, session.pk), {"text": "You should tell your manager."})
    assert sent.status_code == 302
    page = client.get(sent["Location"]).content.decode()
    assert "You gave advice before asking" in page and "Try:" in page
    partial = client.post(url("reply", world, session.pk), {"text": "What has it been like?"}, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    body = partial.content.decode()
    assert 'id="conversation"' in body and "<html" not in body and "An open question" in body


def test_an_empty_reply_rerenders_with_its_error(world: Any, samples: list[Scenario]) -> None:
    client = world.client_for(world.supporter)
    session = services.start_session(actor=world.supporter, program=world.program, scenario=samples[0], supporter=None)
    response = client.post(url("reply", world, session.pk), {"text": ""})
    assert response.status_code == 400 and "errorlist" in response.content.decode()
    htmx = client.post(url("reply", world, session.pk), {"text": ""}, HTTP_HX_REQUEST="true")
    assert htmx.status_code == 400 and "error-summary" in htmx.content.decode()


def test_the_summary_and_trend_after_finishing(world: Any, samples: list[Scenario]) -> None:
    session = finished_session(world, samples[0])
    client = world.client_for(world.supporter)
    page = client.get(url("session", world, session.pk)).content.decode()
    assert "Session summary" in page and "fair 1:1, good 2:1" in page
    home = client.get(url("home", world)).content.decode()
    assert 'id="trend"' in home and session.scenario.title in home


def test_someone_elses_session_is_hidden_and_another_programs_too(world: Any, samples: list[Scenario]) -> None:
    session = services.start_session(actor=world.supporter, program=world.program, scenario=samples[0], supporter=None)
    other = world.client_for(world.trainer)  # not the trainee's trainer, and the session has no pathway record
    assert other.get(url("session", world, session.pk)).status_code == 404
    assert other.post(url("reply", world, session.pk), {"text": "Hi?"}).status_code == 404
    outsider = world.client_for(world.outsider)
    assert outsider.get(reverse("practice:session", args=[world.other_program.slug, session.pk])).status_code == 404


def test_a_trainer_reviews_comments_corrects_and_attaches_evidence(world: Any, samples: list[Scenario]) -> None:
    cohort = Cohort.objects.create(
        program=world.program, name="Spring", starts_on=timezone.localdate(), ends_on=timezone.localdate()
    )
    cohort.trainers.add(world.trainer)
    Enrolment.objects.create(program=world.program, cohort=cohort, supporter=world.supporter_record)
    session = finished_session(world, samples[0])
    client = world.client_for(world.trainer)
    listing = client.get(url("review", world)).content.decode()
    assert session.get_absolute_url() in listing
    page = client.get(url("session", world, session.pk)).content.decode()
    assert "Comment or correct the codes" in page and "Save evidence" in page
    first = session.replies.get(position=1)
    assert client.post(url("comment", world, session.pk, first.pk), {"text": "Nice opening."}).status_code == 302
    assert first.comments.get().text == "Nice opening."
    response = client.post(url("correct", world, session.pk, first.pk), {"codes": ["oq", "af"]})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.corrected_codes == ["oq", "af"]
    example = LabelledExample.objects.get(reply=first)
    assert example.codes == ["oq", "af"] and example.text == first.text
    bad = client.post(url("correct", world, session.pk, first.pk), {"codes": []})
    assert bad.status_code == 400
    competency = Competency.objects.filter(program=world.program).first()
    assert client.post(url("evidence", world, session.pk), {"competencies": [competency.pk]}).status_code == 302
    assert list(session.competencies.all()) == [competency]


def test_a_trainer_of_another_cohort_cannot_review(world: Any, samples: list[Scenario]) -> None:
    session = finished_session(world, samples[0])
    client = world.client_for(world.trainer)
    first = session.replies.get(position=1)
    assert client.post(url("comment", world, session.pk, first.pk), {"text": "Hm"}).status_code == 404
    assert client.post(url("evidence", world, session.pk), {"competencies": []}).status_code == 404


def test_the_coordinator_sees_every_trainees_session(world: Any, samples: list[Scenario]) -> None:
    session = finished_session(world, samples[0])
    page = world.client_for(world.coordinator).get(url("session", world, session.pk))
    assert page.status_code == 200 and "Comment or correct the codes" in page.content.decode()


def test_a_trainer_writes_a_branching_scenario_and_previews_it(world: Any) -> None:
    client = world.client_for(world.trainer)
    assert client.get(url("scenario_new", world)).status_code == 200
    response = client.post(
        url("scenario_new", world),
        {
            "title": "Ana at the clinic",
            "area": "ci",
            "persona": "Ana, 40",
            "situation": "New diagnosis",
            "hopes": "Calm",
        },
    )
    assert response.status_code == 302
    scenario = Scenario.objects.get(title="Ana at the clinic")
    assert not scenario.is_published
    step_url = url("step_new", world, scenario.pk)
    assert client.post(step_url, {"key": "start", "says": "I just got the results."}).status_code == 302
    assert client.post(step_url, {"key": "end", "says": "Thanks."}).status_code == 302
    start, end = scenario.steps.order_by("pk")
    edit = client.post(
        url("step_edit", world, scenario.pk, start.pk),
        {"key": "start", "says": "I just got the results.", "on_open": end.pk, "on_other": end.pk},
    )
    assert edit.status_code == 302
    loop = client.post(
        url("step_edit", world, scenario.pk, start.pk), {"key": "start", "says": "x", "on_open": start.pk}
    )
    assert loop.status_code == 400
    page = client.get(url("scenario", world, scenario.pk)).content.decode()
    assert 'id="step-map"' in page and 'href="#step-end"' in page
    published = client.post(
        url("scenario", world, scenario.pk),
        {
            "title": "Ana at the clinic",
            "area": "ci",
            "persona": "Ana, 40",
            "situation": "New diagnosis",
            "hopes": "Calm",
            "first_step": start.pk,
            "is_published": "on",
        },
    )
    assert published.status_code == 302
    preview = client.post(url("preview", world, scenario.pk))
    session = PracticeSession.objects.get(user=world.trainer)
    assert preview.status_code == 302 and session.is_preview


def test_publishing_an_unplayable_scenario_is_refused(world: Any) -> None:
    client = world.client_for(world.coordinator)
    data = {"title": "Empty", "area": "gen", "persona": "P", "situation": "S", "hopes": "H", "is_published": "on"}
    response = client.post(url("scenario_new", world), data)
    assert response.status_code == 400 and not Scenario.objects.filter(title="Empty").exists()


def test_supporters_may_not_write_scenarios_and_samples_are_added_by_the_library_page(world: Any) -> None:
    assert world.client_for(world.supporter).get(url("scenarios", world)).status_code == 403
    client = world.client_for(world.coordinator)
    assert client.post(url("scenarios", world)).status_code == 302
    assert Scenario.objects.filter(program=world.program, is_published=True).count() >= 8
    assert "Dana" in client.get(url("scenarios", world)).content.decode()


def test_the_settings_page(world: Any) -> None:
    client = world.client_for(world.coordinator)
    assert client.get(url("settings", world)).status_code == 200
    response = client.post(url("settings", world), {"sessions_for_certification": "2"})
    assert response.status_code == 302
    assert services.get_settings(world.program).sessions_for_certification == 2
    assert client.post(url("settings", world), {"sessions_for_certification": "99"}).status_code == 400
    assert world.client_for(world.trainer).get(url("settings", world)).status_code == 403


def test_the_home_and_session_pages_query_counts_do_not_grow(
    world: Any, samples: list[Scenario], django_assert_max_num_queries: Any
) -> None:
    client = world.client_for(world.supporter)
    session = finished_session(world, samples[0])
    with django_assert_max_num_queries(25):
        assert client.get(url("home", world)).status_code == 200
    with django_assert_max_num_queries(25):
        assert client.get(url("session", world, session.pk)).status_code == 200
    for scenario in samples[1:4]:
        finished_session(world, scenario)
    with django_assert_max_num_queries(25):
        assert client.get(url("home", world)).status_code == 200


def test_the_review_and_library_pages_run_as_many_queries_for_many_sessions_as_for_one(
    world: Any, samples: list[Scenario]
) -> None:
    """Each row links to its session or scenario, whose address names the program: read with the
    rows, not once per row (the whole-site crawl found the review page growing with the data)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def counted(user: Any, name: str) -> int:
        client = world.client_for(user)
        client.get(url(name, world))  # the session's first page settles its own bookkeeping
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(name, world)).status_code == 200
        return len(queries)

    finished_session(world, samples[0])
    one = {name: counted(world.coordinator, name) for name in ("review", "scenarios")}
    for scenario in samples[1:5]:
        finished_session(world, scenario)
    services.save_scenario(
        actor=world.trainer,
        program=world.program,
        data={"title": "One more", "persona": "p", "situation": "s", "hopes": "h"},
    )
    assert {name: counted(world.coordinator, name) for name in ("review", "scenarios")} == one


def test_corrections_are_exported_as_labelled_examples(world: Any, samples: list[Scenario]) -> None:
    from io import StringIO

    from django.core.management import call_command

    session = finished_session(world, samples[0])
    first = session.replies.get(position=1)
    services.correct_codes(actor=world.coordinator, reply=first, codes=["oq"])
    out = StringIO()
    call_command("export_practice_labels", "--program", world.program.slug, stdout=out)
    assert out.getvalue().strip() == f"oq|mh|{first.text}"


def test_attached_evidence_shows_on_the_competency_record(world: Any, samples: list[Scenario]) -> None:
    session = finished_session(world, samples[0])
    competency = Competency.objects.filter(program=world.program).order_by("number").first()
    services.attach_evidence(actor=world.coordinator, session=session, competencies=[competency])
    record = world.client_for(world.coordinator).get(
        reverse("certification:record", args=[world.program.slug, world.supporter_record.pk])
    )
    assert record.status_code == 200
    assert f'<a href="{session.get_absolute_url()}">Practice: {samples[0].title}' in record.content.decode()
    services.attach_evidence(actor=world.coordinator, session=session, competencies=[])
    assert (
        session.get_absolute_url()
        not in world.client_for(world.coordinator)
        .get(reverse("certification:record", args=[world.program.slug, world.supporter_record.pk]))
        .content.decode()
    )
