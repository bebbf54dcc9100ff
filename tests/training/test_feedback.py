from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from peerpath.training import queries, services
from peerpath.training.models import Feedback
from tests.training.helpers import attend, cohort, held_sessions, trainee

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(world: Any) -> dict[str, Any]:
    the_cohort = cohort(world, days_ago=70)
    people = [trainee(world.program, "Ana"), trainee(world.program, "Ben")]
    for p in people:
        services.enrol_trainee(actor=world.trainer, cohort=the_cohort, supporter=p)
    sessions = held_sessions(world, the_cohort, 2)
    sessions[0].topics.set(world.program.training_topics.filter(module__title="Crisis intervention"))
    sessions[1].topics.set(world.program.training_topics.filter(module__title="Ethics and confidentiality"))
    attend(world, sessions, people[0], ["present", "present"])
    attend(world, sessions, people[1], ["late", "absent"])
    return {"cohort": the_cohort, "people": people, "sessions": sessions}


def test_trainee_sees_and_gives_feedback(world: Any, course: dict[str, Any]) -> None:
    ana, ben = course["people"]
    first, second = course["sessions"]
    client = world.client_for(ana.user)
    page = client.get("/p/riverside/my/training/").content.decode()
    assert "Feedback to give" in page and first.title in page
    url = f"/p/riverside/my/training/feedback/sessions/{first.pk}/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"helpful": "9"}).status_code == 400
    response = client.post(url, {"helpful": "4", "learn_more": "Crisis calls, and boundaries", "comments": "Good"})
    assert response.status_code == 302
    assert Feedback.objects.get(supporter=ana, session=first).helpful == 4
    assert client.post(url, {"helpful": "5"}).status_code == 400  # once only
    # Ben missed the second session: no feedback on it; another trainee's session is not his.
    ben_client = world.client_for(ben.user)
    assert (
        ben_client.post(f"/p/riverside/my/training/feedback/sessions/{second.pk}/", {"helpful": "3"}).status_code == 400
    )
    stranger = trainee(world.program, "Not on the course")
    assert world.client_for(stranger.user).get(url).status_code == 404


def test_end_of_course_survey_opens_on_the_last_day(world: Any, course: dict[str, Any]) -> None:
    ana = course["people"][0]
    the_cohort = course["cohort"]
    url = f"/p/riverside/my/training/feedback/courses/{the_cohort.pk}/"
    the_cohort.ends_on = timezone.localdate() + dt.timedelta(days=3)
    the_cohort.save()
    assert world.client_for(ana.user).post(url, {"helpful": "5"}).status_code == 400
    the_cohort.ends_on = timezone.localdate()
    the_cohort.save()
    assert world.client_for(ana.user).post(url, {"helpful": "5", "learn_more": "more role plays"}).status_code == 302
    with pytest.raises(ValidationError):
        services.give_feedback(actor=ana.user, supporter=ana, cohort=the_cohort, session=None, helpful=3)


def test_aggregates_and_grouped_learn_more(world: Any, course: dict[str, Any]) -> None:
    ana, ben = course["people"]
    first, second = course["sessions"]
    the_cohort = course["cohort"]
    services.give_feedback(
        actor=ana.user, supporter=ana, cohort=the_cohort, session=first, helpful=5, learn_more="More about crisis calls"
    )
    services.give_feedback(
        actor=ben.user, supporter=ben, cohort=the_cohort, session=first, helpful=2, learn_more="crisis calls; self-care"
    )
    services.give_feedback(actor=ana.user, supporter=ana, cohort=the_cohort, session=second, helpful=4)
    summary = queries.feedback_summary(world.program)
    per_session = {row["session_id"]: row for row in summary["per_session"]}
    assert per_session[first.pk]["average"] == 3.5 and per_session[first.pk]["answers"] == 2
    per_module = {row["module"]: row for row in summary["per_module"]}
    assert per_module["Crisis intervention"]["average"] == 3.5
    assert per_module["Crisis intervention"]["answers"] == 2  # several topics of one module count once
    assert per_module["Ethics and confidentiality"]["average"] == 4
    groups = {g["phrase"]: g["count"] for g in summary["learn_more_groups"]}
    assert groups == {"crisis calls": 2, "self-care": 1}
    for user in (world.trainer, world.coordinator):
        page = world.client_for(user).get("/p/riverside/training/feedback/")
        assert page.status_code == 200 and "crisis calls" in page.content.decode()
    assert (
        world.client_for(world.trainer).get(f"/p/riverside/training/feedback/?cohort={the_cohort.pk}").status_code
        == 200
    )
    assert world.client_for(world.trainer).get("/p/riverside/training/feedback/?cohort=999999").status_code == 404


def test_learn_more_answers_contract(world: Any, course: dict[str, Any]) -> None:
    ana, ben = course["people"]
    first = course["sessions"][0]
    the_cohort = course["cohort"]
    services.give_feedback(
        actor=ana.user, supporter=ana, cohort=the_cohort, session=first, helpful=5, learn_more="Grief"
    )
    old = services.give_feedback(
        actor=ben.user, supporter=ben, cohort=the_cohort, session=first, helpful=3, learn_more="Boundaries"
    )
    Feedback.objects.filter(pk=old.pk).update(answered_at=timezone.now() - dt.timedelta(days=40))
    services.give_feedback(actor=ana.user, supporter=ana, cohort=the_cohort, session=course["sessions"][1], helpful=4)
    answers = queries.learn_more_answers(world.program)
    assert [a["text"] for a in answers] == ["Grief", "Boundaries"]
    assert set(answers[0]) == {"text", "user_id", "answered_at"} and answers[0]["user_id"] == ana.user.pk
    assert isinstance(answers[0]["answered_at"], dt.datetime)
    since = timezone.localdate() - dt.timedelta(days=7)
    assert [a["text"] for a in queries.learn_more_answers(world.program, since=since)] == ["Grief"]
    assert queries.learn_more_answers(world.other_program) == []
