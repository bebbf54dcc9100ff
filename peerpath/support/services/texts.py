"""Text messages to participants who agreed to them: the consent on their record, and the
follow-up reminder on the day their supporter plans to be in touch.

A participant has no account: the notification layer keeps them as a text recipient
(`peerpath.notifications.models.TextRecipient`, owned as ``support.participant:<id>``) with
their number (E.164, encrypted), the opt-in with its time and source, and STOP. A text names
the program and the supporter's first name, never the participant, their needs or anything
about their health: texts leave the program's hands and sit on a phone's lock screen.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from peerpath.core.actors import Actor
from peerpath.notifications import services as notifications
from peerpath.notifications.models import TextRecipient
from peerpath.programs.models import Program
from peerpath.support import windows as w
from peerpath.support.models import Participant


def owner_of(participant: Participant | int) -> str:
    pk = participant if isinstance(participant, int) else participant.pk
    return f"support.participant:{pk}"


def consent_of(participant: Participant) -> TextRecipient | None:
    """The participant's text-message consent as recorded (None when never asked)."""
    return notifications.recipient_for(owner_of(participant))


def texting(participant_ids: list[int]) -> set[int]:
    """Which of these participants agreed to texts and have not sent STOP since (one query)."""
    owners = {owner_of(pk): pk for pk in participant_ids}
    rows = TextRecipient.objects.filter(owner__in=list(owners))
    return {owners[row.owner] for row in rows if row.texts_allowed}


def record_text_consent(
    *, actor: Actor, participant: Participant, phone: str, agreed: bool, source: str
) -> TextRecipient:
    """Record that a participant agreed to texts at a number (or no longer does), and how.

    Rules: the number is validated and kept in international format; agreeing needs the way
    they agreed ("told me on the phone"); a changed number needs agreeing again; a STOP they
    sent is shown and only their new agreement undoes it. Audited on the notification layer's
    record under the participant's reference, never the number."""
    return notifications.set_recipient_texts(
        actor=actor,
        program=participant.program,
        owner=owner_of(participant),
        label=participant.reference,
        phone=phone,
        language=participant.preferred_language,
        agreed=agreed,
        source=source,
    )


def forget_text_consent(participant: Participant) -> None:
    """An erased participant leaves no number behind (inside the erasure's transaction)."""
    TextRecipient.objects.filter(owner=owner_of(participant)).delete()


def send_follow_up_texts(program: Program, now: dt.datetime | None = None) -> int:
    """On the day a supporter planned to follow up, the participant who agreed to texts hears
    that their supporter plans to be in touch (one text per relationship and date, in their
    language; held until morning if the morning task ran at night). Returns how many were made."""
    now = now or timezone.now()
    windows = w.Windows.for_program(program, timezone.localdate(now))
    rows = list(w.tracked_relationships(program, windows).filter(next_follow_up=windows.today))
    allowed = texting([r.participant_id for r in rows])
    sent = 0
    for relationship in rows:
        if relationship.participant_id not in allowed:
            continue
        with transaction.atomic():
            made = notifications.text_recipient(
                owner=owner_of(relationship.participant_id),
                kind="support.participant_follow_up",
                template="support/sms/participant_follow_up",
                context={
                    "program": program,
                    "supporter_first_name": relationship.supporter.full_name.split(" ")[0],
                },
                key=f"support.participant_follow_up:{relationship.pk}:{windows.today.isoformat()}",
                now=now,
            )
        sent += made is not None
    return sent
