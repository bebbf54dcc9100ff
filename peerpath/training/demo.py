"""Demo training data: a running cohort with the people in training, a finished cohort for
those already assessed, sessions with attendance (a make-up included), role plays, shadowing,
feedback, and refresher events. Idempotent: nothing is added when the cohorts exist."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from peerpath.programs.models import Program
from peerpath.recruitment.models import Supporter
from peerpath.training import services
from peerpath.training.defaults import seed_curriculum
from peerpath.training.models import (
    Attendance,
    AttendanceStatus,
    Cohort,
    Enrolment,
    EnrolmentChange,
    EnrolmentStatus,
    SessionKind,
    Topic,
    TrainingSession,
)

RUNNING = "Evening course, this term"
FINISHED = "Evening course, last year"
# The ten weekly sessions of the course: title and the module whose topics it covers.
SESSIONS = [
    ("Welcome: what peer support is", "Foundations of peer support"),
    ("Listening and empathy", "Foundations of peer support"),
    ("Sharing your story safely", "Foundations of peer support"),
    ("Boundaries and confidentiality", "Ethics and confidentiality"),
    ("Recognising a crisis", "Crisis intervention"),
    ("Recovery and stages of change", "Recovery principles"),
    ("Motivational interviewing", "Motivational interviewing"),
    ("Working across cultures", "Cultural competence"),
    ("Finding your way in the service system", "Navigating systems"),
    ("Looking after yourself", "Self-care and resilience"),
]
LEARN_MORE = [
    "More about crisis situations and when to call for help",
    "Boundaries with participants, and sharing my story",
    "crisis de-escalation",
    "Motivational interviewing and open questions",
    "How to end a support relationship",
]


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def load(program: Program, people: dict[str, Any]) -> None:
    if Cohort.objects.filter(program=program, name=RUNNING).exists():
        return
    seed_curriculum(program)
    trainer = people["logins"]["trainer"]
    coordinator = people["coordinator"]
    supporters: dict[str, Supporter] = people["supporters"]
    for s in supporters.values():
        s.refresh_from_db()
    today = timezone.localdate()
    topics_by_module: dict[str, list[Topic]] = {}
    for topic in Topic.objects.filter(program=program).select_related("module"):
        topics_by_module.setdefault(topic.module.title, []).append(topic)

    # The running course: started six weeks ago, ten weekly sessions, six held so far.
    start = today - dt.timedelta(days=42)
    cohort = services.save_cohort(
        actor=coordinator,
        program=program,
        cohort=None,
        data={
            "name": RUNNING,
            "description": "The free ten-week initial training, taught by trained peers on Tuesday evenings.",
            "starts_on": start,
            "ends_on": start + dt.timedelta(weeks=9),
            "default_location": "Riverside Community Center, room 2",
        },
        trainers=[trainer],
    )
    trainees = [supporters[k] for k in ("nadia", "omar") if supporters[k].stage == "in_training"]
    for trainee in trainees:
        services.enrol_trainee(actor=coordinator, cohort=cohort, supporter=trainee)
    sessions = []
    for week, (title, module) in enumerate(SESSIONS):
        day = start + dt.timedelta(weeks=week)
        sessions.append(
            services.save_session(
                actor=trainer,
                cohort=cohort,
                session=None,
                data={
                    "title": title,
                    "starts_at": _at(day, 18),
                    "ends_at": _at(day, 20, 30),
                    "location": cohort.default_location,
                    "online_url": "",
                    "description": "",
                },
                topics=topics_by_module.get(module, [])[:3],
            )
        )
    held = [s for s in sessions if s.starts_at <= timezone.now()]
    nadia, omar = [*trainees, None, None][:2]
    for index, session in enumerate(held):
        marks: dict[int, tuple[str, str]] = {}
        if nadia is not None:
            marks[nadia.pk] = (AttendanceStatus.ABSENT, "Unwell") if index == 2 else (AttendanceStatus.PRESENT, "")
        if omar is not None:
            status = {1: AttendanceStatus.LATE, 4: AttendanceStatus.EXCUSED}.get(index, AttendanceStatus.PRESENT)
            marks[omar.pk] = (status, "Work shift" if status == AttendanceStatus.EXCUSED else "")
        services.record_attendance(actor=trainer, session=session, marks=marks)
    if nadia is not None and len(held) > 2:
        missed = held[2]
        makeup = services.save_session(
            actor=trainer,
            cohort=cohort,
            session=None,
            data={
                "title": f"Make-up: {missed.title}",
                "starts_at": missed.starts_at + dt.timedelta(days=3),
                "ends_at": missed.starts_at + dt.timedelta(days=3, hours=1, minutes=30),
                "location": "Riverside Community Center, small office",
                "online_url": "",
                "description": "One-to-one catch-up for the session you missed.",
                "makeup_for": missed,
            },
            topics=list(missed.topics.all()),
        )
        services.record_attendance(actor=trainer, session=makeup, marks={nadia.pk: (AttendanceStatus.PRESENT, "")})
    competencies = {c.number: c for c in program.competencies.all()}
    uma = supporters["uma"]
    if nadia is not None:
        services.record_role_play(
            actor=trainer,
            cohort=cohort,
            trainee=nadia,
            held_on=held[1].starts_at.date() if len(held) > 1 else today,
            scenario="A participant calls after a relapse, ashamed and wanting to quit the program.",
            participant_played_by="Theo Park (trainer)",
            observer_notes="Listened without rushing, reflected feelings well; shared her own story briefly and "
            "brought the focus back to the participant.",
            competencies=[competencies[n] for n in (4, 6, 8) if n in competencies],
            session=held[1] if len(held) > 1 else None,
        )
        shadowing = services.record_shadowing(
            actor=nadia.user or trainer,
            cohort=cohort,
            trainee=nadia,
            experienced_supporter=uma,
            shadowed_on=today - dt.timedelta(days=10),
            hours=Decimal("2"),
            reflection="Uma let the participant lead. I noticed how much silence helped.",
            competencies=[competencies[n] for n in (2, 5) if n in competencies],
        )
        if uma.user is not None:
            services.comment_on_shadowing(
                actor=uma.user, shadowing=shadowing, comment="Nadia was attentive and respectful. Ready for more."
            )
    if omar is not None:
        services.record_role_play(
            actor=trainer,
            cohort=cohort,
            trainee=omar,
            held_on=held[4].starts_at.date() if len(held) > 4 else today,
            scenario="A participant says they have been thinking about ending their life.",
            participant_played_by="Priya Shah (experienced supporter)",
            observer_notes="Stayed calm and asked directly about safety, but hesitated on when to call for help.",
            competencies=[competencies[n] for n in (9,) if n in competencies],
        )
    for index, session in enumerate(held[:5]):
        for trainee_index, trainee in enumerate(trainees):
            if not session.attendance.filter(supporter=trainee, status__in=["present", "late"]).exists():
                continue
            assert trainee.user is not None  # every demo trainee was accepted with an account
            services.give_feedback(
                actor=trainee.user,
                supporter=trainee,
                cohort=cohort,
                session=session,
                helpful=5 - ((index + trainee_index) % 3),
                learn_more=LEARN_MORE[(index + trainee_index) % len(LEARN_MORE)],
                comments="Loved the role plays." if index == 1 else "",
            )

    _finished_cohort(program, trainer, coordinator, supporters, today, topics_by_module)
    _refreshers(program, coordinator, trainer, supporters, today)


def _finished_cohort(
    program: Program,
    trainer: Any,
    coordinator: Any,
    supporters: dict[str, Supporter],
    today: dt.date,
    topics_by_module: dict[str, list[Topic]],
) -> None:
    """Last year's course, for the people already assessed (history recorded directly: they
    have moved on along the pathway since)."""
    start = today - dt.timedelta(days=200)
    cohort = services.save_cohort(
        actor=coordinator,
        program=program,
        cohort=None,
        data={
            "name": FINISHED,
            "description": "Last year's ten-week course.",
            "starts_on": start,
            "ends_on": start + dt.timedelta(weeks=9),
            "default_location": "Riverside Community Center, room 2",
        },
        trainers=[trainer],
    )
    people = [supporters[k] for k in ("quinn", "rosa", "sanjay", "paula")]
    for person in people:
        enrolment = Enrolment.objects.create(
            program=program,
            cohort=cohort,
            supporter=person,
            status=EnrolmentStatus.ENROLLED if person.stage == "assessed" else EnrolmentStatus.COMPLETED,
            enrolled_at=timezone.make_aware(dt.datetime.combine(start, dt.time(9))),
        )
        EnrolmentChange.objects.create(enrolment=enrolment, to_status=EnrolmentStatus.ENROLLED, actor=coordinator)
        if enrolment.status == EnrolmentStatus.COMPLETED:
            EnrolmentChange.objects.create(
                enrolment=enrolment,
                from_status=EnrolmentStatus.ENROLLED,
                to_status=EnrolmentStatus.COMPLETED,
                actor=trainer,
                reason="Assessed",
            )
    for week, (title, module) in enumerate(SESSIONS):
        day = start + dt.timedelta(weeks=week)
        session = services.save_session(
            actor=trainer,
            cohort=cohort,
            session=None,
            data={
                "title": title,
                "starts_at": _at(day, 18),
                "ends_at": _at(day, 20, 30),
                "location": cohort.default_location,
                "online_url": "",
                "description": "",
            },
            topics=topics_by_module.get(module, [])[:3],
        )
        for index, person in enumerate(people):
            missed = (person.stage == "not_graduated" and week % 3 == 0) or (index == 1 and week == 7)
            Attendance.objects.create(
                session=session,
                supporter=person,
                status=AttendanceStatus.ABSENT if missed else AttendanceStatus.PRESENT,
                recorded_by=trainer,
            )


def _refreshers(
    program: Program, coordinator: Any, trainer: Any, supporters: dict[str, Supporter], today: dt.date
) -> None:
    last_month = today - dt.timedelta(days=20)
    held = services.create_refresher_event(
        actor=coordinator,
        program=program,
        title="Monthly teleconference: grief after a participant's death",
        starts_at=_at(last_month, 19),
        ends_at=_at(last_month, 20, 30),
        location="Phone conference",
        description="Topics from this month's debriefing forms.",
        credited_hours=Decimal("1.5"),
        category="peer-specific",
        online_url="https://meet.example.org/riverside-monthly",
    )
    marks = {}
    for key in ("supporter", "uma", "quinn", "tomas"):
        person = supporters[key]
        person.refresh_from_db()
        if person.stage in services.REFRESHER_STAGES:
            marks[person.pk] = (AttendanceStatus.PRESENT, "")
    services.record_attendance(actor=coordinator, session=held, marks=marks)
    next_month = today + dt.timedelta(days=12)
    services.create_refresher_event(
        actor=coordinator,
        program=program,
        title="Guest speaker: new treatments for opioid use disorder",
        starts_at=_at(next_month, 18, 30),
        ends_at=_at(next_month, 20, 30),
        location="Riverside Community Center, hall",
        description="Dr. Helen Avery on what changed in treatment this year, and what it means for supporters.",
        credited_hours=Decimal("2"),
        category="general",
    )
    services.create_refresher_event(
        actor=trainer,
        program=program,
        title="Ethics refresher: dual relationships in a small town",
        starts_at=_at(today + dt.timedelta(days=33), 19),
        ends_at=_at(today + dt.timedelta(days=33), 21),
        location="Online",
        online_url="https://meet.example.org/riverside-ethics",
        credited_hours=Decimal("2"),
        category="ethics",
    )


__all__ = ["SessionKind", "TrainingSession", "load"]
