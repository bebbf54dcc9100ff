"""Writing many new rows with the database's write lock held briefly (imports).

On SQLite one connection writes at a time, so an import of thousands of rows must not do its
Python work (encrypting, converting every value for the database, building audit entries)
while it holds the lock. `PreparedRows` turns model instances into the statement and its
parameters beforehand; inside the write transaction `reserve_ids` takes the new rows' ids and
`PreparedRows.insert` runs one `executemany`, so the lock is held for the inserts alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models


class PreparedRows:
    """New rows of one model as SQL parameters, computed before the write transaction.

    Every concrete field is written; the primary key too with ``with_ids`` (set it from
    `reserve_ids`, when other new rows must point at these), otherwise the database numbers the
    rows. A column that needs an id known only inside the transaction (a new parent's) is
    filled with `set_column` just before `insert`.
    """

    def __init__(
        self,
        model: type[models.Model],
        objects: Iterable[models.Model],
        *,
        with_ids: bool = False,
        using: str = DEFAULT_DB_ALIAS,
    ):
        self.model = model
        self.using = using
        connection = connections[using]
        self.fields = [f for f in model._meta.concrete_fields if with_ids or not f.primary_key]
        self.rows = [
            [field.get_db_prep_save(field.pre_save(obj, add=True), connection=connection) for field in self.fields]
            for obj in objects
        ]
        self._index = {field.attname: i for i, field in enumerate(self.fields)}

    def __len__(self) -> int:
        return len(self.rows)

    def set_column(self, attname: str, values: Sequence[Any]) -> None:
        """Set one column of every row (values already as the database takes them: ids, text)."""
        column = self._index[attname]
        for row, value in zip(self.rows, values, strict=True):
            row[column] = value

    def insert(self) -> None:
        """Insert every row: one statement, run for all of them. Call inside the transaction."""
        if not self.rows:
            return
        connection = connections[self.using]
        quote = connection.ops.quote_name
        columns = ", ".join(quote(str(field.column)) for field in self.fields)
        marks = ", ".join(["%s"] * len(self.fields))
        sql = f"INSERT INTO {quote(self.model._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608 - names from the model
        with connection.cursor() as cursor:
            cursor.executemany(sql, self.rows)


def reserve_ids(model: type[models.Model], count: int, using: str = DEFAULT_DB_ALIAS) -> list[int]:
    """Ids for ``count`` new rows of ``model``: call inside the write transaction that inserts
    them. Never an id a deleted row had (on SQLite, past both the table's largest id and its
    AUTOINCREMENT counter, which the explicit ids then move on; on PostgreSQL, from the id
    column's sequence)."""
    if not count:
        return []
    connection = connections[using]
    table = model._meta.db_table
    column = str(model._meta.pk.column)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            quote = connection.ops.quote_name
            cursor.execute(
                f"SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "  # noqa: S608
                f"COALESCE((SELECT MAX({quote(column)}) FROM {quote(table)}), 0))",
                [table],
            )
            (last,) = cursor.fetchone()
            return list(range(last + 1, last + 1 + count))
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, column, count]
            )
            return [row[0] for row in cursor.fetchall()]
    raise NotImplementedError(f"reserve_ids does not know the {connection.vendor} database")
