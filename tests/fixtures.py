"""Fixtures every test can use, registered in tests/conftest.py through `pytest_plugins`.

The personas' world (two programs with their default content, one person per role, an outsider)
is built ONCE per test session (per xdist worker) and committed in the test database, right after
the database is created (`django_db_setup`). Every test that touches the database then runs in a
transaction that rolls back to it, so a test may change or delete anything in the world freely.
The `world` fixture hands each test fresh instances of the world's rows (three queries), never
objects another test has touched. See docs/development.md, "Tests".

Only tests that ask for `world` (or a fixture built on it, such as `support`) see it: for any
other database test the world's tables are emptied inside the test's transaction first (a few
DELETE statements, rolled back with the test), so such a test starts from the empty database as
before and its counts and `.get()`s mean what they say.

A test that commits (`transactional_db`, `live_server`, `django_db(transaction=True)`) empties
every table when it ends; the next test that asks for `world` finds the world gone and builds it
again, so such tests cost a rebuild but break nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client

from peerpath.core.models import User
from peerpath.programs.models import FocusArea, Program
from peerpath.programs.signals import program_created
from peerpath.recruitment.models import Stage, Supporter
from peerpath.support.models import Participant, SupportRelationship
from tests.factories import (
    TESTS,
    FocusAreaFactory,
    MembershipFactory,
    ProgramFactory,
    SupporterFactory,
    UserFactory,
)
from tests.support.helpers import make_participant, match, profile


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    """Each test starts with an empty cache: database rows rolled back by one test can come back
    with the same ids in the next, and must not meet figures or pages kept for the old ones."""
    cache.clear()
    yield


# The standing world ------------------------------------------------------------------------


@dataclass
class World:
    program: Program  # "riverside"
    coordinator: User
    trainer: User
    supervisor: User
    supporter: User
    supporter_record: Supporter  # the supporter's pathway record (active)
    other_program: Program  # "harbor"
    outsider: User  # coordinator of the other program
    outsider_record: Supporter  # a person on the other program's pathway

    def client_for(self, user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client


PROGRAM_SLUGS = ("riverside", "harbor")


def make_program(slug: str, name: str) -> Program:
    """A program with the default content a new program starts with (as `create_program` gives)."""
    program = ProgramFactory(slug=slug, name=name)
    program_created.send(sender=Program, program=program, actor=TESTS)
    return program


@dataclass(frozen=True)
class WorldKeys:
    """The primary keys of the shared world's rows."""

    program: int
    other_program: int
    coordinator: int
    trainer: int
    supervisor: int
    supporter: int
    outsider: int
    supporter_record: int
    outsider_record: int


def build_world() -> WorldKeys:
    """Create the world's rows (in one transaction) and return their keys."""
    with transaction.atomic():
        program = make_program("riverside", "Riverside")
        other = make_program("harbor", "Harbor")
        coordinator = MembershipFactory(program=program, is_coordinator=True, user__full_name="Cora Coordinator").user
        trainer = MembershipFactory(program=program, is_trainer=True, user__full_name="Theo Trainer").user
        supervisor = MembershipFactory(program=program, is_supervisor=True, user__full_name="Sam Supervisor").user
        supporter = MembershipFactory(program=program, is_supporter=True, user__full_name="Priya Supporter").user
        record = SupporterFactory(
            program=program, user=supporter, full_name=supporter.full_name, email=supporter.email, stage=Stage.ACTIVE
        )
        outsider = MembershipFactory(program=other, is_coordinator=True, user__full_name="Olga Outsider").user
        outsider_record = SupporterFactory(program=other, full_name="Hidden Harbor Applicant")
    return WorldKeys(
        program=program.pk,
        other_program=other.pk,
        coordinator=coordinator.pk,
        trainer=trainer.pk,
        supervisor=supervisor.pk,
        supporter=supporter.pk,
        outsider=outsider.pk,
        supporter_record=record.pk,
        outsider_record=outsider_record.pk,
    )


class _Shared:
    keys: WorldKeys | None = None
    tables: list[str] = []  # the tables the world puts rows in


def _row_counts() -> dict[str, int]:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        counts = {}
        for table in connection.introspection.django_table_names(only_existing=True, include_views=False):
            cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 (a table name Django gave)
            counts[table] = cursor.fetchone()[0]
    return counts


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    """pytest-django's test database, plus the shared world committed in it once."""
    with django_db_blocker.unblock():
        if Program.objects.filter(slug__in=PROGRAM_SLUGS).exists():  # a database kept by --reuse-db
            call_command("flush", interactive=False, verbosity=0)
        before = _row_counts()
        _Shared.keys = build_world()
        _Shared.tables = sorted(table for table, count in _row_counts().items() if count > before.get(table, 0))


