"""Self-paced modules making up missed course sessions: where the program says so, a trainee who
missed a course session and afterwards completed published modules on every one of its topics
has it counted as made up (by those modules, never as attended) in the attendance figures, the
cohort's grid and its export, and their own "what is left to do"; each change audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from peerpath.core.models import AuditEntry
from peerpath.credentials.models import LearningCompletion, LearningModule
from peerpath.credentials.progress import get_settings
from peerpath.credentials.services import learning
from peerpath.recruitment.models import Supporter
from peerpath.training import services as training
from peerpath.training.models import Cohort, Module, Topic
from peerpath.training.queries import attendance_grid, attendance_rates
from tests.training.helpers import attend, cohort, session, trainee

pytestmark = pytest.mark.django_db


def topic(world: Any, title: str) -> Topic:
    part, _ = Module.objects.get_or_create(program=world.program, title="Listening")
    return Topic.objects.create(program=world.program, module=part, title=title)


def module_on(world: Any, the_topic: Topic | None, title: str, *, published: bool = True) -> LearningModule:
    return learning.save_module(
        actor=world.trainer,
        program=world.program,
        module=None,
        data={"title": title, "topic": the_topic, "hours": "1", "pass_mark": 80, "is_published": published},
    )


def course(world: Any) -> dict[str, Any]:
    """A cohort of the trainer's with three course sessions held (one on topic A, one on topics
    A and B, one with no topic) and Tia, absent from all three; a published module on each
    topic and a draft one on B."""
    a, b = topic(world, "Open questions"), topic(world, "Reflecting feelings")
    taught = cohort(world, name="Autumn course")
    s1 = session(world, taught, days_ago=21, title="Questions")
    s2 = session(world, taught, days_ago=14, title="Questions and feelings")
    s3 = session(world, taught, days_ago=7, title="Practice day")
    s1.topics.set([a])
    s2.topics.set([a, b])
    tia = trainee(world.program, "Tia Trainee")
    training.enrol_trainee(actor=world.coordinator, cohort=taught, supporter=tia)
    attend(world, [s1, s2, s3], tia, ["absent", "excused", "absent"])
    return {
        "cohort": taught,
        "sessions": [s1, s2, s3],
        "tia": tia,
        "on_a": module_on(world, a, "Asking open questions"),
        "on_b": module_on(world, b, "Naming feelings"),
        "draft_on_b": module_on(world, b, "Feelings, a draft", published=False),
    }


def allow(world: Any, yes: bool = True) -> None:
    learning.save_learning_settings(actor=world.coordinator, program=world.program, makes_up_sessions=yes)


def done(world: Any, tia: Supporter, the_module: LearningModule) -> LearningCompletion:
    return learning.mark_done(actor=tia.user, supporter=tia, module=the_module)


def rate(taught: Cohort, tia: Supporter) -> Any:
    return attendance_rates(taught, [tia.pk])[tia.pk]


def made_up_audits(tia: Supporter) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(action="credentials.learning.sessions_made_up", target_id=str(tia.pk)).order_by("pk")
    )


def test_it_counts_only_where_the_program_says_so(world: Any) -> None:
    c = course(world)
    done(world, c["tia"], c["on_a"])
    before = rate(c["cohort"], c["tia"])
    assert (before.attended, before.self_paced, len(before.missed)) == (0, 0, 3)
    assert not made_up_audits(c["tia"])
    # Turning it on counts what was already completed, and says so for the trainee.
    allow(world)
    assert get_settings(world.program).self_paced_makes_up_sessions
    assert AuditEntry.objects.filter(action="credentials.settings.update").exists()
    after = rate(c["cohort"], c["tia"])
    assert (after.held, after.attended, after.made_up, after.self_paced) == (3, 1, 0, 1)
    assert [s.title for s in after.missed] == ["Questions and feelings", "Practice day"]
    assert after.made_up_another_way[c["sessions"][0].pk].labels == ["self-paced module “Asking open questions”"]
    [entry] = made_up_audits(c["tia"])
    assert entry.changes["sessions_made_up"][0] == [] and "Questions (" in entry.changes["sessions_made_up"][1][0]
    # Turning it off again puts the session back among the missed, audited too.
    allow(world, False)
    assert rate(c["cohort"], c["tia"]).self_paced == 0
    assert made_up_audits(c["tia"])[-1].changes["sessions_made_up"][1] == []


def test_every_topic_of_the_session_must_be_covered(world: Any) -> None:
    c = course(world)
    allow(world)
    done(world, c["tia"], c["on_a"])
    assert rate(c["cohort"], c["tia"]).self_paced == 1  # the session on A; the one on A and B still missed
    assert len(made_up_audits(c["tia"])) == 1
    done(world, c["tia"], c["on_b"])
    now = rate(c["cohort"], c["tia"])
    assert (now.attended, now.self_paced) == (2, 2)
    assert now.made_up_another_way[c["sessions"][1].pk].labels == [
        "self-paced module “Asking open questions”",
        "self-paced module “Naming feelings”",
    ]
    # A session with no topics says nothing about what it taught: only attending makes it up.
    assert [s.title for s in now.missed] == ["Practice day"]
    [_first, second] = made_up_audits(c["tia"])
    assert len(second.changes["sessions_made_up"][1]) == 2
    assert now.percent is not None and now.meets(66) and not now.meets(67)


def test_the_module_must_be_completed_on_or_after_the_session_day(world: Any) -> None:
    c = course(world)
    allow(world)
    completion = done(world, c["tia"], c["on_a"])
    day = timezone.localdate(c["sessions"][0].starts_at)
    for completed_on, counts in ((day - dt.timedelta(days=1), False), (day, True), (day + dt.timedelta(days=1), True)):
        LearningCompletion.objects.filter(pk=completion.pk).update(completed_on=completed_on)
        assert (c["sessions"][0].pk in rate(c["cohort"], c["tia"]).made_up_another_way) is counts, completed_on


def test_attending_a_make_up_session_comes_first(world: Any) -> None:
    c = course(world)
    allow(world)
    extra = session(world, c["cohort"], days_ago=2, title="Make-up: questions", makeup_for=c["sessions"][0])
    attend(world, [extra], c["tia"], ["present"])
    done(world, c["tia"], c["on_a"])
    now = rate(c["cohort"], c["tia"])
    assert (now.attended, now.made_up, now.self_paced) == (1, 1, 0)
    assert not made_up_audits(c["tia"])


def test_starting_a_module_afresh_takes_the_session_back(world: Any) -> None:
    c = course(world)
    allow(world)
    done(world, c["tia"], c["on_a"])
    learning.reset(actor=world.trainer, module=c["on_a"], supporter=c["tia"], reason="Marked done by mistake")
    assert rate(c["cohort"], c["tia"]).self_paced == 0
    last = made_up_audits(c["tia"])[-1]
    assert last.changes["sessions_made_up"][1] == [] and last.note == "Marked done by mistake"


def test_the_setting_is_the_coordinators(world: Any) -> None:
    course(world)
    client = world.client_for(world.trainer)
    library = client.get(reverse("credentials:learning", args=["riverside"])).content.decode()
    assert "Missed course sessions" in library and "self_paced_makes_up_sessions" not in library
    url = reverse("credentials:learning_settings", args=["riverside"])
    assert client.post(url, {"self_paced_makes_up_sessions": "on"}).status_code == 403
    assert not get_settings(world.program).self_paced_makes_up_sessions
    coordinator = world.client_for(world.coordinator)
    assert (
        "self_paced_makes_up_sessions"
        in coordinator.get(reverse("credentials:learning", args=["riverside"])).content.decode()
    )
    assert coordinator.get(url).status_code == 405
    response = coordinator.post(url, {"self_paced_makes_up_sessions": "on"})
    assert response.status_code == 302 and get_settings(world.program).self_paced_makes_up_sessions
    assert "can make it up by completing" in coordinator.get(response["Location"]).content.decode()


def test_the_grid_the_export_and_what_is_left_say_how_it_was_made_up(world: Any) -> None:
    c = course(world)
    allow(world)
    done(world, c["tia"], c["on_a"])
    grid = attendance_grid(c["cohort"])
    [row] = grid["rows"]
    cells = {cell.mark.session_id: cell for cell in row["cells"] if cell.mark}
    assert cells[c["sessions"][0].pk].made_up_by is not None and cells[c["sessions"][1].pk].made_up_by is None
    assert cells[c["sessions"][0].pk].mark.status == "absent"  # the mark stays what it was
    page = world.client_for(world.trainer).get(reverse("training:cohort", args=["riverside", c["cohort"].pk]))
    html = page.content.decode()
    assert "1 by self-paced learning" in html
    assert "made up by self-paced module “Asking open questions”" in html and "mark-self-paced" in html
    export = world.client_for(world.trainer).get(
        reverse("training:cohort", args=["riverside", c["cohort"].pk]) + "?export=csv"
    )
    text = b"".join(export.streaming_content).decode() if export.streaming else export.content.decode()
    assert "Absent (Made up by self-paced module “Asking open questions”)" in text
    # The trainee's own page: what was made up and how, and what is left with the way to do it.
    own = world.client_for(c["tia"].user).get(reverse("training:my_training", args=["riverside"])).content.decode()
    assert "1 by self-paced learning" in own
    assert "Made up by self-paced learning:" in own and "made up by self-paced module “Asking open questions”" in own
    left = own[own.index("Missed, not yet made up") : own.index("Made up by self-paced learning:")]
    assert "Questions and feelings" in left and "Practice day" in left
    assert reverse("credentials:my_module", args=["riverside", c["on_b"].pk]) in left  # the way still open
    assert reverse("credentials:my_module", args=["riverside", c["on_a"].pk]) not in left  # done already
    assert reverse("credentials:my_module", args=["riverside", c["draft_on_b"].pk]) not in left  # not published


def test_nothing_is_offered_when_the_program_does_not_count_modules(world: Any) -> None:
    c = course(world)
    own = world.client_for(c["tia"].user).get(reverse("training:my_training", args=["riverside"])).content.decode()
    assert "Missed, not yet made up" in own and "make it up by completing" not in own


def _grow(world: Any, c: dict[str, Any], start: int, n: int) -> None:
    """n more trainees absent from every session who completed both modules, and n more
    sessions on topic A."""
    for i in range(n):
        s = session(world, c["cohort"], days_ago=20 - (start + i) * 0.1, title=f"More {start + i}")
        s.topics.set(c["sessions"][0].topics.all())
    for i in range(n):
        person = trainee(world.program, f"Trainee {start + i}")
        training.enrol_trainee(actor=world.coordinator, cohort=c["cohort"], supporter=person)
        done(world, person, c["on_a"])
        done(world, person, c["on_b"])


def _counts(world: Any, c: dict[str, Any]) -> dict[str, int]:
    pages = [
        (world.trainer, reverse("training:cohort", args=["riverside", c["cohort"].pk])),
        (world.trainer, reverse("training:my_cohorts", args=["riverside"])),
        (c["tia"].user, reverse("training:my_training", args=["riverside"])),
    ]
    found = {}
    for user, path in pages:
        client = world.client_for(user)
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        found[path] = len(queries)
    return found


def test_the_pages_do_not_grow_with_trainees_sessions_or_modules(world: Any) -> None:
    c = course(world)
    allow(world)
    done(world, c["tia"], c["on_a"])
    _grow(world, c, 0, 2)
    small = _counts(world, c)
    _grow(world, c, 10, 6)
    assert attendance_rates(c["cohort"])[c["tia"].pk].self_paced == 1 + 2 + 6
    large = _counts(world, c)
    assert {p: (small[p], large[p]) for p in small if large[p] > small[p] + 1} == {}
