"""Refresher topics: grouping similar wordings, ranking by supporters then recency, the agenda page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from peerpath.care import queries, topics
from peerpath.care.models import Debrief, TopicPlan
from peerpath.care.services import common as care_common
from peerpath.care.services import debriefs
from peerpath.care.topics import Mention
from peerpath.training import services as training
from peerpath.training.models import TrainingSession
from tests.care.helpers import supporter
from tests.training.helpers import attend, cohort, held_sessions, trainee

NOW = dt.datetime(2030, 6, 1, 12, tzinfo=dt.UTC)


def at(days_ago: int) -> dt.datetime:
    return NOW - dt.timedelta(days=days_ago)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Boundaries with family", "family boundaries"),
        ("Boundaries with families!", "BOUNDARY, family"),
        ("How to handle crisis calls", "crisis call"),
        ("More about self-care", "Self care"),
        ("Grief & loss", "grief and losses"),
        ("Stories", "story"),
    ],
)
def test_similar_wordings_share_a_key(a: str, b: str) -> None:
    assert topics.key_of(a) == topics.key_of(b) != ""


@pytest.mark.parametrize(("a", "b"), [("Boundaries with family", "Boundaries at work"), ("crisis calls", "grief")])
def test_different_topics_stay_apart(a: str, b: str) -> None:
    assert topics.key_of(a) != topics.key_of(b)


def test_singular_keeps_words_that_only_look_plural() -> None:
    assert [topics.singular(w) for w in ["class", "status", "crisis", "boundaries", "calls", "matches", "bus"]] == [
        "class",
        "status",
        "crisis",
        "boundary",
        "call",
        "match",
        "bus",
    ]


def test_only_filler_words_give_no_topic() -> None:
    assert topics.key_of("How to ... more about?") == ""
    assert topics.split_list("Crisis calls, boundaries;\n- self care\n\n") == [
        "Crisis calls",
        "boundaries",
        "self care",
    ]
    assert topics.split_sentences("Boundaries, especially with family; grief") == [
        "Boundaries, especially with family",
        "grief",
    ]


def test_ranking_by_distinct_supporters_then_recency() -> None:
    mentions = [
        # Crisis calls: two supporters (one of them twice), last 10 days ago.
        Mention("Crisis calls", "user:1", at(30), "debrief"),
        Mention("crisis call", "user:1", at(20), "debrief"),
        Mention("Handling crisis calls", "user:2", at(10), "debrief"),
        # Boundaries: two supporters, last 2 days ago: same supporters count, more recent, ranks first.
        Mention("Boundaries with family", "user:3", at(40), "debrief"),
        Mention("family boundaries", "user:4", at(2), "training feedback"),
        # Grief: one supporter, very recent, five mentions: fewer supporters, ranks last.
        *[Mention("Grief", "user:5", at(1), "debrief") for _ in range(5)],
    ]
    ranked = topics.rank(mentions)
    # The label is the most common wording, the shortest among equals.
    assert [(s.label, s.supporters, s.mentions) for s in ranked] == [
        ("Family boundaries", 2, 2),
        ("Crisis call", 2, 3),
        ("Grief", 1, 5),
    ]
    assert ranked[0].sources == ["debrief", "training feedback"]
    assert ranked[0].last_mentioned == at(2)
    assert ranked[1].phrasings == ["Crisis call", "Crisis calls", "Handling crisis calls"]


def test_topics_covered_by_a_refresher_leave_the_agenda_until_raised_again() -> None:
    mentions = [Mention("Crisis calls", "user:1", at(30), "debrief"), Mention("Grief", "user:2", at(30), "debrief")]
    covered = {topics.key_of("crisis calls"): at(5)}
    assert [s.label for s in topics.rank(mentions, covered)] == ["Grief"]
    again = [*mentions, Mention("crisis calls", "user:3", at(1), "debrief")]
    ranked = topics.rank(again, covered)
    assert [(s.label, s.supporters) for s in ranked] == [("Crisis calls", 1), ("Grief", 1)]


@pytest.mark.django_db
def test_agenda_from_debriefs_and_training_feedback(world: Any) -> None:
    program = world.program
    a, b = supporter(program, "Ann"), supporter(program, "Bea")
    today = timezone.localdate()
    debriefs.submit_debrief(
        actor=a.user, supporter=a, kind="support_group", occurred_on=today, what_happened="x", topics="Crisis calls"
    )
    debriefs.submit_debrief(
        actor=b.user,
        supporter=b,
        kind="hard_contact",
        occurred_on=today,
        what_happened="x",
        topics="grief, crisis call",
    )
    old = debriefs.submit_debrief(
        actor=b.user, supporter=b, kind="other", occurred_on=today, what_happened="x", topics="Ancient topic"
    )
    Debrief.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=400))
    the_cohort = cohort(world)
    tia = trainee(program, "Tia")
    training.enrol_trainee(actor=world.trainer, cohort=the_cohort, supporter=tia)
    (held,) = held_sessions(world, the_cohort, 1)
    attend(world, [held], tia, ["present"])
    training.give_feedback(
        actor=tia.user, supporter=tia, cohort=the_cohort, session=held, helpful=4, learn_more="Grief; boundaries"
    )
    ranked = queries.topic_suggestions(program, care_common.get_settings(program), timezone.now())
    # Both have two supporters; grief was raised most recently (in training feedback).
    assert [(s.label, s.supporters) for s in ranked][:2] == [("Grief", 2), ("Crisis call", 2)]
    assert "Ancient topic" not in [s.label for s in ranked]
    assert {s.label for s in ranked} == {"Crisis call", "Grief", "Boundaries"}


@pytest.mark.django_db
def test_a_suggestion_becomes_a_real_training_refresher(world: Any) -> None:
    """One step creates the refresher event in training."""
    a = supporter(world.program, "Ann")
    debriefs.submit_debrief(
        actor=a.user,
        supporter=a,
        kind="support_group",
        occurred_on=timezone.localdate(),
        what_happened="x",
        topics="Crisis calls",
    )
    client = world.client_for(world.coordinator)
    assert "not installed here" not in client.get(reverse("care:topics", args=[world.program.slug])).content.decode()
    starts = (timezone.localtime() + dt.timedelta(days=10)).replace(second=0, microsecond=0)
    response = client.post(
        reverse("care:topic_plan", args=[world.program.slug]),
        {
            "n": "1",
            "topic_key": topics.key_of("Crisis calls"),
            "label": "Crisis calls",
            "title": "Refresher: Crisis calls",
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (starts + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "location": "Community room",
            "description": "Asked for in debriefs",
            "credited_hours": "2",
        },
    )
    assert response.status_code == 302
    event = TrainingSession.objects.get(title="Refresher: Crisis calls")
    assert event.location == "Community room"
    assert TopicPlan.objects.get().event_id == str(event.pk)


@pytest.mark.django_db
def test_turning_a_suggestion_into_a_refresher_event(world: Any) -> None:
    """The coordinator plans the event in one step; it is a refresher event in training."""
    a = supporter(world.program, "Ann")
    debriefs.submit_debrief(
        actor=a.user,
        supporter=a,
        kind="support_group",
        occurred_on=timezone.localdate(),
        what_happened="x",
        topics="Crisis calls",
    )
    client = world.client_for(world.coordinator)
    page = client.get(reverse("care:topics", args=[world.program.slug]))
    assert "Create the refresher event" in page.content.decode()
    starts = (timezone.localtime() + dt.timedelta(days=10)).replace(second=0, microsecond=0)
    data = {
        "n": "1",
        "topic_key": topics.key_of("Crisis calls"),
        "label": "Crisis calls",
        "title": "Refresher: Crisis calls",
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (starts + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "location": "Community room",
        "description": "Asked for in debriefs",
        "credited_hours": "2",
    }
    bad = client.post(reverse("care:topic_plan", args=[world.program.slug]), {**data, "ends_at": data["starts_at"]})
    assert bad.status_code == 400 and "must end after it starts" in bad.content.decode()
    assert not TrainingSession.objects.filter(title="Refresher: Crisis calls").exists()
    response = client.post(reverse("care:topic_plan", args=[world.program.slug]), data)
    assert response.status_code == 302
    event = TrainingSession.objects.get(title="Refresher: Crisis calls")
    assert event.location == "Community room"
    assert event.program == world.program and event.credited_hours == 2
    plan = TopicPlan.objects.get()
    assert plan.event_id == str(event.pk) and plan.event_label == str(event)
    # The covered topic leaves the agenda.
    after = client.get(reverse("care:topics", args=[world.program.slug])).content.decode()
    assert "No topics suggested yet" in after and str(event) in after
    # Trainers and supervisors see the agenda but cannot plan.
    for user in (world.trainer, world.supervisor):
        assert (
            world.client_for(user).post(reverse("care:topic_plan", args=[world.program.slug]), data).status_code == 403
        )