DB_FIXTURES = ("db", "transactional_db", "live_server", "django_db_reset_sequences", "django_db_serialized_rollback")


@pytest.fixture(autouse=True)
def _world_only_where_asked(request: pytest.FixtureRequest) -> None:
    """A database test that does not ask for `world` starts without it: the world's tables are
    emptied in the test's transaction (and come back when it rolls back)."""
    names = request.fixturenames
    if "world" in names:
        return
    if request.node.get_closest_marker("django_db") is None and not any(name in names for name in DB_FIXTURES):
        return
    request.getfixturevalue("_django_db_helper")  # the test's transaction, opened now rather than next
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:  # foreign keys are checked at the end
        for table in _Shared.tables:
            cursor.execute(f"DELETE FROM {quote(table)}")  # noqa: S608 (a table name Django gave)


@pytest.fixture
def _world_rows(django_db_setup: None, django_db_blocker: Any) -> WorldKeys:
    """The shared world's keys, rebuilding the world if a committing test emptied the tables.
    Requested before `db`, so a rebuild is committed and serves the tests after it too."""
    with django_db_blocker.unblock():
        if _Shared.keys is None or not Program.objects.filter(pk=_Shared.keys.program).exists():
            _Shared.keys = build_world()
    return _Shared.keys


@pytest.fixture
def world(_world_rows: WorldKeys, db: Any) -> World:
    """The standing personas, as fresh instances of the shared world's rows."""
    keys = _world_rows
    programs = Program.objects.in_bulk([keys.program, keys.other_program])
    users = User.objects.in_bulk([keys.coordinator, keys.trainer, keys.supervisor, keys.supporter, keys.outsider])
    records = Supporter.objects.in_bulk([keys.supporter_record, keys.outsider_record])
    program, other = programs[keys.program], programs[keys.other_program]
    record, outsider_record = records[keys.supporter_record], records[keys.outsider_record]
    # The same instances hang together as when the world was made in the test.
    record.program, record.user = program, users[keys.supporter]
    outsider_record.program = other
    mail.outbox.clear()
    return World(
        program=program,
        coordinator=users[keys.coordinator],
        trainer=users[keys.trainer],
        supervisor=users[keys.supervisor],
        supporter=users[keys.supporter],
        supporter_record=record,
        other_program=other,
        outsider=users[keys.outsider],
        outsider_record=outsider_record,
    )


@pytest.fixture
def user_factory(db: Any) -> type[UserFactory]:
    return UserFactory


# The support personas ----------------------------------------------------------------------


@dataclass
class SupportWorld:
    """The standing world plus a supervised supporter with a participant, a second supporter (Uma)
    with her own participant, and a participant waiting for a match."""

    world: Any
    grief: FocusArea
    anxiety: FocusArea
    priya: Supporter  # world.supporter's pathway record, supervised by world.supervisor
    uma: Supporter
    uma_user: User
    ana: Participant  # matched with Priya
    ben: Participant  # matched with Uma
    waiting: Participant  # on the waiting list
    ana_rel: SupportRelationship
    ben_rel: SupportRelationship

    def __getattr__(self, name: str) -> Any:
        return getattr(self.world, name)


@pytest.fixture
def support(world: World) -> SupportWorld:
    grief = FocusAreaFactory(program=world.program, name="Grief and loss")
    anxiety = FocusAreaFactory(program=world.program, name="Anxiety")
    priya = world.supporter_record
    priya.supervisor = world.supervisor
    priya.languages = ["English", "Spanish"]
    priya.save()
    priya.focus_areas.set([grief])
    uma_user = MembershipFactory(program=world.program, is_supporter=True, user__full_name="Uma Iyer").user
    uma = SupporterFactory(
        program=world.program, user=uma_user, full_name="Uma Iyer", email=uma_user.email, stage=Stage.ACTIVE
    )
    uma.languages = ["English", "Tamil"]
    uma.save()
    uma.focus_areas.set([anxiety])
    profile(world, priya)
    profile(world, uma)
    ana = make_participant(world, full_name="Ana Lopez", focus_areas=[grief])
    ben = make_participant(
        world, full_name="Ben Okoro", email="ben@example.net", languages=["English"], focus_areas=[anxiety]
    )
    ana_rel = match(world, ana, priya, world.supporter)
    ben_rel = match(world, ben, uma, uma_user)
    waiting = make_participant(
        world, full_name="Carla Diaz", email="carla@example.net", languages=["Spanish"], focus_areas=[grief]
    )
    mail.outbox.clear()
    return SupportWorld(world, grief, anxiety, priya, uma, uma_user, ana, ben, waiting, ana_rel, ben_rel)
