"""Fixtures every test can use, registered in tests/conftest.py through `pytest_plugins`.

The shared data comes in levels: the personas' world (two programs with their default content,
one person per role, an outsider), the support personas on it (`support`) and the API records on
those (`api_world`). Each level is built ONCE per test session (per xdist worker), when a test
first asks for it, and committed in the test database. Every test that touches the database then
runs in a transaction that rolls back to it, so a test may change or delete anything freely. The
fixtures hand each test fresh instances of the rows (one query per model), never objects another
test has touched. See docs/development.md, "Tests".

A test sees only the levels it asks for: the levels above are undone inside the test's
transaction first (the rows building them inserted are deleted and the rows they changed set
back, a few statements, rolled back with the test). A database test that asks for none starts
from the empty database as before, so its counts and `.get()`s mean what they say.

A test that commits (`transactional_db`, `live_server`, `django_db(transaction=True)`) empties
every table when it ends; the next test that asks for a level finds it gone and builds it again,
so such tests cost a rebuild but break nothing.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, models, transaction
from django.db.models.sql.compiler import SQLCompiler
from django.test import Client
from django.utils import timezone, translation

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


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in the default language: a page requested in Spanish leaves Spanish
    active in the thread (LocaleMiddleware activates it and nothing resets it), and a later test
    would then name records and compare labels in Spanish."""
    translation.deactivate()
    yield
    translation.deactivate()


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


def build_world() -> dict[str, models.Model]:
    """Create the world's rows and return them by name."""
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
    return {
        "program": program,
        "other_program": other,
        "coordinator": coordinator,
        "trainer": trainer,
        "supervisor": supervisor,
        "supporter": supporter,
        "outsider": outsider,
        "supporter_record": record,
        "outsider_record": outsider_record,
    }


def _world_of(rows: dict[str, Any]) -> World:
    """The World of freshly fetched rows, hanging together as when the world was made in the test."""
    record, outsider_record = rows["supporter_record"], rows["outsider_record"]
    record.program, record.user = rows["program"], rows["supporter"]
    outsider_record.program = rows["other_program"]
    return World(**{field.name: rows[field.name] for field in fields(World)})


# The shared data, in levels ----------------------------------------------------------------
#
# Each level (the world, the support personas, the API records) is built once and committed, on
# top of the levels below it, when a test first asks for it; what building it inserted and
# changed is recorded (a diff of every table, taken once). A test gets the level it asks for by
# undoing, inside its own transaction, the levels above: the rows they inserted are deleted and
# the rows they changed are set back (a few statements). A test asking for no level undoes them
# all, and starts from the empty database.

Row = tuple[Any, ...]


def _tables() -> list[type[models.Model]]:
    return [m for m in apps.get_models(include_auto_created=True) if m._meta.managed and not m._meta.proxy]


@functools.cache
def _reader(model: type[models.Model]) -> tuple[SQLCompiler, str, tuple[Any, ...]]:
    """The compiled query reading a whole table (the key, then every concrete field), compiled once:
    building and compiling a queryset per table cost more than running it."""
    names = [field.attname for field in model._meta.concrete_fields]
    compiler = model._base_manager.values_list("pk", *names).query.get_compiler(using=connection.alias)
    sql, params = compiler.as_sql()
    return compiler, sql, tuple(params)


def _snapshot() -> dict[type[models.Model], dict[Any, Row]]:
    """Every row of every table as the database holds it (not converted to Python values: only
    compared, and converted by `_as_python` where a level's undo needs them)."""
    snapshot = {}
    with connection.cursor() as cursor:
        for model in _tables():
            _compiler, sql, params = _reader(model)
            cursor.execute(sql, params)
            snapshot[model] = {row[0]: tuple(row) for row in cursor.fetchall()}
    return snapshot


def _as_python(model: type[models.Model], row: Row) -> Row:
    """A row of `_snapshot` with its values converted as the ORM reads them (decrypted, parsed)."""
    compiler, _sql, _params = _reader(model)
    return tuple(next(iter(compiler.results_iter(results=[[row]]))))


@dataclass
class Level:
    name: str
    objects: dict[str, tuple[type[models.Model], Any]]  # the level's named rows: model and key
    inserted: dict[type[models.Model], list[Any]]  # keys of the rows building it inserted
    changed: dict[type[models.Model], dict[Any, dict[str, Any]]]  # rows it changed: their values before
    emptied: set[type[models.Model]]  # tables empty before the first level: undone with one DELETE

    def rows(self) -> dict[str, models.Model]:
        """Fresh instances of the level's named rows (one query per model)."""
        by_model: dict[type[models.Model], list[Any]] = {}
        for model, pk in self.objects.values():
            by_model.setdefault(model, []).append(pk)
        fetched = {model: model._base_manager.in_bulk(pks) for model, pks in by_model.items()}
        return {name: fetched[model][pk] for name, (model, pk) in self.objects.items()}

    def present(self) -> bool:
        model, pk = next(iter(self.objects.values()))
        return model._base_manager.filter(pk=pk).exists()

    def undo(self, *, to_nothing: bool) -> None:
        quote = connection.ops.quote_name
        with transaction.atomic(), connection.cursor() as cursor:  # foreign keys are checked at the end
            for model, pks in self.inserted.items():
                table, column = quote(model._meta.db_table), quote(model._meta.pk.column)
                if to_nothing and model in self.emptied:
                    cursor.execute(f"DELETE FROM {table}")  # noqa: S608 (a table name Django gave)
                    continue
                for start in range(0, len(pks), 500):
                    chunk = pks[start : start + 500]
                    marks = ", ".join(["%s"] * len(chunk))
                    cursor.execute(f"DELETE FROM {table} WHERE {column} IN ({marks})", chunk)  # noqa: S608
            for model, rows in () if to_nothing else self.changed.items():
                for pk, values in rows.items():
                    model._base_manager.filter(pk=pk).update(**values)


