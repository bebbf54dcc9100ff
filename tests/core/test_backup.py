"""`manage.py backup`, `restore` and `check_restore`: a consistent copy that proves itself after a restore."""

from __future__ import annotations

import json
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connections
from django.test import override_settings

from peerpath.certification import services as certification_services
from peerpath.core import backup
from peerpath.core.encryption import configured_key_ids, key_id
from peerpath.support.models import Participant
from tests.support.helpers import make_participant

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def target(tmp_path: Path) -> Iterator[str]:
    """An empty database to restore into, on the engine the tests run on."""
    default = connections["default"]
    if default.vendor == "sqlite":
        with backup.extra_alias(tmp_path / "restored.sqlite3", "restored") as alias:
            yield alias
        return
    name = f"{default.settings_dict['NAME']}_restored"[:63]
    with default.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        with backup.extra_alias(name, "restored") as alias:
            yield alias
    finally:
        with default.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')


@pytest.fixture
def filled(world: Any, tmp_path: Path, settings: Any) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    make_participant(world, full_name="Ada Lovelace", email="ada@example.org")
    make_participant(world, full_name="Grace Hopper", phone="555 0100")
    certification_services.issue_certificate(actor=world.coordinator, supporter=world.supporter_record)
    return tmp_path / "backup.tar.gz"


def test_backup_lists_counts_key_ids_and_probes_never_a_key(filled: Path, settings: Any) -> None:
    manifest = backup.backup(filled)
    assert manifest["engine"] == connections["default"].vendor
    assert manifest["row_counts"]["support_participant"] == 2
    assert manifest["row_counts"]["certification_certificate"] == 1
    assert manifest["key_ids"]["field_encryption"] == configured_key_ids()
    assert manifest["key_ids"]["credential_signing"][0].startswith("riverside:")
    assert manifest["probes"]["participant_decrypts"]["participants"][0]["id"] > 0
    assert manifest["probes"]["certificate_verifies"]["credential"].count(".") == 2
    with tarfile.open(filled) as archive:
        names = archive.getnames()
        text = archive.extractfile("manifest.json").read().decode()  # type: ignore[union-attr]
    assert names[:2] == ["manifest.json", manifest["database_file"]]
    assert manifest["database_file"] in {"database.sqlite3", "database.pgdump"}
    assert json.loads(text) == manifest
    for secret in [*settings.FIELD_ENCRYPTION_KEYS, settings.CREDENTIAL_SECRET, "Ada Lovelace", "ada@example.org"]:
        assert secret not in text


def test_restore_into_an_empty_database_matches_and_proves_itself(filled: Path, target: str) -> None:
    manifest = backup.backup(filled)
    alias = target
    backup.restore(filled, using=alias)
    assert backup.check(manifest, using=alias) == []
    assert backup.row_counts(alias) == manifest["row_counts"]
    names = sorted(p.full_name for p in Participant.objects.using(alias).all())
    assert names == ["Ada Lovelace", "Grace Hopper"]
    # A second restore is refused: the database is no longer empty.
    with pytest.raises(backup.BackupError, match="not empty"):
        backup.restore(filled, using=alias)
    # A lost row, a changed participant: each is named.
    Participant.objects.using(alias).filter(full_name__isnull=False).order_by("pk").last().delete()
    problems = backup.check(manifest, using=alias)
    assert any(p.startswith("table support_participant: 1 rows, the backup had 2") for p in problems)
    assert any("probe participant_decrypts: participant" in p and "is missing" in p for p in problems)


def test_other_keys_are_caught(filled: Path, target: str) -> None:
    manifest = backup.backup(filled)
    alias = target
    with override_settings(FIELD_ENCRYPTION_KEYS=["a-different-key-altogether"], CREDENTIAL_SECRET="another"):
        with pytest.raises(backup.BackupError) as refused:
            backup.restore(filled, using=alias)
        problems = str(refused.value)
    assert f"key field_encryption {manifest['key_ids']['field_encryption'][0]} is needed" in problems
    assert "key credential_signing riverside:" in problems
    assert "participant_decrypts: participant" in problems
    assert "certificate_verifies: certificate" in problems and "no longer verifies" in problems


def test_a_rotated_key_is_listed_until_the_data_moved_off_it(filled: Path, settings: Any) -> None:
    old = settings.FIELD_ENCRYPTION_KEYS[0]
    settings.FIELD_ENCRYPTION_KEYS = ["the-new-key-for-rotation", old]
    assert backup.key_ids()["field_encryption"] == [key_id(old)]
    call_command("rotate_field_keys", stdout=None)
    assert backup.key_ids()["field_encryption"] == [key_id("the-new-key-for-rotation")]


def test_check_restore_fails_on_a_backup_without_data_to_prove(db: Any, tmp_path: Path, settings: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    from tests.factories import ProgramFactory

    ProgramFactory()
    path = tmp_path / "empty.tar.gz"
    call_command("backup", "--output", str(path), stdout=None)
    with pytest.raises(CommandError, match="the backup had nothing to check it with"):
        call_command("check_restore", str(path))


def test_restore_refuses_a_file_that_is_not_a_backup(db: Any, tmp_path: Path) -> None:
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not a tar file")
    with pytest.raises(CommandError, match="is not a PeerPath backup"):
        call_command("restore", str(junk))
