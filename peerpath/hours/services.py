"""State changes of the service-hours ledger: the program's hours settings, and "other duties"
a supporter logs and a coordinator approves or returns (as continuing education is reviewed).

Every change runs in a transaction, is validated here and audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from peerpath.core import audit
from peerpath.core.actors import Actor
from peerpath.core.models import User
from peerpath.core.program_settings import ProgramSettings
from peerpath.groups.models import GroupKind
from peerpath.hours.lifecycle import OTHER_DUTY
from peerpath.hours.models import LOGGABLE_KINDS, DutyStatus, HoursSettings, OtherDuty, OtherDutyChange
from peerpath.notifications.services import tell
from peerpath.programs.models import Program
from peerpath.recruitment.models import Stage, Supporter

SETTINGS_FIELDS = [
    "yearly_goal_hours",
    "group_preparation_minutes",
    "outreach_kinds",
    "unit_minutes",
    "hour_milestones",
]

# Who may log other duties: people giving support, or who have given it (an alumna helping at
# an outreach stall still serves the program).
LOGGING_STAGES = frozenset(
    {
        Stage.SHADOWING,
        Stage.CERTIFIED,
        Stage.PROVISIONAL,
        Stage.ACTIVE,
        Stage.ON_BREAK,
        Stage.INACTIVE,
        Stage.ALUMNI,
    }
)

_SETTINGS = ProgramSettings(HoursSettings, remember=True)


def get_settings(program: Program) -> HoursSettings:
    """The program's hours settings, created with the defaults on first use."""
    return _SETTINGS.get(program)


def update_settings(*, actor: Actor, program: Program, data: dict[str, Any]) -> HoursSettings:
    """Change the program's hours settings.

    Rules: hours milestones are positive whole numbers separated by commas (kept sorted, each
    once); a unit of service is 5 to 480 minutes (the model's validators); the outreach kinds
    are names of the program's kinds of group.
    """
    if "outreach_kinds" in data:
        known = set(GroupKind.objects.filter(program=program).values_list("name", flat=True))
        chosen = [str(name) for name in data["outreach_kinds"] or []]
        if any(name not in known for name in chosen):
            raise ValidationError({"outreach_kinds": _("Choose among the program's kinds of group.")})
        data = {**data, "outreach_kinds": sorted(set(chosen))}
    if "hour_milestones" in data:
        parts = [p.strip() for p in str(data["hour_milestones"]).split(",") if p.strip()]
        if not parts or not all(p.isdigit() and int(p) > 0 for p in parts):
            raise ValidationError({"hour_milestones": _("List positive whole numbers separated by commas.")})
        data = {**data, "hour_milestones": ",".join(str(n) for n in sorted({int(p) for p in parts}))}
    with transaction.atomic():
        settings = get_settings(program)
        return audit.save_audited(
            actor=actor, program=program, instance=settings, fields=SETTINGS_FIELDS, data=data, action="hours.settings"
        )


def _user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) else None


def check_duty(*, date: dt.date | None, kind: str | None, title: str | None, minutes: int | None) -> None:
    """The rules of an other duty's fields, every broken one at once (by field): not dated in
    the future nor more than a year back, a kind a supporter may log, a title, 5 minutes to 24
    hours."""
    errors: dict[str, str] = {}
    today = timezone.localdate()
    if date is not None and date > today:
        errors["date"] = _("A duty cannot be dated in the future.")
    elif date is not None and date < today - dt.timedelta(days=366):
        errors["date"] = _("Log duties within a year of the day you did them.")
    if kind is not None and kind not in LOGGABLE_KINDS:
        errors["kind"] = _("Choose what kind of duty it was.")
    if title is not None and not title.strip():
        errors["title"] = _("Say what you did.")
    if minutes is not None and not 5 <= minutes <= 24 * 60:
        errors["minutes"] = _("Give between 5 minutes and 24 hours (1440 minutes).")
    if errors:
        raise ValidationError(errors)


def log_duty(
    *, actor: Actor, supporter: Supporter, date: dt.date, kind: str, title: str, minutes: int, description: str = ""
) -> OtherDuty:
    """A supporter logs an other duty for approval.

    Rules: only the supporter themselves logs their duties, while serving or having served
    (shadowing onwards, alumni included); the field rules of `check_duty`. The duty waits for a
    coordinator's approval before it counts in the ledger.
    """
    if supporter.user_id is None or _user(actor) is None or supporter.user_id != getattr(actor, "pk", None):
        raise ValidationError(_("Only the supporter themselves can log their duties."))
    if supporter.stage not in LOGGING_STAGES:
        raise ValidationError(_("Duties can be logged once you have started supporting participants."))
    check_duty(date=date, kind=kind, title=title, minutes=minutes)
    with transaction.atomic():
        duty = OtherDuty.objects.create(
            program=supporter.program,
            supporter=supporter,
            date=date,
            kind=kind,
            title=title.strip()[:200],
            minutes=minutes,
            description=description.strip(),
            created_by=_user(actor),
        )
        OtherDutyChange.objects.create(duty=duty, to_status=DutyStatus.SUBMITTED, actor=_user(actor))
        audit.record(actor=actor, program=supporter.program, action="hours.duty.submit", target=duty)
    return duty


def resubmit_duty(
    *, actor: Actor, duty: OtherDuty, date: dt.date, kind: str, title: str, minutes: int, description: str = ""
) -> OtherDuty:
    """The supporter corrects a duty awaiting approval or returned to them, and submits it again.
    Rules as for logging; an approved duty cannot be changed."""
    OTHER_DUTY.check(duty, DutyStatus.SUBMITTED)
    if duty.supporter.user_id is None or duty.supporter.user_id != getattr(actor, "pk", None):
        raise ValidationError(_("Only the supporter themselves can change their duties."))
    check_duty(date=date, kind=kind, title=title, minutes=minutes)
    with transaction.atomic():
        OTHER_DUTY.move(
            actor=actor,
            obj=duty,
            to=DutyStatus.SUBMITTED,
            changes={
                "date": date,
                "kind": kind,
                "title": title.strip()[:200],
                "minutes": minutes,
                "description": description.strip(),
            },
            audit_action="hours.duty.resubmit",
        )
    return duty


def review_duty(*, actor: Actor, duty: OtherDuty, approve: bool, comment: str = "") -> OtherDuty:
    """A coordinator approves a duty (it counts in the ledger from then on), or returns it with
    a comment saying what to fix (the supporter is e-mailed).

    Rules: only duties awaiting approval; returning needs a comment; nobody reviews their own.
    """
    to_status = DutyStatus.APPROVED if approve else DutyStatus.RETURNED
    OTHER_DUTY.check(duty, to_status)
    if duty.supporter.user_id is not None and duty.supporter.user_id == getattr(actor, "pk", None):
        raise ValidationError(_("Nobody reviews their own duties."))
    if not approve and not comment.strip():
        raise ValidationError({"comment": _("Say what needs fixing before it can be approved.")})
    with transaction.atomic():
        OTHER_DUTY.move(
            actor=actor,
            obj=duty,
            to=to_status,
            note=comment.strip(),
            changes={"review_comment": comment.strip(), "reviewed_by": _user(actor), "reviewed_at": timezone.now()},
            audit_action="hours.duty." + ("approve" if approve else "return"),
            audit_changes={},  # the comment is the entry's note
        )
        if not approve:
            tell(
                kind="hours.duty_returned",
                person=duty.supporter,
                program=duty.program,
                context={"duty": duty},
                url=reverse("hours:mine", args=[duty.program.slug]),
                reply_to=duty.program.contact_email,
            )
    return duty
