"""Write a program's records archive to a file, e.g. for a nightly copy kept off this server.

    manage.py export_archive riverside --output /secure/riverside-records.zip

The file is the same archive coordinators download from Import & export, with participants'
records decrypted: write it only where such data may be kept. Each run is recorded in the
program's audit log.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from peerpath.core import audit
from peerpath.core.actors import SystemActor
from peerpath.exchange.archive import write_archive
from peerpath.programs.models import Program

# The audit log names the command as the actor that downloaded the archive.
COMMAND = SystemActor("manage.py export_archive")


class Command(BaseCommand):
    help = "Write one program's whole records archive (ZIP of CSV files with a data dictionary) to a file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("program", help="The program's short name (slug), as in its web addresses.")
        parser.add_argument("--output", required=True, help="Path of the ZIP file to write.")

    def handle(self, *args: Any, **options: Any) -> None:
        program = Program.objects.filter(slug=options["program"]).first()
        if program is None:
            raise CommandError(f"No program with the short name {options['program']!r}.")
        target = Path(options["output"])
        audit.record(
            actor=COMMAND,
            program=program,
            action="archive.download",
            target=program,
            note=f"Written to {target.name} on the server.",
        )
        with target.open("wb") as handle:
            size = write_archive(program, handle)
        self.stdout.write(f"Wrote {size:,} bytes to {target}.")
