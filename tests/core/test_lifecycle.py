"""The one status pipeline (`peerpath.core.lifecycle`): the helper's rules, then every lifecycle's
map checked pair by pair (allowed moves succeed with history and audit, every other is refused).
The supporter's pathway has its own pair-by-pair test in tests/recruitment/test_pathway.py."""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from decimal import Decimal
from itertools import product
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import connection
from django.db.models import Model, QuerySet
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from peerpath.care.lifecycle import BREAK, CARE_TASK, CHECKIN, NEWSLETTER
from peerpath.care.models import Break, BreakStatus, CareTask, CheckIn, Newsletter, TaskKind, TaskStatus
from peerpath.certification.lifecycle import ASSESSMENT, CE_ACTIVITY
from peerpath.certification.models import Assessment, CEActivity
from peerpath.core.lifecycle import Lifecycle
from peerpath.core.models import AuditEntry, OutgoingEmail
from peerpath.credentials.lifecycle import EXTERNAL_TRAINING
from peerpath.credentials.models import ExternalTraining, TrainingDomain
from peerpath.exchange.lifecycle import IMPORT_BATCH
from peerpath.exchange.models import ImportBatch
from peerpath.groups.lifecycle import COVER, MEMBER, SESSION
from peerpath.groups.models import CoverRequest, Group, GroupKind, GroupMember, GroupSession
from peerpath.hours.lifecycle import OTHER_DUTY
from peerpath.hours.models import OtherDuty
from peerpath.notifications.models import Delivery
from peerpath.plans.lifecycle import GOAL, NEED, REFERRAL
from peerpath.plans.models import Goal, Need, Referral
from peerpath.practice.lifecycle import PRACTICE_SESSION
from peerpath.practice.models import PracticeSession, Scenario
from peerpath.programs.models import Program
from peerpath.recruitment.lifecycle import SCREENING_INTERVIEW
from peerpath.recruitment.models import Stage, Supporter
from peerpath.recruitment.pathway import PATHWAY
from peerpath.support.lifecycle import CONCERN, MATCH_RUN, PARTICIPANT, RELATIONSHIP
from peerpath.support.models import Concern, ConcernKind, MatchRun, Participant, SupportRelationship
from peerpath.training.lifecycle import ENROLMENT
from peerpath.training.models import Attendance, CECategory, Cohort, Enrolment, EnrolmentChange, EnrolmentStatus
from tests.factories import TESTS, ProgramFactory, ScreeningInterviewFactory, SupporterFactory, UserFactory

pytestmark = pytest.mark.django_db

# Every module that declares lifecycles; the test below finds each Lifecycle in them.
LIFECYCLE_MODULES = [
    "peerpath.recruitment.pathway",
    "peerpath.recruitment.lifecycle",
    "peerpath.training.lifecycle",
    "peerpath.certification.lifecycle",
    "peerpath.support.lifecycle",
    "peerpath.care.lifecycle",
    "peerpath.groups.lifecycle",
    "peerpath.exchange.lifecycle",
    "peerpath.plans.lifecycle",
    "peerpath.hours.lifecycle",
    "peerpath.practice.lifecycle",
    "peerpath.credentials.lifecycle",
]


def today() -> dt.date:
    return timezone.localdate()


def _supporter(program: Program) -> Supporter:
    return SupporterFactory(program=program, stage=Stage.ACTIVE)


def _relationship(program: Program, state: str = "active") -> SupportRelationship:
    participant = Participant.objects.create(program=program, full_name="Dana Example")
    return SupportRelationship.objects.create(
        program=program, participant=participant, supporter=_supporter(program), state=state
    )


def _enrolment(program: Program, status: str = EnrolmentStatus.ENROLLED) -> Enrolment:
    cohort = Cohort.objects.create(program=program, name="Spring", starts_on=today(), ends_on=today())
    return Enrolment.objects.create(program=program, cohort=cohort, supporter=_supporter(program), status=status)


def _assessment(program: Program, status: str) -> Assessment:
    enrolment = _enrolment(program)
    return Assessment.objects.create(
        program=program, supporter=enrolment.supporter, cohort=enrolment.cohort, enrolment=enrolment, status=status
    )


