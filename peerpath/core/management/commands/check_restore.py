"""Prove a restored database matches its backup: `manage.py check_restore FILE` (exit 1 when not)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from peerpath.core.backup import BackupError, check, read_manifest


class Command(BaseCommand):
    help = (
        "Check the configured database against a backup's manifest: the same rows in every table, the keys it "
        "needs configured, a participant decrypts, a certificate verifies. Fails on any mismatch or on a backup "
        "with no data to prove it with."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="The .tar.gz written by `manage.py backup`.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = read_manifest(Path(options["file"]))
        except BackupError as error:
            raise CommandError(str(error)) from error
        problems = check(manifest, require_data=True)
        if problems:
            raise CommandError("The database does not match the backup:\n- " + "\n- ".join(problems))
        counts = manifest["row_counts"]
        self.stdout.write(f"{len(counts)} tables, {sum(counts.values())} rows: the same as in the backup.")
        for name, ids in manifest["key_ids"].items():
            self.stdout.write(f"{name} keys configured: {', '.join(ids) or 'none needed'}")
        for name in manifest["probes"]:
            self.stdout.write(f"{name}: ok")
