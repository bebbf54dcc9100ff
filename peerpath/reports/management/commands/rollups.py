"""The contact rollups the reports read (peerpath/reports/rollups.py):
`manage.py rollups --check` compares them with the contacts and exits 1 on any difference;
`manage.py rollups --rebuild` computes them again from the contacts (all programs, or one with
`--program slug`), for a database whose contacts were written without signals (a bulk load, SQL).
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from peerpath.programs.models import Program
from peerpath.reports import rollups

SHOWN = 20  # differences printed at most


class Command(BaseCommand):
    help = "Check the contact rollups against the contacts, or rebuild them."

    def add_arguments(self, parser: Any) -> None:
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument("--check", action="store_true", help="Compare with the contacts; exit 1 on a difference.")
        action.add_argument("--rebuild", action="store_true", help="Compute them again from the contacts.")
        parser.add_argument("--program", help="Only this program (its slug).")

    def handle(self, *args: Any, **options: Any) -> None:
        program_id = None
        if options["program"]:
            found = Program.objects.filter(slug=options["program"]).values_list("pk", flat=True).first()
            if found is None:
                raise CommandError(f"No program {options['program']!r}.")
            program_id = found
        started = time.perf_counter()
        if options["rebuild"]:
            written = rollups.rebuild(program_id)
            self.stdout.write(
                f"Rebuilt in {time.perf_counter() - started:.1f} s: {written['days']} program days, "
                f"{written['relationships']} relationships, {written['participant_months']} participant months."
            )
            return
        found_differences = list(rollups.differences(program_id))
        for line in found_differences[:SHOWN]:
            self.stdout.write(line)
        if found_differences:
            self.stdout.write(f"{len(found_differences)} differences; `manage.py rollups --rebuild` repairs them.")
            raise SystemExit(1)
        self.stdout.write(f"The rollups agree with the contacts ({time.perf_counter() - started:.1f} s).")
