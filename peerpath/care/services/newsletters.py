"""Newsletters to supporters, their sending and unsubscribing."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peerpath.care.lifecycle import NEWSLETTER
from peerpath.care.models import (
    Newsletter,
    NewsletterPreference,
    NewsletterStatus,
)
from peerpath.care.stages import Audience
from peerpath.core import audit
from peerpath.core.actors import Actor
from peerpath.core.models import User
from peerpath.programs.models import Program
from peerpath.recruitment.models import Supporter


def save_newsletter(
    *, actor: User, program: Program, newsletter: Newsletter | None, subject: str, body: str, audiences: list[str]
) -> Newsletter:
    """Write or edit an update. Rules: drafts only; at least one known audience."""
    if newsletter is not None and newsletter.status != NewsletterStatus.DRAFT:
        raise ValidationError(_("A sent update cannot be changed."))
    valid = [a for a in audiences if a in Audience.STAGES]
    if not valid or len(valid) != len(audiences):
        raise ValidationError({"audiences": _("Choose who should receive it.")})
    if not subject.strip() or not body.strip():
        raise ValidationError(_("Give the update a subject and a message."))
    with transaction.atomic():
        return audit.save_audited(
            actor=actor,
            program=program,
            instance=newsletter or Newsletter(program=program, created_by=actor),
            fields=["subject", "body", "audiences"],
            data={"subject": subject, "body": body, "audiences": valid},
            action="newsletter",
        )


def newsletter_recipients(program: Program, audiences: list[str]) -> Any:
    """Supporters in the audiences' stages who have not chosen to stop receiving updates."""
    return (
        Supporter.objects.filter(program=program, stage__in=Audience.stages_for(audiences))
        .exclude(newsletter_preference__receive=False)
        .exclude(email="")
        .order_by("pk")
    )


def send_newsletter(*, actor: User, newsletter: Newsletter) -> Newsletter:
    """Send a draft to its audiences in the background.

    Rules: a draft is sent once; someone must be in the audiences. People who chose not to
    receive updates are left out; each e-mail carries a one-click unsubscribe link.
    """
    from peerpath.care.tasks import deliver_newsletter  # tasks imports this module

    NEWSLETTER.check(newsletter, NewsletterStatus.SENDING)
    count = newsletter_recipients(newsletter.program, newsletter.audiences).count()
    if count == 0:
        raise ValidationError(_("Nobody in these audiences would receive it."))
    with transaction.atomic():
        NEWSLETTER.move(
            actor=actor,
            obj=newsletter,
            to=NewsletterStatus.SENDING,
            note=f"{count} recipients",
            changes={"sent_by": actor, "sent_at": timezone.now(), "recipient_count": count},
            audit_action="newsletter.send",
            audit_changes={},
        )
        deliver_newsletter.enqueue(newsletter_id=newsletter.pk)
    return newsletter


def set_newsletter_preference(*, actor: Actor, supporter: Supporter, receive: bool, via: str) -> NewsletterPreference:
    """Record whether a person receives the program's updates (from their page or an e-mail link)."""
    with transaction.atomic():
        preference, _created = NewsletterPreference.objects.get_or_create(supporter=supporter)
        before = preference.receive if not _created else True
        preference.receive = receive
        preference.changed_at = timezone.now()
        preference.changed_via = via[:20]
        preference.save()
        if before != receive or _created:
            audit.record(
                actor=actor,
                program=supporter.program,
                action="newsletter.preference",
                target=supporter,
                changes={"receives_updates": [before, receive]},
                note=via,
            )
    return preference