def _concern(program: Program, state: str) -> Concern:
    relationship = _relationship(program)
    return Concern.objects.create(
        program=program,
        relationship=relationship,
        participant=relationship.participant,
        supporter=relationship.supporter,
        kind=ConcernKind.CONCERN,
        state=state,
    )


def _group(program: Program) -> Group:
    kind = GroupKind.objects.create(program=program, name="Peer support group")
    return Group.objects.create(
        program=program, kind=kind, name="Tuesday group", starts_on=today(), start_time=dt.time(18, 30)
    )


def _group_session(program: Program, status: str = "scheduled") -> GroupSession:
    moment = timezone.now() + dt.timedelta(days=7)
    return GroupSession.objects.create(
        group=_group(program), planned_for=moment, starts_at=moment, duration_minutes=90, status=status
    )


# How to make a record of each lifecycle in a given state (the pathway is tested elsewhere).
MAKERS: dict[Lifecycle[Any], Callable[[Program, str], Model]] = {
    CARE_TASK: lambda p, s: CareTask.objects.create(
        program=p, supporter=_supporter(p), kind=TaskKind.FOLLOW_UP, title="Call back", status=s
    ),
    BREAK: lambda p, s: Break.objects.create(program=p, supporter=_supporter(p), starts_on=today(), status=s),
    CHECKIN: lambda p, s: CheckIn.objects.create(program=p, supporter=_supporter(p), due_on=today(), status=s),
    NEWSLETTER: lambda p, s: Newsletter.objects.create(program=p, subject="News", body="Hello", status=s),
    SCREENING_INTERVIEW: lambda p, s: ScreeningInterviewFactory(supporter__program=p, status=s),
    ENROLMENT: _enrolment,
    ASSESSMENT: _assessment,
    CE_ACTIVITY: lambda p, s: CEActivity.objects.create(
        program=p,
        supporter=_supporter(p),
        date=today(),
        title="Ethics course",
        hours=Decimal("2"),
        category=CECategory.ETHICS,
        status=s,
    ),
    RELATIONSHIP: _relationship,
    PARTICIPANT: lambda p, s: Participant.objects.create(program=p, full_name="Eli Example", status=s),
    CONCERN: _concern,
    MATCH_RUN: lambda p, s: MatchRun.objects.create(program=p, state=s),
    SESSION: _group_session,
    MEMBER: lambda p, s: GroupMember.objects.create(
        group=_group(p), participant=Participant.objects.create(program=p, full_name="Gil Member"), status=s
    ),
    COVER: lambda p, s: CoverRequest.objects.create(session=_group_session(p), facilitator=_supporter(p), status=s),
    GOAL: lambda p, s: Goal.objects.create(program=p, relationship=_relationship(p), text="Walk every day", status=s),
    NEED: lambda p, s: Need.objects.create(
        program=p, participant=_relationship(p).participant, area="Housing", status=s
    ),
    REFERRAL: lambda p, s: Referral.objects.create(
        program=p, relationship=_relationship(p), resource_name="Food bank", state=s
    ),
    OTHER_DUTY: lambda p, s: OtherDuty.objects.create(
        program=p,
        supporter=_supporter(p),
        date=today(),
        kind="outreach",
        title="Stall at the fair",
        minutes=60,
        status=s,
    ),
    PRACTICE_SESSION: lambda p, s: PracticeSession.objects.create(
        program=p,
        scenario=Scenario.objects.create(program=p, title="Dana", persona="P", situation="S", hopes="H"),
        user=UserFactory(),
        status=s,
    ),
    EXTERNAL_TRAINING: lambda p, s: ExternalTraining.objects.create(
        program=p,
        supporter=_supporter(p),
        domain=TrainingDomain.objects.create(program=p, name="Ethics", hours_required=Decimal("10")),
        title="Ethics webinar",
        taken_on=today(),
        hours=Decimal("2"),
        status=s,
    ),
    IMPORT_BATCH: lambda p, s: ImportBatch.objects.create(
        program=p, kind="supporters", filename="people.csv", status=s
    ),
}
NAMES = {lifecycle: f"{lifecycle.model.__name__}.{lifecycle.field}" for lifecycle in MAKERS}
PAIRS = [(lc, a, b) for lc in MAKERS for a, b in product(lc.states, lc.states)]


