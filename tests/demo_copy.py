"""The demo program, loaded once per test process and copied into every test that asks for it.

`manage.py load_demo` costs 4 to 5 s of CPU (every app's demo, the practice lab's coder trained
to code its replies), and about twenty tests need the demo as data. `load_demo()` below does to
the test database what ``call_command("load_demo")`` does, by copying the rows the first real
load inserted:

- The first call in a process (and any call the copy cannot stand in for) runs the real
  ``load_demo`` and records, table by table, the rows it inserted exactly as the database holds
  them (SQLite: the stored values, no conversion; PostgreSQL: each row's text form), what it
  printed, the mail it sent and the files it stored.
- Every later call inserts those rows again (a few statements a table, in one transaction),
  prints the same output, puts the same mail in the outbox and stores any file missing from the
  storage, under the same name.

The copy stands in only where the real load would have done the same thing: on the same day (the
demo's dates count from today), on the same database engine, and into a database in the state
the copy was taken from, i.e. every table that was empty before the recorded load is empty now.
The recorded load may only insert (it never changes or deletes a row that was there before) and
its rows may not point at rows that were there before (content types and permissions, which a
committing test's flush makes again under new ids). Otherwise the real ``load_demo`` runs, and
its rows become the copy.

Loading the demo twice is still tested with the real command: the tests of idempotence call
``call_command("load_demo")`` after this, which must add nothing to the copy.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import sys
from dataclasses import dataclass, field
from typing import IO, Any

from django.apps import apps
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.core.management import call_command
from django.db import connection, models, transaction
from django.utils import timezone

Row = tuple[Any, ...]


@dataclass
class _Table:
    name: str
    columns: list[str]
    pk: int  # the index of the primary key among the columns
    model: type[models.Model]


@dataclass
class _Copy:
    day: dt.date
    vendor: str
    empty_before: frozenset[str]  # the tables empty before the recorded load
    rows: dict[str, list[Row]]  # table -> the rows the load inserted, as the database holds them
    output: str
    mail: list[Any]
    files: list[tuple[Storage, str, bytes]] = field(default_factory=list)


_copy: _Copy | None = None
_tables_cache: list[_Table] | None = None
# How often this process ran the real load_demo and how often it copied it (tests/test_demo_copy.py).
counts = {"loaded": 0, "copied": 0}


def load_demo(stdout: IO[str] | None = None) -> None:
    """Load the demo program into the test database, as ``call_command("load_demo", stdout=stdout)``
    does (the output goes to ``stdout``, else to ``sys.stdout``); see the module's docstring."""
    global _copy
    out = stdout if stdout is not None else sys.stdout
    if _copy is not None and _fits(_copy):
        _restore(_copy, out)
        counts["copied"] += 1
        return
    _copy = _record(out) or _copy
    counts["loaded"] += 1


def _tables() -> list[_Table]:
    global _tables_cache
    if _tables_cache is None:
        found = []
        for model in apps.get_models(include_auto_created=True):
            if not model._meta.managed or model._meta.proxy:
                continue
            columns = [f.column for f in model._meta.concrete_fields]
            found.append(_Table(model._meta.db_table, columns, columns.index(model._meta.pk.column), model))
        _tables_cache = found
    return _tables_cache


