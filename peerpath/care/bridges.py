"""Where supporter care meets apps that may or may not be installed.

Care never imports training, certification or support at module level: each function here
checks `apps.is_installed(...)` and imports lazily, so care works on its own and picks the
other areas up once they are in INSTALLED_APPS. Every assumption about another app's names
is in this one module.

Interfaces used:
- certification: `services.record_automatic_ce(*, actor, program, supporter, date, title, hours,
  category, source_key)`; the same source_key updates the same credit.
- training: `queries.learn_more_answers(program, since)` and `services.create_refresher_event(...)`.
- support: `SupportRelationship` (state, closed_at) and `Contact` (reached, contacted_on).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db.models import Count, Max

from peerpath.core.actors import Actor


def certification_installed() -> bool:
    return apps.is_installed("peerpath.certification")


def training_installed() -> bool:
    return apps.is_installed("peerpath.training")


def support_installed() -> bool:
    return apps.is_installed("peerpath.support")


# --- certification ----------------------------------------------------------------------------


def record_supervision_ce(
    *, actor: Actor, program: Any, supporter: Any, date: dt.date, title: str, hours: Decimal, category: str, key: str
) -> bool:
    """Credit supervision hours as continuing education; False when certification is absent."""
    if not certification_installed():
        return False
    from peerpath.certification.services import record_automatic_ce

    record_automatic_ce(
        actor=actor,
        program=program,
        supporter=supporter,
        date=date,
        title=title,
        hours=hours,
        category=category,
        source_key=key,
    )
    return True


# --- training ---------------------------------------------------------------------------------


def learn_more_answers(program: Any, since: dt.datetime) -> list[dict[str, Any]]:
    """Training feedback's 'what would you like to learn more about' answers, or [] without training."""
    if not training_installed():
        return []
    from peerpath.training.queries import learn_more_answers as answers

    return list(answers(program, since))


def create_refresher_event(
    *,
    actor: Actor,
    program: Any,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    location: str,
    description: str = "",
    credited_hours: Decimal | int = 0,
) -> Any:
    if not training_installed():
        raise LookupError("Refresher events need the training area, which is not installed.")
    from peerpath.training.services import create_refresher_event as create

    return create(
        actor=actor,
        program=program,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        location=location,
        description=description,
        credited_hours=credited_hours,
    )


# --- support ----------------------------------------------------------------------------------


def active_relationships(program: Any, supporter_ids: list[int]) -> dict[int, list[Any]] | None:
    """Each supporter's open support relationships (None when support is not installed).

    One query. Templates show each relationship through `str()`, which names the participant
    only by reference: the coordinator opens the relationship for details.
    """
    if not support_installed():
        return None
    from peerpath.support.models import WORKING_STATES, SupportRelationship

    rows = SupportRelationship.objects.filter(
        program=program, supporter_id__in=supporter_ids, state__in=WORKING_STATES
    ).select_related("participant", "supporter", "program")
    found: dict[int, list[Any]] = {pk: [] for pk in supporter_ids}
    for row in rows:
        found.setdefault(row.supporter_id, []).append(row)
    return found


def closed_relationship_counts(program: Any, since: dt.datetime) -> dict[int, int] | None:
    """Relationships each supporter closed since a time (None when support is not installed)."""
    if not support_installed():
        return None
    from peerpath.support.models import RelationshipState, SupportRelationship

    rows = (
        SupportRelationship.objects.filter(program=program, state=RelationshipState.CLOSED, closed_at__gte=since)
        .values("supporter_id")
        .annotate(n=Count("id"))
    )
    return {row["supporter_id"]: row["n"] for row in rows}


def contact_counts(program: Any) -> dict[int, int] | None:
    """Contacts that reached the participant, per supporter, all time (None when support is absent)."""
    if not support_installed():
        return None
    from peerpath.support.models import Contact

    rows = (
        Contact.objects.filter(program=program, reached=True)
        .values("relationship__supporter_id")
        .annotate(n=Count("id"))
    )
    return {row["relationship__supporter_id"]: row["n"] for row in rows}


def last_contacts(program: Any) -> dict[int, dt.date] | None:
    """The date of each supporter's latest logged contact (None when support is not installed)."""
    if not support_installed():
        return None
    from peerpath.support.models import Contact

    rows = (
        Contact.objects.filter(program=program).values("relationship__supporter_id").annotate(last=Max("contacted_on"))
    )
    return {row["relationship__supporter_id"]: row["last"] for row in rows}