def _declared() -> set[Lifecycle[Any]]:
    found: set[Lifecycle[Any]] = set()
    for name in LIFECYCLE_MODULES:
        found |= {v for v in vars(importlib.import_module(name)).values() if isinstance(v, Lifecycle)}
    return found


def test_every_declared_lifecycle_is_tested_pair_by_pair() -> None:
    assert _declared() == {*MAKERS, PATHWAY}


def test_every_model_with_a_state_field_has_a_lifecycle() -> None:
    # A new model with a status/state/stage choice field moves through a Lifecycle too.
    from django.apps import apps

    stateful = {
        (model, f.name)
        for model in apps.get_models()
        if model.__module__.startswith("peerpath.")
        for f in model._meta.get_fields()
        if f.name in {"status", "state", "stage"} and getattr(f, "choices", None)
    }
    # Attendance is a mark (present, late, absent, excused) recorded and corrected freely, not a
    # lifecycle. An outgoing e-mail's status is the delivery machinery's own bookkeeping (queued,
    # sending, sent, undelivered), moved by workers under their lease on every attempt; the moves
    # people must see, giving up and sending again, are audited by peerpath.core.outbox.
    # A notification's delivery status is the same machinery's bookkeeping for texts and e-mails.
    exempt = {
        (Attendance, "status"),
        (OutgoingEmail, "status"),
        (Delivery, "status"),
    }
    assert stateful - exempt == {(lc.model, lc.field) for lc in _declared()}


@pytest.mark.parametrize(("lifecycle", "start", "end"), PAIRS, ids=[f"{NAMES[lc]}:{a}->{b}" for lc, a, b in PAIRS])
def test_a_move_is_allowed_exactly_when_the_map_has_it(lifecycle: Lifecycle[Any], start: str, end: str) -> None:
    actor = UserFactory()
    obj = MAKERS[lifecycle](ProgramFactory(), start)
    table = type(obj)._meta.label_lower
    if end in lifecycle.transitions[start]:
        move = lifecycle.move(actor=actor, obj=obj, to=end, note="because")
        obj.refresh_from_db()
        assert getattr(obj, lifecycle.field) == end and move.from_state == start
        assert (move.history is not None) == (lifecycle.history is not None)
        entry = AuditEntry.objects.get(target_type=table, target_id=str(obj.pk))
        assert entry == move.entry and entry.actor == actor
        assert entry.changes[lifecycle.field] == [start, end]
    else:
        with pytest.raises(ValidationError) as refused:
            lifecycle.move(actor=actor, obj=obj, to=end)
        if lifecycle.refusal is None:
            labels = dict(type(obj)._meta.get_field(lifecycle.field).flatchoices)
            assert f"'{labels[start]}' to '{labels[end]}'" in refused.value.messages[0]
        else:  # a friendlier wording of its own
            assert refused.value.messages[0]
        obj.refresh_from_db()
        assert getattr(obj, lifecycle.field) == start
        assert not AuditEntry.objects.filter(target_type=table, target_id=str(obj.pk)).exists()


# --- The helper's own rules ---------------------------------------------------------------------


def test_a_refused_move_changes_nothing_and_writes_no_history_or_audit() -> None:
    enrolment = _enrolment(ProgramFactory(), EnrolmentStatus.COMPLETED)
    with pytest.raises(ValidationError) as refused:
        ENROLMENT.move(actor=UserFactory(), obj=enrolment, to=EnrolmentStatus.ENROLLED, changes={})
    message = refused.value.messages[0]
    assert message == "An enrolment cannot move from 'Completed' to 'Enrolled'."
    assert enrolment.status == EnrolmentStatus.COMPLETED  # the caller's copy is untouched too
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.COMPLETED
    assert not EnrolmentChange.objects.exists() and not AuditEntry.objects.exists()


