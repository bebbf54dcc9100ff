"""State changes for programs and their members."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from peerpath.core import account_links, audit
from peerpath.core.actors import Actor
from peerpath.core.mail import absolute_url, queue_account_link_email, queue_email
from peerpath.core.models import User, normalize_email
from peerpath.core.permissions import Role
from peerpath.programs import retention
from peerpath.programs.models import Competency, FocusArea, Membership, Program, RetentionSettings
from peerpath.programs.signals import membership_ended, program_created

PROGRAM_FIELDS = [
    "name",
    "description",
    "population",
    "contact_email",
    "accepting_applications",
    "application_intro",
    "second_factor_for_coordinators",
    "second_factor_for_supervisors",
    "second_factor_for_trainers",
]
ROLE_FIELDS = list(Membership.ROLE_FIELDS.values())


def invitation_url(user: User) -> str:
    """A one-time link to set a password; it stops working once a password is set. Shown to an
    operator only (manage.py create_program); the e-mail builds its own when it is sent."""
    return account_links.build(user, "invitation")


def add_member(
    *, actor: Actor, program: Program, email: str, full_name: str, roles: set[Role], send_invitation: bool = True
) -> Membership:
    """Give a person roles in a program, creating their account if they have none.

    Rule: at least one role; a person has one membership per program, so adding roles to an
    existing member merges them. New accounts get an invitation e-mail to set a password;
    existing accounts get a notice that they were added.
    """
    if not roles:
        raise ValidationError(_("Choose at least one role."))
    email = normalize_email(email)
    with transaction.atomic():
        user = User.objects.filter(email=email).first()
        created_user = user is None
        if user is None:
            user = User.objects.create_user(email=email, full_name=full_name)
            audit.record(actor=actor, program=program, action="user.create", target=user)
        membership, created = Membership.objects.get_or_create(user=user, program=program)
        before = audit.snapshot(membership, [*ROLE_FIELDS, "is_active"])
        for role in roles:
            setattr(membership, Membership.ROLE_FIELDS[role], True)
        membership.is_active = True
        membership.save()
        audit.record(
            actor=actor,
            program=program,
            action="membership.create" if created else "membership.update",
            target=membership,
            changes=audit.diff(before, audit.snapshot(membership, [*ROLE_FIELDS, "is_active"])),
        )
        if send_invitation:
            context = {"user": user, "program": program, "roles": sorted(r.label for r in roles)}
            if created_user or not user.has_usable_password():
                # What happens after the link, how long it works and where to go when it has expired.
                context["days"] = max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)
                context["login_url"] = absolute_url(reverse("core:login"))
                queue_account_link_email(
                    user=user, kind="invitation", template="programs/email/invitation", context=context
                )
            else:
                context["url"] = absolute_url(program.get_absolute_url())
                queue_email(to=user.email, template="programs/email/added", context=context)
    return membership


def update_membership(*, actor: Actor, membership: Membership, roles: set[Role], is_active: bool) -> Membership:
    """Change a member's roles. Rule: a program always keeps at least one active coordinator."""
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        before = audit.snapshot(membership, [*ROLE_FIELDS, "is_active"])
        was_active = membership.is_active
        for role, field in Membership.ROLE_FIELDS.items():
            setattr(membership, field, role in roles)
        membership.is_active = is_active
        if not roles and is_active:
            raise ValidationError(_("An active member needs at least one role; deactivate them instead."))
        others = Membership.objects.filter(program=membership.program, is_coordinator=True, is_active=True).exclude(
            pk=membership.pk
        )
        if not (membership.is_coordinator and membership.is_active) and not others.exists():
            raise ValidationError(_("The program must keep at least one active coordinator."))
        membership.save()
        audit.record(
            actor=actor,
            program=membership.program,
            action="membership.update",
            target=membership,
            changes=audit.diff(before, audit.snapshot(membership, [*ROLE_FIELDS, "is_active"])),
        )
        if was_active and not membership.is_active:
            membership_ended.send(sender=Membership, membership=membership, actor=actor)
    return membership


def update_program(*, actor: Actor, program: Program, data: dict[str, Any]) -> Program:
    """Save a program's settings and audit what changed."""
    with transaction.atomic():
        before = audit.snapshot(program, PROGRAM_FIELDS)
        for name in PROGRAM_FIELDS:
            if name in data:
                setattr(program, name, data[name])
        program.full_clean()
        program.save()
        changes = audit.diff(before, audit.snapshot(program, PROGRAM_FIELDS))
        if changes:
            audit.record(actor=actor, program=program, action="program.update", target=program, changes=changes)
    return program


def create_program(*, actor: Actor, name: str, slug: str, coordinator_email: str, coordinator_name: str) -> Program:
    """Start a new program with its default content and its first coordinator (invited by e-mail).

    Rule: program addresses (slugs) are unique.
    """
    with transaction.atomic():
        if Program.objects.filter(slug=slug).exists():
            raise ValidationError(f"A program with the address '{slug}' already exists.")
        program = Program.objects.create(name=name, slug=slug)
        audit.record(actor=actor, program=program, action="program.create", target=program)
        program_created.send(sender=Program, program=program, actor=actor)
        add_member(
            actor=actor,
            program=program,
            email=coordinator_email,
            full_name=coordinator_name,
            roles={Role.COORDINATOR},
        )
    return program


def save_competency(
    *, actor: Actor, program: Program, competency: Competency | None, data: dict[str, Any]
) -> Competency:
    """Add or edit a competency of the program's framework. Rule: numbers are unique per program."""
    competency = competency or Competency(program=program)
    number = data.get("number", competency.number)
    if Competency.objects.filter(program=program, number=number).exclude(pk=competency.pk).exists():
        raise ValidationError({"number": f"Competency {number} already exists."})
    with transaction.atomic():
        return audit.save_audited(
            actor=actor,
            program=program,
            instance=competency,
            fields=["number", "title", "description", "is_core", "is_active"],
            data=data,
            action="competency",
        )


def save_focus_area(*, actor: Actor, program: Program, area: FocusArea | None, data: dict[str, Any]) -> FocusArea:
    """Add or edit a lived-experience area. Rule: names are unique per program."""
    area = area or FocusArea(program=program)
    name = data.get("name", area.name)
    if FocusArea.objects.filter(program=program, name__iexact=name).exclude(pk=area.pk).exists():
        raise ValidationError({"name": f"'{name}' is already one of the program's areas."})
    with transaction.atomic():
        return audit.save_audited(
            actor=actor,
            program=program,
            instance=area,
            fields=["name", "position", "is_active"],
            data=data,
            action="focus_area",
        )


RETENTION_FIELDS = ["closed_participant_days", "audit_days", "draft_days"]


def update_retention_settings(*, actor: Actor, program: Program, data: dict[str, Any]) -> RetentionSettings:
    """Save how long the program keeps each kind of record (peerpath.programs.retention). Rules:
    each is empty (kept for good) or at least ``retention.MINIMUM_DAYS`` for that kind, so a slip of
    the keyboard cannot erase the program's records overnight."""
    errors = {}
    for name, least in retention.MINIMUM_DAYS.items():
        value = data.get(name)
        if value is not None and value < least:
            errors[name] = _("At least %(days)d days, or leave it empty to keep them.") % {"days": least}
    if errors:
        raise ValidationError(errors)
    row = retention.get_settings(program)
    with transaction.atomic():
        audit.save_audited(
            actor=actor,
            program=program,
            instance=row,
            fields=[n for n in RETENTION_FIELDS if n in data],
            data=data,
            action="retention_settings",
        )
    return row
