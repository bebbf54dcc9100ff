"""Backups covering for a supervisor between two dates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peerpath.core import audit
from peerpath.core.languages import later, lazy_date
from peerpath.core.models import User
from peerpath.core.permissions import Role
from peerpath.programs.models import Membership, Program
from peerpath.support.models import (
    SupervisorCover,
)
from peerpath.support.notify import notify


def name_backup(
    *, actor: User, program: Program, backup: Any, starts_on: dt.date, ends_on: dt.date, note: str = ""
) -> SupervisorCover:
    """A supervisor names who covers for them while away.

    Rules: the backup is another supervisor of the program; the dates are in order and not
    already over.
    """
    errors: dict[str, str] = {}
    if backup is None or backup.pk == actor.pk:
        errors["backup"] = _("Choose another supervisor.")
    elif not Membership.objects.filter(program=program, user=backup).with_role(Role.SUPERVISOR).exists():
        errors["backup"] = _("The backup must be a supervisor of this program.")
    if ends_on < starts_on:
        errors["ends_on"] = _("The cover ends after it starts.")
    elif ends_on < timezone.localdate():
        errors["ends_on"] = _("This cover would already be over.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        cover = SupervisorCover.objects.create(
            program=program, supervisor=actor, backup=backup, starts_on=starts_on, ends_on=ends_on, note=note
        )
        audit.record(actor=actor, program=program, action="supervisor_cover.create", target=cover)
        notify(
            program=program,
            users=[backup],
            text=later(
                gettext_lazy("%(actor)s named you as their backup from %(start)s to %(end)s."),
                actor=actor,
                start=lazy_date(starts_on),
                end=lazy_date(ends_on),
            ),
            url=reverse("support:supervision", args=[program.slug]),
        )
    return cover


def end_cover(*, actor: User, cover: SupervisorCover) -> None:
    """Cancel a cover (or end it today). Rule: only the supervisor who named it."""
    if cover.supervisor_id != actor.pk:
        raise ValidationError(_("Only the supervisor who named this backup can end the cover."))
    with transaction.atomic():
        yesterday = timezone.localdate() - dt.timedelta(days=1)
        if cover.starts_on > yesterday:
            audit.record(actor=actor, program=cover.program, action="supervisor_cover.delete", target=cover)
            cover.delete()
        else:
            cover.ends_on = yesterday
            cover.save(update_fields=["ends_on"])
            audit.record(actor=actor, program=cover.program, action="supervisor_cover.end", target=cover)
