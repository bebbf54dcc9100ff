"""Load a backup into an empty database: `manage.py restore FILE`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from peerpath.core.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a `manage.py backup` file into the configured database, which must be empty, then check the "
        "row counts, the keys and the probes against the backup's manifest."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="The .tar.gz written by `manage.py backup`.")
        parser.add_argument(
            "--allow-missing-keys",
            action="store_true",
            help="Restore even when a key the data needs is not configured (that data will not be readable).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = restore(Path(options["file"]), allow_missing_keys=options["allow_missing_keys"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(manifest["row_counts"].values())
        self.stdout.write(
            f"Restored {len(manifest['row_counts'])} tables ({rows} rows) from the backup of {manifest['created_at']}; "
            "row counts, keys and probes match."
        )
