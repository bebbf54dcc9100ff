"""Print, or write into docs/security.md, the table of what each role sees of a participant
through a support relationship: `manage.py visibility_table [--write]`.

The table is rendered from the rule itself (`peerpath.support.access.VISIBILITY`), so after a
change to the rule, `--write` brings the security guide in step; a test fails until it is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from peerpath.support.access import visibility_table

GUIDE = Path(__file__).resolve().parents[4] / "docs" / "security.md"
START, END = "<!-- visibility-table:start -->\n", "<!-- visibility-table:end -->"


def guide_with_table(text: str, table: str) -> str:
    """The guide's text with the table between its markers replaced by ``table``."""
    if START not in text or END not in text:
        raise CommandError(f"{GUIDE} has no {START.strip()} … {END} markers to write the table between.")
    before, rest = text.split(START, 1)
    _old, after = rest.split(END, 1)
    return f"{before}{START}{table}{END}{after}"


class Command(BaseCommand):
    help = "Print the security guide's table of what each role sees of a participant (--write: update the guide)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--write", action="store_true", help="Write the table into docs/security.md.")

    def handle(self, *args: Any, **options: Any) -> None:
        table = visibility_table()
        if not options["write"]:
            self.stdout.write(table, ending="")
            return
        GUIDE.write_text(guide_with_table(GUIDE.read_text(encoding="utf-8"), table), encoding="utf-8")
        self.stdout.write(self.style.SUCCESS(f"Wrote the table into {GUIDE}."))
