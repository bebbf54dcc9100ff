"""Recognition of service milestones and certificates of appreciation."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from peerpath.care.models import (
    Recognition,
    RecognitionKind,
)
from peerpath.care.services.common import local_today, program_path
from peerpath.care.stages import RECOGNISABLE_STAGES
from peerpath.core import audit
from peerpath.core.models import User
from peerpath.notifications.services import tell
from peerpath.programs.models import Program
from peerpath.recruitment.models import Supporter


def record_recognition(
    *,
    actor: User,
    program: Program,
    supporter: Supporter,
    kind: str,
    title: str,
    message: str = "",
    given_on: dt.date | None = None,
    event_name: str = "",
    milestone: str = "",
    notify: bool = True,
) -> Recognition:
    """Record recognition given to a supporter.

    Rules: the supporter is (or was) serving in the program; an award names the event; the
    date is not in the future. With ``notify`` the supporter is e-mailed (they can download
    a certificate of appreciation from their page).
    """
    given_on = given_on or local_today()
    errors = {}
    if supporter.program_id != program.pk or supporter.stage not in RECOGNISABLE_STAGES:
        errors["supporter"] = _("Choose a supporter of this program.")
    if kind not in RecognitionKind.values:
        errors["kind"] = _("Choose the kind of recognition.")
    if kind == RecognitionKind.AWARD and not event_name.strip():
        errors["event_name"] = _("Name the event where the award is given.")
    if given_on > local_today() + dt.timedelta(days=365):
        errors["given_on"] = _("Give a date within the next year.")
    if not title.strip():
        errors["title"] = _("Give the recognition a title.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        recognition = Recognition.objects.create(
            program=program,
            supporter=supporter,
            kind=kind,
            title=title,
            message=message,
            given_on=given_on,
            event_name=event_name,
            milestone=milestone[:30],
            recorded_by=actor,
        )
        audit.record(actor=actor, program=program, action="recognition.create", target=recognition)
        if notify:
            tell(
                kind="care.recognition",
                person=supporter,
                program=program,
                context={"recognition": recognition, "supporter": supporter},
                url=program_path("care:my_care", program),
                key=f"care.recognition:{recognition.pk}",
                reply_to=program.contact_email,
            )
    return recognition