def test_the_default_refusal_names_the_record_and_both_states_by_their_labels() -> None:
    participant = MAKERS[PARTICIPANT](ProgramFactory(), "ended")
    with pytest.raises(ValidationError) as refused:
        PARTICIPANT.move(actor=TESTS, obj=participant, to="matched")
    assert refused.value.messages == ["This participant cannot move from 'Support ended' to 'Matched'."]


def test_an_unknown_state_is_refused() -> None:
    task = MAKERS[CARE_TASK](ProgramFactory(), TaskStatus.OPEN)
    with pytest.raises(ValidationError, match="'finished' is not a valid status"):
        CARE_TASK.move(actor=TESTS, obj=task, to="finished")
    with pytest.raises(ValidationError):
        CARE_TASK.check(task, "finished")


def test_an_allowed_move_writes_history_and_audit_in_one_go() -> None:
    actor = UserFactory()
    enrolment = _enrolment(ProgramFactory())
    move = ENROLMENT.move(actor=actor, obj=enrolment, to=EnrolmentStatus.WITHDRAWN, note="Moved away")
    assert enrolment.status == EnrolmentStatus.WITHDRAWN  # the caller's copy carries the new state
    change = EnrolmentChange.objects.get(enrolment=enrolment)
    assert move.history == change
    assert (change.from_status, change.to_status, change.actor, change.reason) == (
        "enrolled",
        "withdrawn",
        actor,
        "Moved away",
    )
    entry = AuditEntry.objects.get()
    assert move.entry == entry
    assert (entry.action, entry.actor, entry.program, entry.note) == (
        "training.enrolment.status",
        actor,
        enrolment.program,
        "Moved away",
    )
    assert entry.changes == {"status": ["enrolled", "withdrawn"]}


def test_extra_fields_are_saved_with_the_state_and_audited_and_nothing_else_is_saved() -> None:
    actor = UserFactory()
    task = MAKERS[CARE_TASK](ProgramFactory(), TaskStatus.OPEN)
    task.title = "Changed in memory only"
    when = timezone.now()
    CARE_TASK.move(
        actor=actor,
        obj=task,
        to=TaskStatus.DONE,
        changes={"outcome": "Talked it through", "completed_at": when, "completed_by": actor},
    )
    saved = CareTask.objects.get(pk=task.pk)
    assert (saved.status, saved.outcome, saved.completed_at, saved.completed_by) == (
        "done",
        "Talked it through",
        when,
        actor,
    )
    assert saved.title == "Call back"  # one UPDATE of the state and the given fields only
    entry = AuditEntry.objects.get()
    assert entry.action == "care_task.status"
    assert entry.changes == {
        "status": ["open", "done"],
        "outcome": ["(changed)", "(changed)"],  # encrypted: the log records only that it changed
        "completed_at": [None, when.isoformat()],
        "completed_by": [None, str(actor)],
    }


def test_audit_changes_replace_the_field_values_and_unaudited_fields_never_show() -> None:
    batch = MAKERS[IMPORT_BATCH](ProgramFactory(), "preview")
    batch.rows = [{"number": 2, "values": {"full_name": "Secret Person"}}]
    batch.save()
    IMPORT_BATCH.move(actor=TESTS, obj=batch, to="discarded", changes={"payload": ""})
    entry = AuditEntry.objects.get()
    assert entry.changes == {"status": ["preview", "discarded"]} and "Secret" not in str(entry.changes)
    assert ImportBatch.objects.get(pk=batch.pk).rows == []
    run = MAKERS[MATCH_RUN](ProgramFactory(), "draft")
    MATCH_RUN.move(
        actor=TESTS,
        obj=run,
        to="published",
        changes={"published_at": timezone.now()},
        audit_action="match_run.publish",
        audit_changes={"offered": ["", 3]},
    )
    entry = AuditEntry.objects.get(action="match_run.publish")
    assert entry.changes == {"state": ["draft", "published"], "offered": ["", 3]}


def test_the_audit_action_may_name_the_new_state_and_the_note_may_stay_out_of_the_log() -> None:
    concern = _concern(ProgramFactory(), "open")
    CONCERN.move(actor=TESTS, obj=concern, to="acknowledged", note="Called the supporter back")
    entry = AuditEntry.objects.get()
    assert entry.action == "concern.acknowledged" and entry.note == ""
    assert concern.events.get().detail == "Called the supporter back"


