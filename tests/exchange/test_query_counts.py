"""The exchange pages and the list downloads run a bounded number of queries, whatever the size."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from peerpath.exchange.importers import IMPORTERS
from peerpath.exchange.models import ImportBatch
from peerpath.support.services import participants
from tests.care.helpers import supporter as care_supporter

pytestmark = pytest.mark.django_db
COLUMNS = [c.name for c in IMPORTERS["participants"].columns]


def add_participants(world: Any, count: int, start: int = 0) -> None:
    for i in range(start, start + count):
        participants.save_participant(
            actor=world.coordinator,
            program=world.program,
            participant=None,
            data={"full_name": f"Person Number{i}", "phone": f"555-{i:04d}", "languages": ["English"]},
        )


def stage_file(world: Any, rows: int, offset: int) -> ImportBatch:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    for i in range(rows):
        writer.writerow({"full_name": f"New Person{i}", "phone": f"556-{offset + i:04d}", "languages": "English"})
    file = SimpleUploadedFile(f"file{offset}.csv", buffer.getvalue().encode())
    response = world.client_for(world.coordinator).post("/p/riverside/exchange/import/participants/", {"file": file})
    assert response.status_code == 302
    return ImportBatch.objects.latest("id")


@pytest.mark.parametrize("size", [1, 30])
def test_home_and_preview_are_bounded(world: Any, django_assert_max_num_queries: Any, size: int) -> None:
    add_participants(world, size)
    batch = None
    for n in range(min(size, 12)):
        batch = stage_file(world, rows=2 + size, offset=n * 100)
    client = world.client_for(world.coordinator)
    with django_assert_max_num_queries(10):
        assert client.get("/p/riverside/exchange/").status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(f"/p/riverside/exchange/imports/{batch.pk}/").status_code == 200


@pytest.mark.parametrize("size", [2, 25])
def test_participant_download_is_bounded(world: Any, django_assert_max_num_queries: Any, size: int) -> None:
    add_participants(world, size)
    client = world.client_for(world.coordinator)
    with django_assert_max_num_queries(12):
        response = client.get("/p/riverside/support/participants/?export=csv")
    assert response.content.decode("utf-8-sig").count("\n") == size + 1


@pytest.mark.parametrize("size", [2, 20])
def test_care_download_is_bounded(world: Any, django_assert_max_num_queries: Any, size: int) -> None:
    for i in range(size):
        care_supporter(world.program, f"Care Person {i}", supervisor=world.supervisor)
    client = world.client_for(world.supervisor)
    with django_assert_max_num_queries(12):
        response = client.get("/p/riverside/care/supporters/?export=xlsx")
    assert response.status_code == 200
