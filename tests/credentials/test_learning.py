"""Self-paced learning: modules, quizzes (scoring, pass mark, retry rules), completion counted
as training hours toward the credential and as self-paced continuing education under the CE
rule's cap; who may see whose progress."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from peerpath.certification import services as certification
from peerpath.certification.models import CEActivity, DeliveryMode
from peerpath.certification.rules import add_months
from peerpath.core.models import AuditEntry
from peerpath.credentials import access, queries
from peerpath.credentials.models import LearningCompletion, LearningModule, QuizAttempt, TrainingDomain
from peerpath.credentials.progress import progress
from peerpath.credentials.services import learning
from peerpath.programs.models import Competency, Membership
from peerpath.recruitment.models import Stage
from peerpath.training import services as training
from peerpath.training.models import Module, Topic
from tests.demo_copy import load_demo
from tests.training.helpers import cohort, trainee

pytestmark = pytest.mark.django_db
H = Decimal


def topic(world: Any, title: str = "Boundaries") -> Topic:
    module = Module.objects.create(program=world.program, title="Ethics module")
    return Topic.objects.create(program=world.program, module=module, title=title)


def module(world: Any, **data: Any) -> LearningModule:
    values: dict[str, Any] = {
        "title": "Confidentiality basics",
        "summary": "What stays private.",
        "topic": None,
        "hours": "1.5",
        "ce_subject": "ethics",
        "counts_for_training": True,
        "pass_mark": 80,
        "max_attempts": 2,
        "is_published": True,
        **data,
    }
    return learning.save_module(actor=world.trainer, program=world.program, module=None, data=values)


def with_quiz(world: Any, the_module: LearningModule, questions: int = 5) -> list[tuple[int, int, int]]:
    """Add `questions` questions; return (question id, right choice id, wrong choice id) each."""
    found = []
    for n in range(questions):
        question = learning.add_question(
            actor=world.trainer,
            module=the_module,
            text=f"Question {n + 1}?",
            choices=["Right", "Wrong", "Also wrong"],
            correct=1,
        )
        right, wrong, _ = question.choices.all()
        found.append((question.pk, right.pk, wrong.pk))
    return found


def answers(quiz: list[tuple[int, int, int]], right: int) -> dict[int, int]:
    """The first `right` questions answered right, the rest wrong."""
    return {q: (r if i < right else w) for i, (q, r, w) in enumerate(quiz)}


# --- Writing modules -------------------------------------------------------------------------


def test_a_module_is_validated_and_audited(world: Any) -> None:
    made = module(world)
    assert made.hours == H("1.50") and made.created_by == world.trainer
    assert AuditEntry.objects.filter(action="credentials.learning_module.create").count() == 1
    with pytest.raises(ValidationError) as refused:
        module(world, title="confidentiality BASICS", hours="0.2", pass_mark=101, max_attempts=0, ce_subject="nope")
    assert set(refused.value.message_dict) == {"title", "hours", "pass_mark", "max_attempts", "ce_subject"}
    other_topic = Topic.objects.create(
        program=world.other_program,
        module=Module.objects.create(program=world.other_program, title="Theirs"),
        title="Theirs",
    )
    with pytest.raises(ValidationError) as refused:
        module(world, title="Other", topic=other_topic)
    assert "topic" in refused.value.message_dict
    theirs = Competency.objects.create(program=world.other_program, number=99, title="Not ours")
    with pytest.raises(ValidationError) as refused:
        learning.save_module(
            actor=world.trainer,
            program=world.program,
            module=None,
            data={"title": "X", "hours": "1", "pass_mark": 50},
            competencies=[theirs],
        )
    assert "competencies" in refused.value.message_dict
    assert LearningModule.objects.count() == 1


def test_materials_of_each_kind_and_their_rules(world: Any, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    the_module = module(world)
    learning.add_material(actor=world.trainer, module=the_module, kind="text", title="Read me", body="Privacy is...")
    learning.add_material(
        actor=world.trainer, module=the_module, kind="video", title="Watch", url="https://video.example/1"
    )
    doc = learning.add_material(
        actor=world.trainer,
        module=the_module,
        kind="document",
        title="Handout",
        file=SimpleUploadedFile("handout.pdf", b"%PDF-1.4 handout"),
    )
    assert doc.file_name == "handout.pdf" and doc.file.read() == b"%PDF-1.4 handout"
    for kind, data, field in [
        ("text", {"body": " "}, "body"),
        ("link", {"url": "javascript:alert(1)"}, "url"),
        ("video", {"url": ""}, "url"),
        ("document", {"file": SimpleUploadedFile("run.exe", b"MZ")}, "file"),
        ("document", {}, "file"),
        ("sound", {}, "kind"),
    ]:
        with pytest.raises(ValidationError) as refused:
            learning.add_material(actor=world.trainer, module=the_module, kind=kind, title="T", **data)
        assert field in refused.value.message_dict, kind
    assert the_module.materials.count() == 3
    learning.remove_material(actor=world.trainer, material=doc)
    assert the_module.materials.count() == 2
    assert AuditEntry.objects.filter(action="credentials.learning_material.remove").exists()


def test_a_question_has_two_to_six_different_answers_and_one_right(world: Any) -> None:
    the_module = module(world)
    for choices, correct, field in [
        (["Only one"], 1, "choice_1"),
        (["A", "a"], 1, "choice_1"),
        (["A", "B", "C", "D", "E", "F", "G"], 1, "choice_1"),
        (["A", "", "C"], 2, "correct"),  # the right answer must be one of those given
    ]:
        with pytest.raises(ValidationError) as refused:
            learning.add_question(actor=world.trainer, module=the_module, text="Q?", choices=choices, correct=correct)
        assert field in refused.value.message_dict
    question = learning.add_question(
        actor=world.trainer, module=the_module, text="Q?", choices=["A", "", "C"], correct=3
    )
    assert [(c.text, c.is_correct) for c in question.choices.all()] == [("A", False), ("C", True)]


# --- Taking a module -------------------------------------------------------------------------


def test_the_pass_mark_boundary_and_the_retry_rule(world: Any) -> None:
    the_module = module(world, max_attempts=2)  # pass mark 80 %
    quiz = with_quiz(world, the_module, 5)
    priya = world.supporter_record
    with pytest.raises(ValidationError) as refused:
        learning.submit_quiz(
            actor=world.supporter, supporter=priya, module=the_module, answers=dict(list(answers(quiz, 5).items())[:4])
        )
    assert f"q{quiz[4][0]}" in refused.value.message_dict  # every question answered
    first = learning.submit_quiz(actor=world.supporter, supporter=priya, module=the_module, answers=answers(quiz, 3))
    assert (first.correct, first.total, first.score, first.passed) == (3, 5, 60, False)
    assert learning.attempts_left(the_module, priya) == 1
    second = learning.submit_quiz(actor=world.supporter, supporter=priya, module=the_module, answers=answers(quiz, 4))
    assert (second.score, second.passed) == (80, True)  # exactly the mark passes
    completion = LearningCompletion.objects.get(module=the_module, supporter=priya)
    assert completion.attempt == second and completion.hours == H("1.50")
    with pytest.raises(ValidationError, match="already completed"):
        learning.submit_quiz(actor=world.supporter, supporter=priya, module=the_module, answers=answers(quiz, 5))


def test_out_of_attempts_until_a_trainer_resets(world: Any) -> None:
    the_module = module(world, max_attempts=1)
    quiz = with_quiz(world, the_module, 4)
    priya = world.supporter_record
    learning.submit_quiz(actor=world.supporter, supporter=priya, module=the_module, answers=answers(quiz, 3))  # 75 %
    with pytest.raises(ValidationError, match="every attempt"):
        learning.submit_quiz(actor=world.supporter, supporter=priya, module=the_module, answers=answers(quiz, 4))
    assert queries.my_modules(priya)[0].state == "stuck"
    with pytest.raises(ValidationError):
        learning.reset(actor=world.trainer, module=the_module, supporter=priya, reason=" ")
    learning.reset(actor=world.trainer, module=the_module, supporter=priya, reason="Talked it through")
    assert QuizAttempt.objects.filter(supporter=priya).count() == 0
    assert AuditEntry.objects.get(action="credentials.learning.reset").note == "Talked it through"
    assert learning.submit_quiz(
        actor=world.supporter, supporter=priya, module=the_module, answers=answers(quiz, 4)
    ).passed


def test_only_the_supporter_takes_a_published_module_of_their_program(world: Any) -> None:
    draft = module(world, is_published=False)
    quiz = with_quiz(world, draft, 2)
    priya = world.supporter_record
    with pytest.raises(ValidationError, match="not open"):
        learning.submit_quiz(actor=world.supporter, supporter=priya, module=draft, answers=answers(quiz, 2))
    published = module(world, title="Published")
    quiz = with_quiz(world, published, 2)
    with pytest.raises(ValidationError, match="Only the supporter"):
        learning.submit_quiz(actor=world.coordinator, supporter=priya, module=published, answers=answers(quiz, 2))
    elsewhere = trainee(world.other_program, "Hal Harbor")
    with pytest.raises(ValidationError, match="not open"):
        learning.submit_quiz(actor=elsewhere.user, supporter=elsewhere, module=published, answers=answers(quiz, 2))
    with pytest.raises(ValidationError, match="Pass the quiz"):
        learning.mark_done(actor=world.supporter, supporter=priya, module=published)
    # A quiz's answers must be its own.
    with pytest.raises(ValidationError):
        learning.submit_quiz(
            actor=world.supporter, supporter=priya, module=published, answers={quiz[0][0]: quiz[1][1], quiz[1][0]: 0}
        )
    assert not QuizAttempt.objects.exists()


def test_a_module_without_a_quiz_is_marked_done_once(world: Any) -> None:
    reading = module(world, title="Reading only")
    priya = world.supporter_record
    with pytest.raises(ValidationError, match="no quiz"):
        learning.submit_quiz(actor=world.supporter, supporter=priya, module=reading, answers={})
    completion = learning.mark_done(actor=world.supporter, supporter=priya, module=reading)
    assert completion.attempt is None and completion.completed_on == timezone.localdate()
    with pytest.raises(ValidationError, match="already completed"):
        learning.mark_done(actor=world.supporter, supporter=priya, module=reading)


# --- What completion counts for --------------------------------------------------------------


def test_completion_counts_as_self_paced_ce_within_the_rules_cap(world: Any) -> None:
    """Under the two-minimums rule (at most 15 self-paced hours counted), 14 h of self-paced
    reading plus a 1.5-hour module counts 15 h: the module crosses the cap and counts in part."""
    certification.apply_ce_preset(actor=world.coordinator, program=world.program, key="two-minimums-30")
    priya = world.supporter_record
    certificate = certification.issue_certificate(
        actor=world.coordinator, supporter=priya, issued_on=add_months(timezone.localdate(), -12)
    )
    certification.log_ce_activity(
        actor=world.supporter,
        supporter=priya,
        date=timezone.localdate() - dt.timedelta(days=10),
        title="Reading",
        provider="Library",
        hours="14",
        category="general",
        delivery=DeliveryMode.SELF_PACED,
    )
    reading = CEActivity.objects.get(title="Reading")
    certification.review_ce_activity(actor=world.coordinator, activity=reading, approve=True)
    the_module = module(world)
    quiz = with_quiz(world, the_module, 2)
    learning.submit_quiz(actor=world.supporter, supporter=priya, module=the_module, answers=answers(quiz, 2))
    credit = CEActivity.objects.get(source_key=f"credentials.learning:{the_module.pk}:{priya.pk}")
    assert (credit.hours, credit.category, credit.delivery, credit.status) == (
        H("1.50"),
        "ethics",
        "self_paced",
        "approved",
    )
    standing = certification.certificate_standing(certificate)
    assert standing.tally.by_delivery["self_paced"] == H("15")
    assert standing.tally.counted_hours[credit.pk] == H("1")
    # A trainer's reset takes the credit back.
    learning.reset(actor=world.trainer, module=the_module, supporter=priya, reason="Recorded in error")
    assert not CEActivity.objects.filter(pk=credit.pk).exists()


def test_no_ce_without_a_certificate_or_a_subject(world: Any) -> None:
    person = trainee(world.program, "Tess Trainee")
    the_module = module(world)
    learning.mark_done(actor=person.user, supporter=person, module=the_module)
    priya = world.supporter_record
    certification.issue_certificate(actor=world.coordinator, supporter=priya)
    no_subject = module(world, title="No subject", ce_subject="")
    learning.mark_done(actor=world.supporter, supporter=priya, module=no_subject)
    assert not CEActivity.objects.filter(source_key__startswith="credentials.learning").exists()
    assert LearningCompletion.objects.count() == 2


def test_completion_counts_toward_the_topics_training_domain(world: Any) -> None:
    boundaries = topic(world)
    domain = TrainingDomain.objects.create(program=world.program, name="Ethical responsibility", hours_required=10)
    domain.topics.add(boundaries)
    person = trainee(world.program, "Tess Trainee")
    counted = module(world, topic=boundaries, hours="2")
    not_counted = module(world, title="For interest", topic=boundaries, counts_for_training=False)
    unmapped = module(world, title="Unmapped", hours="1")
    for each in (counted, not_counted, unmapped):
        learning.mark_done(actor=person.user, supporter=person, module=each)
    found = progress(person)
    assert [(d.label, d.counted) for d in found.domains] == [("Ethical responsibility", H("2.00"))]
    rows = [(r.section, r.description, r.domain, r.hours) for r in found.records if r.section == "Self-paced learning"]
    assert sorted(rows) == [
        ("Self-paced learning", "Confidentiality basics", "Ethical responsibility", H("2.00")),
        ("Self-paced learning", "Unmapped", "", H("1.00")),
    ]


# --- Who sees whose progress -----------------------------------------------------------------


def test_trainers_see_the_trainees_of_their_cohorts_coordinators_everyone(world: Any) -> None:
    taught = cohort(world, name="Autumn course")
    mine = trainee(world.program, "Tia Trainee")
    training.enrol_trainee(actor=world.coordinator, cohort=taught, supporter=mine)
    not_mine = trainee(world.program, "Nat Trainee")
    as_trainer = Membership.objects.get(program=world.program, user=world.trainer)
    as_coordinator = Membership.objects.get(program=world.program, user=world.coordinator)
    as_supporter = Membership.objects.get(program=world.program, user=world.supporter)
    assert list(access.learners_visible_to(as_trainer)) == [mine]
    everyone = set(access.learners_visible_to(as_coordinator))
    assert {mine, not_mine, world.supporter_record} <= everyone and world.outsider_record not in everyone
    assert not access.learners_visible_to(as_supporter).exists()
    assert access.get_learner(as_trainer, mine.pk) == mine
    with pytest.raises(Exception, match="No Supporter"):
        access.get_learner(as_trainer, not_mine.pk)


def test_what_is_left_comes_first(world: Any) -> None:
    priya = world.supporter_record
    done = module(world, title="Done already")
    learning.mark_done(actor=world.supporter, supporter=priya, module=done)
    todo = module(world, title="Still to do")
    module(world, title="Draft", is_published=False)
    assert [(s.module, s.state) for s in queries.my_modules(priya)] == [(todo, "todo"), (done, "done")]
    assert priya.stage == Stage.ACTIVE


@pytest.mark.sqlite_only  # loads the whole demo: seconds, and nothing engine-specific
def test_the_demo_modules_and_progress() -> None:
    from django.core.management import call_command

    from peerpath.recruitment.models import Supporter

    load_demo()
    titles = list(LearningModule.objects.filter(is_published=True).values_list("title", flat=True))
    assert titles == [
        "Listening without fixing",
        "Confidentiality in everyday conversations",
        "Self-care after a hard conversation",
    ]
    priya = Supporter.objects.get(full_name="Priya Shah")
    credit = CEActivity.objects.get(supporter=priya, source_key__startswith="credentials.learning:")
    assert (credit.hours, credit.category, credit.delivery) == (H("1.50"), "ethics", "self_paced")
    nadia = Supporter.objects.get(full_name="Nadia Rahman")
    assert [a.score for a in QuizAttempt.objects.filter(supporter=nadia).order_by("submitted_at", "pk")] == [50, 75, 50]
    assert [s.state for s in queries.my_modules(nadia)] == ["started", "todo", "done"]
    rows = [(r.description, r.domain, r.hours) for r in progress(nadia).records if r.section == "Self-paced learning"]
    assert rows == [("Listening without fixing", "Recovery and wellness support", H("1.00"))]
    call_command("load_demo")  # again: nothing added
    assert LearningModule.objects.count() == 4 and QuizAttempt.objects.count() == 4
