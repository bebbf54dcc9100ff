"""Buddy pairs between supporters."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from peerpath.care.models import (
    BuddyPair,
)
from peerpath.care.services.common import local_today, program_path
from peerpath.care.stages import CURRENT_STAGES
from peerpath.core import audit
from peerpath.core.actors import Actor
from peerpath.core.models import User
from peerpath.notifications.services import tell
from peerpath.programs.models import Program
from peerpath.recruitment.models import Supporter


def current_pair(supporter: Supporter) -> BuddyPair | None:
    return (
        BuddyPair.objects.filter(Q(first=supporter) | Q(second=supporter), ended_on__isnull=True)
        .select_related("first", "second")
        .first()
    )


def current_buddy(supporter: Supporter) -> Supporter | None:
    pair = current_pair(supporter)
    return pair.other(supporter.pk) if pair else None


def pair_buddies(*, actor: User, program: Program, first: Supporter, second: Supporter, note: str = "") -> BuddyPair:
    """Pair two supporters as buddies.

    Rules: two different current supporters of the program, neither already in a pair. Both
    are told by e-mail.
    """
    errors = {}
    if first.pk == second.pk:
        errors["second"] = _("Choose two different supporters.")
    for name, person in (("first", first), ("second", second)):
        if person.program_id != program.pk or person.stage not in CURRENT_STAGES:
            errors[name] = _("%(person)s is not a current supporter.") % {"person": person.full_name}
        elif current_pair(person) is not None:
            errors[name] = _("%(person)s already has a buddy.") % {"person": person.full_name}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        pair = BuddyPair.objects.create(program=program, first=first, second=second, note=note, created_by=actor)
        audit.record(actor=actor, program=program, action="buddy.pair", target=pair)
        for person, buddy in ((first, second), (second, first)):
            tell(
                kind="care.buddy",
                person=person,
                program=program,
                context={"supporter": person, "buddy": buddy},
                url=program_path("programs:home", program),
                key=f"care.buddy_paired:{pair.pk}:{person.pk}",
                reply_to=program.contact_email,
            )
    return pair


def end_buddy_pair(*, actor: Actor, pair: BuddyPair) -> BuddyPair:
    """End a buddy pairing. Rule: only a current pair."""
    if pair.ended_on is not None:
        raise ValidationError(_("This pairing has already ended."))
    with transaction.atomic():
        pair.ended_on = local_today()
        pair.save(update_fields=["ended_on"])
        audit.record(
            actor=actor,
            program=pair.program,
            action="buddy.end",
            target=pair,
            changes={"ended_on": [None, pair.ended_on]},
        )
    return pair
