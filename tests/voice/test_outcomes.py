"""Outcome measures: the project's measure, recording one with the supporter, answering one through
the link, and the paired change (first against latest) checked against values computed by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from peerpath.reports.base import Period
from peerpath.reports.library.voice import OutcomeChange
from peerpath.support.models import MatchingProfile, Participant
from peerpath.voice.models import MeasurePoint, OutcomeResponse, Via
from peerpath.voice.services import feedback, outcomes
from tests.support.helpers import make_participant, match
from tests.voice.helpers import first_contact, send_and_read_link

pytestmark = pytest.mark.django_db


def answers(*values: int) -> dict[int, int]:
    return dict(enumerate(values, start=1))


def test_the_project_measure_scores_as_written(support: Any) -> None:
    measure = outcomes.add_project_measure(actor=support.coordinator, program=support.program)
    assert outcomes.add_project_measure(actor=support.coordinator, program=support.program) == measure  # once
    # Item 5 is reverse-scored on 0-4: 1 counts as 3. 4 + 3 + 2 + 1 + 3 = 13.
    assert feedback.score_answers(measure, answers(4, 3, 2, 1, 1)) == {
        "wellbeing": {"name": "Well-being", "score": "13"}
    }


def test_the_supporter_records_a_measure_with_the_participant(support: Any) -> None:
    measure = outcomes.add_project_measure(actor=support.coordinator, program=support.program)
    client = support.client_for(support.supporter)
    url = f"/p/riverside/voice/relationships/{support.ana_rel.pk}/measures/{measure.pk}/"
    page = client.get(url)
    assert page.status_code == 200 and b"I felt hopeful about what comes next." in page.content
    missing = client.post(url, {"point": "intake", "item_1": "2"})
    assert missing.status_code == 400 and not OutcomeResponse.objects.exists()
    done = client.post(url, {"point": "intake", **{f"item_{n}": "2" for n in range(1, 6)}})
    assert done.status_code == 302
    response = OutcomeResponse.objects.get()
    assert (response.via, response.point, response.scores["wellbeing"]["score"]) == (Via.SUPPORTER, "intake", "10")
    relationship = client.get(f"/p/riverside/support/relationships/{support.ana_rel.pk}/")
    assert b"Well-being 10" in relationship.content
    # Another supporter's relationship is not theirs to record on.
    other = client.get(f"/p/riverside/voice/relationships/{support.ben_rel.pk}/measures/{measure.pk}/")
    assert other.status_code == 404


def test_only_chosen_measures_are_recorded(support: Any) -> None:
    from peerpath.care.models import Questionnaire

    checkin = Questionnaire.objects.filter(program=support.program).first()
    assert checkin is not None
    with pytest.raises(ValidationError):
        outcomes.record_outcome(
            actor=support.supporter,
            relationship=support.ana_rel,
            questionnaire=checkin,
            point="intake",
            answers={},
        )
    url = f"/p/riverside/voice/relationships/{support.ana_rel.pk}/measures/{checkin.pk}/"
    assert support.client_for(support.supporter).get(url).status_code == 404


def test_the_link_asks_the_intake_measure_and_records_it(support: Any) -> None:
    measure = outcomes.add_project_measure(actor=support.coordinator, program=support.program)
    first_contact(support.ana_rel, support.supporter)
    path = send_and_read_link("ana.lopez@example.net")
    client = Client()
    assert b"I did things that matter to me." in client.get(path).content
    posted = {"felt_heard": "yes", "good_fit": "yes", **{f"m{measure.pk}_{n}": "3" for n in range(1, 6)}}
    incomplete = {k: v for k, v in posted.items() if k != f"m{measure.pk}_5"}
    assert client.post(path, incomplete).status_code == 400
    assert client.post(path, posted).status_code == 302
    response = OutcomeResponse.objects.get()
    # 3 * 4 + (4 - 3) for the reverse-scored fifth item = 13.
    assert (response.point, response.via, response.scores["wellbeing"]["score"]) == ("intake", "link", "13")
    # The next link, a month on, asks it for review.
    later = feedback.due_links(support.program, timezone.now() + dt.timedelta(days=95))
    assert [(p.point, [q.pk for q in p.measures]) for p in later] == [(MeasurePoint.REVIEW, [measure.pk])]


def test_the_measures_are_asked_at_intake_every_n_months_and_at_closing(support: Any) -> None:
    """Three months (30 days each, the default) after the last answer a regular link asks the
    measure for review, not a day before; the closing link asks it again, whenever it was last
    answered."""
    from peerpath.support.services import matches
    from peerpath.voice.models import AnswerLink, Occasion

    measure = outcomes.add_project_measure(actor=support.coordinator, program=support.program)
    first_contact(support.ana_rel, support.supporter)
    [intake] = feedback.due_links(support.program)
    assert (intake.occasion, intake.point, intake.measures) == (Occasion.FIRST_CONTACT, MeasurePoint.INTAKE, [measure])
    link = feedback.send_link(plan=intake)
    answered = timezone.now()
    feedback.answer(
        link=link, felt_heard="yes", good_fit="yes", message="", measures={measure.pk: answers(2, 2, 2, 2, 2)}
    )
    OutcomeResponse.objects.update(completed_at=answered)
    AnswerLink.objects.update(created_at=answered)

    def due_at(days: float) -> list[tuple[str, str, list[int]]]:
        when = answered + dt.timedelta(days=days)
        return [(p.occasion, p.point, [q.pk for q in p.measures]) for p in feedback.due_links(support.program, when)]

    assert due_at(30) == [(Occasion.REGULAR, "", [])]  # monthly feedback, no measure yet
    assert due_at(89.9) == [(Occasion.REGULAR, "", [])]
    assert due_at(90) == [(Occasion.REGULAR, MeasurePoint.REVIEW, [measure.pk])]
    matches.start_closing(actor=support.supporter, relationship=support.ana_rel)
    assert due_at(1) == [(Occasion.CLOSING, MeasurePoint.CLOSING, [measure.pk])]


def _people(support: Any, count: int) -> list[Participant]:
    MatchingProfile.objects.filter(supporter=support.priya).update(capacity=20)
    return [
        make_participant(support.world, full_name=f"Person {n}", email=f"person{n}@example.net") for n in range(count)
    ]


def test_paired_change_against_values_computed_by_hand(support: Any) -> None:
    measure = outcomes.add_project_measure(actor=support.coordinator, program=support.program)
    start = timezone.now() - dt.timedelta(days=120)
    # (first, middle, latest) well-being totals per person; the middle answer is ignored.
    # Item 5 is reverse-scored, so each total is built with item 5 answered 4 (counts 0).
    series = [(4, None, 10), (8, 12, 12), (12, None, 9), (6, 7, 14), (10, None, 10)]
    people = _people(support, 5) + _people(support, 1)  # the sixth answers once: not paired
    for person, totals in zip(people, [*series, (5, None, None)], strict=True):
        relationship = match(support.world, person, support.priya, support.supporter)
        for step, total in enumerate(totals):
            if total is None:
                continue
            values = [min(4, max(0, total - 4 * k)) for k in range(4)]  # spread the total over items 1-4
            assert sum(values) == total
            outcomes.record_outcome(
                actor=support.supporter,
                relationship=relationship,
                questionnaire=measure,
                point="intake" if step == 0 else "review",
                answers=answers(*values, 4),
                now=start + dt.timedelta(days=30 * step),
            )
    [change] = outcomes.program_change(support.program)
    # By hand: first 4, 8, 12, 6, 10 -> mean 40 / 5 = 8.00; latest 10, 12, 9, 14, 10 -> 55 / 5 = 11.00;
    # changes +6, +4, -3, +8, 0 -> 15 / 5 = 3.00; higher 3, same 1, lower 1.
    assert (change.people, change.first, change.latest, change.change) == (
        5,
        Decimal("8.00"),
        Decimal("11.00"),
        Decimal("3.00"),
    )
    assert (change.higher, change.same, change.lower) == (3, 1, 1)
    rows = OutcomeChange().rows(support.program, Period.default())
    assert rows[0]["people"] == 5 and rows[0]["change"] == Decimal("3.00")


def test_a_group_under_five_is_hidden(support: Any) -> None:
    measure = outcomes.add_project_measure(actor=support.coordinator, program=support.program)
    for person in _people(support, 4):
        relationship = match(support.world, person, support.priya, support.supporter)
        for days, value in ((60, 1), (1, 3)):
            outcomes.record_outcome(
                actor=support.supporter,
                relationship=relationship,
                questionnaire=measure,
                point="intake" if days == 60 else "review",
                answers=answers(value, value, value, value, 2),
                now=timezone.now() - dt.timedelta(days=days),
            )
    [change] = outcomes.program_change(support.program)
    assert change.hidden and change.first is None and change.change is None
    result = OutcomeChange().run(support.program, Period.default())
    assert result.rows[0]["people"] == "fewer than 5" and result.rows[0]["first"] is None
    assert "every group has fewer than 5" in result.summary
