"""Measure how long the records archive takes, and how much memory, for a large program.

    manage.py measure_archive --participants 5000 --contacts 50000

Fills a throw-away program in the current database inside a transaction (participants and
contacts encrypted as usual, supporters, relationships), builds its archive, prints the time,
the peak memory Python allocated while building it and the archive's size, then rolls
everything back: nothing is left behind. The README records the figures.
"""

from __future__ import annotations

import datetime as dt
import random
import time
import tracemalloc
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from peerpath.exchange.archive import write_archive
from peerpath.programs.models import Program
from peerpath.recruitment.models import Stage, Supporter
from peerpath.reports import rollups
from peerpath.support.models import Contact, Participant, RelationshipState, SupportRelationship


class _Counter:
    def __init__(self) -> None:
        self.size = 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        return len(data)


class Command(BaseCommand):
    help = "Time the records archive of a large throw-away program (rolled back afterwards)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--participants", type=int, default=5000)
        parser.add_argument("--contacts", type=int, default=50000)
        parser.add_argument("--supporters", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        rng = random.Random(6)
        with transaction.atomic():
            started = time.perf_counter()
            program = self._fill(rng, options["supporters"], options["participants"], options["contacts"])
            filled = time.perf_counter() - started
            target = _Counter()
            started = time.perf_counter()
            write_archive(program, target)
            seconds = time.perf_counter() - started
            # Memory is traced in a second run: tracing slows Python down several times.
            tracemalloc.start()
            write_archive(program, _Counter())
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            transaction.set_rollback(True)
        self.stdout.write(
            f"{options['participants']:,} participants, {options['contacts']:,} contacts "
            f"(filled in {filled:.1f} s, rolled back)\n"
            f"archive: {seconds:.1f} s, {target.size / 1e6:.1f} MB compressed, "
            f"peak Python memory while building {peak / 1e6:.1f} MB"
        )

    def _fill(self, rng: random.Random, supporters: int, participants: int, contacts: int) -> Program:
        program = Program.objects.create(name="Archive measurement", slug=f"archive-measure-{rng.randrange(10**9)}")
        now = timezone.now()
        people = Supporter.objects.bulk_create(
            Supporter(
                program=program, full_name=f"Supporter {i}", email=f"s{i}@measure.example.org", stage=Stage.ACTIVE
            )
            for i in range(supporters)
        )
        waiting = Participant.objects.bulk_create(
            Participant(
                program=program,
                full_name=f"Participant Number{i}",
                email=f"p{i}@measure.example.org",
                phone=f"555-{i:06d}",
                languages=["English"],
                consent_given=True,
                consent_scope="To be contacted by a peer supporter.",
                intake_notes="Intake notes " * 5,
                status="matched",
            )
            for i in range(participants)
        )
        relationships = SupportRelationship.objects.bulk_create(
            SupportRelationship(
                program=program,
                participant=p,
                supporter=people[i % len(people)],
                state=RelationshipState.ACTIVE,
                activated_at=now,
            )
            for i, p in enumerate(waiting)
        )
        today = timezone.localdate()
        batch: list[Contact] = []
        for i in range(contacts):
            batch.append(
                Contact(
                    program=program,
                    relationship=relationships[i % len(relationships)],
                    contacted_on=today - dt.timedelta(days=rng.randrange(365)),
                    channel="phone",
                    reached=rng.random() < 0.7,
                    duration_minutes=rng.randrange(5, 60),
                    tasks=["rapport", "emotional"],
                    notes="We talked about the week and made a plan for the next call. " * 2,
                )
            )
            if len(batch) == 5000:
                Contact.objects.bulk_create(batch)
                batch = []
        Contact.objects.bulk_create(batch)
        rollups.rebuild(program.pk)  # the contacts went in without signals
        return program
