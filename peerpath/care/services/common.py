"""Care settings and the helpers every care service uses."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from peerpath.care.models import (
    CareSettings,
)
from peerpath.core import audit
from peerpath.core.actors import Actor, SystemActor
from peerpath.core.mail import absolute_url
from peerpath.core.models import User
from peerpath.core.permissions import Role
from peerpath.core.program_settings import ProgramSettings
from peerpath.programs.models import Membership, Program
from peerpath.recruitment.models import Supporter

SYSTEM = SystemActor("PeerPath (supporter care)")

SETTINGS_FIELDS = [
    "supervision_every_days",
    "supervision_counts_as_ce",
    "supervision_ce_category",
    "checkin_every_days",
    "checkin_questionnaire",
    "checkin_reminders",
    "concern_response_days",
    "return_checkin_days",
    "weekly_digest",
    "attention_quiet_weeks",
    "attention_concern_checkins",
    "attention_closed_relationships",
    "attention_window_days",
    "topic_window_days",
    "milestone_lookahead_days",
    "hold_on_concern_checkin",
    "hold_after_hard_event_days",
    "hold_supervision_overdue_days",
    "return_ramp_days",
    "return_ramp_matches",
    "support_milestones",
]


# Read on home pages and most care pages.
_SETTINGS = ProgramSettings(CareSettings, related="checkin_questionnaire")


def get_settings(program: Program) -> CareSettings:
    """The program's care settings, created with the defaults on first use."""
    return _SETTINGS.get(program)


def update_settings(*, actor: Actor, program: Program, data: dict[str, Any]) -> CareSettings:
    """Change the program's care settings.

    Rules: the check-in questionnaire must be one of the program's active questionnaires;
    support milestones are positive whole numbers.
    """
    questionnaire = data.get("checkin_questionnaire")
    if questionnaire is not None and (questionnaire.program_id != program.pk or not questionnaire.is_active):
        raise ValidationError({"checkin_questionnaire": _("Choose one of this program's active questionnaires.")})
    if "support_milestones" in data:
        parts = [p.strip() for p in str(data["support_milestones"]).split(",") if p.strip()]
        if not parts or not all(p.isdigit() and int(p) > 0 for p in parts):
            raise ValidationError({"support_milestones": _("List positive whole numbers separated by commas.")})
        data = {**data, "support_milestones": ",".join(str(n) for n in sorted({int(p) for p in parts}))}
    with transaction.atomic():
        settings = get_settings(program)
        return audit.save_audited(
            actor=actor, program=program, instance=settings, fields=SETTINGS_FIELDS, data=data, action="care.settings"
        )


def local_today() -> dt.date:
    return timezone.localdate()


def coordinator_users(program: Program) -> list[User]:
    return [
        m.user for m in Membership.objects.filter(program=program).with_role(Role.COORDINATOR).select_related("user")
    ]


def coordinator_emails(program: Program) -> list[str]:
    return list(
        Membership.objects.filter(program=program).with_role(Role.COORDINATOR).values_list("user__email", flat=True)
    )


def active_supervisor(supporter: Supporter) -> Any:
    """The supporter's supervisor if they still hold the supervisor role in the program, else None."""
    if supporter.supervisor_id is None:
        return None
    if (
        not Membership.objects.filter(program_id=supporter.program_id, user_id=supporter.supervisor_id)
        .with_role(Role.SUPERVISOR)
        .exists()
    ):
        return None
    return supporter.supervisor


def program_url(name: str, program: Program, *args: Any) -> str:
    return absolute_url(program_path(name, program, *args))


def program_path(name: str, program: Program, *args: Any) -> str:
    return reverse(name, args=[program.slug, *args])


def is_coordinator(actor: Actor, program: Program) -> bool:
    return (
        isinstance(actor, User)
        and Membership.objects.filter(program=program, user=actor).with_role(Role.COORDINATOR).exists()
    )


def require_own_record(actor: Actor, supporter: Supporter) -> None:
    if supporter.user_id is None or not isinstance(actor, User) or supporter.user_id != actor.pk:
        raise ValidationError(_("Only the supporter themselves can do this."))
