"""The sample scenarios the demo ships: each can be played to an ending along every branch, and
the conversation reacts to how the trainee listens."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from peerpath.practice import services
from peerpath.practice.library import SCENARIOS
from peerpath.practice.models import Scenario, SessionStatus
from tests.practice.helpers import plans, play

pytestmark = pytest.mark.django_db


@pytest.fixture
def samples(world: Any) -> list[Scenario]:
    return services.add_sample_scenarios(actor=world.coordinator, program=world.program)


def test_the_samples_are_at_least_eight_playable_scenarios_across_areas(samples: list[Scenario]) -> None:
    assert len(samples) == len(SCENARIOS) >= 8
    assert {s.area for s in samples} >= {"mh", "ar", "ci", "vet", "re"}
    assert any(step.risk_cue for s in samples for step in s.steps.all())
    for scenario in samples:
        assert services.scenario_problems(scenario) == [], scenario.title
        assert scenario.is_published and scenario.competencies.exists()


def test_adding_the_samples_twice_adds_nothing(world: Any, samples: list[Scenario]) -> None:
    assert services.add_sample_scenarios(actor=world.coordinator, program=world.program) == []


@pytest.mark.parametrize("index", range(len(SCENARIOS)))
def test_every_branch_of_each_sample_plays_to_an_ending(world: Any, samples: list[Scenario], index: int) -> None:
    scenario = samples[index]
    walked = plans(scenario)
    assert walked
    for plan in walked:
        session = play(world.supporter, scenario, plan)
        assert session.status == SessionStatus.FINISHED, (scenario.title, plan)
        assert session.current_step is not None and session.current_step.is_ending
        assert session.rating in {"good", "fair", "needs_practice"}


def test_a_missed_risk_cue_escalates_and_is_in_the_summary(world: Any, samples: list[Scenario]) -> None:
    scenario = next(s for s in samples if s.title.startswith("Sam"))
    session = services.start_session(actor=world.supporter, program=world.program, scenario=scenario, supporter=None)
    services.reply(actor=world.supporter, session=session, text="What have these weeks been like?")
    session.refresh_from_db()
    assert session.current_step.risk_cue
    services.reply(actor=world.supporter, session=session, text="You're feeling like a burden to everyone.")
    session.refresh_from_db()
    assert session.current_step.key == "escalates"
    services.reply(actor=world.supporter, session=session, text="Are you thinking of ending your life?")
    session.refresh_from_db()
    assert session.current_step.key == "safety"
    services.reply(actor=world.supporter, session=session, text="Who could be with you tonight?")
    session.refresh_from_db()
    assert session.status == SessionStatus.FINISHED
    assert session.summary["risk_cue"] == "missed" and session.rating == "needs_practice"


def test_checking_the_risk_cue_at_once_is_handled(world: Any, samples: list[Scenario]) -> None:
    scenario = next(s for s in samples if s.title.startswith("Sam"))
    session = services.start_session(actor=world.supporter, program=world.program, scenario=scenario, supporter=None)
    services.reply(actor=world.supporter, session=session, text="It sounds like everything has got heavy lately.")
    services.reply(actor=world.supporter, session=session, text="Are you thinking about suicide?")
    services.reply(
        actor=world.supporter,
        session=session,
        text="Thank you for telling me. It sounds like you've been carrying this alone.",
    )
    session.refresh_from_db()
    assert session.status == SessionStatus.FINISHED and session.summary["risk_cue"] == "handled"


def test_replies_are_refused_when_empty_too_long_over_or_not_yours(world: Any, samples: list[Scenario]) -> None:
    session = services.start_session(actor=world.supporter, program=world.program, scenario=samples[0], supporter=None)
    with pytest.raises(ValidationError):
        services.reply(actor=world.supporter, session=session, text="   ")
    with pytest.raises(ValidationError):
        services.reply(actor=world.supporter, session=session, text="x" * 1001)
    with pytest.raises(ValidationError):
        services.reply(actor=world.trainer, session=session, text="Hello?")
    services.stop_session(actor=world.supporter, session=session)
    with pytest.raises(ValidationError):
        services.reply(actor=world.supporter, session=session, text="What happened?")
    session.refresh_from_db()
    assert session.status == SessionStatus.STOPPED and session.rating == ""


def test_the_refusals_are_in_the_persons_language(world: Any, samples: list[Scenario]) -> None:
    session = services.start_session(actor=world.supporter, program=world.program, scenario=samples[0], supporter=None)
    with translation.override("es"):
        with pytest.raises(ValidationError) as empty:
            services.reply(actor=world.supporter, session=session, text="   ")
        with pytest.raises(ValidationError) as long:
            services.reply(actor=world.supporter, session=session, text="x" * 1001)
        with pytest.raises(ValidationError) as settings:
            services.update_settings(
                actor=world.coordinator, program=world.program, data={"sessions_for_certification": 99}
            )
    assert empty.value.message_dict == {"text": ["Escribe tu respuesta."]}
    assert long.value.message_dict == {"text": ["Escribe menos de 1000 caracteres."]}
    assert settings.value.message_dict == {"sessions_for_certification": ["Entre 0 (desactivado) y 50."]}


def test_a_draft_is_not_playable_except_as_a_preview(world: Any, samples: list[Scenario]) -> None:
    draft = samples[0]
    draft.is_published = False
    draft.save()
    with pytest.raises(ValidationError):
        services.start_session(actor=world.supporter, program=world.program, scenario=draft, supporter=None)
    preview = services.start_session(
        actor=world.trainer, program=world.program, scenario=draft, supporter=None, preview=True
    )
    assert preview.is_preview
