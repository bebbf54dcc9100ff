"""The copied demo (tests/demo_copy.py) is what `manage.py load_demo` makes, and stands in for it
only where the real load would have made the same."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction

from peerpath.core.models import User
from peerpath.demo.content import DEMO_PASSWORD, DOMAIN
from tests import demo_copy
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def rows_per_table() -> dict[str, int]:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        found = {}
        for table in demo_copy._tables():
            cursor.execute(f"SELECT count(*) FROM {quote(table.name)}")  # noqa: S608
            found[table.name] = cursor.fetchone()[0]
    return found


def stored(folder: Path) -> list[bytes]:
    return sorted(path.read_bytes() for path in folder.rglob("*") if path.is_file())


def test_the_copy_is_what_load_demo_makes(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "real"
    real_output = io.StringIO()
    before = transaction.savepoint_create()
    call_command("load_demo", stdout=real_output)
    real = rows_per_table()
    transaction.savepoint_rollback(before)
    assert sum(real.values()) > 1000

    settings.MEDIA_ROOT = tmp_path / "recorded"
    demo_copy.load_demo(io.StringIO())  # the first in this process records, the others copy
    transaction.savepoint_rollback(before)
    settings.MEDIA_ROOT = tmp_path / "copied"  # the copy stores the demo's files there again
    copied_before = demo_copy.counts["copied"]
    output = io.StringIO()
    demo_copy.load_demo(output)
    assert demo_copy.counts["copied"] == copied_before + 1  # copied, not loaded
    assert rows_per_table() == real
    assert output.getvalue() == real_output.getvalue()
    assert stored(tmp_path / "copied") == stored(tmp_path / "real") != []
    assert mail.outbox == []
    assert User.objects.get(email=f"coordinator@{DOMAIN}").check_password(DEMO_PASSWORD)
    call_command("load_demo", stdout=io.StringIO())  # the real command finds the demo complete
    assert rows_per_table() == real


def test_a_database_not_as_recorded_gets_the_real_load() -> None:
    before = transaction.savepoint_create()
    demo_copy.load_demo(io.StringIO())  # a copy is recorded, if none was
    transaction.savepoint_rollback(before)
    loaded, copied = demo_copy.counts["loaded"], demo_copy.counts["copied"]
    UserFactory(email="someone@example.org")  # a table the demo fills is not empty
    demo_copy.load_demo(io.StringIO())
    assert (demo_copy.counts["loaded"], demo_copy.counts["copied"]) == (loaded + 1, copied)
    assert User.objects.filter(email=f"coordinator@{DOMAIN}").exists()
    transaction.savepoint_rollback(before)
    demo_copy.load_demo(io.StringIO())  # the copy recorded before still stands in
    assert demo_copy.counts["copied"] == copied + 1
