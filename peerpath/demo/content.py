"""The demo program's base: the program, one login per role, and applicants on every stage."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from peerpath.core.actors import DEMO
from peerpath.core.models import User
from peerpath.core.permissions import Role
from peerpath.programs.models import FocusArea, Membership, Program
from peerpath.programs.services import add_member
from peerpath.programs.signals import program_created
from peerpath.recruitment import services as recruitment
from peerpath.recruitment.models import Application, Decision, RedFlag, ScreeningQuestion, Source, Stage, Supporter
from peerpath.recruitment.pathway import move_to_stage

DEMO_PASSWORD = "peerpath-demo"  # noqa: S105 (public demo data, printed by make run)
SLUG = "riverside"
DOMAIN = "riverside.example.org"

FOCUS_AREAS = [
    "Depression and anxiety",
    "Substance use recovery",
    "Grief and loss",
    "Chronic illness",
    "Caring for a family member",
    "Trauma",
]

STAFF = [
    ("coordinator", "Cora Mendes", {Role.COORDINATOR}),
    ("trainer", "Theo Park", {Role.TRAINER}),
    ("supervisor", "Sam Okafor", {Role.SUPERVISOR}),
]

# name, e-mail local part, source, stage reached, days since applying, languages, areas (indexes)
APPLICANTS: list[tuple[str, str, str, str, int, list[str], list[int]]] = [
    ("Priya Shah", "supporter", Source.FORMER_PARTICIPANT, Stage.ACTIVE, 400, ["English", "Gujarati"], [0, 2]),
    ("Amara Nwosu", "amara", Source.FLYER, Stage.APPLICANT, 2, ["English"], [0]),
    ("Ben Carter", "ben", Source.CLINICIAN, Stage.APPLICANT, 4, ["English"], [1]),
    ("Chloé Martin", "chloe", Source.OTHER, Stage.APPLICANT, 6, ["French", "English"], [3]),
    ("Diego Ramírez", "diego", Source.FORMER_PARTICIPANT, Stage.APPLICANT, 9, ["Spanish", "English"], [1, 5]),
    ("Esther Cohen", "esther", Source.FLYER, Stage.SCREENING, 12, ["English", "Hebrew"], [2]),
    ("Farid Haddad", "farid", Source.CLINICIAN, Stage.SCREENING, 15, ["Arabic", "English"], [3]),
    ("Grace Liu", "grace", Source.FORMER_PARTICIPANT, Stage.SCREENING, 18, ["Mandarin", "English"], [0, 4]),
    ("Hana Kim", "hana", Source.FLYER, Stage.COACHING, 30, ["Korean", "English"], [5]),
    ("Ivan Petrov", "ivan", Source.OTHER, Stage.COACHING, 33, ["Russian", "English"], [1]),
    ("Jade Wilson", "jade", Source.FLYER, Stage.DECLINED, 40, ["English"], [0]),
    ("Kofi Mensah", "kofi", Source.OTHER, Stage.DECLINED, 44, ["English", "Twi"], [2]),
    ("Lena Fischer", "lena", Source.CLINICIAN, Stage.REDIRECTED, 50, ["German", "English"], [4]),
    ("Marco Rossi", "marco", Source.FLYER, Stage.WITHDRAWN, 55, ["Italian", "English"], [3]),
    ("Nadia Rahman", "nadia", Source.FORMER_PARTICIPANT, Stage.IN_TRAINING, 60, ["Bengali", "English"], [0, 5]),
    ("Omar Farouk", "omar", Source.CLINICIAN, Stage.IN_TRAINING, 62, ["Arabic", "English"], [1]),
    ("Paula Souza", "paula", Source.FORMER_PARTICIPANT, Stage.ASSESSED, 120, ["Portuguese", "English"], [2]),
    ("Quinn Murphy", "quinn", Source.FLYER, Stage.CERTIFIED, 150, ["English"], [3]),
    ("Rosa Jiménez", "rosa", Source.FORMER_PARTICIPANT, Stage.PROVISIONAL, 160, ["Spanish", "English"], [2, 4]),
    ("Sanjay Patel", "sanjay", Source.CLINICIAN, Stage.NOT_GRADUATED, 170, ["Hindi", "English"], [1]),
    ("Tomás Silva", "tomas", Source.FORMER_PARTICIPANT, Stage.SHADOWING, 200, ["Portuguese", "Spanish"], [5]),
    ("Uma Iyer", "uma", Source.FLYER, Stage.ACTIVE, 380, ["Tamil", "English"], [0, 3]),
    ("Victor Osei", "victor", Source.CLINICIAN, Stage.ON_BREAK, 420, ["English"], [1, 2]),
    ("Wendy Brooks", "wendy", Source.OTHER, Stage.INACTIVE, 500, ["English"], [4]),
    ("Xavier Dubois", "xavier", Source.FORMER_PARTICIPANT, Stage.ALUMNI, 800, ["French"], [2]),
]

# The route each final stage is reached by, after the screening decision.
ROUTES: dict[str, list[str]] = {
    Stage.IN_TRAINING: [],
    Stage.ASSESSED: [Stage.ASSESSED],
    Stage.CERTIFIED: [Stage.ASSESSED, Stage.CERTIFIED],
    Stage.PROVISIONAL: [Stage.ASSESSED, Stage.PROVISIONAL],
    Stage.NOT_GRADUATED: [Stage.ASSESSED, Stage.NOT_GRADUATED],
    Stage.SHADOWING: [Stage.ASSESSED, Stage.CERTIFIED, Stage.SHADOWING],
    Stage.ACTIVE: [Stage.ASSESSED, Stage.CERTIFIED, Stage.ACTIVE],
    Stage.ON_BREAK: [Stage.ASSESSED, Stage.CERTIFIED, Stage.ACTIVE, Stage.ON_BREAK],
    Stage.INACTIVE: [Stage.ASSESSED, Stage.CERTIFIED, Stage.ACTIVE, Stage.INACTIVE],
    Stage.ALUMNI: [Stage.ASSESSED, Stage.CERTIFIED, Stage.ACTIVE, Stage.ALUMNI],
}
TRAINED = set(ROUTES)


def _email(local: str) -> str:
    return f"{local}@{DOMAIN}"


def load_base() -> tuple[Program, dict[str, Any]]:
    program, created = Program.objects.get_or_create(
        slug=SLUG,
        defaults={
            "name": "Riverside Peer Support Network",
            "description": "Peer support for adults living with mental health and substance use challenges, "
            "grief, and chronic illness, in Riverside County.",
            "population": "Adults in Riverside County",
            "contact_email": f"hello@{DOMAIN}",
            "application_intro": "Have you been through a hard time and come out the other side? "
            "Peer supporters use their lived experience to walk beside someone who is where they once were. "
            "Training, supervision and support are free.",
            # The printed demo logins work with the password alone; a coordinator turns two-factor
            # sign-in on under Settings to try it (docs/security.md#two-factor-sign-in).
            "second_factor_for_coordinators": False,
        },
    )
    if created:
        program_created.send(sender=Program, program=program, actor=DEMO)
    for position, name in enumerate(FOCUS_AREAS):
        FocusArea.objects.get_or_create(program=program, name=name, defaults={"position": position})
    logins: dict[str, User] = {}
    coordinator = None
    for local, full_name, roles in STAFF:
        user = _user(local, full_name)
        if not Membership.objects.filter(user=user, program=program).exists():
            add_member(actor=DEMO, program=program, email=user.email, full_name=full_name, roles=roles)
        logins[local] = user
        coordinator = coordinator or user
    areas = list(FocusArea.objects.filter(program=program).order_by("position"))
    supporters: dict[str, Supporter] = {}
    for row in APPLICANTS:
        existed = Supporter.objects.filter(program=program, email=_email(row[1])).exists()
        supporters[row[1]] = _applicant(program, coordinator, areas, logins, *row)
        if not existed:
            _spread_history(supporters[row[1]], days_ago=row[4])
    logins["supporter"] = User.objects.get(email=_email("supporter"))
    return program, {"logins": logins, "supporters": supporters, "coordinator": coordinator}


def _spread_history(supporter: Supporter, days_ago: int) -> None:
    """Date a demo person's history across the time since they applied, as if it had happened."""
    now = timezone.now()
    applied_at = now - dt.timedelta(days=days_ago)
    changes = list(supporter.stage_changes.order_by("id"))
    step = dt.timedelta(days=days_ago) / (len(changes) + 1)
    for i, change in enumerate(changes):
        change.created_at = applied_at + step * i
        change.save(update_fields=["created_at"])
    Supporter.objects.filter(pk=supporter.pk).update(
        created_at=applied_at, stage_changed_at=changes[-1].created_at if changes else applied_at
    )
    supporter.refresh_from_db()


