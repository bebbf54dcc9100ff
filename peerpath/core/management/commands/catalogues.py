"""``manage.py catalogues update|compile|check [app ...]``: keep the translation catalogues in step
with the code (peerpath/core/catalogues.py; docs/translating.md says when to run which)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from peerpath.core import catalogues


class Command(BaseCommand):
    help = "Update each app's translation catalogues from the code, compile them, or check them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["update", "compile", "check"])
        parser.add_argument("apps", nargs="*", help="Only these apps (default: every app).")

    def handle(self, *args: Any, action: str, apps: list[str], **options: Any) -> None:
        unknown = set(apps) - set(catalogues.apps())
        if unknown:
            raise CommandError(f"Not PeerPath apps: {', '.join(sorted(unknown))}")
        chosen = apps or catalogues.apps()
        if action == "check":
            found = catalogues.problems(chosen)
            for problem in found:
                self.stdout.write(f"{problem.app} [{problem.language}] {problem.text}")
            if found:
                raise CommandError(f"{len(found)} problems in the catalogues.")
            self.stdout.write("The catalogues are complete and compiled.")
            return
        for app in chosen:
            for language in catalogues.translations():
                if action == "update":
                    total, untranslated = catalogues.update(app, language)
                    if total:
                        self.stdout.write(f"{app} [{language}]: {total} messages, {untranslated} to translate")
                elif catalogues.compile_catalogue(app, language):
                    self.stdout.write(f"{app} [{language}]: compiled")
