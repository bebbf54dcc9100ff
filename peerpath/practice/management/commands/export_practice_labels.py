"""Print trainers' corrected codes in the labelled-set format (``codes|area|reply``), to review
and add to ``peerpath/practice/labelled/train.txt`` (never to the held-out split)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from peerpath.practice.models import LabelledExample


class Command(BaseCommand):
    help = "Print the practice lab's corrected replies as labelled examples (codes|area|reply)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--program", help="Only this program's (its slug).")

    def handle(self, *args: Any, **options: Any) -> None:
        rows = LabelledExample.objects.order_by("labelled_at", "pk")
        if options.get("program"):
            rows = rows.filter(program__slug=options["program"])
        for example in rows:
            text = " ".join(example.text.replace("|", "/").split())
            self.stdout.write(f"{','.join(example.codes)}|{example.area}|{text}")