def _user(local: str, full_name: str) -> User:
    user, created = User.objects.get_or_create(email=_email(local), defaults={"full_name": full_name})
    if created or not user.has_usable_password():
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def _applicant(
    program: Program,
    coordinator: Any,
    areas: list[FocusArea],
    logins: dict[str, User],
    full_name: str,
    local: str,
    source: str,
    stage: str,
    days_ago: int,
    languages: list[str],
    area_indexes: list[int],
) -> Supporter:
    existing = Supporter.objects.filter(program=program, email=_email(local)).first()
    if existing is not None:
        return existing
    now = timezone.now()
    application = recruitment.submit_application(
        program=program,
        full_name=full_name,
        email=_email(local),
        phone=f"555-01{len(local):02d}",
        preferred_contact="email",
        focus_areas=[areas[i] for i in area_indexes],
        motivation=f"I have lived through {areas[area_indexes[0]].name.lower()} and want others to feel less alone.",
        availability="Weekday evenings, about four hours a week.",
        languages=languages,
        source=source,
        clinician_name="Dr. Helen Avery" if source == Source.CLINICIAN else "",
        consent_to_contact=True,
    )
    applied_at = now - dt.timedelta(days=days_ago)
    Application.objects.filter(pk=application.pk).update(submitted_at=applied_at)
    supporter = application.supporter
    if stage == Stage.APPLICANT:
        return supporter
    if stage == Stage.WITHDRAWN:
        move_to_stage(actor=coordinator, supporter=supporter, to_stage=Stage.WITHDRAWN, reason="Moved away")
        return supporter
    interview = recruitment.schedule_interview(
        actor=coordinator,
        supporter=supporter,
        scheduled_for=applied_at + dt.timedelta(days=min(7, max(days_ago - 1, 1))),
        location="Riverside Community Center, room 2",
        interviewer=coordinator,
    )
    if stage == Stage.SCREENING:
        return supporter
    questions = ScreeningQuestion.objects.filter(program=program, is_active=True)
    flags = list(RedFlag.objects.filter(program=program, is_active=True))
    red = {flags[0].pk: "Still early in recovery; talk again in a few months."} if stage == Stage.COACHING else {}
    if stage == Stage.DECLINED:
        red = {flags[1].pk: "Spoke of wanting to 'fix' people."}
    recruitment.record_screening(
        actor=coordinator,
        interview=interview,
        answers={q.pk: "Thoughtful answer, recorded in the conversation." for q in questions},
        red_flags=red,
        notes="Warm and reflective.",
    )
    today = timezone.localdate()
    if stage == Stage.COACHING:
        recruitment.decide(
            actor=coordinator,
            interview=interview,
            decision=Decision.NOT_YET,
            revisit_on=today + dt.timedelta(days=60 if local == "hana" else 1),
            note="More coaching first.",
        )
    elif stage == Stage.DECLINED:
        recruitment.decide(
            actor=coordinator,
            interview=interview,
            decision=Decision.DECLINE,
            decline_reason="Not a fit for the role at this time.",
            may_reapply_after=today + dt.timedelta(days=180),
        )
    elif stage == Stage.REDIRECTED:
        recruitment.decide(
            actor=coordinator, interview=interview, decision=Decision.REDIRECT, redirect_role="Information session host"
        )
    elif stage in TRAINED:
        recruitment.decide(actor=coordinator, interview=interview, decision=Decision.ACCEPT, note="Warm, steady.")
        supporter.refresh_from_db()
        for next_stage in ROUTES[stage]:
            move_to_stage(actor=coordinator, supporter=supporter, to_stage=next_stage, reason="Demo history")
        if local == "supporter":
            _user(local, full_name)
            recruitment.record_milestone(
                actor=coordinator,
                supporter=supporter,
                title="Led an information session",
                achieved_on=today - dt.timedelta(days=300),
            )
    return supporter
