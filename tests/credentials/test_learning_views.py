"""The self-paced learning pages: writing modules (trainers, coordinators), taking them
(trainees, supporters), following progress; each with its permission checks."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from peerpath.credentials.models import LearningCompletion, LearningMaterial, LearningModule, QuizAttempt
from peerpath.credentials.services import learning
from peerpath.training import services as training
from tests.credentials.test_learning import answers, module, with_quiz
from tests.training.helpers import cohort, trainee

pytestmark = pytest.mark.django_db


def url(name: str, *args: Any) -> str:
    return reverse(f"credentials:{name}", args=["riverside", *args])


def test_a_trainer_writes_a_module_with_materials_and_a_quiz(world: Any, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    client = world.client_for(world.trainer)
    assert client.get(url("learning")).status_code == 200
    assert client.get(url("module_new")).status_code == 200
    bad = client.post(url("module_new"), {"title": "", "hours": "1", "pass_mark": "80"})
    assert bad.status_code == 400 and not LearningModule.objects.exists()
    response = client.post(
        url("module_new"),
        {"title": "Listening well", "hours": "1.5", "pass_mark": "80", "ce_subject": "ethics", "is_published": "on"},
    )
    made = LearningModule.objects.get(title="Listening well")
    assert response.status_code == 302 and response["Location"] == url("module", made.pk)
    page = client.get(url("module", made.pk))
    assert page.status_code == 200 and "Listening well" in page.content.decode()
    assert client.post(url("module", made.pk), {"what": "material", "kind": "text", "title": "Read"}).status_code == 400
    document = SimpleUploadedFile("notes.pdf", b"%PDF-1.4 notes", content_type="application/pdf")
    assert (
        client.post(
            url("module", made.pk), {"what": "material", "kind": "document", "title": "Notes", "file": document}
        ).status_code
        == 302
    )
    material = LearningMaterial.objects.get(title="Notes")
    download = client.get(url("material_file", material.pk))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 notes"
    question = {
        "what": "question",
        "text": "What helps?",
        "choice_1": "Listening",
        "choice_2": "Advice",
        "correct": "1",
    }
    assert client.post(url("module", made.pk), {**question, "correct": "3"}).status_code == 400
    assert client.post(url("module", made.pk), question).status_code == 302
    assert made.questions.count() == 1
    the_question = made.questions.get()
    assert client.post(url("module", made.pk), {"what": "remove_question", "pk": the_question.pk}).status_code == 302
    assert client.post(url("module", made.pk), {"what": "remove_material", "pk": material.pk}).status_code == 302
    assert not made.questions.exists() and not made.materials.exists()
    assert (
        client.post(url("module_edit", made.pk), {"title": "Listening", "hours": "2", "pass_mark": "70"}).status_code
        == 302
    )
    made.refresh_from_db()
    assert (made.title, made.pass_mark, made.is_published) == ("Listening", 70, False)


def test_another_programs_module_and_material_are_not_found(world: Any) -> None:
    theirs = learning.save_module(
        actor=world.outsider,
        program=world.other_program,
        module=None,
        data={"title": "Harbor module", "hours": "1", "pass_mark": 50, "is_published": True},
    )
    material = learning.add_material(actor=world.outsider, module=theirs, kind="text", title="Theirs", body="Text")
    client = world.client_for(world.trainer)
    assert client.get(url("module", theirs.pk)).status_code == 404
    assert client.get(url("module_edit", theirs.pk)).status_code == 404
    assert client.get(url("material_file", material.pk)).status_code == 404
    assert world.client_for(world.supporter).get(url("my_module", theirs.pk)).status_code == 404


def test_a_supporter_takes_a_quiz_fails_then_passes(world: Any) -> None:
    the_module = module(world, max_attempts=3)
    quiz = with_quiz(world, the_module, 5)
    learning.add_material(
        actor=world.trainer, module=the_module, kind="video", title="Watch", url="https://v.example/1"
    )
    client = world.client_for(world.supporter)
    mine = client.get(url("my_learning")).content.decode()
    assert "Confidentiality basics" in mine and "left to do" in mine
    page = client.get(url("my_module", the_module.pk)).content.decode()
    assert "Question 1?" in page and "https://v.example/1" in page and "3 attempts left" in page
    missing = client.post(url("my_module", the_module.pk), {"what": "quiz", f"q{quiz[0][0]}": quiz[0][1]})
    assert missing.status_code == 400 and "Choose an answer." in missing.content.decode()
    failed = {f"q{q}": c for q, c in answers(quiz, 3).items()}
    assert client.post(url("my_module", the_module.pk), {"what": "quiz", **failed}).status_code == 302
    after = client.get(url("my_module", the_module.pk)).content.decode()
    assert "Your last attempt: 60%" in after and "The right answer" not in after  # not given away before the end
    passed = {f"q{q}": c for q, c in answers(quiz, 4).items()}
    assert client.post(url("my_module", the_module.pk), {"what": "quiz", **passed}).status_code == 302
    assert LearningCompletion.objects.filter(module=the_module, supporter=world.supporter_record).exists()
    done = client.get(url("my_module", the_module.pk)).content.decode()
    assert "Completed on" in done and "Send my answers" not in done
    assert client.post(url("my_module", the_module.pk), {"what": "quiz", **passed}).status_code == 400
    assert QuizAttempt.objects.count() == 2


def test_a_draft_is_not_open_to_supporters_and_a_module_without_quiz_is_marked_done(world: Any) -> None:
    draft = module(world, is_published=False)
    client = world.client_for(world.supporter)
    assert client.get(url("my_module", draft.pk)).status_code == 404
    assert "Confidentiality basics" not in client.get(url("my_learning")).content.decode()
    reading = module(world, title="Reading")
    assert client.post(url("my_module", reading.pk), {"what": "done"}).status_code == 302
    assert LearningCompletion.objects.filter(module=reading).exists()
    material = learning.add_material(actor=world.trainer, module=draft, kind="text", title="Draft text", body="x")
    assert client.get(url("my_material_file", material.pk)).status_code == 404


def test_trainers_follow_only_their_trainees_and_can_start_a_module_afresh(world: Any) -> None:
    the_module = module(world, max_attempts=1)
    quiz = with_quiz(world, the_module, 2)
    taught = cohort(world, name="Autumn course")
    mine = trainee(world.program, "Tia Trainee")
    training.enrol_trainee(actor=world.coordinator, cohort=taught, supporter=mine)
    other = trainee(world.program, "Nat Trainee")
    learning.submit_quiz(actor=mine.user, supporter=mine, module=the_module, answers=answers(quiz, 0))
    client = world.client_for(world.trainer)
    grid = client.get(url("learning_progress")).content.decode()
    assert "Tia Trainee" in grid and "Nat Trainee" not in grid and "out of attempts" in grid
    assert client.get(url("learner", other.pk)).status_code == 404
    assert "Nat Trainee" in world.client_for(world.coordinator).get(url("learning_progress")).content.decode()
    assert client.post(url("learner", mine.pk), {"module": the_module.pk, "reason": ""}).status_code == 400
    assert client.post(url("learner", mine.pk), {"module": the_module.pk, "reason": "Try again"}).status_code == 302
    assert not QuizAttempt.objects.filter(supporter=mine).exists()
    # The cohort's roster shows it too, and the trainee's own training page lists what is left.
    roster = client.get(reverse("training:cohort", args=["riverside", taught.pk])).content.decode()
    assert "Self-paced: 0 of 1" in roster
    own = world.client_for(mine.user).get(reverse("training:my_training", args=["riverside"])).content.decode()
    assert "1 of 1 modules left to do" in own


def test_a_completed_module_is_evidence_of_its_competencies(world: Any) -> None:
    from peerpath.programs.models import Competency

    competency = Competency.objects.filter(program=world.program, is_active=True).order_by("number").first()
    assert competency is not None
    the_module = learning.save_module(
        actor=world.trainer,
        program=world.program,
        module=None,
        data={"title": "Listening without fixing", "hours": "1", "pass_mark": 50, "is_published": True},
        competencies=[competency],
    )
    quiz = with_quiz(world, the_module, 2)
    taught = cohort(world, name="Autumn course")
    tia = trainee(world.program, "Tia Trainee")
    training.enrol_trainee(actor=world.coordinator, cohort=taught, supporter=tia)
    learning.submit_quiz(actor=tia.user, supporter=tia, module=the_module, answers=answers(quiz, 1))
    record = world.client_for(world.trainer).get(reverse("certification:record", args=["riverside", tia.pk]))
    page = record.content.decode()
    assert record.status_code == 200
    assert "Self-paced: Listening without fixing" in page and "(50%)" in page and url("learner", tia.pk) in page


@pytest.mark.parametrize("stage", ["in_training", "assessed", "alumni"])
def test_the_evidence_link_is_shown_exactly_to_those_who_may_open_it(world: Any, stage: str) -> None:
    """A completed module on the competency record links to the person's learning page; the
    link is shown to a member exactly when that page opens for them: coordinators (whatever the
    person's stage) and the trainers of a cohort the person is in. A trainer of another cohort
    opens neither the record nor the learning page."""
    from peerpath.credentials.access import may_see_learner
    from peerpath.programs.models import Competency, Membership
    from peerpath.recruitment.models import Supporter
    from peerpath.training.queries import evidence_by_competency
    from tests.factories import MembershipFactory

    competency = Competency.objects.filter(program=world.program, is_active=True).order_by("number").first()
    assert competency is not None
    the_module = learning.save_module(
        actor=world.trainer,
        program=world.program,
        module=None,
        data={"title": "Listening without fixing", "hours": "1", "pass_mark": 50, "is_published": True},
        competencies=[competency],
    )
    learning.add_material(actor=world.trainer, module=the_module, kind="text", title="Read", body="Text")
    other_trainer = MembershipFactory(program=world.program, is_trainer=True, user__full_name="Ursula Other").user
    cohort(world, name="Ursula's course", trainers=[other_trainer])
    taught = cohort(world, name="Autumn course")
    tia = trainee(world.program, "Tia Trainee")
    training.enrol_trainee(actor=world.coordinator, cohort=taught, supporter=tia)
    learning.mark_done(actor=tia.user, supporter=tia, module=the_module)
    Supporter.objects.filter(pk=tia.pk).update(stage=stage)
    record_url = reverse("certification:record", args=["riverside", tia.pk])
    expected = {world.coordinator: True, world.trainer: True, other_trainer: False}
    for viewer, sees in expected.items():
        client = world.client_for(viewer)
        record = client.get(record_url)
        learner_page = client.get(url("learner", tia.pk))
        assert (record.status_code, learner_page.status_code) == ((200, 200) if sees else (404, 404)), viewer
        membership = Membership.objects.get(program=world.program, user=viewer)
        assert may_see_learner(membership, tia) is sees
        [item] = evidence_by_competency(tia, membership)[competency.pk]["other"]
        assert item["url"] == (url("learner", tia.pk) if sees else "") and "Listening without fixing" in item["label"]
        if sees:
            assert url("learner", tia.pk) in record.content.decode()
    # Without a viewer (the API's record, which shows no links) nothing is linked.
    assert evidence_by_competency(tia)[competency.pk]["other"][0]["url"] == ""
