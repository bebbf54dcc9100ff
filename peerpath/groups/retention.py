"""Groups' retention rule (registered with peerpath.programs.retention): people who asked only for
a group never have a relationship that closes, so support's rule for closed records never reaches
them. Once they have left their last group (or their last request to join was declined) and the
program's period for closed participant records has passed since, they are erased as on an
erasure request (support keeps the anonymous counts)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, F, Max, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerpath.groups.models import GroupMember, MemberStatus
from peerpath.programs.models import Program
from peerpath.programs.retention import RETENTION, Rule, Upcoming, register_rule
from peerpath.support.models import Participant, SupportRelationship, SupportWanted
from peerpath.support.services import participants as support_participants

LISTED = 50  # listed by reference on the retention page (the count covers all)


def left_their_groups(program: Program, before: dt.datetime) -> QuerySet[Participant]:
    """People who asked only for a group, never had a support relationship, are in no group now
    (no active membership, no request waiting) and left their last one before ``before``."""
    still_in = GroupMember.objects.filter(
        participant=OuterRef("pk"), status__in=[MemberStatus.ACTIVE, MemberStatus.REQUESTED]
    )
    had_support = SupportRelationship.objects.filter(participant=OuterRef("pk"))
    return (
        Participant.objects.filter(program=program, support_wanted=SupportWanted.GROUP)
        .exclude(Exists(still_in))
        .exclude(Exists(had_support))
        .annotate(left_on=Max("group_memberships__left_on"))
        .filter(left_on__lt=timezone.localtime(before).date())
    )


def _still_due(participant: Participant) -> bool:
    """Re-checked under the participant's row lock: they did not come back to a group meanwhile."""
    return (
        participant.support_wanted == SupportWanted.GROUP
        and not GroupMember.objects.filter(
            participant=participant, status__in=[MemberStatus.ACTIVE, MemberStatus.REQUESTED]
        ).exists()
    )


def _due(program: Program, before: dt.datetime) -> int:
    return left_their_groups(program, before).count()


def _erase(program: Program, before: dt.datetime) -> int:
    ids = list(left_their_groups(program, before).values_list("pk", flat=True))
    return support_participants.erase_for_retention(
        actor=RETENTION, program=program, participant_ids=ids, still_due=_still_due
    )


def _upcoming(program: Program, before: dt.datetime, days: int) -> list[Upcoming]:
    rows = left_their_groups(program, before).select_related("program").order_by(F("left_on").asc(), "pk")[:LISTED]
    return [
        Upcoming(p.reference, p.get_absolute_url(), p.left_on + dt.timedelta(days=days))  # type: ignore[attr-defined]
        for p in rows
    ]


def register() -> None:
    register_rule(
        Rule(
            key="group_only_participants",
            label=_(
                "People who asked only for a group, after they left their last group (erased; anonymous counts kept)"
            ),
            field="closed_participant_days",
            due=_due,
            remove=_erase,
            items=_upcoming,
        )
    )
