"""From participant to supporter: asking at a 'goals met' closing, and inviting those who agreed."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peerpath.core import audit
from peerpath.core.actors import Actor
from peerpath.core.languages import language_for
from peerpath.core.mail import queue_link_email
from peerpath.core.models import User
from peerpath.support.models import CloseReason, RelationshipState, SupportRelationship
from peerpath.voice import links
from peerpath.voice.models import PeerInterest


def record_interest(*, actor: Actor, relationship: SupportRelationship, consented: bool) -> PeerInterest:
    """Record the person's answer to "would you like to hear about becoming a peer supporter later?".

    Rules: only after the relationship closed with "goals met"; asked once per relationship.
    """
    if relationship.state != RelationshipState.CLOSED or relationship.close_reason != CloseReason.GOALS_MET:
        raise ValidationError(_("This is asked when a relationship has closed with its goals met."))
    if PeerInterest.objects.filter(relationship=relationship).exists():
        raise ValidationError(_("Their answer is already recorded."))
    with transaction.atomic():
        interest = PeerInterest.objects.create(
            program=relationship.program,
            participant=relationship.participant,
            relationship=relationship,
            consented=consented,
            asked_by=actor if isinstance(actor, User) else None,
        )
        audit.record(
            actor=actor,
            program=relationship.program,
            action="voice.peer_interest.create",
            target=interest,
            target_label=relationship.participant.reference,
            note="Would like to hear about it" if consented else "Not interested",
        )
    return interest


def invite_to_apply(*, actor: Actor, interest: PeerInterest) -> PeerInterest:
    """E-mail a former participant who agreed an invitation to apply, with the application form
    set to "I was a participant in the program".

    Rules: only with their consent, to an e-mail address on their record, and once.
    """
    participant = interest.participant
    if not interest.consented:
        raise ValidationError(_("They did not agree to hear about it."))
    if interest.invited_at is not None:
        raise ValidationError(_("They have already been invited."))
    if not participant.email:
        raise ValidationError(_("Their record has no e-mail address: invite them another way."))
    program = interest.program
    with transaction.atomic():
        interest.invited_at = timezone.now()
        interest.invited_by = actor if isinstance(actor, User) else None
        interest.save(update_fields=["invited_at", "invited_by"])
        # Queued with neither the address nor the link: both are read as it is sent.
        queue_link_email(
            kind=links.INVITATION,
            record_id=interest.pk,
            template="voice/email/invitation_to_apply",
            context={"program": program},
            reply_to=program.contact_email,
            language=language_for(interest.participant),
        )
        audit.record(
            actor=actor,
            program=program,
            action="voice.peer_interest.invite",
            target=interest,
            target_label=participant.reference,
        )
    return interest
