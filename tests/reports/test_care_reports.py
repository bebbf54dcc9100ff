"""Supervision coverage and well-being bands (aggregate only, small numbers hidden)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from peerpath.care.models import Break, CheckIn, Questionnaire, ScoreBand, Subscale, SupervisionMeeting
from peerpath.recruitment.models import Stage, Supporter
from peerpath.reports.library import SupervisionCoverage, WellbeingBands
from peerpath.reports.library.care import suppress_small_numbers
from tests.factories import SupporterFactory
from tests.reports.helpers import PERIOD, days_ago, moment

pytestmark = pytest.mark.django_db


def person(program: Any, stage: str = Stage.ACTIVE, since: int = 400, supervisor: Any = None) -> Supporter:
    record = SupporterFactory(program=program, stage=stage, supervisor=supervisor)
    Supporter.objects.filter(pk=record.pk).update(stage_changed_at=moment(since))
    return record


def meeting(program: Any, supervisor: Any, days: int, *attendees: Supporter) -> None:
    held = SupervisionMeeting.objects.create(
        program=program, held_on=days_ago(days), duration_minutes=60, supervisor=supervisor
    )
    held.attendees.set(attendees)


def test_supervision_coverage_per_supervisor(world: Any) -> None:
    p, sam = world.program, world.supervisor
    within = world.supporter_record
    Supporter.objects.filter(pk=within.pk).update(supervisor=sam, stage_changed_at=moment(400))
    overdue = person(p, supervisor=sam)
    new = person(p, Stage.SHADOWING, since=5, supervisor=sam)  # new in the stage: not due yet
    person(p)  # no supervisor, never supervised
    resting = person(p, supervisor=sam)  # on a break: not expected to meet
    Break.objects.create(program=p, supporter=resting, starts_on=days_ago(2), status="current")
    person(p, Stage.IN_TRAINING, supervisor=sam)  # not giving support yet
    meeting(p, sam, 10, within)
    meeting(p, sam, 50, overdue, new)  # over 30 days ago: overdue, as on the care page (new too)
    meeting(p, sam, 200, overdue)  # before the period
    other = person(world.other_program, supervisor=world.outsider)
    meeting(world.other_program, world.outsider, 10, other)

    report = SupervisionCoverage()
    rows = report.rows(p, PERIOD)
    assert [
        (r["supervisor"], r["supporters"], r["within"], r["not_yet_due"], r["overdue"], r["meetings"]) for r in rows
    ] == [
        ("Sam Supervisor", 3, 1, 0, 2, 2),
        ("No supervisor assigned", 1, 0, 0, 1, 0),
    ]
    assert rows[0]["covered"] == 33.3
    assert report.summary(rows) == "3 of 4 supporters giving support are overdue for supervision."
    assert "every 30 days" in report.notes(p, PERIOD, rows)[0]


def test_never_supervised_newcomer_is_not_yet_due(world: Any) -> None:
    Supporter.objects.filter(pk=world.supporter_record.pk).update(stage_changed_at=moment(400))
    person(world.program, Stage.SHADOWING, since=5)
    rows = SupervisionCoverage().rows(world.program, PERIOD)
    assert [(r["supporters"], r["within"], r["not_yet_due"], r["overdue"]) for r in rows] == [(2, 0, 1, 1)]


def strain_questionnaire(program: Any) -> Questionnaire:
    questionnaire = Questionnaire.objects.create(program=program, name="Strain check", scale=[])
    strain = Subscale.objects.create(questionnaire=questionnaire, key="strain", name="Strain")
    for label, start, worst in (("Low", 0, False), ("Medium", 10, False), ("High", 20, True)):
        ScoreBand.objects.create(subscale=strain, label=label, min_score=Decimal(start), is_highest_concern=worst)
    return questionnaire


def check_in(program: Any, questionnaire: Questionnaire, band: str, days: int = 5, who: Any = None) -> Any:
    who = who or SupporterFactory(program=program, stage=Stage.ACTIVE)
    CheckIn.objects.create(
        program=program,
        supporter=who,
        questionnaire=questionnaire,
        status="completed",
        due_on=days_ago(days),
        completed_at=moment(days),
        scores={"strain": {"name": "Strain", "score": 1, "band": band, "meaning": "", "concern": band == "High"}},
        bands={"strain": band},
    )
    return who


def test_wellbeing_bands_count_latest_check_ins_and_hide_small_numbers(world: Any) -> None:
    questionnaire = strain_questionnaire(world.program)
    for _ in range(6):
        check_in(world.program, questionnaire, "Low")
    changed = check_in(world.program, questionnaire, "High", days=20)
    check_in(world.program, questionnaire, "Low", days=4, who=changed)  # their latest: Low
    check_in(world.program, questionnaire, "Medium")
    check_in(world.program, questionnaire, "Medium")
    check_in(world.program, questionnaire, "High", days=200)  # before the period
    for _ in range(5):
        check_in(world.other_program, questionnaire, "High")  # another program

    report = WellbeingBands()
    rows = report.rows(world.program, PERIOD)
    assert [(r["band"], r["concern"], r["people"]) for r in rows] == [
        ("Low", "", 7),
        ("Medium", "", "fewer than 5"),
        ("High", "yes", "fewer than 5"),
    ]
    assert "fewer than 5" in report.notes(world.program, PERIOD, rows)[0]
    summary = report.summary(rows)
    assert "7 people in Strain, Low" in summary and "Medium" not in summary


def test_a_single_hidden_band_hides_the_next_smallest_too() -> None:
    rows = [
        {"subscale": "Strain", "band": "Low", "people": 9},
        {"subscale": "Strain", "band": "Medium", "people": 6},
        {"subscale": "Strain", "band": "High", "people": 1},
        {"subscale": "Support", "band": "Little", "people": 0},
        {"subscale": "Support", "band": "Some", "people": 5},
        {"subscale": "Support", "band": "Much", "people": 11},
    ]
    assert [r["people"] for r in suppress_small_numbers(rows)] == [
        9,
        "not shown",
        "fewer than 5",
        "fewer than 5",
        "not shown",
        11,
    ]


def test_no_check_ins_means_no_rows(world: Any) -> None:
    strain_questionnaire(world.program)
    report = WellbeingBands()
    rows = report.rows(world.program, PERIOD)
    assert rows == [] and report.summary(rows) == "No well-being check-in was completed in the period."
