from __future__ import annotations

from typing import Any

from peerpath.certification import services
from peerpath.certification.models import Assessment
from peerpath.recruitment.models import Supporter
from peerpath.training import services as training
from peerpath.training.models import Cohort
from tests.training.helpers import attend, cohort, held_sessions, trainee


def ready_trainee(world: Any, attended: int = 5, held: int = 5, name: str = "Tia Trainee") -> tuple[Cohort, Supporter]:
    """A trainee enrolled in a cohort taught by world.trainer, with `attended` of `held` sessions."""
    the_cohort = cohort(world, name=f"Course of {name}")
    person = trainee(world.program, name)
    training.enrol_trainee(actor=world.trainer, cohort=the_cohort, supporter=person)
    sessions = held_sessions(world, the_cohort, held)
    attend(world, sessions, person, ["present"] * attended + ["absent"] * (held - attended))
    return the_cohort, person


def rate(world: Any, the_cohort: Cohort, person: Supporter, levels: list[str]) -> Assessment:
    """Rate the program's active competencies in order with the given levels (padded with the last)."""
    assessment = services.open_assessment(actor=world.trainer, cohort=the_cohort, supporter=person)
    competencies = list(world.program.competencies.filter(is_active=True).order_by("number"))
    padded = levels + [levels[-1]] * (len(competencies) - len(levels))
    services.save_ratings(
        actor=world.trainer,
        assessment=assessment,
        ratings={c.pk: (level, "") for c, level in zip(competencies, padded, strict=False)},
    )
    return assessment
