"""Backups: a consistent snapshot of the database, what keys it needs, and proof that it restores.

`manage.py backup` writes one `.tar.gz` holding

- the database: SQLite's online backup API copies the live file page by page into a consistent
  copy (writers wait only for each step); on PostgreSQL `pg_dump` runs on a snapshot exported
  from a REPEATABLE READ transaction, so the dump, the counts and the probes below see the
  same data;
- uploaded files (`MEDIA_ROOT`);
- `manifest.json`: the row count of every table, the ids of the keys the data needs (apps register
  them: the field-encryption key ids, the credential-signing key ids; never a key) and *probes*,
  small facts each app captures from the snapshot and can check again after a restore (a
  participant's name decrypts to the same keyed digest, a certificate's signed credential
  verifies against the restored installation's published key).

`manage.py restore` loads such a file into an EMPTY database (it refuses one with tables), then
checks the counts, the keys and the probes against the manifest; `manage.py check_restore` runs
the same checks again and also fails when the backup held no data to prove anything with.

Apps register what they own in their ``AppConfig.ready()``: `register_key_ids(name, fn)` and
`register_probe(name, capture, check)`.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections, transaction
from django.db.utils import load_backend
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
MEDIA_DIR = "media"
SNAPSHOT_ALIAS = "backup_snapshot"

# name -> a function returning the ids of the keys the current data needs (never the keys).
_KEY_IDS: dict[str, Callable[[str], list[str]]] = {}


@dataclass(frozen=True)
class Probe:
    name: str
    # capture(using) -> facts about the data (JSON), or None when there is nothing to capture.
    capture: Callable[[str], dict[str, Any] | None]
    # check(facts, using) -> what does not match (empty when the data proves itself).
    check: Callable[[dict[str, Any], str], list[str]]


_PROBES: dict[str, Probe] = {}


def register_key_ids(name: str, key_ids: Callable[[str], list[str]]) -> None:
    """Register the ids of keys the data needs, as ``key_ids(using)``; listed in every backup."""
    _KEY_IDS[name] = key_ids


def register_probe(
    name: str,
    capture: Callable[[str], dict[str, Any] | None],
    check: Callable[[dict[str, Any], str], list[str]],
) -> None:
    """Register a fact captured at backup time and checked after a restore."""
    _PROBES[name] = Probe(name, capture, check)


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why."""


# --- Shared ------------------------------------------------------------------------------


def engine(using: str = "default") -> str:
    vendor = connections[using].vendor
    if vendor not in {"sqlite", "postgresql"}:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {vendor}.")
    return vendor


def row_counts(using: str = "default") -> dict[str, int]:
    """Rows in every table of the database (Django's and PeerPath's alike)."""
    connection = connections[using]
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 - a table name
            counts[table] = int(cursor.fetchone()[0])
    return counts


def key_ids(using: str = "default") -> dict[str, list[str]]:
    return {name: sorted(set(fn(using))) for name, fn in sorted(_KEY_IDS.items())}


def capture_probes(using: str = "default") -> dict[str, dict[str, Any] | None]:
    return {name: probe.capture(using) for name, probe in sorted(_PROBES.items())}


def _pg_binary(name: str) -> str:
    """The newest installed PostgreSQL client program (pg_dump must not be older than the server)."""
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: int(p.parts[-3]))
    if candidates:
        return str(candidates[-1])
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} was not found: install the PostgreSQL client programs.")
    return found


def _pg_env(using: str) -> dict[str, str]:
    conf = connections[using].settings_dict
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if conf.get(key):
            env[var] = str(conf[key])
    env["PGDATABASE"] = str(conf["NAME"])
    return env


@contextmanager
def sqlite_alias(path: Path, alias: str = SNAPSHOT_ALIAS) -> Iterator[str]:
    """A temporary connection alias to the SQLite file at ``path`` (the backup copy; a restore target in tests)."""
    conf = {**connections["default"].settings_dict, "NAME": str(path), "OPTIONS": {}}
    connections[alias] = load_backend(conf["ENGINE"]).DatabaseWrapper(conf, alias)
    try:
        yield alias
    finally:
        connections[alias].close()
        del connections[alias]


# --- Backup ------------------------------------------------------------------------------


