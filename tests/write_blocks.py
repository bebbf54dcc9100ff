"""Which statements ran inside which write transaction (issue 12, item 5: short write
transactions), for the tests that check a long operation holds the write lock briefly.

Every statement run inside `statements_by_block` is recorded under the outermost transaction
block opened inside it: inside the test's own transaction that block is a savepoint; in
production it is the `BEGIN IMMEDIATE` that takes SQLite's write lock. Statements run outside
any such block are recorded under None.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection


@contextmanager
def statements_by_block() -> Iterator[dict[Any, list[str]]]:
    base = len(connection.savepoint_ids)
    blocks: dict[Any, list[str]] = {}

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        ids = connection.savepoint_ids
        blocks.setdefault(ids[base] if len(ids) > base else None, []).append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield blocks


def blocks_writing(blocks: dict[Any, list[str]], table: str, verb: str = "INSERT INTO") -> list[list[str]]:
    """The transaction blocks that ran ``verb`` (INSERT INTO, DELETE FROM, UPDATE) on ``table``."""
    return [sqls for key, sqls in blocks.items() if key and any(f'{verb} "{table}"' in s for s in sqls)]


def reads(block: list[str]) -> list[str]:
    return [s for s in block if s.lstrip().upper().startswith("SELECT")]