def _measure(
    name: str, build: Any, below: dict[str, Level], before: dict[type[models.Model], dict[Any, Row]]
) -> tuple[Level, Any]:
    """Build a level (in one transaction) and record what it inserted and changed."""
    with transaction.atomic():
        made = build(below)
    after = _snapshot()
    inserted: dict[type[models.Model], list[Any]] = {}
    changed: dict[type[models.Model], dict[Any, dict[str, Any]]] = {}
    for model, rows in after.items():
        old = before[model]
        gone = old.keys() - rows.keys()
        assert not gone, f"building the {name} level deleted {model.__name__} rows; a level may only add and change"
        if new := [pk for pk in rows if pk not in old]:
            inserted[model] = new
        names = [field.attname for field in model._meta.concrete_fields]
        for pk, row in rows.items():
            if pk in old and old[pk] != row:
                before_values = _as_python(model, old[pk])
                changed.setdefault(model, {})[before_values[0]] = {
                    names[i - 1]: before_values[i] for i in range(1, len(row)) if old[pk][i] != row[i]
                }
    objects = {key: (type(obj), obj.pk) for key, obj in made.items()}
    return Level(name, objects, inserted, changed, set()), after


class _Shared:
    levels: list[Level] = []  # the levels committed in the database, lowest first
    base_empty: set[type[models.Model]] = set()


LEVELS = ("world", "support", "api_world")


def _build_support(below: dict[str, Level]) -> dict[str, models.Model]:
    return build_support(_world_of(below["world"].rows()))


def _build_api(below: dict[str, Level]) -> dict[str, models.Model]:
    world = _world_of(below["world"].rows())
    return build_api_world(_support_of(world, below["support"].rows()))


BUILDERS = {"world": lambda below: build_world(), "support": _build_support, "api_world": _build_api}


def _ensure_levels(wanted: int) -> None:
    """The levels up to ``wanted`` (an index of LEVELS) committed, dropping the ones a committing
    test emptied and building what is missing."""
    levels = _Shared.levels
    for i, level in enumerate(levels):
        if not level.present():
            del levels[i:]
            break
    if len(levels) > wanted:
        return
    before = _snapshot()
    if not levels:
        _Shared.base_empty = {model for model, rows in before.items() if not rows}
    while len(levels) <= wanted:
        name = LEVELS[len(levels)]
        level, before = _measure(name, BUILDERS[name], {lv.name: lv for lv in levels}, before)
        level.emptied = _Shared.base_empty
        levels.append(level)


def _undo_levels_above(level: int) -> None:
    """Inside the test's transaction: undo every committed level above ``level`` (-1: all)."""
    for above in reversed(_Shared.levels[level + 1 :]):
        above.undo(to_nothing=level < 0)


def _level_asked(names: list[str]) -> int:
    for i in reversed(range(len(LEVELS))):
        if LEVELS[i] in names:
            return i
    return -1


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    """pytest-django's test database, plus the shared world committed in it once."""
    with django_db_blocker.unblock():
        if Program.objects.filter(slug__in=PROGRAM_SLUGS).exists():  # a database kept by --reuse-db
            call_command("flush", interactive=False, verbosity=0)
        _Shared.levels = []
        _ensure_levels(0)


DB_FIXTURES = ("db", "transactional_db", "live_server", "django_db_reset_sequences", "django_db_serialized_rollback")


@pytest.fixture(autouse=True)
def _world_only_where_asked(request: pytest.FixtureRequest) -> None:
    """A database test that does not ask for `world` starts without it: the shared levels are
    undone in the test's transaction (and come back when it rolls back)."""
    names = request.fixturenames
    if _level_asked(names) >= 0:
        return
    if request.node.get_closest_marker("django_db") is None and not any(name in names for name in DB_FIXTURES):
        return
    request.getfixturevalue("_django_db_helper")  # the test's transaction, opened now rather than next
    for i, level in enumerate(_Shared.levels):
        if not level.present():  # emptied by a committing test
            del _Shared.levels[i:]
            break
    _undo_levels_above(-1)