def test_the_state_is_read_again_under_the_lock_not_taken_from_the_callers_copy() -> None:
    # Two requests hold the same planned break; the first starts it; the second's copy still
    # says "planned" but its move is refused from the state in the database.
    first = MAKERS[BREAK](ProgramFactory(), BreakStatus.PLANNED)
    second = Break.objects.get(pk=first.pk)
    BREAK.move(actor=TESTS, obj=first, to=BreakStatus.CURRENT)
    BREAK.check(second, BreakStatus.CURRENT)  # its stale copy alone would allow it
    with pytest.raises(ValidationError, match="Only a planned break can start"):
        BREAK.move(actor=TESTS, obj=second, to=BreakStatus.CURRENT)
    assert AuditEntry.objects.count() == 1


def test_only_from_narrows_the_map_for_one_service() -> None:
    brk = MAKERS[BREAK](ProgramFactory(), BreakStatus.CURRENT)
    with pytest.raises(ValidationError, match="Only a planned break can be cancelled"):
        BREAK.check(brk, BreakStatus.CANCELLED, only_from={BreakStatus.PLANNED})
    with pytest.raises(ValidationError, match="Only a planned break can be cancelled"):
        BREAK.move(actor=TESTS, obj=brk, to=BreakStatus.CANCELLED, only_from={BreakStatus.PLANNED})
    assert Break.objects.get(pk=brk.pk).status == BreakStatus.CURRENT
    BREAK.move(actor=TESTS, obj=brk, to=BreakStatus.CANCELLED)  # the map itself allows it (ended on day one)


def test_the_row_is_locked_before_the_state_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    task = MAKERS[CARE_TASK](ProgramFactory(), TaskStatus.OPEN)
    locked: list[type[Model]] = []
    original = QuerySet.select_for_update

    def spy(self: QuerySet[Any], *args: Any, **kwargs: Any) -> QuerySet[Any]:
        locked.append(self.model)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "select_for_update", spy)
    with CaptureQueriesContext(connection) as queries:
        CARE_TASK.move(actor=TESTS, obj=task, to=TaskStatus.DONE)
    assert locked == [CareTask]
    table = CareTask._meta.db_table
    reads = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT") and table in q["sql"]]
    assert len(reads) == 1  # the state, read once
    if connection.features.has_select_for_update:  # PostgreSQL; SQLite serialises writers instead
        assert "FOR UPDATE" in reads[0]


def test_allowed_from_lists_targets_in_the_order_of_the_choices() -> None:
    assert BREAK.allowed_from(BreakStatus.PLANNED) == ["current", "cancelled"]
    assert BREAK.allowed_from(BreakStatus.ENDED) == []
    assert CARE_TASK.states == ["open", "done"]
    assert BREAK.allows("current", "ended") and not BREAK.allows("ended", "current")


def test_terminal_states_have_empty_sets_and_every_state_is_in_each_map() -> None:
    for lifecycle in _declared():
        assert set(lifecycle.transitions) == set(lifecycle.states), lifecycle
        assert all(t <= set(lifecycle.states) for t in lifecycle.transitions.values()), lifecycle


def test_a_map_that_misses_a_state_or_names_an_unknown_one_is_refused_at_declaration() -> None:
    with pytest.raises(ImproperlyConfigured, match="missing"):
        Lifecycle(model=CareTask, field="status", transitions={"open": {"done"}}, audit_action="x")
    with pytest.raises(ImproperlyConfigured, match="unknown"):
        Lifecycle(model=CareTask, field="status", transitions={"open": {"closed"}, "done": set()}, audit_action="x")
    with pytest.raises(ImproperlyConfigured, match="no field"):
        Lifecycle(model=CareTask, field="status", transitions=CARE_TASK.transitions, audit_action="x", stamp="when")
    with pytest.raises(ImproperlyConfigured, match="no choices"):
        Lifecycle(model=CareTask, field="title", transitions={}, audit_action="x")