def backup(output: Path) -> dict[str, Any]:
    """Write a backup of the whole installation to ``output`` (a .tar.gz); returns its manifest."""
    vendor = engine()
    with tempfile.TemporaryDirectory(prefix="peerpath-backup-") as work:
        folder = Path(work)
        manifest = _backup_sqlite(folder) if vendor == "sqlite" else _backup_postgresql(folder)
        manifest.update(
            format=FORMAT,
            created_at=timezone.now().isoformat(),
            engine=vendor,
            database_file=SQLITE_FILE if vendor == "sqlite" else PG_FILE,
        )
        if not any(manifest["row_counts"].values()):
            raise BackupError("The database holds no rows: nothing to back up.")
        media = Path(settings.MEDIA_ROOT)
        manifest["media_files"] = sum(1 for p in media.rglob("*") if p.is_file()) if media.exists() else 0
        output.parent.mkdir(parents=True, exist_ok=True)
        partial = output.with_name(output.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            data = json.dumps(manifest, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(data), int(dt.datetime.now().timestamp()), 0o600
            archive.addfile(info, io.BytesIO(data))
            archive.add(folder / manifest["database_file"], arcname=manifest["database_file"])
            if manifest["media_files"]:
                archive.add(media, arcname=MEDIA_DIR)
        partial.chmod(0o600)
        partial.replace(output)  # never a half-written file under the final name
    return manifest


def _backup_sqlite(folder: Path) -> dict[str, Any]:
    copy = folder / SQLITE_FILE
    source = connections["default"]
    source.ensure_connection()
    target = sqlite3.connect(copy)
    try:
        # The online backup API: a consistent copy while the application keeps running.
        source.connection.backup(target, pages=256)
    finally:
        target.close()
    with sqlite_alias(copy) as alias:
        return {"row_counts": row_counts(alias), "key_ids": key_ids(alias), "probes": capture_probes(alias)}


def _backup_postgresql(folder: Path) -> dict[str, Any]:
    dump = folder / PG_FILE
    connection = connections["default"]
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        # pg_dump reads the same snapshot as this transaction, which stays open until it is done.
        result = subprocess.run(  # noqa: S603 - fixed program and arguments
            [_pg_binary("pg_dump"), "--format=custom", f"--snapshot={snapshot}", f"--file={dump}"],
            env=_pg_env("default"),
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
        return {"row_counts": row_counts(), "key_ids": key_ids(), "probes": capture_probes()}


# --- Restore -----------------------------------------------------------------------------


def read_manifest(path: Path) -> dict[str, Any]:
    try:
        with tarfile.open(path, "r:gz") as archive:
            member = archive.extractfile(MANIFEST)
            if member is None:
                raise BackupError(f"{path} has no {MANIFEST}.")
            manifest: dict[str, Any] = json.load(member)
    except (OSError, tarfile.TarError, KeyError, ValueError) as error:
        raise BackupError(f"{path} is not a PeerPath backup: {error}") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path} has backup format {manifest.get('format')}; this version reads {FORMAT}.")
    return manifest


def restore(path: Path, *, allow_missing_keys: bool = False, using: str = "default") -> dict[str, Any]:
    """Load a backup into the configured database, which must be empty; returns the manifest.

    Rules: the database has no tables yet (a fresh `createdb`, or a SQLite file that does not
    exist or is empty); the backup was made on the same engine; every key id the manifest lists
    is configured here (unless ``allow_missing_keys``), since without them the data cannot be read.
    """
    manifest = read_manifest(path)
    vendor = engine(using)
    if manifest["engine"] != vendor:
        raise BackupError(f"The backup is of a {manifest['engine']} database; this installation uses {vendor}.")
    connection = connections[using]
    with connection.cursor() as cursor:
        existing = connection.introspection.table_names(cursor)
    if existing:
        raise BackupError(
            f"The database is not empty ({len(existing)} tables): restore only into a new, empty database."
        )
    media = Path(settings.MEDIA_ROOT)
    if manifest.get("media_files") and media.exists() and any(media.iterdir()):
        raise BackupError(f"{media} is not empty: restore uploaded files only into an empty folder.")
    with tempfile.TemporaryDirectory(prefix="peerpath-restore-") as work:
        folder = Path(work)
        with tarfile.open(path, "r:gz") as archive:
            archive.extractall(folder, filter="data")
        if vendor == "sqlite":
            source = sqlite3.connect(folder / manifest["database_file"])
            try:
                connection.ensure_connection()
                source.backup(connection.connection)
            finally:
                source.close()
        else:
            connection.close()  # pg_restore must be the only writer
            result = subprocess.run(  # noqa: S603 - fixed program and arguments
                [
                    _pg_binary("pg_restore"),
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "--single-transaction",
                    f"--dbname={connection.settings_dict['NAME']}",
                    str(folder / manifest["database_file"]),
                ],
                env=_pg_env(using),
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0:
                raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
        if (folder / MEDIA_DIR).exists():
            shutil.copytree(folder / MEDIA_DIR, media, dirs_exist_ok=True)
    problems = check(manifest, require_data=False, using=using)
    missing_keys = [p for p in problems if p.startswith("key ")]
    other = [p for p in problems if not p.startswith("key ")]
    if other or (missing_keys and not allow_missing_keys):
        raise BackupError("The restored data does not match the backup:\n- " + "\n- ".join(problems))
    return manifest


def check(manifest: dict[str, Any], *, require_data: bool = True, using: str = "default") -> list[str]:
    """What in the database does not match the manifest: row counts, key ids, probes. With
    ``require_data``, a backup that held no rows or gave a probe nothing to capture fails too."""
    problems = []
    counts = row_counts(using)
    for table, expected in sorted(manifest["row_counts"].items()):
        found = counts.get(table)
        if found != expected:
            problems.append(f"table {table}: {found} rows, the backup had {expected}")
    for table in sorted(set(counts) - set(manifest["row_counts"])):
        problems.append(f"table {table} is not in the backup")
    here = key_ids(using)
    for name, needed in sorted(manifest["key_ids"].items()):
        for key_id in needed:
            if key_id not in here.get(name, []):
                problems.append(f"key {name} {key_id} is needed by the backup and not configured here")
    for name, facts in sorted(manifest["probes"].items()):
        probe = _PROBES.get(name)
        if probe is None:
            problems.append(f"probe {name}: not known to this version")
        elif facts is None:
            if require_data:
                problems.append(f"probe {name}: the backup had nothing to check it with")
        else:
            problems.extend(f"probe {name}: {p}" for p in probe.check(facts, using))
    if require_data and not any(manifest["row_counts"].values()):
        problems.append("the backup holds no rows")
    return problems
