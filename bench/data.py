"""`make bench-data`: fill a PostgreSQL database with a large peer support network.

At full size (the default, BENCH_SCALE=1): 20 programs, 10,000 supporters (500 per program),
100,000 participants and 1,000,000 contacts, with distributions like a real network's:
most people who apply never become active, about half the supporters on the pathway are
active, most participants' support has ended, contacts per relationship are skewed (a few
relationships have many), about 70% of attempts reach the participant, notes on a third.
It also adds the certificates, supervision meetings and well-being check-ins the pages show.

Rows are written with bulk inserts (participant fields encrypted as the app does) so the
whole network takes a few minutes on 2 cores. `python bench/data.py --scale 0.01` makes a
small network (used by the query-bound tests through `build_network`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH_PROGRAM = "bench-01"
DOMAIN = "bench.example.org"
PASSWORD = "bench-password"  # noqa: S105 - benchmark personas on a throw-away database
BATCH = 5000


@dataclass(frozen=True)
class Size:
    programs: int
    supporters_per_program: int
    participants_per_program: int
    contacts_per_program: int

    @classmethod
    def scaled(cls, scale: float) -> Size:
        """Totals proportional to ``scale`` (1 = 10,000 supporters, 100,000 participants, 1,000,000 contacts)."""
        programs = max(1, round(20 * scale))
        return cls(
            programs=programs,
            supporters_per_program=max(20, round(10_000 * scale / programs)),
            participants_per_program=max(40, round(100_000 * scale / programs)),
            contacts_per_program=max(200, round(1_000_000 * scale / programs)),
        )


STAGE_WEIGHTS = {
    "applicant": 7,
    "screening": 4,
    "coaching": 2,
    "declined": 6,
    "redirected": 2,
    "withdrawn": 3,
    "in_training": 8,
    "assessed": 1,
    "certified": 2,
    "provisional": 2,
    "not_graduated": 2,
    "shadowing": 2,
    "active": 45,
    "on_break": 5,
    "inactive": 7,
    "alumni": 2,
}
ROUTE = [
    "applicant",
    "screening",
    "accepted",
    "in_training",
    "assessed",
    "certified",
    "active",
]
ACCOUNT_STAGES = {
    "in_training",
    "assessed",
    "certified",
    "provisional",
    "not_graduated",
    "shadowing",
    "active",
    "on_break",
    "inactive",
    "alumni",
}
WORKING_STAGES = {"active", "on_break"}
LANGUAGES = ["English", "Spanish", "French", "Arabic", "Mandarin", "Tamil", "Somali", "Portuguese"]
FIRST = ["Ana", "Ben", "Chloé", "Dev", "Esi", "Farah", "Gil", "Hana", "Ivo", "Jun", "Kai", "Lena", "Milo", "Nia"]
LAST = ["Adams", "Baptiste", "Chen", "Diallo", "Evans", "Fischer", "Garcia", "Haddad", "Ito", "Jones", "Khan"]


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerpath.settings")
    os.environ.setdefault("PEERPATH_DEBUG", "1")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def chunks(rows: list[Any], size: int = BATCH) -> Iterator[list[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def bulk(model: Any, rows: list[Any]) -> list[Any]:
    created = []
    for part in chunks(rows):
        created.extend(model.objects.bulk_create(part, batch_size=BATCH))
    return created


def fast_insert(model: Any, fields: list[str], rows: list[tuple]) -> None:
    """Insert raw rows: COPY on PostgreSQL (fast enough for a million contacts), bulk_create elsewhere.

    Values must already be what the column stores (encrypted text, JSON as text).
    """
    from django.db import connection

    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**dict(zip(fields, row, strict=True))) for row in rows], batch_size=BATCH)
        return
    columns = [model._meta.get_field(f).column for f in fields]
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        statement = f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN"
        with cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)


def name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def build_network(
    scale: float = 1.0, seed: int = 7, progress: bool = False, size: Size | None = None, prefix: str = "bench"
) -> dict[str, Any]:
    """Create the network in the configured database; returns counts by table.

    ``size`` overrides ``scale``; ``prefix`` names the programs (``<prefix>-01``...), so
    networks of two sizes can live side by side (the query-bound tests do that).
    """
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.utils import timezone

    from peerpath.care.instruments import form_of
    from peerpath.care.models import CheckIn, CheckInStatus, Questionnaire, SupervisionMeeting
    from peerpath.care.scoring import score
    from peerpath.certification.models import Certificate
    from peerpath.core.actors import SystemActor
    from peerpath.core.encryption import decrypt, encrypt
    from peerpath.core.mail import suppressed
    from peerpath.core.models import User
    from peerpath.programs.models import FocusArea, Membership, Program
    from peerpath.programs.signals import program_created
    from peerpath.recruitment.models import Application, Source, StageChange, Supporter
    from peerpath.reports import rollups
    from peerpath.support.models import (
        AdverseEvent,
        Concern,
        Contact,
        MatchingProfile,
        Participant,
        SupportRelationship,
    )
    from peerpath.training.models import Attendance, Cohort, Enrolment, TrainingSession

    rng = random.Random(seed)
    size = size or Size.scaled(scale)
    now = timezone.now()
    today = timezone.localdate()
    counts: dict[str, int] = {}
    started = time.monotonic()
    password = make_password(PASSWORD)

    def note(message: str) -> None:
        if progress:
            print(f"[{time.monotonic() - started:6.1f}s] {message}", flush=True)

    def days_ago(days: float) -> dt.datetime:
        return now - dt.timedelta(days=days)

    def add(label: str, n: int) -> None:
        counts[label] = counts.get(label, 0) + n

    with suppressed():
        for p in range(1, size.programs + 1):
            slug = f"{prefix}-{p:02d}"
            if Program.objects.filter(slug=slug).exists():
                note(f"{slug} exists; skipped")
                continue
            program = Program.objects.create(name=f"Bench Network {p:02d}", slug=slug)
            program_created.send(sender=Program, program=program, actor=SystemActor("bench"))
            areas = bulk(
                FocusArea,
                [
                    FocusArea(program=program, name=n, position=i)
                    for i, n in enumerate(["Grief", "Substance use", "Depression", "Chronic illness", "Caregiving"])
                ],
            )
            staff = bulk(
                User,
                [
                    User(email=f"{role}{i}@{slug}.{DOMAIN}", full_name=f"{role.title()} {i} {slug}", password=password)
                    for role, n in (("coordinator", 1), ("trainer", 2), ("supervisor", 6))
                    for i in range(1, n + 1)
                ],
            )
            bulk(
                Membership,
                [
                    Membership(
                        user=u,
                        program=program,
                        is_coordinator=u.email.startswith("coordinator"),
                        is_trainer=u.email.startswith("trainer"),
                        is_supervisor=u.email.startswith("supervisor"),
                    )
                    for u in staff
                ],
            )
            supervisors = [u for u in staff if u.email.startswith("supervisor")]

            # Supporters on every stage of the pathway.
            stages = rng.choices(
                list(STAGE_WEIGHTS), weights=list(STAGE_WEIGHTS.values()), k=size.supporters_per_program
            )
            stages[0] = "active"  # the benchmark's supporter persona
            people = []
            for i, stage in enumerate(stages):
                joined = rng.uniform(30, 1100)
                people.append(
                    Supporter(
                        program=program,
                        full_name=name(rng),
                        email=f"supporter{i}@{slug}.{DOMAIN}",
                        languages=rng.sample(LANGUAGES, k=rng.choice([1, 1, 2])),
                        source=rng.choices(Source.values, weights=[4, 3, 2, 1])[0],
                        stage=stage,
                        stage_changed_at=days_ago(rng.uniform(1, joined)),
                        supervisor=rng.choice(supervisors) if stage in ACCOUNT_STAGES else None,
                        created_at=days_ago(joined),
                    )
                )
            people = bulk(Supporter, people)
            users = bulk(
                User,
                [
                    User(email=s.email, full_name=s.full_name, password=password)
                    for s in people
                    if s.stage in ACCOUNT_STAGES
                ],
            )
            by_email = {u.email: u for u in users}
            for s in people:
                s.user = by_email.get(s.email)
            Supporter.objects.bulk_update([s for s in people if s.user], ["user"], batch_size=BATCH)
            bulk(Membership, [Membership(user=u, program=program, is_supporter=True) for u in users])
            through = Supporter.focus_areas.through
            bulk(through, [through(supporter=s, focusarea=rng.choice(areas)) for s in people])
            bulk(
                Application,
                [
                    Application(
                        program=program,
                        supporter=s,
                        submitted_at=s.created_at,
                        full_name=s.full_name,
                        email=s.email,
                        preferred_contact="email",
                        motivation="I have been there and want to help.",
                        availability="Evenings",
                        languages=s.languages,
                        source=s.source,
                        consent_to_contact=True,
                    )
                    for s in people
                ],
            )
            history = []
            for s in people:
                route = ROUTE[: ROUTE.index(s.stage) + 1] if s.stage in ROUTE else [*ROUTE[:2], s.stage]
                if s.stage in {"provisional", "not_graduated"}:
                    route = [*ROUTE[:5], s.stage]
                if s.stage in {"shadowing", "on_break", "inactive", "alumni"}:
                    route = [*ROUTE, s.stage] if s.stage != "shadowing" else [*ROUTE[:6], "shadowing"]
                span = (s.created_at - s.stage_changed_at).total_seconds()
                previous = ""
                for k, stage in enumerate(route):
                    at = s.created_at - dt.timedelta(seconds=span * k / max(len(route) - 1, 1))
                    history.append(StageChange(supporter=s, from_stage=previous, to_stage=stage, created_at=at))
                    previous = stage
            bulk(StageChange, history)
            add("supporters", len(people))
            note(f"{slug}: {len(people)} supporters")

            working = [s for s in people if s.stage in WORKING_STAGES]
            profiles = bulk(
                MatchingProfile,
                [
                    MatchingProfile(
                        supporter=s,
                        modes=rng.sample(["phone", "in_person", "video", "text"], k=2),
                        availability=["weekday_evening"],
                        capacity=rng.choice([2, 3, 4, 4, 5, 6, 8]),
                    )
                    for s in working
                ],
            )
            bulk(
                Certificate,
                [
                    Certificate(
                        program=program,
                        supporter=s,
                        credential_name="Certified Peer Supporter",
                        holder_name=s.full_name,
                        issued_on=(issued := today - dt.timedelta(days=rng.randint(10, 700))),
                        cycle_started_on=issued,
                        expires_on=issued + dt.timedelta(days=730),
                    )
                    for s in people
                    if s.stage in {"active", "on_break", "certified", "shadowing"}
                ],
            )

            # Participants: most supported and done, some in support now, some waiting.
            capacity = {pr.supporter_id: pr.capacity for pr in profiles}
            open_load = dict.fromkeys(capacity, 0)
            participants = []
            for _ in range(size.participants_per_program):
                roll = rng.random()
                status = "waiting" if roll < 0.1 else ("matched" if roll < 0.3 else "ended")
                joined = rng.uniform(2, 1000)
                participants.append(
                    Participant(
                        program=program,
                        full_name=name(rng),
                        email=f"p{rng.randrange(10**9)}@example.net",
                        phone=f"555-{rng.randrange(10**4):04d}",
                        languages=[rng.choice(LANGUAGES)],
                        modes=["phone"],
                        availability=["weekday_evening"],
                        consent_given=True,
                        consent_scope="To be contacted by a peer supporter.",
                        consent_at=days_ago(joined),
                        status=status,
                        waiting_since=days_ago(joined),
                        created_at=days_ago(joined),
                    )
                )
            participants = bulk(Participant, participants)
            relationships = []
            for person in participants:
                if person.status == "waiting" or not working:
                    continue
                if person.status == "matched":
                    free = [sid for sid, cap in capacity.items() if open_load[sid] < cap]
                    if not free:
                        person.status = "ended"
                    else:
                        supporter_id = rng.choice(free)
                        open_load[supporter_id] += 1
                        start = (now - person.created_at).days
                        relationships.append(
                            SupportRelationship(
                                program=program,
                                participant=person,
                                supporter_id=supporter_id,
                                state="active" if rng.random() < 0.9 else "closing",
                                proposed_at=days_ago(start),
                                activated_at=days_ago(max(start - 2, 1)),
                                first_contact_on=(now - dt.timedelta(days=max(start - 3, 0))).date(),
                            )
                        )
                        continue
                start = (now - person.created_at).days
                length = rng.uniform(20, max(start - 1, 21))
                relationships.append(
                    SupportRelationship(
                        program=program,
                        participant=person,
                        supporter=rng.choice(people[: len(people)]) if rng.random() < 0.15 else rng.choice(working),
                        state="closed",
                        proposed_at=days_ago(start),
                        activated_at=days_ago(max(start - 2, 1)),
                        closed_at=days_ago(max(start - length, 0.5)),
                        close_reason=rng.choices(
                            ["goals_met", "participant_ended", "unreachable", "rematched", "other"],
                            weights=[50, 20, 15, 5, 10],
                        )[0],
                    )
                )
            Participant.objects.bulk_update([p for p in participants if p.status == "ended"], ["status"], BATCH)
            relationships = bulk(SupportRelationship, relationships)
            add("participants", len(participants))
            add("relationships", len(relationships))
            note(f"{slug}: {len(participants)} participants, {len(relationships)} relationships")

            # Contacts: skewed per relationship, dated within the relationship.
            weights = [rng.paretovariate(1.6) for _ in relationships]
            total_weight = sum(weights)
            contacts: list[tuple] = []
            tasks = ["rapport", "lived_experience", "emotional", "practical"]
            postgres = connection.vendor == "postgresql"
            # Notes are encrypted as the app stores them; a pool of ciphertexts keeps this quick.
            notes_pool = [encrypt(f"Talked about the week ({k}); follow up on the appointment.") for k in range(64)]
            fields = [
                "program",
                "relationship",
                "contacted_on",
                "channel",
                "reached",
                "duration_minutes",
                "tasks",
                "kind",
                "notes",
                "next_follow_up",
                "created_at",
                "correction_reason",
            ]
            if postgres:
                fields = [f + "_id" if f in ("program", "relationship") else f for f in fields]
            for rel, weight in zip(relationships, weights, strict=True):
                n = max(1, round(size.contacts_per_program * weight / total_weight))
                first = rel.activated_at
                last = rel.closed_at or now
                span = max((last - first).total_seconds(), 3600)
                for k in range(n):
                    at = first + dt.timedelta(seconds=span * (k + rng.random()) / n)
                    reached = rng.random() < 0.7
                    chosen = rng.sample(tasks, k=rng.randint(1, 3)) if reached else []
                    text = rng.choice(notes_pool) if rng.random() < 0.3 else ""
                    contacts.append(
                        (
                            program.pk if postgres else program,
                            rel.pk if postgres else rel,
                            at.date(),
                            rng.choices(["phone", "text", "in_person", "video"], weights=[5, 3, 2, 1])[0],
                            reached,
                            rng.randint(5, 60) if reached else None,
                            json.dumps(chosen) if postgres else chosen,
                            "first" if k == 0 else "check_in",
                            text if postgres else decrypt(text),
                            (at + dt.timedelta(days=7)).date() if rng.random() < 0.5 else None,
                            at,
                            "",
                        )
                    )
                if len(contacts) >= 50_000:
                    fast_insert(Contact, fields, contacts)
                    add("contacts", len(contacts))
                    contacts = []
            fast_insert(Contact, fields, contacts)
            add("contacts", len(contacts))
            note(f"{slug}: contacts done ({counts['contacts']} so far)")

            sample = rng.sample(relationships, k=max(1, len(relationships) // 100))
            bulk(
                Concern,
                [
                    Concern(
                        program=program,
                        relationship=rel,
                        participant_id=rel.participant_id,
                        supporter_id=rel.supporter_id,
                        kind=rng.choice(["concern", "concern", "crisis"]),
                        state="resolved",
                        raised_at=(raised := rel.activated_at + dt.timedelta(days=3)),
                        acknowledged_at=raised + dt.timedelta(minutes=rng.randint(2, 90)),
                        followed_up_at=raised + dt.timedelta(hours=rng.randint(2, 48)),
                    )
                    for rel in sample
                ],
            )
            bulk(
                AdverseEvent,
                [
                    AdverseEvent(
                        program=program,
                        supporter_id=rel.supporter_id,
                        participant_id=rel.participant_id,
                        relationship=rel,
                        kind=rng.choice(["hospitalised", "relapsed", "died"]),
                        occurred_at=rel.activated_at + dt.timedelta(days=10),
                    )
                    for rel in sample[: len(sample) // 2]
                ],
            )

            # Plans: goals (with steps and progress) and referrals to the program's directory for the open
            # relationships, the way supporters keep them.
            from peerpath.plans.models import Goal, GoalProgress, GoalStep, Referral, Resource

            resources = bulk(
                Resource,
                [
                    Resource(program=program, name=f"Service {k + 1}", organisation="Community services", needs=[need])
                    for k, need in enumerate(["Housing", "Food", "Transport", "Legal", "Employment"] * 4)
                ],
            )
            open_relationships = [r for r in relationships if r.state != "closed"]
            goals = bulk(
                Goal,
                [
                    Goal(
                        program=program,
                        relationship=rel,
                        text=f"Goal {g + 1} in their own words",
                        status=rng.choices(["open", "met", "set_aside"], weights=[6, 3, 1])[0],
                        target_on=today + dt.timedelta(days=rng.randint(-30, 90)),
                        created_at=rel.activated_at + dt.timedelta(days=7 * g + 1),
                    )
                    for rel in open_relationships
                    for g in range(rng.randint(0, 4))
                ],
            )
            bulk(
                GoalStep,
                [
                    GoalStep(
                        goal=goal,
                        text=f"Step {k + 1}",
                        target_on=today + dt.timedelta(days=rng.randint(-10, 40)),
                        done_on=today - dt.timedelta(days=k) if rng.random() < 0.4 else None,
                    )
                    for goal in goals
                    for k in range(rng.randint(0, 3))
                ],
            )
            bulk(
                GoalProgress,
                [
                    GoalProgress(goal=goal, noted_on=today - dt.timedelta(days=7 * k), note="Talked it through")
                    for goal in goals
                    for k in range(rng.randint(0, 3))
                ],
            )
            bulk(
                Referral,
                [
                    Referral(
                        program=program,
                        relationship=rel,
                        resource=(resource := rng.choice(resources)),
                        resource_name=resource.name,
                        need=resource.needs[0],
                        state=rng.choice(["suggested", "made", "connected", "not_connected"]),
                        suggested_on=today - dt.timedelta(days=rng.randint(1, 60)),
                        follow_up_on=today + dt.timedelta(days=rng.randint(-5, 20)),
                    )
                    for rel in open_relationships
                    for _ in range(rng.randint(0, 2))
                ],
            )
            add("goals", len(goals))

            # Supporter care: monthly one-on-ones and four-weekly check-ins over the last half year.
            meetings = bulk(
                SupervisionMeeting,
                [
                    SupervisionMeeting(
                        program=program,
                        held_on=today - dt.timedelta(days=30 * m + rng.randint(0, 20)),
                        duration_minutes=rng.choice([30, 45, 60]),
                        supervisor=s.supervisor,
                        topics="Caseload and self-care",
                    )
                    for s in working
                    for m in range(6)
                    if rng.random() < 0.8
                ],
            )
            attended = SupervisionMeeting.attendees.through
            working_by_supervisor: dict[int, list[Any]] = {}
            for s in working:
                working_by_supervisor.setdefault(s.supervisor_id, []).append(s)
            bulk(
                attended,
                [
                    attended(supervisionmeeting=m, supporter=rng.choice(working_by_supervisor[m.supervisor_id]))
                    for m in meetings
                ],
            )
            questionnaire = Questionnaire.objects.filter(program=program, is_builtin=True).first()
            if questionnaire is not None:
                form = form_of(questionnaire)
                values = [o.value for o in form.scale]
                checkins = []
                for s in working:
                    for m in range(6):
                        result = score(form, {item.number: rng.choice(values) for item in form.items})
                        checkins.append(
                            CheckIn(
                                program=program,
                                supporter=s,
                                questionnaire=questionnaire,
                                status=CheckInStatus.COMPLETED,
                                due_on=today - dt.timedelta(days=28 * m),
                                completed_at=days_ago(28 * m),
                                scores={r.key: r.as_json() for r in result.subscales},
                                concern=result.concern,
                            )
                        )
                bulk(CheckIn, checkins)
            # Training: a course running now with the people in training, and last year's course.
            trainers = [u for u in staff if u.email.startswith("trainer")]
            trainees = [s for s in people if s.stage == "in_training"]
            graduates = [s for s in people if s.stage in {"assessed", "certified", "provisional", "not_graduated"}]
            for label, start, members in (
                ("this term", today - dt.timedelta(days=35), trainees),
                ("last year", today - dt.timedelta(days=400), graduates),
            ):
                cohort = Cohort.objects.create(
                    program=program,
                    name=f"Evening course, {label}",
                    starts_on=start,
                    ends_on=start + dt.timedelta(weeks=10),
                    default_location="Community hall",
                )
                cohort.trainers.set(trainers)
                bulk(Enrolment, [Enrolment(program=program, cohort=cohort, supporter=s) for s in members])
                sessions = bulk(
                    TrainingSession,
                    [
                        TrainingSession(
                            program=program,
                            cohort=cohort,
                            title=f"Week {w + 1}",
                            starts_at=(
                                at := timezone.make_aware(
                                    dt.datetime.combine(start + dt.timedelta(weeks=w), dt.time(18, 30))
                                )
                            ),
                            ends_at=at + dt.timedelta(hours=2),
                            location="Community hall",
                        )
                        for w in range(10)
                    ],
                )
                bulk(
                    Attendance,
                    [
                        Attendance(
                            session=session,
                            supporter=s,
                            status=rng.choices(["present", "late", "excused", "absent"], weights=[80, 8, 7, 5])[0],
                        )
                        for session in sessions
                        if session.starts_at < now
                        for s in members
                    ],
                )
            # Groups: weekly groups facilitated by the active supporters (every one of them co-facilitates
            # one, so each persona reaches the pages), members from the participants, ten past weeks held
            # with attendance; and a quarterly dinner everyone answered.
            from peerpath.groups import services as groups
            from peerpath.groups.models import Attendance as GroupAttendance
            from peerpath.groups.models import Group, GroupKind, GroupMember, GroupSession, Rsvp

            active = [s for s in people if s.stage == "active" and s.user_id]
            kinds = {k.name: k for k in GroupKind.objects.filter(program=program)}
            group_count = max(2, len(active) // 8)
            members_each = max(4, len(participants) // (group_count * 2))
            for g in range(group_count):
                group = Group.objects.create(
                    program=program,
                    kind=kinds["Peer support group"],
                    name=f"Weekly group {g + 1}",
                    weekday=g % 7,
                    starts_on=today - dt.timedelta(weeks=10),
                    start_time=dt.time(18, 30),
                    place="Community hall",
                    listed=True,
                    lead=active[g % len(active)] if active else None,
                )
                group.co_facilitators.set(active[g::group_count])
                groups.lay_out(group)
                chosen = participants[g * members_each : (g + 1) * members_each]
                members = bulk(
                    GroupMember,
                    [GroupMember(group=group, participant=x, joined_on=today - dt.timedelta(weeks=10)) for x in chosen],
                )
                held = bulk(
                    GroupSession,
                    [
                        GroupSession(
                            group=group,
                            planned_for=(at := now - dt.timedelta(weeks=w, hours=1)),
                            starts_at=at,
                            duration_minutes=90,
                            status="held",
                            first_time_drop_ins=rng.randint(0, 3),
                            returning_drop_ins=rng.randint(0, 3),
                            attendance_taken_at=at,
                        )
                        for w in range(1, 11)
                    ],
                )
                bulk(
                    GroupAttendance,
                    [GroupAttendance(session=x, member=m) for x in held for m in members if rng.random() < 0.7],
                )
            dinner = Group.objects.create(
                program=program,
                kind=kinds["Social gathering"],
                name="Quarterly dinner",
                frequency="quarterly",
                weekday=4,
                nth=-1,
                starts_on=today,
                start_time=dt.time(19, 0),
                place="Trattoria",
                admission="registration",
            )
            groups.lay_out(dinner)
            first = GroupSession.objects.filter(group=dinner).order_by("starts_at").first()
            if first is not None:
                answers = ["yes", "maybe", "no"]
                bulk(Rsvp, [Rsvp(session=first, supporter=x, answer=rng.choice(answers)) for x in working])
            participant_side(program, participants, relationships, people, staff, rng)
            # The contacts went in without signals (COPY): the reports' rollups are built from them.
            rollups.rebuild(program.pk)
            note(f"{slug}: done")

    return counts


def participant_side(
    program: Any, participants: list[Any], relationships: list[Any], people: list[Any], staff: list[Any], rng: Any
) -> None:
    """The participant's side and the practice lab, so that each of their pages has rows: needs
    and plan reviews; feedback answers through links, outcome measures (the project's measure),
    consents to share and former participants' interest; the sample scenarios and finished
    practice sessions with coded replies for the active supporters."""
    from django.utils import timezone

    from peerpath.care.instruments import form_of
    from peerpath.care.scoring import score
    from peerpath.core.actors import SystemActor
    from peerpath.plans.defaults import get_settings as plan_settings
    from peerpath.plans.models import Need, PlanReview
    from peerpath.practice import fidelity
    from peerpath.practice.codes import ALL_CODES
    from peerpath.practice.models import PracticeSession, Reply, Scenario
    from peerpath.practice.services import add_sample_scenarios
    from peerpath.voice.models import AnswerLink, FeedbackAnswer, OutcomeResponse, PeerInterest, ShareConsent
    from peerpath.voice.services.outcomes import add_project_measure

    actor = SystemActor("bench")
    now = timezone.now()
    today = timezone.localdate()
    coordinator = next(u for u in staff if u.email.startswith("coordinator"))
    checklist = plan_settings(program).need_list() or ["Housing"]
    bulk(
        Need,
        [
            Need(
                program=program,
                participant=person,
                area=area,
                status=(status := rng.choice(["open", "working", "met", "not_needed"])),
                met_on=today - dt.timedelta(days=rng.randint(1, 60)) if status == "met" else None,
                note="Talked about it at intake",
            )
            for person in participants
            for area in rng.sample(checklist, k=min(len(checklist), rng.randint(0, 3)))
        ],
    )
    working = [r for r in relationships if r.state != "closed"]
    bulk(
        PlanReview,
        [
            PlanReview(relationship=r, reviewed_on=today - dt.timedelta(days=rng.randint(1, 60)), note="Reviewed")
            for r in working
            if rng.random() < 0.5
        ],
    )
    measure = add_project_measure(actor=actor, program=program)
    form = form_of(measure)
    values = [o.value for o in form.scale]
    answered = [r for r in working if rng.random() < 0.7]
    links = bulk(
        AnswerLink,
        [
            AnswerLink(
                program=program,
                relationship=r,
                participant_id=r.participant_id,
                occasion="first_contact",
                measures=[measure.pk],
                measure_point="intake",
                nonce=f"bench{r.pk}",
                created_at=(sent := now - dt.timedelta(days=rng.randint(2, 40))),
                expires_at=sent + dt.timedelta(days=14),
                used_at=sent + dt.timedelta(hours=5),
            )
            for r in answered
        ],
    )
    bulk(
        FeedbackAnswer,
        [
            FeedbackAnswer(
                program=program,
                relationship=r,
                participant_id=r.participant_id,
                supporter_id=r.supporter_id,
                link=link,
                occasion="first_contact",
                felt_heard=rng.choice(["yes", "mostly", "not_really", "no"]),
                good_fit=rng.choices(["yes", "not_sure", "no"], weights=[8, 2, 1])[0],
                message=rng.choice(["", "It helps to talk.", "Could we meet in the evening?"]),
                answered_at=link.used_at,
            )
            for r, link in zip(answered, links, strict=True)
        ],
    )

    def outcome(r: Any, point: str, when: Any, link: Any = None) -> Any:
        answers = {item.number: rng.choice(values) for item in form.items}
        scores = {x.key: x.as_json() for x in score(form, answers).subscales}
        return OutcomeResponse(
            program=program,
            participant_id=r.participant_id,
            relationship=r,
            questionnaire=measure,
            point=point,
            via="link" if link else "supporter",
            link=link,
            answers=answers,
            scores=scores,
            completed_at=when,
        )

    bulk(
        OutcomeResponse,
        [outcome(r, "intake", link.used_at, link) for r, link in zip(answered, links, strict=True)]
        + [outcome(r, "review", now - dt.timedelta(days=1)) for r in answered if rng.random() < 0.6],
    )
    bulk(
        ShareConsent,
        [
            ShareConsent(
                program=program,
                participant_id=r.participant_id,
                recipient="Riverside Community Clinic",
                scope=["goals", "outcomes"],
                expires_on=today + dt.timedelta(days=180),
                recorded_by=coordinator,
            )
            for r in answered[::4]
        ],
    )
    met = [r for r in relationships if r.state == "closed" and r.close_reason == "goals_met"]
    bulk(
        PeerInterest,
        [
            PeerInterest(
                program=program,
                participant_id=r.participant_id,
                relationship=r,
                consented=rng.random() < 0.6,
                asked_at=r.closed_at,
                invited_at=r.closed_at + dt.timedelta(days=3) if rng.random() < 0.3 else None,
            )
            for r in met
        ],
    )
    add_sample_scenarios(actor=actor, program=program)
    scenarios = list(Scenario.objects.filter(program=program).select_related("first_step"))
    practising = [s for s in people if s.stage == "active" and s.user_id]
    sessions = []
    replies: list[list[list[str]]] = []
    for supporter in practising:
        for _ in range(rng.randint(1, 3)):
            codes = [rng.sample(ALL_CODES, k=rng.choice([1, 1, 2])) for _ in range(rng.randint(3, 8))]
            summary = fidelity.summarise(codes, risk_cue_met=False, risk_cue_missed=False)
            sessions.append(
                PracticeSession(
                    program=program,
                    scenario=rng.choice(scenarios),
                    user_id=supporter.user_id,
                    supporter=supporter,
                    status="finished",
                    started_at=(ended := now - dt.timedelta(days=rng.randint(1, 60))) - dt.timedelta(minutes=15),
                    finished_at=ended,
                    summary=summary,
                    rating=summary["rating"],
                )
            )
            replies.append(codes)
    sessions = bulk(PracticeSession, sessions)
    bulk(
        Reply,
        [
            Reply(
                session=session,
                position=n,
                step=session.scenario.first_step,
                person_said="I don't know where to start.",
                text="What has this week been like for you?",
                codes=[str(c) for c in codes],
            )
            for session, coded in zip(sessions, replies, strict=True)
            for n, codes in enumerate(coded, start=1)
        ],
    )


def bench_personas(slug: str = BENCH_PROGRAM) -> dict[str, Any]:
    """The benchmark's logged-in people: the coordinator, the busiest active supporter, a supervisor."""
    from django.db.models import Count, Q

    from peerpath.core.models import User
    from peerpath.recruitment.models import Supporter

    supporter = (
        Supporter.objects.filter(program__slug=slug, stage="active", user__isnull=False)
        .annotate(open=Count("support_relationships", filter=Q(support_relationships__state="active")))
        .order_by("-open", "id")
        .first()
    )
    if supporter is None:
        raise SystemExit(f"No benchmark data in program '{slug}': run `make bench-data` first.")
    return {
        "coordinator": User.objects.get(email=f"coordinator1@{slug}.{DOMAIN}"),
        "supervisor": User.objects.get(email=f"supervisor1@{slug}.{DOMAIN}"),
        "supporter": supporter.user,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=float(os.environ.get("BENCH_SCALE", "1")))
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    setup_django()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql" and args.scale > 0.05:
        raise SystemExit("Set DATABASE_URL to a PostgreSQL database: the benchmark network is too big for SQLite.")
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    started = time.monotonic()
    counts = build_network(args.scale, args.seed, progress=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"Built in {time.monotonic() - started:.0f} s: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
