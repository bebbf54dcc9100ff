"""Write a consistent backup of the whole installation: `manage.py backup [--output FILE]`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from peerpath.core.backup import BackupError, backup
from peerpath.env import VAR_DIR


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite online backup, or pg_dump on PostgreSQL) and uploaded files into one "
        ".tar.gz, with a manifest of row counts and the ids of the keys the data needs (never the keys)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--output", help="The file to write (default: var/backups/peerpath-<date>-<time>.tar.gz).")

    def handle(self, *args: Any, **options: Any) -> None:
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        output = Path(options["output"] or VAR_DIR / "backups" / f"peerpath-{stamp}.tar.gz")
        try:
            manifest = backup(output)
        except BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(manifest["row_counts"].values())
        self.stdout.write(f"Backed up {len(manifest['row_counts'])} tables ({rows} rows) to {output}")
        for name, ids in manifest["key_ids"].items():
            self.stdout.write(f"  needs {name} keys: {', '.join(ids) or 'none'}")
        self.stdout.write("Keep the keys themselves (the three secrets) in your secret store, not with this file.")
