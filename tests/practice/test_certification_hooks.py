"""The practice lab in certification: N sessions at "fair" or better as a requirement (off by
default), and practice time as continuing education where the program allows it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from peerpath.certification import requirements, rules
from peerpath.certification.models import CEActivity
from peerpath.certification.services import get_settings as certification_settings
from peerpath.certification.services import issue_certificate
from peerpath.practice import services
from peerpath.practice.models import PracticeSession, Scenario, SessionStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def samples(world: Any) -> list[Scenario]:
    return services.add_sample_scenarios(actor=world.coordinator, program=world.program)


def fair_session(world: Any, scenario: Scenario) -> PracticeSession:
    session = services.start_session(
        actor=world.supporter, program=world.program, scenario=scenario, supporter=world.supporter_record
    )
    for text in ("What has work been like?", "It sounds like you feel watched.", "What would help?"):
        session.refresh_from_db()
        if session.status == SessionStatus.IN_PROGRESS:
            services.reply(actor=world.supporter, session=session, text=text)
    session.refresh_from_db()
    assert session.status == SessionStatus.FINISHED and session.rating in {"fair", "good"}
    return session


def test_no_practice_is_required_by_default(world: Any) -> None:
    assert services.get_settings(world.program).sessions_for_certification == 0
    assert requirements.unmet(world.supporter_record) == []


def test_required_sessions_keep_certified_out_of_reach_until_done(world: Any, samples: list[Scenario]) -> None:
    settings = services.get_settings(world.program)
    settings.sessions_for_certification = 2
    settings.save()
    fair_session(world, samples[0])
    reasons = requirements.unmet(world.supporter_record)
    assert reasons == ["Practice lab: 2 sessions at 'fair' or better needed, 1 so far."]
    competent = rules.compute_outcome(
        ["competent"], attended=10, held=10, rules=certification_settings(world.program), unmet=reasons
    )
    assert competent.outcome != "certified" and reasons[0] in competent.reasons
    fair_session(world, samples[0])
    assert requirements.unmet(world.supporter_record) == []
    assert (
        rules.compute_outcome(["competent"], attended=10, held=10, rules=certification_settings(world.program)).outcome
        == "certified"
    )


def test_a_stopped_or_preview_session_never_counts(world: Any, samples: list[Scenario]) -> None:
    stopped = services.start_session(
        actor=world.supporter, program=world.program, scenario=samples[0], supporter=world.supporter_record
    )
    services.stop_session(actor=world.supporter, session=stopped)
    assert services.fair_sessions(world.supporter_record) == 0


def test_practice_time_counts_as_continuing_education_when_allowed(world: Any, samples: list[Scenario]) -> None:
    with pytest.raises(ValidationError):
        services.update_settings(
            actor=world.coordinator, program=world.program, data={"counts_as_continuing_education": True}
        )
    services.update_settings(
        actor=world.coordinator,
        program=world.program,
        data={"counts_as_continuing_education": True, "ce_category": "general", "sessions_for_certification": 0},
    )
    before_certificate = fair_session(world, samples[0])
    assert not CEActivity.objects.filter(supporter=world.supporter_record).exists()  # training, not CE
    issue_certificate(actor=world.coordinator, supporter=world.supporter_record)
    for minutes in (20, 90):  # a long session counts one hour at most
        session = fair_session(world, samples[0])
        PracticeSession.objects.filter(pk=session.pk).update(
            started_at=session.finished_at - dt.timedelta(minutes=minutes)
        )
        session.refresh_from_db()
        services.credit_practice_time(actor=world.supporter, session=session)
    activity = CEActivity.objects.get(supporter=world.supporter_record)
    assert activity.source_key == f"practice:{world.supporter_record.pk}:{timezone.localdate().isoformat()}"
    # 20 + 60 (capped) minutes, plus the first session's minute: 81 minutes, five whole quarters.
    assert activity.hours == Decimal("1.25") and activity.category == "general"
    assert activity.delivery == "self_paced"  # practising alone counts under the self-paced cap
    assert before_certificate.minutes == 1
