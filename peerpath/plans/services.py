"""Changing a participant's plan: goals, steps, progress, plan reviews, and the plan settings.

Every change runs in one transaction, is validated here (not only by the form) and audited;
what was written about the participant is encrypted and shows in the audit log only as changed.
Rule for every change of a plan: the relationship is active or closing (`access.check_change`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peerpath.core import audit
from peerpath.core.actors import Actor
from peerpath.core.models import User
from peerpath.plans.access import check_change
from peerpath.plans.defaults import get_settings
from peerpath.plans.lifecycle import GOAL, NEED, REFERRAL
from peerpath.plans.models import (
    Goal,
    GoalProgress,
    GoalStatus,
    GoalStep,
    Need,
    NeedStatus,
    PlanReview,
    PlanSettings,
    Referral,
    ReferralState,
    Resource,
    StepOwner,
)
from peerpath.programs.models import Program
from peerpath.support.models import Contact, Participant, SupportRelationship

GOAL_FIELDS = ["text", "target_on"]
STEP_FIELDS = ["text", "owner", "target_on", "done_on"]
SETTINGS_FIELDS = ["review_every_weeks", "need_areas"]


def _user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) else None


def _required_text(value: Any, field: str) -> str:
    text = str(value or "").strip()
    if not text:
        raise ValidationError({field: _("Write it down, in the participant's own words.")})
    return text


def save_goal(*, actor: Actor, relationship: SupportRelationship, goal: Goal | None, data: dict[str, Any]) -> Goal:
    """Add a goal to the relationship's plan, or change its words or target date.

    Rules: the relationship is active or closing; the goal has words; a target date is not
    before the relationship began.
    """
    check_change(relationship)
    text = _required_text(data.get("text"), "text")
    target = data.get("target_on")
    started = (relationship.activated_at or relationship.proposed_at).date()
    if target is not None and target < started:
        raise ValidationError({"target_on": _("A target date comes after the match started.")})
    with transaction.atomic():
        instance = goal or Goal(program=relationship.program, relationship=relationship, created_by=_user(actor))
        return audit.save_audited(
            actor=actor,
            program=relationship.program,
            instance=instance,
            fields=GOAL_FIELDS,
            data={"text": text, "target_on": target},
            action="goal",
        )


def move_goal(*, actor: Actor, goal: Goal, to: str, on: dt.date | None = None, at_close: bool = False) -> Goal:
    """Mark a goal met or set aside, or take it up again (`lifecycle.GOAL`).

    Rules: the relationship is active or closing; a goal is met on a day (today unless given),
    not in the future; taking a goal up again clears when it was met.
    """
    check_change(goal.relationship)
    day = on or timezone.localdate()
    if day > timezone.localdate():
        raise ValidationError({"met_on": _("A goal is met today or earlier, not in the future.")})
    changes: dict[str, Any] = {"met_on": day if to == GoalStatus.MET else None}
    if to == GoalStatus.MET:
        changes["met_at_close"] = at_close
    else:
        changes["met_at_close"] = False
    GOAL.move(actor=actor, obj=goal, to=to, changes=changes)
    return goal


def record_goals_met_at_close(*, actor: Actor, relationship: SupportRelationship, goal_ids: list[int]) -> int:
    """Closing with 'goals met': record which goals were met. Rules: the goals are the
    relationship's; an open goal becomes met today, one already met is marked as met at the close.
    Runs inside the close's transaction, before the relationship's state is read again, so it does
    not ask for a working relationship (it is closed by then). Returns how many were recorded."""
    recorded = 0
    today = timezone.localdate()
    for goal in Goal.objects.filter(relationship=relationship, pk__in=goal_ids).order_by("pk"):
        if goal.status == GoalStatus.OPEN:
            GOAL.move(actor=actor, obj=goal, to=GoalStatus.MET, changes={"met_on": today, "met_at_close": True})
        elif goal.status == GoalStatus.MET and not goal.met_at_close:
            Goal.objects.filter(pk=goal.pk).update(met_at_close=True)
            audit.record(actor=actor, program=relationship.program, action="goal.met_at_close", target=goal, changes={})
        else:
            continue
        recorded += 1
    return recorded


def save_step(*, actor: Actor, goal: Goal, step: GoalStep | None, data: dict[str, Any]) -> GoalStep:
    """Add a step to a goal, or change it (including ticking it done).

    Rules: the relationship is active or closing; the step has words; who takes it is one of
    `StepOwner` (together when not said); it is not done in the future.
    """
    check_change(goal.relationship)
    text = _required_text(data.get("text"), "text")
    owner = data.get("owner") or StepOwner.TOGETHER
    if owner not in StepOwner.values:
        raise ValidationError({"owner": _("Choose who takes the step.")})
    done = data.get("done_on")
    if done is not None and done > timezone.localdate():
        raise ValidationError({"done_on": _("A step is done today or earlier, not in the future.")})
    with transaction.atomic():
        instance = step or GoalStep(goal=goal)
        return audit.save_audited(
            actor=actor,
            program=goal.program,
            instance=instance,
            fields=STEP_FIELDS,
            data={**{k: data.get(k) for k in STEP_FIELDS}, "text": text, "owner": owner},
            action="goal_step",
        )


def record_progress(
    *, actor: Actor, goal: Goal, note: str = "", on: dt.date | None = None, contact: Contact | None = None
) -> GoalProgress:
    """Note that a goal was worked on (in ``contact``, when the contact form records it).

    Rules: the relationship is active or closing; the goal is open; the day is not in the future
    and, with a contact, is the contact's day; the contact is of the same relationship.
    """
    check_change(goal.relationship)
    if goal.status != GoalStatus.OPEN:
        raise ValidationError(_("Only a goal being worked on records progress; take it up again first."))
    if contact is not None and contact.relationship_id != goal.relationship_id:
        raise ValidationError(_("That contact is of another relationship."))
    day = contact.contacted_on if contact is not None else (on or timezone.localdate())
    if day > timezone.localdate():
        raise ValidationError({"noted_on": _("Progress is noted today or earlier, not in the future.")})
    with transaction.atomic():
        row = GoalProgress.objects.create(
            goal=goal, contact=contact, noted_on=day, note=(note or "").strip(), recorded_by=_user(actor)
        )
        audit.record(
            actor=actor,
            program=goal.program,
            action="goal_progress.create",
            target=row,
            changes=audit.diff({}, audit.snapshot(row, ["noted_on", "note", "contact"])),
        )
    return row


def record_review(*, actor: Actor, relationship: SupportRelationship, on: dt.date, note: str = "") -> PlanReview:
    """Record that the plan was reviewed with the participant; the next review falls due the
    program's number of weeks later. Rules: the relationship is active or closing; the review is
    not in the future nor before the match started."""
    check_change(relationship)
    started = (relationship.activated_at or relationship.proposed_at).date()
    if on > timezone.localdate():
        raise ValidationError({"reviewed_on": _("A review is recorded on the day it happened, not ahead.")})
    if on < started:
        raise ValidationError({"reviewed_on": _("The review comes after the match started.")})
    with transaction.atomic():
        review = PlanReview.objects.create(
            relationship=relationship, reviewed_on=on, note=(note or "").strip(), reviewed_by=_user(actor)
        )
        audit.record(
            actor=actor,
            program=relationship.program,
            action="plan_review.create",
            target=review,
            changes=audit.diff({}, audit.snapshot(review, ["reviewed_on", "note"])),
        )
    return review


def update_settings(*, actor: Actor, program: Program, data: dict[str, Any]) -> PlanSettings:
    """Change the plan settings. Rules: a review every 1 to 52 weeks; the needs checklist has at
    least one need, each named once (in any case) and at most 60 characters."""
    weeks = data.get("review_every_weeks")
    if weeks is not None and not 1 <= int(weeks) <= 52:
        raise ValidationError({"review_every_weeks": _("Between 1 and 52 weeks.")})
    if "need_areas" in data:
        names = [line.strip() for line in str(data["need_areas"]).splitlines() if line.strip()]
        if not names:
            raise ValidationError({"need_areas": _("List at least one need.")})
        if len({n.lower() for n in names}) != len(names):
            raise ValidationError({"need_areas": _("Each need once.")})
        if any(len(n) > 60 for n in names):
            raise ValidationError({"need_areas": _("Keep each need to 60 characters.")})
        data = {**data, "need_areas": "\n".join(names)}
    with transaction.atomic():
        return audit.save_audited(
            actor=actor,
            program=program,
            instance=get_settings(program),
            fields=SETTINGS_FIELDS,
            data=data,
            action="plans.settings",
        )


# --- Needs ----------------------------------------------------------------------------------------

NEED_FIELDS = ["note"]
RESOURCE_FIELDS = [
    "name",
    "organisation",
    "offers",
    "needs",
    "eligibility",
    "languages",
    "hours",
    "area",
    "phone",
    "email",
    "website",
    "address",
    "is_active",
]


def save_needs(
    *,
    actor: Actor,
    participant: Participant,
    rows: dict[str, tuple[str, str]],
    relationship: SupportRelationship | None,
) -> int:
    """Save the needs checklist: for each need of the program's list, its status ("" when the
    participant does not have it) and a note. Returns how many needs changed.

    Rules: only needs of the program's checklist (an existing need whose name has left the list
    keeps its row and may still change); a need once recorded is not removed but marked no longer
    needed; a need becoming met is dated today; with ``relationship`` (a supporter's change) it is
    active or closing and the participant's.
    """
    if relationship is not None:
        check_change(relationship)
        if relationship.participant_id != participant.pk:
            raise ValidationError(_("That relationship is another participant's."))
    program = participant.program
    existing = {n.area: n for n in Need.objects.filter(participant=participant)}
    allowed = set(get_settings(program).need_list()) | set(existing)
    unknown = sorted(set(rows) - allowed)
    if unknown:
        raise ValidationError(_("Not on the program's needs checklist: %(names)s.") % {"names": ", ".join(unknown)})
    changed = 0
    with transaction.atomic():
        for area, (status, note) in rows.items():
            need = existing.get(area)
            note = (note or "").strip()
            if need is None:
                if not status:
                    if note:
                        raise ValidationError({area: _("Choose where this need stands, or leave its note empty.")})
                    continue
                if status not in NeedStatus.values:
                    raise ValidationError({area: _("Choose where this need stands.")})
                need = Need.objects.create(
                    program=program,
                    participant=participant,
                    area=area,
                    status=status,
                    note=note,
                    met_on=timezone.localdate() if status == NeedStatus.MET else None,
                    recorded_by=_user(actor),
                )
                audit.record(
                    actor=actor,
                    program=program,
                    action="need.create",
                    target=need,
                    changes=audit.diff({}, audit.snapshot(need, ["area", "status", "note"])),
                )
                changed += 1
                continue
            if not status:
                raise ValidationError({area: _("A need once recorded is marked 'no longer needed', not removed.")})
            moved = False
            if status != need.status:
                met_on = timezone.localdate() if status == NeedStatus.MET else None
                NEED.move(actor=actor, obj=need, to=status, changes={"met_on": met_on, "updated_at": timezone.now()})
                moved = True
            if note != need.note:
                audit.save_audited(
                    actor=actor, program=program, instance=need, fields=NEED_FIELDS, data={"note": note}, action="need"
                )
                moved = True
            changed += moved
    return changed


# --- The resource directory -----------------------------------------------------------------------


def save_resource(*, actor: Actor, program: Program, resource: Resource | None, data: dict[str, Any]) -> Resource:
    """Add a resource to the program's directory, or change it.

    Rules: it has a name, unique in the program (in any case); the needs it meets are needs of the
    program's checklist; languages are a list of names.
    """
    name = str(data.get("name") or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the resource a name.")})
    clash = Resource.objects.filter(program=program, name__iexact=name)
    if resource is not None:
        clash = clash.exclude(pk=resource.pk)
    if clash.exists():
        raise ValidationError({"name": _("The directory already has a resource of that name.")})
    needs = [str(n).strip() for n in data.get("needs") or [] if str(n).strip()]
    checklist = {n.lower(): n for n in get_settings(program).need_list()}
    unknown = [n for n in needs if n.lower() not in checklist]
    if unknown:
        raise ValidationError(
            {"needs": _("Not on the program's needs checklist: %(names)s.") % {"names": ", ".join(unknown)}}
        )
    clean = {
        **{k: data[k] for k in RESOURCE_FIELDS if k in data},
        "name": name,
        "needs": [checklist[n.lower()] for n in needs],
        "languages": [str(x).strip() for x in data.get("languages") or [] if str(x).strip()],
    }
    with transaction.atomic():
        instance = resource or Resource(program=program)
        instance.updated_at = timezone.now()
        return audit.save_audited(
            actor=actor, program=program, instance=instance, fields=RESOURCE_FIELDS, data=clean, action="resource"
        )


# --- Referrals ------------------------------------------------------------------------------------

REFERRAL_FIELDS = ["resource", "resource_name", "need", "concern", "follow_up_on", "handoff_notes"]


def save_referral(
    *, actor: Actor, relationship: SupportRelationship, referral: Referral | None, data: dict[str, Any]
) -> Referral:
    """Suggest a referral to a resource (or change one's details, follow-up date, warm-handoff notes).

    Rules: the relationship is active or closing; the resource is of the program's directory (or
    named, for one not in it); the need is on the checklist; the concern is of this relationship;
    the follow-up date is not before the referral was suggested.
    """
    check_change(relationship)
    program = relationship.program
    resource = data.get("resource")
    if resource is not None and resource.program_id != program.pk:
        raise ValidationError({"resource": _("Choose a resource of this program's directory.")})
    name = (resource.name if resource is not None else str(data.get("resource_name") or "")).strip()
    if not name:
        raise ValidationError({"resource": _("Choose a resource from the directory, or name one.")})
    need = str(data.get("need") or "").strip()
    if need and need not in get_settings(program).need_list() and (referral is None or need != referral.need):
        raise ValidationError({"need": _("Choose a need of the program's checklist.")})
    concern = data.get("concern")
    if concern is not None and concern.relationship_id != relationship.pk:
        raise ValidationError({"concern": _("That concern was raised in another relationship.")})
    suggested = referral.suggested_on if referral is not None else timezone.localdate()
    follow_up = data.get("follow_up_on")
    if follow_up is not None and follow_up < suggested:
        raise ValidationError({"follow_up_on": _("The follow-up comes after the referral was suggested.")})
    values = {
        "resource": resource,
        "resource_name": name,
        "need": need,
        "concern": concern,
        "follow_up_on": follow_up,
        "handoff_notes": str(data.get("handoff_notes") or "").strip(),
    }
    with transaction.atomic():
        instance = referral or Referral(program=program, relationship=relationship, created_by=_user(actor))
        return audit.save_audited(
            actor=actor, program=program, instance=instance, fields=REFERRAL_FIELDS, data=values, action="referral"
        )


def move_referral(
    *, actor: Actor, referral: Referral, to: str, note: str = "", follow_up_on: dt.date | None = None
) -> Referral:
    """Move a referral: made, connected, did not connect (`lifecycle.REFERRAL`), with what happened.

    Rules: the relationship is active or closing; making a referral dates it today and may set
    the day to check on it; connecting or not closes it today and clears the follow-up; the
    follow-up is not in the past.
    """
    check_change(referral.relationship)
    REFERRAL.check(referral, to)
    today = timezone.localdate()
    if follow_up_on is not None and follow_up_on < today:
        raise ValidationError({"follow_up_on": _("The follow-up is today or later.")})
    changes: dict[str, Any] = {}
    if to == ReferralState.MADE:
        changes = {"made_on": today, "closed_on": None, "follow_up_on": follow_up_on or referral.follow_up_on}
    else:
        changes = {"closed_on": today, "follow_up_on": None}
    if note.strip():
        changes["outcome_note"] = note.strip()
    REFERRAL.move(actor=actor, obj=referral, to=to, changes=changes)
    return referral
