"""Demo plans (idempotent; loaded by `manage.py load_demo` after the support demo).

Helen (with Priya) has two goals in her own words, one met, with steps and progress, and a plan
review ten days ago; Ravi has one goal just set; Dana's plan review is due (the demo program
reviews plans every four weeks), so it shows on Priya's home page. Grace (with Uma) has a goal
worked on twice.

The program's resource directory lists six local services. Helen's benefits need was met
through a referral that connected; Grace's transport referral was made; Ravi's referral to the
job club is suggested, to be checked on today (one of Priya's follow-ups); Marisol, still
waiting for a supporter, had her housing need recorded at intake.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from peerpath.core.actors import DEMO, Actor
from peerpath.plans import services
from peerpath.plans.models import Goal, GoalStatus, NeedStatus, ReferralState, Resource
from peerpath.programs.models import Program
from peerpath.support.models import WORKING_STATES, Participant, SupportRelationship

# name, organisation, offers, needs, eligibility, languages, hours, area, phone
RESOURCES = [
    (
        "Riverside Food Bank",
        "Riverside Churches Together",
        "Food parcels twice a week and a community lunch on Fridays. No referral letter needed.",
        ["Food"],
        "Anyone living in Riverside.",
        ["English", "Spanish"],
        "Tue and Fri 10:00-14:00",
        "Downtown",
        "555-0701",
    ),
    (
        "Benefits Advice Line",
        "Riverside Citizens Advice",
        "Checks what you are entitled to, helps with forms and appeals, including Medicaid.",
        ["Income and benefits"],
        "Adults in the county.",
        ["English", "Spanish", "Gujarati"],
        "Mon-Fri 9:00-17:00",
        "County-wide",
        "555-0702",
    ),
    (
        "Valley Housing Help",
        "East Valley Housing Trust",
        "Advice on rent arrears, repairs and homelessness; emergency housing referrals.",
        ["Housing"],
        "Tenants and people at risk of losing their home.",
        ["English"],
        "Mon, Wed, Thu 9:30-16:00",
        "East Valley",
        "555-0703",
    ),
    (
        "Dial-a-Ride",
        "Riverside Community Transport",
        "Door-to-door minibus to appointments and shops, booked a day ahead.",
        ["Transport", "Physical health"],
        "People who cannot easily use buses.",
        ["English"],
        "Mon-Sat 8:00-18:00",
        "North Riverside",
        "555-0704",
    ),
    (
        "Job Club",
        "Riverside Library",
        "Weekly help with CVs, applications and interview practice; free computers.",
        ["Employment"],
        "Anyone looking for work.",
        ["English", "Twi"],
        "Wed 13:00-16:00",
        "Downtown",
        "555-0705",
    ),
    (
        "Legal Aid Clinic",
        "Riverside Law Centre",
        "Free advice on debt, family and immigration matters, by appointment.",
        ["Legal"],
        "People on a low income.",
        ["English", "Spanish"],
        "Thu 17:00-20:00",
        "Downtown",
        "555-0706",
    ),
]


def _relationship(program: Program, name: str) -> SupportRelationship | None:
    for relationship in SupportRelationship.objects.filter(program=program, state__in=WORKING_STATES).select_related(
        "participant", "supporter__user"
    ):
        if relationship.participant.full_name == name:
            return relationship
    return None


def load(program: Program, people: dict[str, Any]) -> None:
    if Goal.objects.filter(program=program).exists():
        return
    coordinator = people["coordinator"]
    services.update_settings(actor=coordinator, program=program, data={"review_every_weeks": 4})
    today = timezone.localdate()

    def ago(days: int) -> dt.date:
        return today - dt.timedelta(days=days)

    helen = _relationship(program, "Helen Ward")
    if helen is not None:
        priya: Actor = helen.supporter.user or DEMO
        walks = services.save_goal(
            actor=priya,
            relationship=helen,
            goal=None,
            data={
                "text": "Get back to my Sunday walks, even when it rains",
                "target_on": today + dt.timedelta(days=30),
            },
        )
        for text, owner, done in (
            ("Walk to the end of the street and back", "participant", ago(30)),
            ("Ask my sister to come along on Sundays", "participant", ago(18)),
            ("Find a walking group near Downtown", "together", None),
        ):
            services.save_step(actor=priya, goal=walks, step=None, data={"text": text, "owner": owner, "done_on": done})
        services.record_progress(actor=priya, goal=walks, on=ago(20), note="Walked twice this week, once alone.")
        services.record_progress(actor=priya, goal=walks, on=ago(6), note="Went with her sister; talked about Tom.")
        bills = services.save_goal(
            actor=priya,
            relationship=helen,
            goal=None,
            data={"text": "Understand the bills my husband used to handle"},
        )
        services.save_step(
            actor=priya,
            goal=bills,
            step=None,
            data={"text": "Go through the letters together", "owner": "together", "done_on": ago(25)},
        )
        services.record_progress(actor=priya, goal=bills, on=ago(20), note="Made a list of what is paid when.")
        services.move_goal(actor=priya, goal=bills, to=GoalStatus.MET, on=ago(20))
        services.record_review(actor=priya, relationship=helen, on=ago(10), note="Walks first; bills are done.")

    ravi = _relationship(program, "Ravi Menon")
    if ravi is not None:
        services.save_goal(
            actor=ravi.supporter.user or DEMO,
            relationship=ravi,
            goal=None,
            data={"text": "Feel less on edge before work in the morning"},
        )

    grace = _relationship(program, "Grace Obi")
    if grace is not None:
        uma: Actor = grace.supporter.user or DEMO
        rest = services.save_goal(
            actor=uma,
            relationship=grace,
            goal=None,
            data={"text": "Plan my week around the days I have more energy"},
        )
        services.save_step(
            actor=uma, goal=rest, step=None, data={"text": "Keep an energy diary", "owner": "participant"}
        )
        services.record_progress(actor=uma, goal=rest, on=ago(40), note="Started the diary.")
        services.record_progress(actor=uma, goal=rest, on=ago(9), note="Moved shopping to Tuesdays.")

    _needs_and_referrals(program, coordinator, helen, ravi, grace)


def _needs_and_referrals(program: Program, coordinator: Any, helen: Any, ravi: Any, grace: Any) -> None:
    resources: dict[str, Resource] = {}
    for name, organisation, offers, needs, eligibility, languages, hours, area, phone in RESOURCES:
        resources[name] = services.save_resource(
            actor=coordinator,
            program=program,
            resource=None,
            data={
                "name": name,
                "organisation": organisation,
                "offers": offers,
                "needs": needs,
                "eligibility": eligibility,
                "languages": languages,
                "hours": hours,
                "area": area,
                "phone": phone,
                "is_active": True,
            },
        )
    today = timezone.localdate()
    if helen is not None:
        priya: Actor = helen.supporter.user or DEMO
        services.save_needs(
            actor=priya,
            participant=helen.participant,
            rows={
                "Income and benefits": (NeedStatus.WORKING, "Widow's pension not sorted yet."),
                "Transport": (NeedStatus.OPEN, "No car since Tom died."),
            },
            relationship=helen,
        )
        benefits = services.save_referral(
            actor=priya,
            relationship=helen,
            referral=None,
            data={
                "resource": resources["Benefits Advice Line"],
                "need": "Income and benefits",
                "handoff_notes": "Called together; spoke to Ana, who booked Helen in for Tuesday.",
            },
        )
        services.move_referral(actor=priya, referral=benefits, to=ReferralState.MADE)
        services.move_referral(actor=priya, referral=benefits, to=ReferralState.CONNECTED, note="Pension claimed.")
        services.save_needs(
            actor=priya,
            participant=helen.participant,
            rows={"Income and benefits": (NeedStatus.MET, "Widow's pension not sorted yet.")},
            relationship=helen,
        )
    if ravi is not None:
        services.save_needs(
            actor=ravi.supporter.user or DEMO,
            participant=ravi.participant,
            rows={"Employment": (NeedStatus.OPEN, "Wants evening work while he studies.")},
            relationship=ravi,
        )
        services.save_referral(
            actor=ravi.supporter.user or DEMO,
            relationship=ravi,
            referral=None,
            data={"resource": resources["Job Club"], "need": "Employment", "follow_up_on": today},
        )
    if grace is not None:
        uma: Actor = grace.supporter.user or DEMO
        services.save_needs(
            actor=uma,
            participant=grace.participant,
            rows={
                "Transport": (NeedStatus.WORKING, ""),
                "Physical health": (NeedStatus.WORKING, "Physiotherapy twice a month."),
            },
            relationship=grace,
        )
        ride = services.save_referral(
            actor=uma,
            relationship=grace,
            referral=None,
            data={
                "resource": resources["Dial-a-Ride"],
                "need": "Transport",
                "handoff_notes": "Grace registered on the phone with my help; first ride to physio next week.",
            },
        )
        services.move_referral(
            actor=uma, referral=ride, to=ReferralState.MADE, follow_up_on=today + dt.timedelta(days=7)
        )
    for participant in Participant.objects.filter(program=program, status="waiting"):
        if participant.full_name == "Marisol Vega":
            services.save_needs(
                actor=coordinator,
                participant=participant,
                rows={"Housing": (NeedStatus.OPEN, "Rent went up; worried about the lease ending in spring.")},
                relationship=None,
            )