@pytest.fixture
def _world_rows(request: pytest.FixtureRequest, django_db_setup: None, django_db_blocker: Any) -> int:
    """The shared levels the test asks for, built (and committed) if missing. Requested before
    `db`, so a level built here is committed and serves the tests after it too."""
    wanted = _level_asked(request.fixturenames)
    with django_db_blocker.unblock():
        _ensure_levels(wanted)
    return wanted


@pytest.fixture
def world(_world_rows: int, db: Any) -> World:
    """The standing personas, as fresh instances of the shared world's rows."""
    _undo_levels_above(_world_rows)
    mail.outbox.clear()
    return _world_of(_Shared.levels[0].rows())


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


def build_support(world: World) -> dict[str, models.Model]:
    """Create the support personas' rows on the world and return them by name."""
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
    return {
        "ana": ana,
        "grief": grief,
        "anxiety": anxiety,
        "uma": uma,
        "uma_user": uma_user,
        "ben": ben,
        "waiting": waiting,
        "ana_rel": ana_rel,
        "ben_rel": ben_rel,
    }


def _support_of(world: World, rows: dict[str, Any]) -> SupportWorld:
    """The SupportWorld of freshly fetched rows, hanging together as when it was made in the test."""
    priya, uma, uma_user = world.supporter_record, rows["uma"], rows["uma_user"]
    if priya.supervisor_id == world.supervisor.pk:
        priya.supervisor = world.supervisor
    uma.program, uma.user = world.program, uma_user
    for name in ("grief", "anxiety", "ana", "ben", "waiting"):
        rows[name].program = world.program
    for name, participant, supporter in (("ana_rel", rows["ana"], priya), ("ben_rel", rows["ben"], uma)):
        rows[name].participant, rows[name].supporter = participant, supporter
    return SupportWorld(
        world=world,
        priya=priya,
        **{name: rows[name] for name in (f.name for f in fields(SupportWorld)) if name in rows},
    )


@pytest.fixture
def support(world: World) -> SupportWorld:
    """The support personas (built once, like the world; see "The shared data, in levels")."""
    return _support_of(world, _Shared.levels[1].rows())


# The API records -----------------------------------------------------------------------------


@dataclass
class ApiWorld:
    """The support personas plus training, certification and care records."""

    support: Any
    cohort: Any  # taught by world.trainer
    other_cohort: Any  # taught by another trainer
    session: Any  # a started session of `cohort`
    trainee: Any  # enrolled in `cohort`
    certificate: Any  # Priya's (world.supporter's) certificate
    activity: Any  # a CE activity Priya logged
    meeting: Any  # supervision of Priya by world.supervisor
    contact: Any  # a contact Priya logged with Ana

    def __getattr__(self, name: str) -> Any:
        return getattr(self.support, name)


def build_api_world(support: SupportWorld) -> dict[str, models.Model]:
    """Create the API records on the support personas and return them by name."""
    from peerpath.care.services import supervision as care_supervision
    from peerpath.certification import services as certification
    from peerpath.support.services import contacts as support_contacts
    from peerpath.training import services as training
    from tests.training.helpers import cohort, session, trainee

    world = support.world
    taught = cohort(world, name="Autumn course")
    other_trainer = MembershipFactory(program=world.program, is_trainer=True).user
    other = cohort(world, name="Winter course", trainers=[other_trainer])
    person = trainee(world.program, "Tia Trainee")
    training.enrol_trainee(actor=world.trainer, cohort=taught, supporter=person)
    started = session(world, taught, days_ago=2, title="Listening")
    activity = certification.log_ce_activity(
        actor=world.supporter,
        supporter=support.priya,
        date=timezone.localdate() - dt.timedelta(days=3),
        title="Ethics refresher",
        provider="State board",
        hours=Decimal("2"),
        category="ethics",
    )
    meeting = care_supervision.log_meeting(
        actor=world.supervisor,
        program=world.program,
        kind="one_on_one",
        held_on=timezone.localdate() - dt.timedelta(days=1),
        duration_minutes=45,
        supervisor=world.supervisor,
        attendees=[support.priya],
        topics="Boundaries",
        notes="Private supervision notes",
    )
    contact = support_contacts.log_contact(
        actor=world.supporter,
        relationship=support.ana_rel,
        data={
            "contacted_on": timezone.localdate() - dt.timedelta(days=2),
            "channel": "phone",
            "reached": True,
            "tasks": ["rapport"],
            "kind": "first",
            "notes": "Talked about her week",
            "next_follow_up": timezone.localdate() + dt.timedelta(days=5),
        },
    )
    certificate = certification.current_certificate(support.priya)
    assert certificate is not None
    return {
        "cohort": taught,
        "other_cohort": other,
        "session": started,
        "trainee": person,
        "certificate": certificate,
        "activity": activity,
        "meeting": meeting,
        "contact": contact,
    }


@pytest.fixture
def api_world(support: SupportWorld) -> ApiWorld:
    """The API records (built once, like the world; see "The shared data, in levels")."""
    rows = _Shared.levels[2].rows()
    rows["session"].cohort = rows["cohort"]
    rows["contact"].relationship = support.ana_rel
    return ApiWorld(support=support, **rows)
