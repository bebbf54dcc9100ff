"""What the text-message provider tells PeerPath through its webhooks (signature-checked by the
views): replies (STOP, START, HELP, a page's code) and delivery statuses."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from peerpath.core.actors import SystemActor
from peerpath.notifications import paging, services
from peerpath.notifications.language import language_for
from peerpath.notifications.models import Delivery, DeliveryStatus, Preferences, SmsEvent
from peerpath.notifications.sms import OPTED_OUT_CODES

logger = logging.getLogger(__name__)
REPLY = SystemActor("PeerPath (text reply)")

# The keywords carriers and Twilio honour (Twilio answers STOP and START itself).
STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE"})
START_WORDS = frozenset({"START", "UNSTOP", "YES", "OPTIN"})
HELP_WORDS = frozenset({"HELP", "INFO", "AYUDA"})
ACK_WORDS = frozenset({"ACK", "OK", "ACKNOWLEDGE"})


def _language(phone: str) -> str:
    row = Preferences.objects.filter(phone=phone).select_related("user").first()
    if row is not None:
        return language_for(row.user)
    recipient = services.recipients_with(phone).first()
    return (recipient.language if recipient else "") or translation.get_language() or "en"


def help_text() -> str:
    return _(
        "PeerPath: program alerts and reminders. Reply with the code in an alert to acknowledge it. "
        "Reply STOP to stop texts, START to have them again. Change what you get on your notification settings."
    )


def receive(*, phone: str, body: str, provider_id: str) -> str:
    """Act on a reply from ``phone``; returns the text to answer with ("" for none).

    STOP (and its synonyms) stops texts to everyone with that number; START brings them back to
    a number that had agreed before; HELP answers what these texts are; a page's code (alone, or
    after ACK) acknowledges that person's open page. Only the keyword is recorded, never the
    reply's text."""
    words = body.strip().upper().split()
    first = words[0] if words else ""
    event = SmsEvent(kind=SmsEvent.Kind.INBOUND, provider_id=provider_id[:64], phone=phone[:20])
    with translation.override(_language(phone)):
        if first in STOP_WORDS:
            event.keyword = "STOP"
            event.save()
            services.record_opt_out(actor=REPLY, phone=phone, source="STOP reply")
            return ""
        if first in START_WORDS:
            event.keyword = "START"
            event.save()
            services.record_opt_in(actor=REPLY, phone=phone, source="START reply")
            return ""
        if first in HELP_WORDS:
            event.keyword = "HELP"
            event.save()
            return help_text()
        code = words[1] if first in ACK_WORDS and len(words) > 1 else first
        pages = [p for p in paging.open_pages_for_phone(phone) if p.code == code] if code.isdigit() else []
        if not pages:
            event.keyword = "OTHER"
            event.save()
            return _("Not understood. %(help)s") % {"help": help_text()}
        event.keyword = "ACK"
        event.save()
        page = pages[0]
        try:
            paging.acknowledge(actor=page.user, page=page, via="reply")
        except (ValidationError, PermissionDenied) as error:
            logger.info("page %s: acknowledgement by reply refused: %s", page.pk, error)
            return _("PeerPath could not record your acknowledgement; please open the link in the alert.")
        return _("Thank you: acknowledged. Open PeerPath to see what happened.")


# Twilio's message statuses, as delivery statuses.
_DELIVERED = {"delivered", "read"}
_FAILED = {"failed", "undelivered"}


def record_status(*, provider_id: str, status: str, error_code: str = "", phone: str = "") -> bool:
    """The provider reports what became of a text: delivered, or not (with its error code).

    Returns whether a delivery of ours was found. A number the provider says opted out stops
    getting texts."""
    SmsEvent.objects.create(
        kind=SmsEvent.Kind.STATUS,
        provider_id=provider_id[:64],
        phone=phone[:20],
        status=status[:30],
        error_code=error_code[:10],
    )
    with transaction.atomic():
        row = Delivery.objects.select_for_update().filter(provider_id=provider_id).exclude(provider_id="").first()
        if row is None:
            return False
        if status in _DELIVERED and row.status != DeliveryStatus.DELIVERED:
            row.status, row.delivered_at = DeliveryStatus.DELIVERED, timezone.now()
            row.save(update_fields=["status", "delivered_at"])
        elif status in _FAILED:
            row.status = DeliveryStatus.FAILED
            row.last_error = f"The provider reported {status}" + (f" (error {error_code})" if error_code else "")
            row.save(update_fields=["status", "last_error"])
            if error_code in OPTED_OUT_CODES:
                services.record_opt_out(actor=REPLY, phone=row.to or phone, source="the provider: opted out")
    return True


def params(data: Mapping[str, str], name: str) -> str:
    return str(data.get(name, "") or "")