def _read(table: _Table) -> list[Row]:
    """Every row of ``table`` as the database holds it."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # `+column` is the stored value itself: an expression has no declared type, so
            # Python's sqlite3 module converts nothing (no dates or booleans parsed).
            cursor.execute(f"SELECT {', '.join('+' + quote(c) for c in table.columns)} FROM {quote(table.name)}")  # noqa: S608
        else:
            # The row's text form: exactly what the table's row type reads back (JSON, arrays, bytea).
            cursor.execute(f"SELECT t::text FROM {quote(table.name)} AS t")  # noqa: S608
        return [tuple(row) for row in cursor.fetchall()]


def _nonempty() -> set[str]:
    """The tables holding at least one row (one query)."""
    quote = connection.ops.quote_name
    parts = [f"SELECT %s WHERE EXISTS (SELECT 1 FROM {quote(t.name)})" for t in _tables()]  # noqa: S608
    found: set[str] = set()
    with connection.cursor() as cursor:
        for start in range(0, len(parts), 200):  # SQLite's limit on compound SELECTs is 500
            chunk = parts[start : start + 200]
            cursor.execute(" UNION ALL ".join(chunk), [t.name for t in _tables()[start : start + 200]])
            found.update(row[0] for row in cursor.fetchall())
    return found


def _fits(recorded: _Copy) -> bool:
    return (
        recorded.day == timezone.localdate()
        and recorded.vendor == connection.vendor
        and not (_nonempty() & recorded.empty_before)
    )


def _record(out: IO[str]) -> _Copy | None:
    """Run the real load_demo; return what it did as a copy, or None when a copy could not stand in."""
    tables = _tables()
    nonempty = _nonempty()
    before = {t.name: _read(t) for t in tables if t.name in nonempty}
    outbox = len(mail.outbox)
    printed = io.StringIO()
    call_command("load_demo", stdout=printed)
    out.write(printed.getvalue())
    rows: dict[str, list[Row]] = {}
    for table in tables:
        after = _read(table)
        if table.name in before:
            if sorted(map(repr, after)) != sorted(map(repr, before[table.name])):
                return None  # it changed what was there: no copy
            continue
        if after:
            rows[table.name] = after
    if not rows or _points_at(rows, before):
        return None  # it added nothing (the demo was there), or its rows need rows that were
    return _Copy(
        day=timezone.localdate(),
        vendor=connection.vendor,
        empty_before=frozenset(t.name for t in tables if t.name not in nonempty),
        rows=rows,
        output=printed.getvalue(),
        mail=copy.deepcopy(mail.outbox[outbox:]),
        files=_stored_files(rows),
    )


def _points_at(rows: dict[str, list[Row]], before: dict[str, list[Row]]) -> bool:
    """Whether a recorded row has a foreign key to a table that held rows before the load."""
    by_name = {t.name: t for t in _tables()}
    for name in rows:
        for f in by_name[name].model._meta.concrete_fields:
            if f.remote_field is not None and f.remote_field.model._meta.db_table in before:
                return True
    return False


def _stored_files(rows: dict[str, list[Row]]) -> list[tuple[Storage, str, bytes]]:
    """The files the recorded rows name (file fields), with their content."""
    files = []
    for model in {t.model for t in _tables() if t.name in rows}:
        file_fields = [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
        if not file_fields:
            continue
        for instance in model._base_manager.exclude(**{f.name: "" for f in file_fields}):
            for f in file_fields:
                stored = getattr(instance, f.name)
                if stored.name:
                    with stored.storage.open(stored.name, "rb") as handle:
                        files.append((stored.storage, stored.name, handle.read()))
    return files


def _restore(recorded: _Copy, out: IO[str]) -> None:
    quote = connection.ops.quote_name
    by_name = {t.name: t for t in _tables()}
    with transaction.atomic(), connection.cursor() as cursor:  # foreign keys are checked at the end
        for name, rows in recorded.rows.items():
            table = by_name[name]
            if connection.vendor == "sqlite":
                marks = ", ".join(["%s"] * len(table.columns))
                columns = ", ".join(quote(c) for c in table.columns)
                cursor.executemany(f"INSERT INTO {quote(name)} ({columns}) VALUES ({marks})", rows)  # noqa: S608
            else:
                cursor.execute(
                    f"INSERT INTO {quote(name)} SELECT (r::{quote(name)}).* FROM unnest(%s::text[]) AS r",  # noqa: S608
                    [[row[0] for row in rows]],
                )
                pk = table.model._meta.pk
                if isinstance(pk, models.AutoField):
                    # Later rows are numbered after the copied ones, never among them.
                    highest = f"(SELECT max({quote(pk.column)}) FROM {quote(name)})"  # noqa: S608
                    cursor.execute(
                        f"SELECT setval(s::regclass, GREATEST(nextval(s::regclass), {highest})) "  # noqa: S608
                        "FROM pg_get_serial_sequence(%s, %s) AS s",
                        [quote(name), pk.column],
                    )
    for storage, name, content in recorded.files:
        if not storage.exists(name):
            saved = storage.save(name, ContentFile(content))
            assert saved == name, f"the demo's file {name} was stored as {saved}"
    mail.outbox.extend(copy.deepcopy(recorded.mail))
    out.write(recorded.output)
